"""Numbers in a check's output read whole or not at all (plan/numbers.py, plan/readings.py).

Hostile user pass 2026-12-02: `source_rows=48,112,007` against `target_rows=48,000,000` passed
a rollback checkpoint as "48 == 48 holds", and `source_rows=1e400` was "not named".
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.schedule import schedule
from cutover_tui.journal.store import Journal
from cutover_tui.plan.expect import evaluate, parse_expect
from cutover_tui.plan.numbers import Unreadable, read_number
from cutover_tui.plan.readings import read_output
from tests.checks_support import checks_plan, new_checks_run, start, toml_list
from tests.journal_support import at

SEPARATORS = [",", "_", "\u00a0", "\u202f", "\u2009"]
PRINTF = shutil.which("printf") or "/usr/bin/printf"


def grouped(n: int, sep: str) -> str:
    """`n` with its thousands grouped by `sep`, as a locale-aware printf would print it."""
    return f"{n:,}".replace(",", sep)


@given(st.integers(-(10**18), 10**18), st.sampled_from(SEPARATORS))
def test_a_grouped_integer_reads_back_equal_or_not_at_all(n: int, sep: str) -> None:
    text = grouped(n, sep)
    read = read_output(f"rows={text}\n").values.get("rows")
    if sep == "," and text.count(",") == 1:
        assert read is None  # 1,500: 1500 or 1.5, not guessed
        assert "rows" in read_output(f"rows={text}").unreadable
    else:
        assert read == float(n)


@given(st.integers(0, 10**12), st.integers(0, 99), st.sampled_from(SEPARATORS))
def test_a_grouped_decimal_reads_back_equal(whole: int, cents: int, sep: str) -> None:
    text = f"{grouped(whole, sep)}.{cents:02d}"
    assert read_number(text) == float(f"{whole}.{cents:02d}")


@given(st.text(alphabet="0123456789,._ -+e\u202f", min_size=1, max_size=16))
def test_a_number_read_is_the_whole_token_never_a_prefix(token: str) -> None:
    """Whatever is read is the token itself with one kind of separator taken out."""
    read = read_number(token)
    if isinstance(read, Unreadable):
        return
    bare = re.sub(r"(?<=\d)[,_\u202f](?=\d{3})", "", token)
    assert read == float(bare)


@pytest.mark.parametrize(
    ("token", "why"),
    [
        ("1,5", "decimal comma"),
        ("1,50", "decimal comma"),
        ("1,500", "one comma group"),
        ("48 112 007", "apart by spaces"),
        ("1e400", "not a finite number"),
        ("48.112.007", "not a number"),
        ("48,11,2007", "not a number"),
        ("1,234_567", "not a number"),
        ("nan", "not a number"),
        ("12ms", "not a number"),
    ],
)
def test_an_ambiguous_or_broken_value_is_refused_with_its_reason(token: str, why: str) -> None:
    readings = read_output(f"rows={token}\n")
    assert "rows" not in readings.values
    assert readings.unreadable["rows"].token == token
    ok, line = evaluate(parse_expect("rows > 0"), readings.values, readings.unreadable)
    assert not ok
    assert f"cannot read rows={token!r}" in line and why in line and "FAILS" in line


@pytest.mark.parametrize("after", ["", ",", ", cols=3", ".", ".5", "\n"])
def test_groups_apart_by_spaces_are_never_read_as_their_first(after: str) -> None:
    readings = read_output(f"rows=48 112 007{after}")
    assert "rows" not in readings.values
    assert readings.unreadable["rows"].token.startswith("48 112")
    assert "rows" in read_output(f"rows=5 100{after}").unreadable


def test_the_last_value_of_a_name_wins_read_or_not() -> None:
    assert read_output("rows=5\nrows: pending\n").unreadable["rows"].token == "pending"
    assert read_output("rows: pending\nrows=5\n").values["rows"] == 5
    # ends of sentences and lists are not part of a value, nor is a percent sign
    assert read_output("cpu: 42%").values["cpu"] == 42
    assert read_output("rows=1,000,000, cols=3.").values == {"rows": 1e6, "cols": 3, "value": 3}


def test_value_is_the_last_number_read_whole() -> None:
    assert read_output("copied 48,112,007 rows\n").values["value"] == 48112007
    assert read_output("took 0.5s").values["value"] == 0.5
    assert "value" in read_output("ratio 1,5\n").unreadable


def test_a_shown_comparison_keeps_every_digit() -> None:
    """4.8112e+07 == 4.8112e+07 FAILS (":g") would hide which rows are missing."""
    values = read_output("a=48,112,007 b=48,112,008").values
    _, line = evaluate(parse_expect("a == b"), values)
    assert "48112007 == 48112008" in line


def _conducted(tmp_path: Path, text: str, expect: str = "source_rows == target_rows"):
    body = f'type = "command"\nargv = {toml_list([PRINTF, text])}\nexpect = "{expect}"'
    journal = new_checks_run(tmp_path, checks_plan({"count": body}, on_fail="rollback"))
    start(journal, "count")
    written = Conductor(Journal(journal.path), FixedClock(at(2)), holder="A").tick()
    return journal, written


def test_a_mismatch_printed_with_separators_fails_and_calls_for_rollback(tmp_path: Path) -> None:
    journal, written = _conducted(tmp_path, "source_rows=48,112,007\\ntarget_rows=48,000,000")
    assert [e.type for e in written] == ["checkpoint-failed"]
    assert "48112007 == 48000000" in written[0].evidence and "FAILS" in written[0].evidence
    fired = schedule(Journal(journal.path).state(), at(3)).fired
    assert [(f.step, f.action) for f in fired] == [("count", "rollback")]


def test_equal_counts_printed_two_ways_pass(tmp_path: Path) -> None:
    _, written = _conducted(tmp_path, "source_rows=48,112,007\\ntarget_rows: 48_112_007")
    assert [e.type for e in written] == ["checkpoint-passed"]


def test_a_value_too_large_to_read_fails_saying_so(tmp_path: Path) -> None:
    _, written = _conducted(tmp_path, "source_rows=1e400\\ntarget_rows=1")
    assert [e.type for e in written] == ["checkpoint-failed"]
    assert "cannot read source_rows='1e400' as a number (not a finite number)" in (
        written[0].evidence
    )
    assert "names no" not in written[0].evidence


def test_cutover_check_shows_an_unread_value_inert(tmp_path: Path, capsys) -> None:
    from cutover_tui.cli import main

    argv = toml_list([PRINTF, "rows=4\\a,5"])  # printf prints BEL for \\a
    body = f'type = "command"\nargv = {argv}\nexpect = "rows == 4"\nauto = false'
    journal = new_checks_run(tmp_path, checks_plan({"manual": body}))
    start(journal, "manual")
    assert main(["check", journal.run_id, "manual", "--runs", str(tmp_path)]) == 1
    out = capsys.readouterr()
    shown = out.out + out.err
    assert "cannot read rows='4␇,5' as a number" in shown
    assert "\x07" not in shown
