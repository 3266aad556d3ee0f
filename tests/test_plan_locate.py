"""KeyLocator: the line a key path was written on, and the lines errors are reported at."""

from __future__ import annotations

import tomllib

import pytest

from cutover_tui.plan import PlanError, parse_plan
from cutover_tui.plan.errors import format_loc
from cutover_tui.plan.locate import KeyLocator


def locate(text: str) -> KeyLocator:
    tomllib.loads(text)  # every sample here is valid TOML
    return KeyLocator(text)


def line_with(text: str, needle: str, occurrence: int = 1) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


STEPS = """\
format = 1

[[step]]
id = "a"
owner = "ops"

[[step]]  # the second one
id = "b"
owner = "dba"
after = ["a"]

[step.estimate]
low = "5m"
high = "20m"

[[step]]
id = "c"
"owner" = "lead"
after = [
  "a",
  "b",
]
estimate = { low = "1m", high = "2m" }

[rollback]
owner = "lead"

[[rollback.step]]
id = "r1"
owner = "ops"

[[rollback.step]]
id = "r2"
after = ["r1"]
"""


@pytest.mark.parametrize(
    ("loc", "needle", "occurrence"),
    [
        (("format",), "format = 1", 1),
        (("step", 0), "[[step]]", 1),
        (("step", 0, "owner"), 'owner = "ops"', 1),
        (("step", 1), "[[step]]", 2),
        (("step", 1, "owner"), 'owner = "dba"', 1),
        (("step", 1, "after", 0), 'after = ["a"]', 1),
        (("step", 1, "estimate"), "[step.estimate]", 1),
        (("step", 1, "estimate", "high"), 'high = "20m"', 1),
        (("step", 2, "owner"), '"owner" = "lead"', 1),
        (("step", 2, "after", 1), "after = [", 2),  # a multi-line array: the key's line
        (("step", 2, "estimate", "low"), "estimate = {", 1),  # an inline table: the key's line
        (("rollback",), "[rollback]", 1),
        (("rollback", "owner"), 'owner = "lead"', 1),
        (("rollback", "step", 0, "owner"), 'owner = "ops"', 2),
        (("rollback", "step", 1), "[[rollback.step]]", 2),
        (("rollback", "step", 1, "after", 0), 'after = ["r1"]', 1),
        (("step",), "[[step]]", 1),  # the list itself: its first entry
    ],
    ids=lambda value: format_loc(value) if isinstance(value, tuple) else "",
)
def test_lines_of_keys_in_tables_and_arrays_of_tables(
    loc: tuple[str | int, ...], needle: str, occurrence: int
) -> None:
    assert locate(STEPS).line_of(loc) == line_with(STEPS, needle, occurrence)


def test_an_unknown_path_falls_back_to_its_longest_known_prefix() -> None:
    located = locate(STEPS)
    assert located.line_of(("step", 1, "estimate", "mode")) == line_with(STEPS, "[step.estimate]")
    assert located.line_of(("step", 2, "verify")) == line_with(STEPS, "[[step]]", 3)
    assert located.line_of(("window", "start")) is None
    assert located.line_of(()) is None


def test_a_table_made_only_by_an_array_of_subtables_has_a_line() -> None:
    text = '[[rollback.step]]\nid = "r1"\n'
    assert locate(text).line_of(("rollback", "owner")) == 1


MULTILINE = """\
[[step]]
id = "a"
instructions = \"\"\"
owner = "not a key"
[[step]]
id = "not-a-step"
\"\"\"
owner = "ops"

[[step]]
id = "b"
notes = \'\'\'
duration = "1h"
[step.estimate]
\'\'\'
duration = "5m"

[[step]]
id = "c"
body = \"\"\"it's \'\'\' not the end
title = "inside"
\"\"\"
title = 'He said \"\"\"hello'
owner = "lead"
verify = \"\"\"one line\"\"\"
duration = "1m"
text = "a \\" then \\"\\"\\" inside"
phase = "p"
quoted = \"\"\"ends with a quote\\"\"\"\"
after = []
"""


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("step", 0, "owner"), 8),
        (("step", 1), 10),
        (("step", 1, "duration"), 16),
        (("step", 1, "estimate"), 10),  # only written inside a string: falls back to the step
        (("step", 2), 18),
        (("step", 2, "title"), 23),
        (("step", 2, "owner"), 24),
        (("step", 2, "duration"), 26),
        (("step", 2, "phase"), 28),
        (("step", 2, "after"), 30),
    ],
    ids=lambda value: format_loc(value) if isinstance(value, tuple) else "",
)
def test_multiline_strings_do_not_confuse_the_locator(
    loc: tuple[str | int, ...], line: int
) -> None:
    assert locate(MULTILINE).line_of(loc) == line


def test_the_multiline_sample_is_what_it_claims() -> None:
    steps = tomllib.loads(MULTILINE)["step"]
    assert len(steps) == 3
    assert steps[0]["owner"] == "ops"
    assert steps[2]["title"] == 'He said """hello'
    assert steps[2]["quoted"] == 'ends with a quote"'
    assert "estimate" not in steps[1]


def test_multiline_strings_inside_a_multiline_array() -> None:
    text = '[[step]]\nid = "a"\nnotes = [\n  """\n[[step]]\n""",\n  "x",\n]\nowner = "ops"\n'
    located = locate(text)
    assert located.line_of(("step", 0, "owner")) == 9
    assert ("step", 1) not in located.lines  # the header inside the string is no entry


def test_lines_are_counted_as_toml_counts_them() -> None:
    # str.splitlines() also breaks at U+2028, U+0085 and friends, which TOML strings may hold
    # (text pasted from a web page); only "\n" ends a TOML line.
    text = 'title = "one\u2028two\x85three\u2029four"\n[window]\nend = 1\n'
    assert locate(text).line_of(("window", "end")) == 3


def test_crlf_line_endings() -> None:
    text = '[[step]]\r\nid = "a"\r\nowner = "ops"\r\n[[step]]\r\nid = "b"\r\n'
    located = locate(text)
    assert located.line_of(("step", 0, "owner")) == 3
    assert located.line_of(("step", 1, "id")) == 5


def test_comments_and_headers_with_comments() -> None:
    text = '# owner = "x"\n[window]  # the window\n# end = 1\nend = 2026-01-01T00:00:00\n'
    located = locate(text)
    assert located.line_of(("owner",)) is None
    assert located.line_of(("window",)) == 2
    assert located.line_of(("window", "end")) == 4


def test_errors_in_a_real_plan_point_past_multiline_strings(test_plans_dir) -> None:
    """The base plan's instructions hold a `status = green` line; the error below it is found."""
    text = (test_plans_dir / "valid-minimal.toml").read_text(encoding="utf-8")
    text = text.replace("Then check: status = green", 'owner = "x"\n[[step]]\nid = "fake"')
    text = text.replace('owner = "lead"\nduration = "5m"', 'owner = "leed"\nduration = "5m"')
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "plan.toml")
    (problem,) = caught.value.problems
    assert format_loc(problem.loc) == "step[4].owner"
    assert problem.line == line_with(text, 'owner = "leed"')
