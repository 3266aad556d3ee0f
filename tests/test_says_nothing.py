"""A note, a reason or any word the rules ask for must have something a reader can see
(engine/texts.says_nothing). Found by a hostile user pass (2026-12-02): notes made only of
control characters or zero-width spaces were recorded, and shown as nothing."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from cutover_tui.cli import main
from cutover_tui.engine.texts import INVISIBLE, says_nothing
from cutover_tui.journal.store import Journal
from tests.test_cli_run import begun_last_night

EMPTY_LOOKING = [
    "",
    "   ",
    "\u200b",
    "\u200b\u200e\u2066 ",
    "\x07\x1b\t\n",
    "\u3000\u00a0",
    "\ufeff",
]


def test_what_shows_nothing() -> None:
    for text in EMPTY_LOOKING:
        assert says_nothing(text), repr(text)
    for text in ["x", " é ", "\u200bok", "🚀", "日本", "-", "\u202eevil"]:
        assert not says_nothing(text), repr(text)


@given(st.text(max_size=30))
def test_it_is_whether_any_character_is_visible(text: str) -> None:
    visible = [c for c in text if unicodedata.category(c) not in INVISIBLE]
    assert says_nothing(text) == (not visible)


def test_the_cli_refuses_such_a_note_and_such_a_reason(tmp_path, capsys) -> None:
    run, runs = begun_last_night(tmp_path)
    before = len(Journal(runs / f"{run}.db").events())
    for text in EMPTY_LOOKING[2:]:
        assert main(["do", run, "note", "--note", text, "--runs", str(runs)]) != 0
        said = capsys.readouterr().err
        assert "a note needs text" in said and said.count("\n") == 1, said
    assert main(["do", run, "skip", "contested", "--reason", "\u200b", "--runs", str(runs)]) != 0
    assert "say why the step is skipped" in capsys.readouterr().err
    assert len(Journal(runs / f"{run}.db").events()) == before  # nothing recorded
    assert main(["do", run, "note", "--note", "\u200bseen", "--runs", str(runs)]) == 0
    # Now this user's facts are kept: the next note may take the fast path (cli/do_fast.py),
    # which asks the same question of the same code.
    count = len(Journal(runs / f"{run}.db").events())
    capsys.readouterr()
    assert main(["do", run, "note", "--note", "\u200b\u200e", "--runs", str(runs)]) != 0
    assert "a note needs text" in capsys.readouterr().err
    assert len(Journal(runs / f"{run}.db").events()) == count
