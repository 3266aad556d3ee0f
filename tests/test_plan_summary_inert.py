"""`cutover validate`'s summary keeps each plan text on its own line, made inert."""

from __future__ import annotations

from pathlib import Path

from cutover_tui.plan import parse_plan

VALID = Path(__file__).resolve().parent / "plans" / "valid-minimal.toml"


def test_validate_says_a_title_with_a_line_feed_on_one_line() -> None:
    """User pass (2026-12-02): `title = "PassB\\r\\nBcc: ..."` printed "Bcc: ..." as a line
    of its own under `cutover validate`'s summary (CR was shown, LF passed)."""
    from cutover_tui.plan.summary import summarize

    text = VALID.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title = "))
    hostile = text.replace(title, 'title = "PassB\\r\\nBcc: evil@example.com"', 1)
    summary = summarize(parse_plan(hostile, name="t.toml"))
    assert not any(line.startswith("Bcc:") for line in summary.splitlines())
    assert "PassB␍⏎Bcc: evil@example.com" in summary.splitlines()[1]
