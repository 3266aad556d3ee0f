"""A rehearsal history that can be trusted: simulations and excluded rehearsals left out,
tick-offs not counted as timings, calibration's evidence and limits; real run files, the
real CLI (in this process, for speed: the same parser and handlers)."""

from __future__ import annotations

import argparse
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.engine.events import (
    RehearsalExcluded,
    RunStarted,
    StepCompleted,
    StepStarted,
)
from cutover_tui.engine.pace import infer_pace
from cutover_tui.engine.state import check, fold
from cutover_tui.engine.timings import ticked_off
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.run_lookup import list_runs, open_run
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from cutover_tui.rehearse.calibrate import calibrate
from cutover_tui.rehearse.evidence import refused_cuts
from cutover_tui.rehearse.history import history
from tests.fitted_text import joined
from tests.journal_support import T0, plan_text

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("s0", "s1", "s2")  # 10-minute tasks of the boss (the current OS user)


@pytest.fixture
def cli(tmp_path: Path, capsys, monkeypatch):
    """`cli(*args, code=0)` runs `cutover ARGS` here and returns (stdout, stderr)."""
    from cutover_tui.cli import main

    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))

    def run(*args: str, code: int = 0) -> tuple[str, str]:
        capsys.readouterr()
        result = main(list(args))
        out = capsys.readouterr()
        assert "Traceback" not in out.out + out.err, out.err
        assert result == code, out.out + out.err
        return out.out, out.err

    return run


def plan_file(tmp_path: Path, commander_login: str | None = None) -> Path:
    path = tmp_path / "jt.toml"
    path.write_text(plan_text(steps=3, commander_login=commander_login, window_start=T0))
    return path


def rehearsal_file(
    runs: Path,
    plan: Path,
    minutes: dict[str, float],
    *,
    live: bool = False,
    simulated: bool | None = None,
    speed: float = 1.0,
    note: str | None = None,
) -> Journal:
    """A rehearsal run file with each step of `minutes` run for that long, one after another.
    `live`: each event recorded as it happened (a tick-off); else two minutes later (--at)."""
    loaded = parse_plan(plan.read_text(), name=str(plan))
    journal = Journal.create(runs, loaded, rehearsal=True, created_by=os_login(), speed=speed)
    lag = timedelta(0) if live else timedelta(minutes=2)

    def append(event, moment):
        journal.append(event, now=lambda: moment + lag)

    start = RunStarted(
        actor="boss",
        at=T0,
        plan_id="jt",
        mode="rehearsal",
        simulated=simulated,
        note=note,
        key=uuid.uuid4().hex,
    )
    append(start, T0)
    t = T0
    for sid, length in minutes.items():
        end = t + timedelta(minutes=length)
        append(StepStarted(actor="boss", at=t, step=sid, key=uuid.uuid4().hex), t)
        append(StepCompleted(actor="boss", at=end, step=sid, key=uuid.uuid4().hex), end)
        t = end
    return journal


def demo_simulations(runs: Path, plan: Path) -> None:
    """Two demo simulations whose steps were ticked off in (real) seconds at 60x: a tenth of
    their budgets. One marked as such, one made before the mark (its note and fast clock)."""
    fast = dict.fromkeys(STEPS, 1.0)
    rehearsal_file(runs, plan, fast, simulated=True, speed=60, note="simulated at 60x")
    rehearsal_file(runs, plan, fast, speed=60, note="simulated at 60x")


# -- 1. simulations ------------------------------------------------------------------------


def test_demo_simulations_are_not_the_history_of_a_fresh_rehearsal(tmp_path: Path, cli) -> None:
    # Regression: a fresh rehearsal opened at 0 % done showed AT RISK (67 % in window) with
    # a prior learnt from demo simulations, and calibrate proposed cutting every budget ~90 %.
    from cutover_tui.cli.warroom_commands import rehearsal_prior

    plan = plan_file(tmp_path)
    runs = tmp_path / "runs"
    demo_simulations(runs, plan)
    fresh_id = cli("start", str(plan), "--rehearsal")[0].strip()
    fresh = open_run(fresh_id, runs)
    assert rehearsal_prior(fresh) is None  # the war room's prior: the plan's own estimates

    report, _ = cli("rehearsals", str(plan))
    assert "1 rehearsal(s)" in report and fresh_id in report
    assert "left out: 2 simulation(s)" in report and "--include-simulated" in report

    out = tmp_path / "cal.toml"
    _, err = cli("calibrate", str(plan), "--out", str(out), code=1)
    assert "no finished step to learn from" in err and not out.exists()

    # Asked for, they count: two rehearsals, so even a 90 % cut is the calibration's to make.
    report, _ = cli("rehearsals", str(plan), "--include-simulated")
    assert "3 rehearsal(s)" in report and "left out" not in report
    shown, _ = cli("calibrate", str(plan), "--out", str(out), "--include-simulated")
    assert "s0" in shown and "-90%" in shown and out.exists()


def test_cutover_simulate_marks_its_run(tmp_path: Path, cli) -> None:
    cli("simulate", str(plan_file(tmp_path)), "--headless", "--speed", "100000", "--seed", "1")
    [info] = list_runs(tmp_path / "runs")
    journal = Journal(info.path)
    started = next(e for e in journal.events() if isinstance(e, RunStarted))
    assert started.simulated is True and journal.state().simulated
    assert history(tmp_path / "runs", "jt").counted == []
    assert len(history(tmp_path / "runs", "jt", include_simulated=True).counted) == 1


# -- 2. excluding a rehearsal ----------------------------------------------------------------


def test_an_excluded_rehearsal_stays_in_the_journal_and_out_of_the_history(
    tmp_path: Path, cli
) -> None:
    from cutover_tui.cli.warroom_commands import rehearsal_prior

    plan = plan_file(tmp_path)
    runs = tmp_path / "runs"
    good = rehearsal_file(runs, plan, dict.fromkeys(STEPS, 12.0))
    outage = rehearsal_file(runs, plan, dict.fromkeys(STEPS, 45.0))
    _, err = cli("do", outage.run_id, "exclude-rehearsal", code=2)
    assert "--reason" in err
    cli("do", outage.run_id, "exclude-rehearsal", "--reason", "network outage, not representative")
    _, err = cli("do", outage.run_id, "exclude-rehearsal", "--reason", "again", code=1)
    assert "already excluded by The Boss (boss) at" in err and len(err.splitlines()) == 1

    report, _ = cli("rehearsals", str(plan))
    assert "1 rehearsal(s)" in report and outage.run_id not in report.split("excluded:")[0]
    [line] = [x for x in joined(report).splitlines() if x.startswith("excluded:")]
    assert outage.run_id in line and "The Boss (boss)" in line
    assert line.endswith("network outage, not representative")
    # Its time names its zone (the plan's), as the rest of the report's times do.
    assert re.search(r" at \d{4}-\d\d-\d\d \d\d:\d\d UTC: network outage", line), line
    # The calibration and the prior learn from the good one alone.
    shown, _ = cli("calibrate", str(plan), "--out", str(tmp_path / "cal.toml"))
    assert "1 rehearsal(s) counted" in shown
    for sid in STEPS:
        row = next(x for x in shown.splitlines() if x.strip().startswith(sid))
        assert row.split()[3] == "12m"  # proposed: what the good rehearsal took
    prior = rehearsal_prior(good)  # only the outage is left besides itself: excluded
    assert prior is None
    kinds = [e.type for e in Journal(outage.path).events()]
    assert kinds[-1] == "rehearsal-excluded"  # kept in the journal


def test_only_the_commander_excludes_and_only_a_rehearsal(tmp_path: Path, cli) -> None:
    plan = plan_file(tmp_path)
    runs = tmp_path / "runs"
    state = rehearsal_file(runs, plan, {"s0": 10}).state()
    by_operator = RehearsalExcluded(actor="op", at=T0, reason="I did not like it", key="k")
    assert "may not exclude this rehearsal from the history: only the commander" in (
        check(state, by_operator) or ""
    )
    live_id = cli("start", str(plan))[0].strip()
    _, err = cli("do", live_id, "exclude-rehearsal", "--reason", "x", code=1)
    assert "only a rehearsal can be excluded" in err


# -- 3. tick-offs ----------------------------------------------------------------------------


def test_steps_ticked_off_seconds_apart_are_not_timings(tmp_path: Path, cli) -> None:
    plan = plan_file(tmp_path)
    run = cli("start", str(plan), "--rehearsal")[0].strip()
    for sid in ("s0", "s1"):  # done, then ticked off in the tool: start, complete at once
        cli("do", run, "start", sid)
        cli("do", run, "complete", sid)
    state = open_run(run, tmp_path / "runs").state()
    assert [ticked_off(state.steps[s], state.status[s]) for s in STEPS] == [True, True, False]
    pace = infer_pace(state, state.status["s1"].finished_at)
    assert pace.n == 0  # no timing in the pace
    # Regression: the pace's words said "no step has finished yet" beside two done steps.
    assert pace.evidence.startswith(
        "no step has been timed yet (2 steps were ticked off: started and completed seconds apart)"
    )
    assert "finished yet" not in pace.evidence
    from cutover_tui.engine.forecast import Forecaster
    from cutover_tui.tui.frame import Frame
    from cutover_tui.tui.screens.foresight import reasoning

    frame = Frame.at(state, state.status["s1"].finished_at, os_login(), Forecaster(iterations=50))
    why = "\n".join(str(part) for part in reasoning(frame) if hasattr(part, "plain"))
    assert (
        "from 0 finished and 0 running steps (2 more ticked off, started and completed seconds apart"
        in why
    )
    report, _ = cli("rehearsals", str(plan))
    assert "2 step(s) ticked off without timings" in report and "not counted (R1: 2)" in report
    # No actual for them in the comparison: with nothing timed at all, one line, no table.
    assert "no step of these rehearsals was timed yet: nothing to compare" in report


def test_short_spans_given_with_at_are_timings() -> None:
    plan = parse_plan(plan_text(steps=3, window_start=T0)).plan
    spans = {"s0": 0.5, "s1": 0.5}
    events = [RunStarted(actor="boss", at=T0, plan_id="jt", mode="rehearsal", recorded_at=T0)]
    t = T0
    for sid, minutes in spans.items():
        end = t + timedelta(minutes=minutes)
        late = sid == "s1"  # recorded two minutes later: a time somebody gave
        lag = timedelta(minutes=2) if late else timedelta(0)
        events += [
            StepStarted(actor="boss", at=t, step=sid, recorded_at=t + lag),
            StepCompleted(actor="boss", at=end, step=sid, recorded_at=end + lag),
        ]
        t = end
    state = fold(plan, events)
    assert ticked_off(state.steps["s0"], state.status["s0"])
    assert not ticked_off(state.steps["s1"], state.status["s1"])
    assert [e.step for e in infer_pace(state, t).steps] == ["s1"]


@given(
    budget=st.integers(min_value=1, max_value=6 * 3600),
    span=st.integers(min_value=0, max_value=6 * 3600),
    start_live=st.booleans(),
    finish_live=st.booleans(),
)
def test_the_tick_off_rule(budget: int, span: int, start_live: bool, finish_live: bool) -> None:
    plan = parse_plan(plan_text(steps=1, window_start=T0)).plan
    events = [
        RunStarted(actor="boss", at=T0, plan_id="jt", mode="rehearsal"),
        StepStarted(
            actor="boss",
            at=T0,
            step="s0",
            recorded_at=T0 if start_live else T0 + timedelta(minutes=5),
        ),
        StepCompleted(
            actor="boss",
            at=T0 + timedelta(seconds=span),
            step="s0",
            recorded_at=T0 + timedelta(seconds=span + (0 if finish_live else 300)),
        ),
    ]
    state = fold(plan, events)
    step = state.steps["s0"]
    step = type(step)(**{**vars(step), "duration": timedelta(seconds=budget)})
    tick = ticked_off(step, state.status["s0"])
    if span == 0 and budget > 0:
        assert tick  # started and done at one moment, however recorded: no time was given
    elif not (start_live and finish_live):
        assert not tick  # a time somebody gave is a timing, however short
    elif span >= 60 and span >= 0.05 * budget:
        assert not tick  # a minute or more, and a twentieth of the budget or more: a timing
    elif span < 0.05 * budget:
        assert tick
    else:
        assert tick == (span < budget / 2)  # under a minute: unless the step itself is short


# -- 4. calibration's evidence and limits ---------------------------------------------------


def test_one_fast_rehearsal_does_not_halve_the_plan_without_force(tmp_path: Path, cli) -> None:
    plan = plan_file(tmp_path)
    rehearsal_file(tmp_path / "runs", plan, dict.fromkeys(STEPS, 1.0))
    out = tmp_path / "cal.toml"
    shown, err = cli("calibrate", str(plan), "--out", str(out), code=1)
    assert "evidence: 0 step(s) timed in 2+ rehearsals, 3 in one" in shown
    refusals = err.splitlines()
    for sid in STEPS:
        [line] = [x for x in refusals if x.startswith(f"cutover calibrate: refused: {sid}:")]
        assert "10m -> 1m (-90%) on 1 rehearsal(s)" in line and "--force" in line
    assert refusals[-1] == f"cutover calibrate: nothing written to {out}"
    assert not out.exists()
    shown, _ = cli("calibrate", str(plan), "--out", str(out), "--force")
    # Every step refused is named (steps never timed take the same one-night pace), once.
    assert out.exists() and shown.count("forced: ") == len(refusals) - 1
    assert all(f"forced: {sid}: 10m -> 1m" in shown for sid in STEPS)


@settings(max_examples=60, deadline=None)
@given(
    ratios=st.lists(
        st.lists(
            st.one_of(st.none(), st.floats(min_value=0.02, max_value=4.0)),
            min_size=4,
            max_size=4,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_calibration_never_cuts_more_than_half_on_fewer_than_two_rehearsals(ratios) -> None:
    plan = parse_plan(plan_text(steps=4, window_start=T0)).plan
    ids = ["s0", "s1", "s2", "s3"]
    states = []
    for night in ratios:
        events = [RunStarted(actor="boss", at=T0, plan_id="jt", mode="rehearsal")]
        t = T0
        for sid, ratio in zip(ids, night, strict=True):
            if ratio is None:
                continue
            end = t + timedelta(minutes=10 * ratio)
            events += [
                StepStarted(actor="boss", at=t, step=sid),
                StepCompleted(actor="boss", at=end, step=sid),
            ]
            t = end
        states.append(fold(plan, events))
    if not any(r is not None for night in ratios for r in night):
        return  # nothing to learn from: calibrate says so
    c = calibrate(plan, states)
    refused = {line.split(":")[0] for line in refused_cuts(c)}
    for p in c.proposals.values():
        deep = p.proposed < p.budget / 2
        assert (p.step in refused) == (deep and c.evidence(p) < 2), p
        if p.step not in refused and deep:
            assert c.evidence(p) >= 2  # what may be written: a deep cut only on two or more


# -- 5. after the end ------------------------------------------------------------------------


def test_after_the_end_only_review_remarks(tmp_path: Path, cli) -> None:
    plan = plan_file(tmp_path)
    run = cli("start", str(plan), "--rehearsal")[0].strip()
    cli("do", run, "end", "--outcome", "aborted", "--reason", "rehearsal over")
    cli("do", run, "note", "--kind", "review", "--note", "the load needs a second DBA")
    for refused in (
        ("note", "--note", "one more thing"),
        ("start", "s0"),
        ("end", "--outcome", "aborted"),
    ):
        _, err = cli("do", run, *refused, code=1)
        assert len(err.splitlines()) == 1, err
        assert "the run ended (aborted) at " in err and "only review remarks" in err
    events = open_run(run, tmp_path / "runs").events()
    assert [(e.type, getattr(e, "kind", None)) for e in events][-1] == ("note-added", "review")
    # Leaving the rehearsal out of the history is decided afterwards, too.
    cli("do", run, "exclude-rehearsal", "--reason", "half the team was off")
    assert history(tmp_path / "runs", "jt").excluded[0].run_id == run


def test_a_waiver_needs_its_note(tmp_path: Path, cli) -> None:
    run = cli("start", str(ROOT / "plans" / "online-store.toml"), "--rehearsal")[0].strip()
    _, err = cli("do", run, "waived", "dns-ttl-lowered", code=1)
    assert len(err.splitlines()) == 1
    assert "waiving 'dns-ttl-lowered' needs a note saying why (--note)" in err
    cli("do", run, "waived", "dns-ttl-lowered", "--note", "TTL already 60s")


# -- 6. cutover run PLAN while a rehearsal is under way --------------------------------------


def test_cutover_run_plan_joins_the_rehearsal_under_way(tmp_path: Path, cli, capsys) -> None:
    # Regression: it said "no run of this plan is under way" (the user may not start a live
    # run) or, for the commander, started a live run beside the rehearsal.
    from cutover_tui.cli.warroom_commands import _journal_for

    for commander in ("somebody-else", None):  # not the commander; the commander
        directory = tmp_path / (commander or "commander")
        directory.mkdir()
        plan = plan_file(directory, commander_login=commander)
        runs = directory / "runs"
        rehearsal = cli("start", str(plan), "--rehearsal", "--runs", str(runs))[0].strip()
        capsys.readouterr()
        args = argparse.Namespace(target=str(plan), rehearsal=False, runs=str(runs), journal=None)
        joined = _journal_for(args)
        err = capsys.readouterr().err
        assert joined is not None and joined.run_id == rehearsal
        assert f"a rehearsal of this plan is under way: {rehearsal}; joining it" in err
        assert [r.mode for r in list_runs(runs)] == ["rehearsal"]  # no live run beside it
