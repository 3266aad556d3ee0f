"""Property tests: whatever the file holds, the loader answers with a plan or a PlanError.

(a) arbitrary TOML documents and arbitrary text; (b) valid plans with random mutations. Any
other exception would be a traceback in `cutover validate`.
"""

from __future__ import annotations

import os
import tomllib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cutover_tui.plan import LoadedPlan, PlanError, parse_plan
from cutover_tui.plan.summary import summarize
from cutover_tui.plan.write import dumps_plan

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted([ROOT / "tests" / "plans" / "valid-minimal.toml", *(ROOT / "plans").glob("*.toml")])
SEED_TEXT = {path.name: path.read_text(encoding="utf-8") for path in SEEDS}
SEED_DATA = {name: tomllib.loads(text) for name, text in SEED_TEXT.items()}

FUZZ = settings(
    max_examples=int(os.environ.get("CUTOVER_FUZZ_EXAMPLES", "250")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Keys and values the plan format uses, so that random documents reach past the first check.
PLAN_KEYS = [
    "format", "plan", "window", "people", "phase", "step", "rollback", "trigger", "readiness",
    "audience", "template", "id", "title", "timezone", "launch", "start", "end", "buffer",
    "warning", "name", "user", "roles", "owner", "duration", "after", "kind", "phase", "stream",
    "not_before", "estimate", "low", "high", "verify", "on_fail", "criteria", "approvers",
    "template", "to", "rto", "condition", "limit", "at", "action", "item", "subject", "body",
    "email", "webhook", "escalates_to",
]  # fmt: skip
PLAN_WORDS = [
    "15m", "1h30m", "PT1H", "0m", "-5m", "25%", "100%", "Europe/London", "Mars/Base", "UTC",
    "gate", "comms", "task", "checkpoint", "milestone", "running-over", "not-done-by",
    "failed", "rollback", "alert", "commander", "operator", "hard", "soft", "a", "b", "lead",
    "{now:%H:%M}", "{nope}", "{", "}", "{plan.nope}", "{0}", "{now!r}", "{now:%Q}",
    "9999999999d", "99999999999999999999m", "367d", "1e400%", "99.9%",
]  # fmt: skip

keys = st.sampled_from(PLAN_KEYS) | st.text(max_size=8)
near = {"min_value": datetime(2026, 1, 1), "max_value": datetime(2028, 1, 1)}
datetimes = st.one_of(
    st.datetimes(**near),  # plan-local, around real windows and their clock changes
    st.datetimes(**near, timezones=st.timezones()),
    st.datetimes(),  # anywhere from year 1 to 9999
    st.datetimes(timezones=st.sampled_from([UTC, None]) | st.timezones()),
)
duration_like = st.from_regex(r"\A-?(PT?)?(\d{1,25}(\.\d+)?[dhmsDHMS]){1,3}%?\Z")
scalars = st.one_of(
    st.sampled_from(PLAN_WORDS),
    duration_like,
    st.text(max_size=12),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.booleans(),
    datetimes,
    st.dates(),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)
documents = st.dictionaries(keys, values, max_size=8)


def assert_answers(text: str) -> None:
    """parse_plan returns a LoadedPlan or raises PlanError, with printable problems."""
    try:
        loaded = parse_plan(text, "fuzz.toml")
    except PlanError as exc:
        assert exc.problems
        assert any(p.severity == "error" for p in exc.problems)
        for problem in exc.problems:
            assert problem.line is None or 1 <= problem.line <= text.count("\n") + 1
            assert problem.message
            str(problem)
        str(exc)
        return
    assert isinstance(loaded, LoadedPlan)
    summarize(loaded)  # `cutover validate` prints it: it must not crash either


def dump(document: dict[str, Any], headers: bool) -> str:
    return dumps_plan(document) if headers else tomli_w.dumps(document)


# --- (a) arbitrary documents ----------------------------------------------------------------


@FUZZ
@given(documents, st.booleans())
def test_any_toml_document_gives_a_plan_or_a_plan_error(document: dict, headers: bool) -> None:
    assert_answers(dump(document, headers))


@FUZZ
@given(st.text())
@example("[[step]]\n[[step]]\nid = 1")
@example('a = """\n[[step]]\n')
@example("\ufeffformat = 1")
@example("format = 1\r\n[plan]\r\nid = 'x'\r\n")
@example("\x00")
def test_any_text_gives_a_plan_or_a_plan_error(text: str) -> None:
    assert_answers(text)


@FUZZ
@given(st.sampled_from(sorted(SEED_DATA)), st.dictionaries(keys, values, max_size=4))
def test_a_valid_plan_with_random_top_level_tables_added(seed: str, extra: dict) -> None:
    assert_answers(dump({**SEED_DATA[seed], **extra}, headers=True))


# What TOML holds exactly: no NaN (never equal to itself), and offsets in whole minutes (a zone's
# historical offset such as +02:06:28 has seconds, which tomli-w writes and TOML cannot read).
toml_values = st.recursive(
    st.one_of(
        st.text(max_size=12),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=False),
        st.booleans(),
        st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-5))])),
        st.dates(),
        st.times(),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


@FUZZ
@given(st.dictionaries(keys, toml_values, max_size=8))
def test_dumps_plan_writes_toml_that_reads_back_the_same(document: dict) -> None:
    assert tomllib.loads(dumps_plan(document)) == document


def test_regression_dumps_plan_quotes_header_keys_that_are_not_bare() -> None:
    # Found by the property above: headers were written unquoted, so `[a b]` or `[x."]`.
    document = {"people": {"a b": {"name": "A"}, 'x"': {"name": "X"}}, "": [{"k": 1}]}
    text = dumps_plan(document)
    assert '[people."a b"]' in text
    assert '[[""]]' in text
    assert tomllib.loads(text) == document


# --- (b) mutated valid plans ----------------------------------------------------------------

Path_ = tuple[str | int, ...]


def paths(node: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every key path into a parsed TOML document."""
    out: list[Path_] = []
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return out
    for key, child in items:
        out.append((*prefix, key))
        out.extend(paths(child, (*prefix, key)))
    return out


def parent_of(document: Any, path: Path_) -> Any:
    node = document
    for part in path[:-1]:
        node = node[part]
    return node


def copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [copy(v) for v in node]
    return node


def id_paths(document: Any) -> list[Path_]:
    return [
        p for p in paths(document) if p[-1] == "id" and isinstance(parent_of(document, p), dict)
    ]


@st.composite
def mutations(draw: st.DrawFn, document: dict) -> dict:
    document = copy(document)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        everywhere = paths(document)
        if not everywhere:
            break
        path = draw(st.sampled_from(everywhere))
        parent, last = parent_of(document, path), path[-1]
        action = draw(
            st.sampled_from(["delete", "rename", "replace", "duplicate", "swap-ids", "copy-id"])
        )
        if action == "delete":
            del parent[last]
        elif action == "rename" and isinstance(parent, dict):
            new = draw(keys | st.sampled_from([str(last).upper(), f"{last}s", str(last)[:-1]]))
            value = parent.pop(last)
            parent[new] = value
        elif action == "replace":
            parent[last] = draw(values)
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(last, copy(parent[last]))
        elif action in ("swap-ids", "copy-id"):
            ids = id_paths(document)
            if len(ids) >= 2:
                one, other = draw(st.permutations(ids))[:2]
                a, b = parent_of(document, one), parent_of(document, other)
                # Copies: an "id" key may hold the table of another (people.id.id), and
                # sharing it would make the document contain itself.
                if action == "swap-ids":
                    a["id"], b["id"] = copy(b["id"]), copy(a["id"])
                else:
                    a["id"] = copy(b["id"])
        else:  # rename in a list, duplicate in a table: point a reference somewhere else
            ids = [parent_of(document, p)["id"] for p in id_paths(document)]
            if ids:
                parent[last] = copy(draw(st.sampled_from(ids) | st.lists(st.sampled_from(ids))))
    return document


@FUZZ
@given(st.data(), st.sampled_from(sorted(SEED_DATA)), st.booleans())
def test_a_mutated_valid_plan_gives_a_plan_or_a_plan_error(
    data: st.DataObject, seed: str, headers: bool
) -> None:
    document = data.draw(mutations(SEED_DATA[seed]))
    assert_answers(dump(document, headers))


@FUZZ
@given(st.data(), st.sampled_from(sorted(SEED_DATA)))
def test_a_valid_plan_with_text_edits_gives_a_plan_or_a_plan_error(
    data: st.DataObject, seed: str
) -> None:
    """Edits to the text itself: lines dropped, duplicated or cut short, as an editor would."""
    lines = SEED_TEXT[seed].splitlines()
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        at = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        edit = data.draw(st.sampled_from(["drop", "duplicate", "truncate", "insert"]))
        if edit == "drop":
            del lines[at]
        elif edit == "duplicate":
            lines.insert(at, lines[at])
        elif edit == "truncate":
            lines[at] = lines[at][: data.draw(st.integers(min_value=0, max_value=len(lines[at])))]
        else:
            lines.insert(at, data.draw(st.sampled_from(['"""', "'''", "[[step]]", "[x]", "a = 1"])))
    assert_answers("\n".join(lines) + "\n")


def test_the_seeds_are_valid() -> None:
    for name, text in SEED_TEXT.items():
        assert isinstance(parse_plan(text, name), LoadedPlan)


def test_the_seed_survives_the_round_trip_through_tomli_w() -> None:
    for data in SEED_DATA.values():
        assert tomllib.loads(dump(data, headers=True)) == data
        assert tomllib.loads(dump(data, headers=False)) == data


# --- regressions found by the properties above ----------------------------------------------

VALID_TEXT = SEED_TEXT["valid-minimal.toml"]


def errors_in(text: str) -> list[str]:
    try:
        parse_plan(text, "plan.toml")
    except PlanError as exc:
        return [f"{p.line}: {p.message}" for p in exc.problems if p.severity == "error"]
    raise AssertionError("the plan loaded")


def test_regression_rollback_without_owner_and_a_broken_rollback_step() -> None:
    # Found by hypothesis: [rollback] set aside whole (no owner) and one of its steps set
    # aside too (no id) raised KeyError: 'rollback' in the loader.
    text = VALID_TEXT.replace('[rollback]\nowner = "lead"\n', "[rollback]\n").replace(
        'id = "switch-back"\n', ""
    )
    errors = errors_in(text)
    assert len(errors) == 2
    assert any("missing required key 'owner'" in e for e in errors)
    assert any("missing required key 'id'" in e for e in errors)


def test_regression_a_rollback_set_aside_whole_still_knows_its_step_ids() -> None:
    # A trigger on a rollback step must not turn into "unknown step" when [rollback] is broken.
    text = VALID_TEXT.replace('[rollback]\nowner = "lead"\n', "[rollback]\n").replace(
        'step = "switch-over"', 'step = "switch-back"'
    )
    assert errors_in(text) == [
        f"{text.splitlines().index('[rollback]') + 1}: missing required key 'owner'"
    ]


def test_regression_a_broken_triggers_id_is_not_a_known_step() -> None:
    # Setting a broken trigger aside used to add its id to the known steps, so a step waiting
    # for that id went unreported.
    text = VALID_TEXT.replace('action = "alert"', 'action = "alarm"').replace(
        'after = ["switch-over"]', 'after = ["switch-slow"]', 1
    )
    errors = errors_in(text)
    assert len(errors) == 2
    assert any("unknown step 'switch-slow'" in e for e in errors)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # timedelta overflow escaped parse_duration as OverflowError, not ValueError
        ('duration = "15m"', 'duration = "9999999999d"', "longer than a year"),
        ('duration = "15m"', 'duration = "PT99999999999999999999S"', "longer than a year"),
        ('duration = "15m"', 'duration = "PT' + "9" * 400 + '.5S"', "longer than a year"),
        # a rollback step long enough to run the schedule past datetime.max
        ('duration = "30m"', 'duration = "999999999d"', "longer than a year"),
        # a float buffer skipped all checks: NaN, inf and 1e300 crashed the time-fit check
        ('buffer = "25%"', "buffer = nan", "not a percentage"),
        ('buffer = "25%"', "buffer = inf", "not a percentage"),
        ('buffer = "25%"', "buffer = 1e300", "not a percentage"),
        ('buffer = "25%"', "buffer = -0.5", "not a percentage"),
        # times at the ends of the datetime range overflowed in the schedule or astimezone
        ("end = 2026-11-28T06:00:00", "end = 9999-12-31T23:59:59", "not a plausible"),
        ("start = 2026-11-27T22:00:00", "start = 0001-01-01T00:00:00", "not a plausible"),
        ('limit = "30m"', 'limit = "30m"\nat = 0001-01-01T00:00:00+05:00', "not a plausible"),
    ],
)
def test_regression_values_past_what_dates_can_hold_are_errors(
    old: str, new: str, message: str
) -> None:
    text = VALID_TEXT.replace(old, new, 1)
    assert any(message in e for e in errors_in(text))


def test_a_float_buffer_below_one_is_still_read() -> None:
    loaded = parse_plan(VALID_TEXT.replace('buffer = "25%"', "buffer = 0.25", 1))
    assert loaded.plan.window.buffer == 0.25


@pytest.mark.parametrize("key", ["[key]", "task", "0", ""])
def test_regression_odd_top_level_keys_are_reported_not_crashed_on(key: str) -> None:
    # Found by hypothesis: a top-level key named "[key]" (pydantic's own marker for a bad dict
    # key) was stripped from the location, leaving an empty one and an IndexError.
    (error,) = errors_in(tomli_w.dumps({key: []}) + VALID_TEXT)
    assert error.startswith(f"1: unknown key {key!r}")
