"""The broken-plan corpus: one file per kind of mistake, each with its located message.

Every file in tests/plans/broken/ is tests/plans/valid-minimal.toml with one mistake, and
begins with comment lines stating what `cutover validate` must say about it:

    # expect: <line>: <loc>: <substring of the message>
    # hint: <nearest valid id or key>         (optional; belongs to the expect line above)

`<line>` and `<loc>` are `-` when the problem has none. The errors of the file must be exactly
the expected ones: same count, exact line, exact `format_loc` string, the substring in the
message, and the hint (none unless one is given).
"""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.plan import PlanError, load_plan, parse_plan
from cutover_tui.plan.errors import Problem, format_loc

HERE = Path(__file__).resolve().parent
VALID = HERE / "plans" / "valid-minimal.toml"
BROKEN = sorted((HERE / "plans" / "broken").glob("*.toml"))

_EXPECT = re.compile(r"^# expect: (\d+|-): ([^:]*): (.+)$")
_HINT = re.compile(r"^# hint: (.+)$")


@dataclass
class Expect:
    line: int | None
    loc: str
    message: str
    hint: str | None = None

    def matches(self, problem: Problem) -> bool:
        return (
            problem.line == self.line
            and format_loc(problem.loc) == self.loc
            and self.message in problem.message
            and problem.hint == self.hint
        )


def read_expectations(path: Path) -> list[Expect]:
    expects: list[Expect] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.startswith("#"):
            break
        if found := _EXPECT.match(raw):
            line, loc, message = found.groups()
            expects.append(
                Expect(None if line == "-" else int(line), "" if loc == "-" else loc, message)
            )
        elif found := _HINT.match(raw):
            assert expects, f"{path.name}: '# hint:' before any '# expect:'"
            expects[-1].hint = found.group(1)
    return expects


def errors_of(path: Path) -> list[Problem]:
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    return [p for p in caught.value.problems if p.severity == "error"]


def test_the_base_plan_is_valid_and_clean() -> None:
    loaded = load_plan(VALID)
    assert loaded.warnings == []


def test_the_corpus_is_big_enough_and_every_file_states_its_expectations() -> None:
    assert len(BROKEN) >= 25
    names = [path.name for path in BROKEN]
    assert all(re.match(r"^\d\d-[a-z0-9-]+\.toml$", name) for name in names), names
    assert len({name[3:] for name in names}) == len(names), "one file per kind of mistake"
    for path in BROKEN:
        assert read_expectations(path), f"{path.name} has no '# expect:' line"


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_each_file_is_the_base_plan_with_one_edit(path: Path) -> None:
    base = [line for line in VALID.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    broken = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    hunks = [
        op for op in difflib.SequenceMatcher(a=base, b=broken).get_opcodes() if op[0] != "equal"
    ]
    assert 1 <= len(hunks) <= 2, hunks


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_plan_reports_exactly_the_expected_problems(path: Path) -> None:
    expects = read_expectations(path)
    errors = errors_of(path)
    shown = "\n".join(str(p) for p in errors)
    assert len(errors) == len(expects), f"expected {len(expects)} error(s), got:\n{shown}"
    unmatched = list(errors)
    for expect in expects:
        hit = next((p for p in unmatched if expect.matches(p)), None)
        assert hit is not None, f"no problem matches {expect}; got:\n{shown}"
        unmatched.remove(hit)
    for problem in errors:
        assert problem.file == str(path)


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_validate_command_exits_1_and_names_file_and_line(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err
    for expect in read_expectations(path):
        where = f"{path}:{expect.line}:" if expect.line else f"{path}:"
        if expect.loc:
            where += f" {expect.loc}:"
        assert where in err
        assert expect.message in err


def test_validate_whole_corpus_in_a_subprocess_never_tracebacks() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "validate", *map(str, BROKEN)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    for path in BROKEN:
        assert f"{path}: " in result.stderr


def test_the_file_name_in_problems_is_the_name_given() -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan("format = 1\n", "my-plan.toml")
    assert all(p.file == "my-plan.toml" for p in caught.value.problems)


# --- every error at once, and no cascades --------------------------------------------------


def edit(*pairs: tuple[str, str]) -> str:
    """valid-minimal.toml with each `old` (which must occur once) replaced by `new`."""
    text = VALID.read_text(encoding="utf-8")
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def errors_in(text: str) -> list[Problem]:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "plan.toml")
    return [p for p in caught.value.problems if p.severity == "error"]


def test_all_errors_of_a_file_are_reported_together() -> None:
    errors = errors_in(
        edit(
            ('after = ["freeze"]', 'after = ["freze"]'),  # [[step]]: unknown step
            ('to = ["everyone"]', 'to = ["everybody"]'),  # comms step: unknown audience
            ('[rollback]\nowner = "lead"', '[rollback]\nowner = "leed"'),  # [rollback]
            ("{delta} against plan", "{eta} against plan"),  # [[template]]
        )
    )
    assert [format_loc(p.loc) for p in errors] == [
        "step[1].after[0]",
        "step[4].to[0]",
        "rollback.owner",
        "template[0].body",
    ]
    assert [p.hint for p in errors] == ["freeze", "everyone", "lead", "delta"]


def test_structural_and_semantic_errors_in_one_file_are_reported_together() -> None:
    errors = errors_in(
        edit(
            ('duration = "15m"\nafter = []', 'duration = "15 minutes"\nafter = []'),  # step[0]
            ('roles = ["operator"]', 'roles = ["operater"]'),  # people.ops: bad role
            ('template = "go-live"', 'template = "golive"'),  # step[4]: unknown template
            ('condition = "running-over"', 'condition = "runing-over"'),  # trigger[0]
        )
    )
    assert sorted(format_loc(p.loc) for p in errors) == [
        "people.ops.roles[0]",
        "step[0].duration",
        "step[4].template",
        "trigger[0].condition",
    ]
    lines = [p.line for p in errors]
    assert lines == sorted(lines), "problems come in file order"


def test_a_step_with_a_typo_referenced_elsewhere_gives_exactly_one_error() -> None:
    # `backup` is set aside for its typo; `go-no-go` names it in `after` and in `criteria`,
    # and neither reference may turn into a second "unknown step" error.
    errors = errors_in(edit(('duration = "45m"\n', 'duration = "45m"\nstreem = "technical"\n')))
    assert len(errors) == 1, errors
    assert format_loc(errors[0].loc) == "step[1].streem"
    assert errors[0].hint == "stream"


def test_a_misspelt_required_key_gives_the_typo_and_the_gap_only() -> None:
    errors = errors_in(
        edit(('title = "Back up the old system"', 'titel = "Back up the old system"'))
    )
    assert {format_loc(p.loc) for p in errors} == {"step[1].titel", "step[1].title"}


def test_a_broken_person_does_not_cascade_into_owner_errors() -> None:
    errors = errors_in(edit(('name = "Operations"', 'nmae = "Operations"')))
    assert {format_loc(p.loc) for p in errors} == {"people.ops.nmae", "people.ops.name"}


def test_a_broken_phase_template_and_audience_do_not_cascade() -> None:
    errors = errors_in(
        edit(
            ('id = "switch"\ntitle = "Switch"', 'id = "switch"\ntitle = "Switch"\ncolour = 1'),
            ('name = "Everyone affected"', 'name = "Everyone affected"\nslack = "#all"'),
            ('id = "go-live"\nsubject', 'id = "go-live"\nsubjct'),
        )
    )
    assert {format_loc(p.loc) for p in errors} == {
        "phase[1].colour",
        "audience[0].slack",
        "template[0].subjct",
        "template[0].subject",
    }


def test_an_index_after_a_set_aside_item_is_the_files_index() -> None:
    # step[1] is set aside; the unknown owner in step[3] must still be reported as step[3].
    errors = errors_in(
        edit(
            ('duration = "45m"\n', 'duration = "45m"\nafer = []\n'),
            ('owner = "ops"\nduration = "1h"', 'owner = "opps"\nduration = "1h"'),
        )
    )
    assert sorted(format_loc(p.loc) for p in errors) == ["step[1].afer", "step[3].owner"]


def test_an_index_after_a_set_aside_rollback_step_is_the_files_index() -> None:
    errors = errors_in(
        edit(
            ('title = "Switch traffic back"', 'titl = "Switch traffic back"'),
            ('owner = "lead"\nduration = "15m"', 'owner = "leed"\nduration = "15m"'),
        )
    )
    assert {format_loc(p.loc) for p in errors} == {
        "rollback.step[0].titl",
        "rollback.step[0].title",
        "rollback.step[1].owner",
    }


def test_a_duplicate_names_the_first_item_by_its_index_in_the_file() -> None:
    # step[1] is set aside; the message about step[4] must name step[3], not its index among
    # the steps that were kept.
    text = edit(
        ('duration = "45m"\n', 'duration = "45m"\nafer = []\n'),
        ('id = "announce"', 'id = "switch-over"'),
    )
    messages = {format_loc(p.loc): p.message for p in errors_in(text)}
    assert messages["step[4].id"] == "duplicate id 'switch-over', already used by step[3]"


def test_a_duplicate_phase_names_the_first_by_its_index_in_the_file() -> None:
    text = edit(
        ('title = "Prepare"', 'title = "Prepare"\ncolour = "red"'),
        (
            '[[step]]\nid = "freeze"',
            '[[phase]]\nid = "switch"\ntitle = "Again"\n\n[[step]]\nid = "freeze"',
        ),
    )
    messages = {format_loc(p.loc): p.message for p in errors_in(text)}
    assert messages["phase[2].id"] == "duplicate id 'switch', already used by phase[1]"
