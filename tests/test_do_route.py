"""cli/do_route.py: a command whose words neither fast path reads skips them (and their
imports); its False must never hide a command a fast path would have taken."""

from __future__ import annotations

import argparse

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cutover_tui.cli import do_fast, do_fast_moves
from cutover_tui.cli.do_commands import ACTIONS
from cutover_tui.cli.do_route import MOVE_OPTIONS, MOVES, NOTE_OPTIONS, fast_may_take
from cutover_tui.journal import do_moves


def long_options(parser: argparse.ArgumentParser) -> set[str]:
    return {name for name in parser._option_string_actions if name.startswith("--")}


def test_the_route_knows_what_the_fast_parsers_know() -> None:
    assert set(do_moves.MOVES) == MOVES
    assert long_options(do_fast._parser()) == NOTE_OPTIONS
    assert long_options(do_fast_moves._parser()) == MOVE_OPTIONS


def fast_parsers_take(argv: list[str]) -> bool:
    """Whether either fast path's parser accepts `argv` as one it could go on with."""
    try:
        if do_fast._parser().parse_args(argv).action == "note":  # [] after `-- --`
            return True
    except do_fast.NotFast:
        pass
    try:
        args = do_fast_moves._parser().parse_args(argv)
    except do_fast.NotFast:
        return False
    return isinstance(args.action, str) and args.action in MOVES  # [] after `-- --` too


OPTIONS = ["--note", "--kind", "--key", "--runs", "--reason", "--evidence", "--risk"]
OPTIONS += ["--duration", "--at", "--eta", "--approver", "--to", "--not", "--reas", "--help"]
SPECIAL = ["RUN", "s0", "info", "x", "--", "-h", "-", "-5", "--kind=info", "--note=a b", ""]
WORDS = st.sampled_from([*OPTIONS, *sorted(ACTIONS), *SPECIAL, "--duration=5m"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(WORDS, st.text(max_size=6)), max_size=8))
@example(["accept-handover", "--", "--"])  # the note parser's action was [], unchecked
@example(["--note", "accept-handover", "--", "--note", "--", "--note"])  # the moves parser's too
def test_a_command_routed_past_the_fast_paths_is_one_neither_parser_takes(argv) -> None:
    if not fast_may_take(argv):
        assert not fast_parsers_take(argv)


def test_the_words_that_go_straight_to_the_full_path() -> None:
    assert not fast_may_take(["RUN", "estimate", "s1", "--duration", "5m", "--reason", "r"])
    assert not fast_may_take(["RUN", "note", "--note", "x", "--reason", "r"])
    assert not fast_may_take(["RUN", "start", "s1", "--at", "22:00"])
    assert fast_may_take(["RUN", "note", "--note", "x", "--kind=decision"])
    assert fast_may_take(["--runs", "d", "RUN", "complete", "s1", "--evidence", "ok"])
