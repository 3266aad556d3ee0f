"""The plan format's limits (docs/plan-format.md, Limits): file size and kind, TOML nesting,
window and step lengths. Each refusal is one PlanError line naming the limit; none is a
traceback, a RecursionError or a hang (issue 12, findings 2 and 6)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cutover_tui.plan import PlanError, load_plan, parse_plan
from cutover_tui.plan.limits import MAX_PLAN_BYTES, MAX_TOML_DEPTH, toml_depth_problem

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = (ROOT / "tests" / "plans" / "valid-minimal.toml").read_text()


def refusal(text: str) -> str:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "p.toml")
    return str(caught.value)


def validate(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "validate", path],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


# -- nesting ---------------------------------------------------------------------------------


def test_a_hundred_thousand_nested_arrays_are_one_line_not_a_recursion_error() -> None:
    deep = "format = 1\nx = " + "[" * 100_000 + "]" * 100_000 + "\n"
    message = refusal(deep)
    assert (
        message
        == f"p.toml:2: TOML: nested deeper than {MAX_TOML_DEPTH} levels, the limit for a plan"
    )


def test_a_hundred_thousand_part_dotted_key_is_refused_at_once() -> None:
    # tomllib took over 120 s on this; the scan stops at the 17th part.
    dotted = "format = 1\n\n" + "a" + ".a" * 100_000 + " = 1\n"
    started = time.perf_counter()
    message = refusal(dotted)
    assert time.perf_counter() - started < 2
    assert message.startswith("p.toml:3: TOML: nested deeper than")


def test_nesting_through_the_cli_is_one_line(tmp_path: Path) -> None:
    plan = tmp_path / "deep.toml"
    plan.write_text("x = " + "[" * 100_000 + "]" * 100_000)
    result = validate(str(plan))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "nested deeper than 16 levels" in result.stderr


def test_brackets_and_dots_inside_strings_and_comments_do_not_count() -> None:
    text = (
        'a = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\n'
        "b = '''\n" + "{" * 40 + "\n'''\n"
        "# " + "." * 40 + "\n"
        'c = "' + "a." * 40 + '"\n'
    )
    assert toml_depth_problem(text) is None


def test_every_bundled_plan_is_well_inside_the_nesting_limit() -> None:
    for path in [*(ROOT / "plans").glob("*.toml"), *(ROOT / "tests" / "plans").glob("*.toml")]:
        assert toml_depth_problem(path.read_text(), limit=4) is None, path


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(min_value=1, max_value=400), dotted=st.booleans())
@example(depth=MAX_TOML_DEPTH, dotted=True)
@example(depth=MAX_TOML_DEPTH + 1, dotted=True)
@example(depth=MAX_TOML_DEPTH, dotted=False)
@example(depth=MAX_TOML_DEPTH + 1, dotted=False)
def test_any_nesting_depth_gets_a_plan_error_or_a_plan_never_a_crash(
    depth: int, dotted: bool
) -> None:
    nested = "k" + ".k" * (depth - 1) + " = 1" if dotted else "x = " + "[" * depth + "]" * depth
    text = MINIMAL.replace("format = 1\n", "format = 1\n" + nested + "\n", 1)
    with pytest.raises(PlanError) as caught:  # `x` or `k` is an unknown key in any case
        parse_plan(text, "p.toml")
    too_deep = "nested deeper than" in str(caught.value)
    assert too_deep == (depth > MAX_TOML_DEPTH)


@settings(max_examples=60, deadline=None)
@given(levels=st.lists(st.sampled_from(["[", "{"]), min_size=1, max_size=60))
def test_arrays_and_inline_tables_mixed_count_alike(levels: list[str]) -> None:
    opening = "".join("[" if kind == "[" else "{k = " for kind in levels)
    closing = "".join("]" if kind == "[" else "}" for kind in reversed(levels))
    nested = "x = " + opening + "1" + closing
    text = MINIMAL.replace("format = 1\n", "format = 1\n" + nested + "\n", 1)
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "p.toml")
    assert ("nested deeper than" in str(caught.value)) == (len(levels) > MAX_TOML_DEPTH)


# -- size and kind of file -------------------------------------------------------------------


def test_dev_zero_is_not_read_at_all() -> None:
    started = time.perf_counter()
    with pytest.raises(PlanError, match="not a regular file"):
        load_plan("/dev/zero")
    assert time.perf_counter() - started < 1


def test_a_fifo_is_refused_without_blocking_on_it(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.toml"
    os.mkfifo(fifo)
    # Opening a FIFO for reading blocks until a writer comes: hold one open meanwhile.
    writer = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        with pytest.raises(PlanError, match="not a regular file"):
            load_plan(fifo)
    finally:
        os.close(writer)


def test_a_plan_past_the_size_limit_is_refused_naming_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as handle:
        handle.truncate(MAX_PLAN_BYTES + 1)  # sparse: no 16 MiB written to the disk
    result = validate(str(huge))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "larger than 16 MiB, the limit for a plan" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2  # "N error(s)" and the line itself


def test_a_directory_says_so(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read the plan"):
        load_plan(tmp_path)


# -- window and step lengths -----------------------------------------------------------------


def test_a_300_day_budget_is_refused_naming_the_limit() -> None:
    text = MINIMAL.replace('duration = "15m"', 'duration = "300d"', 1)
    assert "longer than 60 days, the longest a window may be" in refusal(text)


def test_a_window_longer_than_60_days_is_refused() -> None:
    text = MINIMAL.replace("end = 2026-11-28T06:00:00", "end = 2027-02-27T06:00:00")
    assert "60 days is the limit" in refusal(text)


def test_a_step_longer_than_7_days_in_a_short_window_is_refused_at_its_line() -> None:
    text = MINIMAL.replace('duration = "15m"', 'duration = "8d"', 1)
    message = refusal(text)
    assert "'freeze' takes 8d0h00m; a step may take at most 7d0h00m" in message
    line = MINIMAL.splitlines().index('duration = "15m"') + 1
    assert f"p.toml:{line}: step[0].duration:" in message


def test_a_multi_week_window_allows_a_step_as_long_as_itself() -> None:
    text = MINIMAL.replace("end = 2026-11-28T06:00:00", "end = 2027-01-10T22:00:00")
    text = text.replace('duration = "15m"', 'duration = "20d"', 1)
    assert parse_plan(text).plan.step[0].duration.days == 20


def test_the_format_reference_states_every_limit_as_the_code_has_it() -> None:
    from cutover_tui.clocks import MAX_SPEED, MIN_SPEED
    from cutover_tui.engine.times import CLOCK_SKEW
    from cutover_tui.plan import limits

    limits_section = (ROOT / "docs" / "plan-format.md").read_text().split("## Limits", 1)[1]
    figures = [
        f"{limits.MAX_PLAN_BYTES // (1024 * 1024)} MiB",
        f"{limits.MAX_TOML_DEPTH} levels",
        f"at most {limits.MAX_WINDOW.days} days later",
        f"at most {limits.MAX_STEP.days} days",
        f"{limits.MAX_TEXT_CHARS:,} characters",
        f"{limits.MAX_EVIDENCE_CHARS:,} characters",
        f"{limits.MAX_LIST_ITEMS:,} items",
        f"({limits.MAX_AT_REACH.days} days)",
        f"plus {CLOCK_SKEW // timedelta(minutes=1)} minutes",
        f"from {MIN_SPEED:g} to {MAX_SPEED:,.0f}",
    ]
    assert [f for f in figures if f not in limits_section] == []
