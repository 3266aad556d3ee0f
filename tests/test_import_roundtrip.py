"""plan -> sheet -> plan gives back every field the sheet holds: random valid plans through
XLSX and CSV (hypothesis), and the bundled example plans through both."""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.cli import main
from cutover_tui.importers import ImportOptions, import_runbook
from cutover_tui.importers.export import write_csv, write_xlsx
from cutover_tui.plan import load_plan, parse_plan
from cutover_tui.plan.model import Plan
from cutover_tui.plan.write import dumps_plan

PLANS = Path(__file__).resolve().parent.parent / "plans"
START = datetime(2026, 11, 27, 22, 0)


def sheet_view(plan: Plan, workbook: bool) -> dict[str, Any]:
    """What a sheet holds of a plan: every step field; a workbook also the plan's tables."""
    phases = {p.id: p.title for p in plan.phase}
    steps = []
    for s in plan.step:
        if workbook:  # no sheet holds a checkpoint's check (export says it stays behind)
            steps.append(s.model_dump(exclude={"check"}))
            continue
        # A CSV holds no templates or audiences: its comms steps come back as tasks.
        fields = s.model_dump(exclude={"kind", "template", "to", "auto", "check"})
        fields["kind"] = "task" if s.kind == "comms" else s.kind
        fields["phase"] = phases.get(s.phase) if s.phase else None  # a CSV names it by title
        steps.append(fields)
    view: dict[str, Any] = {"step": steps}
    if workbook:
        tables = {"plan", "window", "people", "phase", "risk", "readiness", "trigger", "audience",
                  "template", "rollback"}  # fmt: skip
        view |= plan.model_dump(include=tables)
    return view


def round_trip(plan: Plan, tmp: Path, workbook: bool) -> Plan:
    sheet = tmp / ("plan.xlsx" if workbook else "plan.csv")
    (write_xlsx if workbook else write_csv)(plan, sheet)
    start = plan.window.start.astimezone(plan.zone).replace(tzinfo=None)
    options = ImportOptions(start=None if workbook else start, timezone=plan.plan.timezone)
    result = import_runbook(sheet, options)
    errors = [str(p) for p in result.problems if p.severity == "error"]
    assert result.toml is not None, result.refused or "\n".join(errors)
    return parse_plan(result.toml).plan


# --- random valid plans -----------------------------------------------------------------------

_ID = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,8}\Z")
_KEY = st.from_regex(r"\A[a-z][a-z0-9_-]{0,6}[a-z0-9]\Z")
_TEXT = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\r"),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
_NOTES = st.lists(_TEXT, min_size=1, max_size=3).map("\n".join)
_PLAIN = (
    st.text(alphabet=string.ascii_letters + " .,", min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
_PHASE_TITLES = ["Freeze", "Back up", "Migrate", "Deploy", "Verify", "Go live"]


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    keys = draw(st.lists(_KEY, min_size=1, max_size=4, unique=True))
    people = {
        key: {
            "name": draw(_TEXT),
            "roles": draw(st.lists(st.sampled_from(["commander", "operator"]), unique=True)),
        }
        | ({"user": key} if draw(st.booleans()) else {})
        for key in keys
    }
    titles = draw(st.lists(st.sampled_from(_PHASE_TITLES), unique=True, max_size=3))
    phases = [{"id": f"p{n}", "title": t} for n, t in enumerate(titles)]
    ids = draw(st.lists(_ID, min_size=1, max_size=7, unique=True))
    audiences = [
        {"id": f"aud-{n}", "name": draw(_TEXT), "email": [f"list{n}@example.com"]}
        | ({"cadence": "1h"} if draw(st.booleans()) else {})
        for n in range(draw(st.integers(0, 2)))
    ]
    templates = [{"id": "note", "subject": draw(_PLAIN), "body": draw(_PLAIN)}]
    steps = [
        draw(_step(step_id, ids[:n], keys, phases, [a["id"] for a in audiences]))
        for n, step_id in enumerate(ids)
    ]
    data: dict[str, Any] = {
        "format": 1,
        "plan": {
            "id": draw(_ID),
            "title": draw(_TEXT),
            "timezone": draw(st.sampled_from(["UTC", "Europe/London"])),
        },
        "window": {"start": START, "end": START + timedelta(days=3)},
        "people": people,
        "phase": phases,
        "step": steps,
    }
    if draw(st.booleans()):
        data["risk"] = [
            {
                "id": "r1", "risk": draw(_TEXT), "likelihood": "low", "impact": "medium",
                "owner": keys[0], "steps": [ids[0]], "mitigation": draw(_TEXT),
            }
        ]  # fmt: skip
    rollback_ids = [f"rb-{n}" for n in range(draw(st.integers(0, 3)))]
    if rollback_ids:
        data["rollback"] = {
            "owner": keys[0],
            "rto": "2h",
            "step": [
                draw(_step(rid, rollback_ids[:n], keys, phases, [], gates=False))
                for n, rid in enumerate(rollback_ids)
            ],
        }
    if audiences:
        data["audience"] = audiences
        data["template"] = templates
    triggers = [draw(_trigger(n, ids)) for n in range(draw(st.integers(0, 2)))]
    if triggers:
        data["trigger"] = triggers
    if draw(st.booleans()):
        data["readiness"] = [
            {"id": "ready-1", "stream": "process", "item": draw(_TEXT), "owner": keys[-1]}
        ]
    return parse_plan(dumps_plan(data)).plan


@st.composite
def _trigger(draw: st.DrawFn, n: int, ids: list[str]) -> dict:
    condition = draw(st.sampled_from(["running-over", "failed", "not-done-by"]))
    trigger = {"id": f"t{n}", "step": draw(st.sampled_from(ids)), "condition": condition}
    if condition == "running-over":
        trigger["limit"] = f"{draw(st.integers(1, 300))}m"
    if condition == "not-done-by":
        trigger["at"] = START + timedelta(minutes=draw(st.integers(0, 3000)))
    trigger["action"] = draw(st.sampled_from(["rollback", "alert"]))
    return trigger


@st.composite
def _step(
    draw: st.DrawFn,
    step_id: str,
    earlier: list[str],
    keys: list[str],
    phases: list,
    audiences: list[str],
    gates: bool = True,  # a rollback gate's criteria could not name the rollback's steps
) -> dict:
    kinds = ["task", "checkpoint", "milestone"] + (["gate"] if gates else [])
    kinds += ["comms"] if audiences else []
    kind = draw(st.sampled_from(kinds))
    minutes = draw(st.integers(0 if kind == "milestone" else 1, 600))
    step: dict[str, Any] = {
        "id": step_id,
        "title": draw(_TEXT),
        "owner": draw(st.sampled_from(keys)),
        "duration": f"{minutes}m",
        "after": draw(st.lists(st.sampled_from(earlier), unique=True)) if earlier else [],
    }
    if kind != "task":
        step["kind"] = kind
    if phases and draw(st.booleans()):
        step["phase"] = draw(st.sampled_from(phases))["id"]
    optional = {
        "instructions": _NOTES,
        "stream": st.sampled_from(["technical", "process"]),
        "not_before": st.integers(0, 48 * 60).map(lambda m: START + timedelta(minutes=m)),
        "accountable": st.sampled_from(keys),
        "consulted": st.lists(st.sampled_from(keys), min_size=1, unique=True),
        "informed": st.lists(st.sampled_from(keys), min_size=1, unique=True),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            step[key] = draw(strategy)
    if kind != "milestone" and draw(st.booleans()):
        step["estimate"] = {"low": f"{max(1, minutes // 2)}m", "high": f"{minutes * 2}m"}
    if kind == "checkpoint":
        step["verify"] = draw(_TEXT)
        step["on_fail"] = draw(st.sampled_from(["rollback", "hold", "continue"]))
    if kind == "comms":
        step["template"] = draw(st.sampled_from(["note", "go-live"]))
        step["to"] = draw(st.lists(st.sampled_from(audiences), min_size=1, unique=True))
        step["auto"] = draw(st.booleans())
    if kind == "gate":
        if earlier:
            step["criteria"] = draw(st.lists(st.sampled_from(earlier), unique=True))
        step["approvers"] = draw(st.lists(st.sampled_from(keys), unique=True))
    return step


_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_SETTINGS
@given(plan=plans())
def test_random_plans_round_trip_through_xlsx(tmp_path: Path, plan: Plan) -> None:
    assert sheet_view(round_trip(plan, tmp_path, True), True) == sheet_view(plan, True)


@_SETTINGS
@given(plan=plans())
def test_random_plans_round_trip_through_csv(tmp_path: Path, plan: Plan) -> None:
    assert sheet_view(round_trip(plan, tmp_path, False), False) == sheet_view(plan, False)


@pytest.mark.parametrize("name", ["online-store", "erp-datacentre", "logistics-dispatch"])
@pytest.mark.parametrize("workbook", [True, False], ids=["xlsx", "csv"])
def test_the_example_plans_round_trip(tmp_path: Path, name: str, workbook: bool) -> None:
    plan = load_plan(PLANS / f"{name}.toml").plan
    assert sheet_view(round_trip(plan, tmp_path, workbook), workbook) == sheet_view(plan, workbook)


def test_export_names_what_the_sheet_leaves_out(tmp_path: Path, capsys) -> None:
    target = tmp_path / "store.csv"
    assert main(["export", str(PLANS / "online-store.toml"), "--csv", "--out", str(target)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"wrote {target}: 39 steps; import it again with: cutover import {target}",
        f"  not in a CSV (they stay in {PLANS / 'online-store.toml'}; --xlsx holds them): the "
        "rollback (8 steps), 11 readiness items, 6 triggers, 3 audiences, 4 templates",
        f"  not in any sheet (they stay in {PLANS / 'online-store.toml'}): 3 checks, the [vars] "
        "the checks use, the after-the-night part [aftercare]",
    ]
    book = tmp_path / "store.xlsx"
    assert main(["export", str(PLANS / "online-store.toml"), "--xlsx", "--out", str(book)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"wrote {book}: 39 steps, 10 people, 5 phases, 0 risks, 11 readiness items, 6 triggers, "
        f"3 audiences, 4 templates, 8 rollback steps; import it again with: cutover import {book}",
        f"  not in any sheet (they stay in {PLANS / 'online-store.toml'}): 3 checks, the [vars] "
        "the checks use, the after-the-night part [aftercare]",
    ]
    assert main(["export", str(PLANS / "online-store.toml"), "--csv", "--out", str(target)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"{target}: already exists; choose another --out or add --force"
    )


def test_text_that_starts_with_equals_stays_text(tmp_path: Path) -> None:
    plan = load_plan(PLANS / "online-store.toml").plan
    step = plan.step[0].model_copy(update={"instructions": "=SUM(A1:A3) is not a formula"})
    plan = plan.model_copy(update={"step": [step, *plan.step[1:]]})
    back = round_trip(plan, tmp_path, True)
    assert back.step[0].instructions == "=SUM(A1:A3) is not a formula"


def test_export_of_a_plan_that_does_not_validate(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        (PLANS / "online-store.toml").read_text().replace('owner = "dba"', 'owner = "dbb"', 1)
    )
    assert main(["export", str(broken), "--xlsx"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{broken}: cannot export a plan that does not validate:"
    assert "is owned by 'dbb', who is not in [people] (did you mean 'dba'?)" in err[1]
    assert not broken.with_suffix(".xlsx").exists()
