"""One truth: the badge, `w`, the status lines, alerts and `cutover status` read one verdict.

Unit tests for each stage of a run's life (issue 11's findings, each a regression test), and a
hypothesis property over random nights: at every moment every reader gives the same stage,
P80 is never before P50, a fired rollback trigger says ROLL BACK and names itself until
rollback is invoked or the trigger overridden, and an ended run shows no countdown.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.cli.status_command import status_report
from cutover_tui.engine.events import (
    CheckpointFailed,
    CheckpointPassed,
    RollbackInvoked,
    RunEnded,
    RunStarted,
    StepCompleted,
    StepFailed,
    StepStarted,
    TriggerOverridden,
)
from cutover_tui.engine.state import apply, check, fold
from cutover_tui.engine.verdict import assess, forecaster_for
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan, parse_plan
from cutover_tui.tui.frame import Frame
from cutover_tui.tui.screens.foresight import verdict_lines
from cutover_tui.tui.widgets.status import badge, figures

T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def plan_text(on_fail: str = "rollback", limit: int = 45, n: int = 3) -> str:
    login = os_login()
    text = f"""format = 1
[plan]
id = "verdict"
title = "Verdict night"
timezone = "UTC"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T04:00:00
buffer = "20%"
[people.lead]
name = "Lead"
user = "{login}"
roles = ["commander"]
[[step]]
id = "s0"
title = "First"
owner = "lead"
duration = "30m"
[[step]]
id = "chk"
kind = "checkpoint"
title = "Counts match"
owner = "lead"
duration = "10m"
after = ["s0"]
verify = "row counts equal"
on_fail = "{on_fail}"
"""
    for i in range(1, n):
        text += f"""[[step]]
id = "s{i}"
title = "Step {i}"
owner = "lead"
duration = "40m"
after = ["{"chk" if i == 1 else f"s{i - 1}"}"]
"""
    text += f"""[rollback]
owner = "lead"
rto = "1h"
[[rollback.step]]
id = "rb"
title = "Put it back"
owner = "lead"
duration = "30m"
[[trigger]]
id = "s1-stuck"
step = "s1"
condition = "running-over"
limit = "{limit}m"
action = "rollback"
"""
    return text


def plan(**kw):
    return parse_plan(plan_text(**kw)).plan


def started(p, *more):
    return fold(p, [RunStarted(actor="lead", at=T0, plan_id="verdict", key="go"), *more])


def frame(state, minutes: float) -> Frame:
    return Frame.at(state, at(minutes), "lead", forecaster_for("r"), None)


def through_s1(minutes_in_s1: float):
    """s0 and the checkpoint done; s1 running for `minutes_in_s1`."""
    return [
        StepStarted(actor="lead", at=at(0), step="s0"),
        StepCompleted(actor="lead", at=at(30), step="s0"),
        StepStarted(actor="lead", at=at(30), step="chk"),
        CheckpointPassed(actor="lead", at=at(40), step="chk", evidence="ok"),
        StepStarted(actor="lead", at=at(40), step="s1"),
    ], at(40 + minutes_in_s1)


# -- the stages of a run's life --------------------------------------------------------------


def test_a_fired_rollback_trigger_says_roll_back_and_names_it_everywhere() -> None:
    # Regression: payments-stuck fired (55 min into a 45 min limit), the badge stayed ON TRACK
    # and `cutover status --json` said "on-track" with the trigger listed under `fired`.
    p = plan()
    events, _ = through_s1(55)
    f = frame(started(p, *events), 40 + 55)
    v = f.verdict
    assert v.stage == "roll-back" and v.tone == "bad"
    assert v.decided_by.name == "trigger" and "s1-stuck" in v.decided_by.text
    assert "ROLL BACK · s1-stuck" in badge(f).plain
    assert "ROLL BACK" in verdict_lines(f)[0].plain
    assert "ROLL BACK" in figures(f, 160).plain


def test_an_override_with_a_reason_ends_roll_back_and_is_listed() -> None:
    p = plan()
    events, _ = through_s1(55)
    state = started(p, *events)
    override = TriggerOverridden(
        actor="lead", at=at(96), trigger="s1-stuck", reason="vendor says 10 more minutes"
    )
    assert check(state, override) is None
    apply(state, override)
    v = frame(state, 97).verdict
    assert v.stage != "roll-back"
    assert any(r.name == "override" and "vendor says" in r.text for r in v.rules)


def test_override_needs_a_reason_and_a_real_trigger() -> None:
    state = started(plan())
    no_reason = TriggerOverridden(actor="lead", at=at(1), trigger="s1-stuck", reason=" ")
    assert "say why" in (check(state, no_reason) or "")
    unknown = TriggerOverridden(actor="lead", at=at(1), trigger="nope", reason="x")
    assert "not a rollback trigger" in (check(state, unknown) or "")


def test_a_failed_rollback_checkpoint_says_roll_back() -> None:
    # Regression: row-count-mismatch fired and the badge stayed ON TRACK.
    p = plan(on_fail="rollback")
    state = started(
        p,
        StepStarted(actor="lead", at=at(0), step="s0"),
        StepCompleted(actor="lead", at=at(30), step="s0"),
        StepStarted(actor="lead", at=at(30), step="chk"),
        CheckpointFailed(actor="lead", at=at(38), step="chk", evidence="10 rows missing"),
    )
    v = frame(state, 39).verdict
    assert v.stage == "roll-back" and "chk" in v.decided_by.text


def test_a_failed_checkpoint_on_hold_is_not_on_track() -> None:
    # Regression: a failed checkpoint on hold left ON TRACK 100%.
    p = plan(on_fail="hold")
    state = started(
        p,
        StepStarted(actor="lead", at=at(0), step="s0"),
        StepCompleted(actor="lead", at=at(30), step="s0"),
        StepStarted(actor="lead", at=at(30), step="chk"),
        CheckpointFailed(actor="lead", at=at(38), step="chk", evidence="10 rows missing"),
    )
    v = frame(state, 39).verdict
    assert v.stage in ("at-risk", "late")
    assert any(r.name == "hold" for r in v.rules)


def test_the_badge_and_w_name_the_rule_that_decided() -> None:
    # Regression: the badge took the worse of the plan of record and the odds while `w`
    # showed only the odds' level and never named the rule that decided.
    f = _buffer_rule_frame()
    v = f.verdict
    assert v.stage == "late" and v.decided_by.name == "plan-of-record", v.rules
    assert "LATE" in badge(f).plain
    head = verdict_lines(f)
    assert "LATE" in head[0].plain and "decided by the plan of record" in head[0].plain
    assert any("odds at tonight's pace" in line.plain for line in head[1:])


def _buffer_rule_frame() -> Frame:
    # The run starts late: the plan of record (the rest at budget) is past the deadline
    # while at tonight's pace (a little faster than budget) the odds only say at risk.
    p = plan(n=3)
    for begin in range(150, 300, 10):
        state = started(
            p,
            StepStarted(actor="lead", at=at(begin), step="s0"),
            StepCompleted(actor="lead", at=at(begin + 10), step="s0"),
        )
        f = frame(state, begin + 11)
        if f.sched.level == "late" and f.foresight.level == "at-risk":
            return f
    raise AssertionError("no moment where the odds and the plan of record disagree")


def test_the_finish_figures_are_labelled_and_p80_is_not_before_p50() -> None:
    # Regression: `projected 09:59 · P80 08:38`, two models side by side, neither labelled.
    p = plan()
    events, _now = through_s1(20)
    f = frame(started(p, *events), 60)
    text = figures(f, 160).plain
    assert "likely " in text and "P80 " in text and "plan " in text
    assert "projected" not in text
    assert f.verdict.p80 >= f.verdict.likely


def test_an_ended_run_shows_no_countdown_and_no_critical_step() -> None:
    # Regression: a run ended rolled-back showed ON TRACK ... ROLLBACK BY 11:51 (in 6h37m).
    p = plan()
    events, _ = through_s1(55)
    state = started(
        p,
        *events,
        RollbackInvoked(actor="lead", at=at(96), reason="stuck", trigger="s1-stuck"),
        StepStarted(actor="lead", at=at(97), step="rb"),
        StepCompleted(actor="lead", at=at(120), step="rb"),
        RunEnded(actor="lead", at=at(121), outcome="rolled-back"),
    )
    f = frame(state, 400)
    v = f.verdict
    assert v.stage == "ended" and not v.countdown and v.stopped_at == at(121)
    line = figures(f, 160).plain
    assert "ENDED · rolled-back" in line
    assert "ROLLBACK BY" not in line and "in " not in line.split("│")[0]
    assert not any(f.sched.steps[sid].critical for sid in state.active_ids())


def test_rolling_back_is_its_own_stage() -> None:
    p = plan()
    events, _ = through_s1(55)
    state = started(
        p, *events, RollbackInvoked(actor="lead", at=at(96), reason="stuck", trigger="s1-stuck")
    )
    v = frame(state, 100).verdict
    assert v.stage == "rolling-back" and v.decided_by.name == "rto"


def test_past_the_point_of_no_return_is_said() -> None:
    # The window ends 04:00, the rollback takes 30m: past 03:30 with the plan open.
    p = plan()
    events, _ = through_s1(20)
    state = started(p, *events)
    v = frame(state, 60 * 5 + 35).verdict  # 03:35
    assert v.stage in ("no-return", "roll-back")
    assert any(r.name == "rollback-point" for r in v.rules) or v.stage == "roll-back"


def test_before_the_window_opens() -> None:
    state = fold(plan(), [])
    v = Frame.at(state, at(-30), "lead").verdict
    assert v.stage == "before-window" and "opens at 22:00" in v.decided_by.text


# -- one truth, at random moments of random nights -------------------------------------------


@st.composite
def nights(draw):
    on_fail = draw(st.sampled_from(["rollback", "hold", "continue"]))
    limit = draw(st.integers(min_value=10, max_value=90))
    n = draw(st.integers(min_value=2, max_value=4))
    s0 = draw(st.integers(min_value=5, max_value=90))
    chk_fails = draw(st.booleans())
    s1 = draw(st.integers(min_value=5, max_value=150))
    override = draw(st.booleans())
    rollback = draw(st.booleans())
    end = draw(st.sampled_from([None, "aborted", "rolled-back"]))
    now = draw(st.integers(min_value=-20, max_value=600))
    return on_fail, limit, n, s0, chk_fails, s1, override, rollback, end, now


def legal_history(state, wanted):
    """Apply each wanted event the rules allow, in order; keep the ones that were applied."""
    kept = []
    for e in wanted:
        if check(state, e) is None:
            apply(state, e)
            kept.append(e)
    return kept


def night_events(s0, chk_fails, s1, override, rollback, end, now):
    t = 0
    wanted = [RunStarted(actor="lead", at=T0, plan_id="verdict", key="go")]
    wanted += [StepStarted(actor="lead", at=at(t), step="s0")]
    t += s0
    wanted += [StepCompleted(actor="lead", at=at(t), step="s0")]
    wanted += [StepStarted(actor="lead", at=at(t), step="chk")]
    t += 10
    if chk_fails:
        wanted += [CheckpointFailed(actor="lead", at=at(t), step="chk", evidence="off by 3")]
    else:
        wanted += [CheckpointPassed(actor="lead", at=at(t), step="chk", evidence="ok")]
    wanted += [StepStarted(actor="lead", at=at(t), step="s1")]
    t += s1
    if override:
        wanted += [
            TriggerOverridden(actor="lead", at=at(t), trigger=tr, reason="decided to carry on")
            for tr in ("s1-stuck", "chk")
        ]
    if rollback:
        wanted += [RollbackInvoked(actor="lead", at=at(t + 1), reason="no good")]
    else:
        wanted += [StepCompleted(actor="lead", at=at(t + 1), step="s1")]
    if end:
        wanted += [RunEnded(actor="lead", at=at(t + 2), outcome=end)]
    return [e for e in wanted if e.at <= at(now)]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(nights())
def test_every_reader_gives_the_same_verdict(tmp_path: Path, night) -> None:
    on_fail, limit, n, s0, chk_fails, s1, override, rollback, end, now_min = night
    text = plan_text(on_fail=on_fail, limit=limit, n=n)
    journal = _journal(tmp_path, text)
    wanted = night_events(s0, chk_fails, s1, override, rollback, end, now_min)
    for i, e in enumerate(legal_history(fold(journal.plan, []), wanted)):
        journal.append(e.model_copy(update={"key": e.key or f"k{i}"}))
    now = at(now_min)
    state = journal.state()
    f = Frame.at(state, now, "lead", forecaster_for(journal.run_id), None)
    v = f.verdict
    # The same stage in the badge, `w`, the status line and `cutover status --json`.
    assert v.word in badge(f).plain
    assert v.word in verdict_lines(f)[0].plain
    assert v.word in figures(f, 160).plain and v.word in figures(f, 80).plain
    report = status_report(journal, now, state)
    assert report["level"] == v.stage
    assert report["verdict"]["rules"][0]["rule"] == v.decided_by.name
    # A second reader (its own forecaster, as another process has) quotes the same odds.
    _, _sight, again = assess(state, now, forecaster_for(journal.run_id), None)
    assert again.p80 == v.p80 and again.p_in_window == v.p_in_window
    if v.likely is not None:
        assert v.p80 >= v.likely
    fired = [
        x
        for x in f.sched.fired
        if x.action == "rollback" and (x.trigger or x.step) not in state.overrides
    ]
    if state.phase == "running" and fired:
        assert v.stage == "roll-back"
        assert (fired[0].trigger or fired[0].step) in badge(f).plain
    if state.phase == "ended":
        assert v.stage == "ended" and not v.countdown
        assert "ROLLBACK BY" not in figures(f, 160).plain
        assert not any(f.sched.steps[sid].critical for sid in state.active_ids())
    journal.close()


def _journal(tmp_path: Path, text: str) -> Journal:
    directory = tmp_path / f"runs-{len(list(tmp_path.iterdir()))}"
    directory.mkdir()
    path = directory / "verdict.toml"
    path.write_text(text)
    return Journal.create(directory, load_plan(path), rehearsal=True, created_by=os_login())


def test_cutover_status_in_another_process_gives_the_war_rooms_verdict(tmp_path: Path) -> None:
    journal = _journal(tmp_path, plan_text())
    events, now = through_s1(55)
    for i, e in enumerate([RunStarted(actor="lead", at=T0, plan_id="verdict", key="go"), *events]):
        journal.append(e.model_copy(update={"key": e.key or f"k{i}"}))
    f = Frame.at(journal.state(), now, "lead", forecaster_for(journal.run_id), None)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "cutover_tui.cli",
            "status",
            str(journal.path),
            "--at",
            now.isoformat(),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(out.stdout)
    assert report["level"] == f.verdict.stage == "roll-back"
    assert report["verdict"]["roll_back"] == "s1-stuck"
    # Under ROLL BACK no finish is claimed; the odds for carrying on are in the rules' words,
    # the same draws in both processes.
    assert report["verdict"]["finish"] == f.verdict.as_dict()["finish"]
    odds = [r for r in f.verdict.rules if r.name == "odds"]
    assert odds and odds[0].text.startswith("if the call is overridden: ")
    assert {"rule": "odds", "level": odds[0].level, "text": odds[0].text} in report["verdict"][
        "rules"
    ]


def test_a_fired_alert_holds_at_risk_only_while_its_cause_stands() -> None:
    # Regression (user pass, 2026-12-02): an alert trigger on a checkpoint that failed and
    # then passed on a retry kept every screen AT RISK for the rest of the night, and an
    # alert cannot be overridden.
    alert = '[[trigger]]\nid = "chk-alert"\nstep = "chk"\ncondition = "failed"\naction = "alert"\n'
    p = parse_plan(plan_text(on_fail="hold") + alert).plan
    failed = [
        StepStarted(actor="lead", at=at(0), step="s0"),
        StepCompleted(actor="lead", at=at(30), step="s0"),
        StepStarted(actor="lead", at=at(30), step="chk"),
        CheckpointFailed(actor="lead", at=at(38), step="chk", evidence="10 rows missing"),
    ]
    v = frame(started(p, *failed), 39).verdict
    assert v.stage == "at-risk"
    assert next(r for r in v.rules if r.name == "alert").level == "at-risk"
    retried = [
        *failed,
        StepStarted(actor="lead", at=at(40), step="chk", key="again"),
        CheckpointPassed(actor="lead", at=at(45), step="chk", evidence="counts equal"),
    ]
    v = frame(started(p, *retried), 46).verdict
    assert v.stage == "on-track", [r.text for r in v.rules]
    said = next(r for r in v.rules if r.name == "alert")
    assert said.level == "on-track" and "cleared since: chk is done" in said.text
    # A checkpoint the plan carries on past (review: its alert held AT RISK all night).
    p = parse_plan(plan_text(on_fail="continue") + alert).plan
    v = frame(started(p, *failed), 39).verdict
    said = next(r for r in v.rules if r.name == "alert")
    assert said.level == "on-track" and "the plan carries on past it" in said.text
    assert v.stage == "on-track", [r.text for r in v.rules]


def test_a_failed_step_is_at_risk_and_says_what_waits() -> None:
    # Regression (user pass, 2026-12-02): a failed task left ON TRACK, no rule naming it.
    events, _ = through_s1(10)
    state = started(plan(), *events, StepFailed(actor="lead", at=at(52), step="s1", reason="x"))
    v = frame(state, 53).verdict
    assert v.stage == "at-risk" and v.decided_by.name == "failed", [r.text for r in v.rules]
    assert "s1 failed at 22:52 and what waits for it cannot start" in v.decided_by.text
    assert "failed step" in verdict_lines(frame(state, 53))[0].plain


def test_a_run_started_before_its_window_is_before_window_and_projects_from_it() -> None:
    # Regression (user pass, 2026-12-02): `cutover start` records the run's start, so BEFORE
    # WINDOW never showed for a real run, and a run started the day before projected its
    # steps from then ("plan 19:59 (-31h40m)", "buffer left 34h00m").
    p = plan()
    state = fold(p, [RunStarted(actor="lead", at=at(-600), plan_id="verdict", key="go")])
    f = Frame.at(state, at(-590), "lead")
    v = f.verdict
    assert v.stage == "before-window" and "opens at 22:00" in v.decided_by.text
    assert f.sched.delta == timedelta(0)  # the plan of record from the window's start
    assert f.sched.projected_finish == f.sched.baseline_finish
    # ... and the odds too ("likely 21:45" ten hours before a window opening at 22:00).
    sight = frame(state, -590).foresight
    assert sight is not None and sight.p50 > p.window.start + timedelta(minutes=60)
    # Once a step is under way, the pace decides again.
    apply(state, StepStarted(actor="lead", at=at(-5), step="s0"))
    assert Frame.at(state, at(-4), "lead").verdict.stage != "before-window"


def test_before_the_window_what_is_under_way_is_measured_at_the_real_now() -> None:
    # Review, 2026-12-02: the window's start as now moved running steps too ("has run 30h16m
    # against its 10m budget") and a rollback's odds (0 % "by 17:18").
    p = plan()
    state = fold(p, [RunStarted(actor="lead", at=at(-600), plan_id="verdict", key="go")])
    apply(state, StepStarted(actor="lead", at=at(-595), step="s0"))
    f = frame(state, -590)
    assert f.sched.as_of == at(-590) and f.verdict.stage != "before-window"
    assert not any(r.name == "overrun" for r in f.verdict.rules)
    assert f.sched.projected_finish < p.window.start  # started early, finishing early
    apply(state, RollbackInvoked(actor="lead", at=at(-588), reason="vendor pulled out"))
    sight = frame(state, -587).foresight
    assert sight is not None and sight.p50 < at(-500)  # the rollback from now, not at 22:00
