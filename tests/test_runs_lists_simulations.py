"""`cutover runs` tells a simulated night from a rehearsal people ran.

Regression: every `cutover simulate` night was listed with mode "rehearsal", beside the real
rehearsals, while `cutover rehearsals` left them out ("no rehearsals of ..."): a lead counting
rehearsals in the listing counted nights nobody ran. Real run files, the real CLI (its main).
"""

from __future__ import annotations

from pathlib import Path

from cutover_tui.cli import main
from tests.test_rehearse_gate_phases import plan_text


def test_a_simulated_night_is_listed_as_simulated(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    plan.write_text(plan_text())
    assert main(["simulate", str(plan), "--headless", "--speed", "100000", "--seed", "1"]) == 0
    capsys.readouterr()
    assert main(["start", str(plan), "--rehearsal"]) == 0
    rehearsal = capsys.readouterr().out.strip()
    assert main(["runs"]) == 0
    rows = {line.split()[0]: line.split()[1] for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows.pop(rehearsal) == "rehearsal"
    assert list(rows.values()) == ["simulated"]


def test_a_moved_simulated_night_is_still_listed_as_simulated(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """The moved row (journal/moved.py) printed the stored mode: 'rehearsal' again."""
    import sqlite3

    from cutover_tui.journal import moved

    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    plan.write_text(plan_text())
    assert main(["simulate", str(plan), "--headless", "--speed", "100000", "--seed", "1"]) == 0
    [path] = (tmp_path / "runs").glob("*.db")
    db = sqlite3.connect(path)
    with db:
        moved.mark(db, "postgresql://h/db", "2026-12-02 21:00Z", "ops")
    db.close()
    capsys.readouterr()
    assert main(["runs"]) == 0
    [row] = capsys.readouterr().out.splitlines()[1:]
    assert row.split()[1:3] == ["simulated", "MOVED"], row
