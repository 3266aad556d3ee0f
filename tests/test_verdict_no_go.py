"""A NO GO at a gate is the verdict's own stage (engine/verdict_nogo.py).

Regression (hostile user pass, 2026-12-02, on plans/online-store.toml): after `cutover do RUN
no-go GATE --reason x` every screen still said `● ON TRACK · likely 13:41 · 87% in window`,
`w` said nothing of the gate, and a later go was refused ("already decided: no-go"): the fold
records a no-go as the gate failed, which no verdict rule looked at, and the schedule and the
odds projected the gate as retried. Each test here fails without the NO GO stage.

The engine tests fold real events on tests/plans/warroom.toml at fixed moments (no clock).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.engine.events import (
    CheckpointPassed,
    Event,
    GateDecided,
    ReadinessMarked,
    RollbackInvoked,
    RunEnded,
    StepSkipped,
)
from cutover_tui.engine.state import apply, check, fold
from cutover_tui.engine.verdict import assess, forecaster_for
from cutover_tui.plan import parse_plan
from cutover_tui.tui.frame import Frame
from cutover_tui.tui.screens.foresight import reasoning, verdict_lines
from cutover_tui.tui.widgets.status import badge, figures
from tests.warroom_support import PLAN, PLAN_PATH, at, through_backup

GATE_TEXT = "NO GO at Go / no-go · Alice Ng (alice) at 22:46: backup set incomplete"


def to_the_gate(mode: str = "live") -> list[Event]:
    """Freeze, backup and its checkpoint done, the readiness item met: the gate is next."""
    events = [
        *through_backup(),
        CheckpointPassed(actor="dba", at=at(44), step="backup-ok", evidence="ok"),
        ReadinessMarked(actor="carol", at=at(30), item="staff-ready", status="met"),
    ]
    events[0] = events[0].model_copy(update={"mode": mode})
    return events


def decided(decision: str, who: str = "alice", minute: float = 46, **kw) -> GateDecided:
    if decision == "no-go":
        kw.setdefault("reason", "backup set incomplete")
    if decision == "conditional-go":
        kw.setdefault("risks", ["staff half trained"])
    return GateDecided(
        actor=who, at=at(minute), step="go", approver=who, decision=decision, key=f"{who}-d", **kw
    )


def legal(events: list[Event]):
    """Fold the events, each checked by the rules first (a refused one fails the test)."""
    state = fold(PLAN, [])
    for e in events:
        assert check(state, e) is None, (e, check(state, e))
        apply(state, e)
    return state


def frame(events: list[Event], minutes: float) -> Frame:
    # With a forecaster: the odds are worked out, as in the war room and `cutover status`.
    return Frame.at(legal(events), at(minutes), "alice", forecaster_for("no-go"), None)


def test_a_no_go_says_no_go_everywhere_not_on_track() -> None:
    f = frame([*to_the_gate(), decided("no-go")], 50)
    v = f.verdict
    assert v.stage == "no-go" and v.word == "NO GO"
    assert v.tone == "bad" and v.pace == "late"  # as loud as a fired rollback trigger
    assert v.decided_by.name == "no-go" and v.no_go == "go"
    assert v.decided_by.text == f"{GATE_TEXT}: roll back or end the run"
    assert "NO GO · go" in badge(f).plain
    for width in (160, 80):
        line = figures(f, width).plain
        assert "NO GO" in line and "ON TRACK" not in line and "in window" not in line, line
        # No plan finish and no buffer: the plan stops at the gate; a rollback now is back by…
        assert "rollback now: back 23:30" in line and "plan " not in line, line
        assert "buffer" not in line, line
    assert "NO GO" in verdict_lines(f)[0].plain and "no-go at a gate" in verdict_lines(f)[0].plain


def test_the_odds_and_the_plan_of_record_do_not_claim_the_night_goes_on() -> None:
    f = frame([*to_the_gate(), decided("no-go")], 50)
    v = f.verdict
    assert v.likely is None and v.p80 is None and v.p_in_window is None
    names = [r.name for r in v.rules]
    assert not {"odds", "plan-of-record", "buffer-rule"} & set(names), names
    assert f.foresight is None  # not worked out: it would simulate the gate passing
    # A rollback started at 22:50 takes its runbook's length: said with the deadline.
    back_out = next(r for r in v.rules if r.name == "back-out")
    assert "a rollback started now restores service at" in back_out.text
    assert "before the 02:00 deadline" in back_out.text
    said = reasoning(f)[-1]
    assert "No odds: a NO GO stands" in getattr(said, "plain", "")


@pytest.mark.parametrize("decision", ["go", "conditional-go"])
def test_a_go_or_a_conditional_go_changes_nothing(decision: str) -> None:
    events = [*to_the_gate(), decided(decision), decided(decision, "sponsor", 47)]
    v = frame(events, 50).verdict
    assert v.stage != "no-go" and v.no_go is None
    assert not any(r.name in ("no-go", "back-out") for r in v.rules)
    assert v.likely is not None  # the odds are there as before


def test_one_approvers_go_then_the_others_no_go_is_a_no_go() -> None:
    events = [*to_the_gate(), decided("go", "alice", 46), decided("no-go", "sponsor", 48)]
    v = frame(events, 50).verdict
    assert v.stage == "no-go"
    assert v.decided_by.text.startswith("NO GO at Go / no-go · Sam Park (sponsor) at 22:48")


def test_a_rehearsals_no_go_is_judged_as_a_live_one() -> None:
    live = frame([*to_the_gate("live"), decided("no-go")], 50).verdict
    rehearsal = frame([*to_the_gate("rehearsal"), decided("no-go")], 50)
    assert rehearsal.state.mode == "rehearsal"
    assert rehearsal.verdict.stage == live.stage == "no-go"
    assert rehearsal.verdict.rules == live.rules


def test_rolling_back_then_ending_take_over_from_the_no_go() -> None:
    rollback = RollbackInvoked(actor="alice", at=at(52), reason="no go at the gate", key="rb")
    events = [*to_the_gate(), decided("no-go"), rollback]
    v = frame(events, 55).verdict
    assert v.stage == "rolling-back" and v.decided_by.name == "rto" and v.no_go is None
    ended = RunEnded(actor="alice", at=at(90), outcome="rolled-back", key="end")
    v = frame([*events, ended], 95).verdict
    assert v.stage == "ended" and v.no_go is None


def test_ending_the_run_after_a_no_go_is_ended() -> None:
    ended = RunEnded(actor="alice", at=at(50), outcome="aborted", key="end")
    v = frame([*to_the_gate(), decided("no-go"), ended], 60).verdict
    assert v.stage == "ended" and "aborted" in v.decided_by.text


def test_a_no_go_gate_is_not_skipped_past() -> None:
    """A skip would lift the NO GO and open every step after the gate: refused, naming who
    said no-go and when (the helper's review of this stage found the hole)."""
    skip = StepSkipped(actor="alice", at=at(50), step="go", reason="board overruled", key="k")
    said = fold(PLAN, [*to_the_gate(), decided("no-go")])
    refused = check(said, skip)
    assert refused is not None and "'go' was decided no-go by" in refused
    assert refused.endswith("a no-go is final; roll back or end the run")


def test_a_log_that_holds_a_skip_of_the_gate_shows_no_no_go() -> None:
    # Recorded before skips of a no-go gate were refused: the gate is closed, so is the NO GO.
    skip = StepSkipped(actor="alice", at=at(50), step="go", reason="board overruled", key="k")
    state = fold(PLAN, [*to_the_gate(), decided("no-go"), skip])  # folded as stored, unchecked
    v = Frame.at(state, at(51), "alice", forecaster_for("no-go"), None).verdict
    assert v.stage != "no-go" and v.no_go is None


def test_the_reason_and_the_title_reach_the_verdict_inert() -> None:
    hostile = "\x1b]52;c;ZXZpbA==\x07wiped\nline two\x1b[31m"
    v = frame([*to_the_gate(), decided("no-go", reason=hostile)], 50).verdict
    text = v.decided_by.text
    assert "\x1b" not in text and "\x07" not in text and "\n" not in text
    assert "wiped" in text and text.endswith(": roll back or end the run")


def test_the_time_is_in_the_plans_zone_as_other_rules_say_it() -> None:
    # Europe/London: 22:46 GMT in November; the same moment in UTC+1 would read 23:46.
    v = frame([*to_the_gate(), decided("no-go")], 50).verdict
    assert " at 22:46:" in v.decided_by.text
    assert PLAN.zone.key == "Europe/London"


# -- a property over random decisions at the gate, and what follows --------------------------


@st.composite
def gate_nights(draw):
    first = draw(st.sampled_from(["go", "conditional-go", "no-go"]))
    second = draw(st.sampled_from([None, "go", "conditional-go", "no-go"]))
    after = draw(st.sampled_from([None, "rollback", "aborted", "rolled-back"]))
    rehearsal = draw(st.booleans())
    later = draw(st.integers(min_value=0, max_value=120))
    return first, second, after, rehearsal, later


@settings(max_examples=40, deadline=None)
@given(gate_nights())
def test_no_go_is_the_stage_exactly_while_a_no_go_stands(night) -> None:
    first, second, after, rehearsal, later = night
    wanted: list[Event] = [
        *to_the_gate("rehearsal" if rehearsal else "live"),
        decided(first, "alice", 46),
    ]
    if second:
        wanted.append(decided(second, "sponsor", 47))
    if after == "rollback":
        wanted.append(RollbackInvoked(actor="alice", at=at(48), reason="gate", key="rb"))
    elif after:
        wanted.append(RunEnded(actor="alice", at=at(48), outcome=after, key="end"))
    state = fold(PLAN, [])
    for e in wanted:  # keep what the rules allow, as a war room would
        if check(state, e) is None:
            apply(state, e)
    now = at(49 + later)
    _, _, v = assess(state, now)
    no_go_said = state.gates["go"].outcome == "no-go"
    assert (v.stage == "no-go") == (no_go_said and state.phase == "running")
    if v.stage == "no-go":
        assert v.tone == "bad" and v.likely is None and v.p_in_window is None
        assert v.as_dict()["no_go"] == "go" and v.as_dict()["level"] == "no-go"
    else:
        assert v.no_go is None and not any(r.name == "no-go" for r in v.rules)
    assert v.stage != "on-track" or not no_go_said or state.phase != "running"


def test_without_a_rollback_planned_the_no_go_says_end_the_run() -> None:
    text = PLAN_PATH.read_text()
    text = text[: text.index("[rollback]")] + text[text.index("[[audience]]") :]
    plan = parse_plan(text, name="no-rollback.toml").plan
    state = fold(plan, [])
    for e in [*to_the_gate(), decided("no-go")]:
        assert check(state, e) is None
        apply(state, e)
    f = Frame.at(state, at(50), "alice", forecaster_for("no-go"), None)
    v = f.verdict
    assert v.stage == "no-go" and [r.name for r in v.rules] == ["no-go"]
    assert v.decided_by.text.endswith(": end the run (no rollback is planned)")
    assert "the plan stops at the gate" in figures(f, 160).plain


def test_cutover_status_claims_no_finish_under_a_no_go(tmp_path, capsys) -> None:
    # Regression (user pass, 2026-12-02): `cutover status` said "finish: none while the NO GO
    # stands; plan of record 19:03 (-50m ...) ... buffer left 3h10m", and --json gave the
    # plan of record, its delta and the buffer, where the war room shows none.
    import json

    from cutover_tui.cli import main
    from cutover_tui.journal.identity import os_login
    from cutover_tui.journal.store import Journal
    from cutover_tui.plan import load_plan

    journal = Journal.create(
        tmp_path / "runs", load_plan(PLAN_PATH), rehearsal=True, created_by=os_login()
    )
    for n, event in enumerate([*to_the_gate("rehearsal"), decided("no-go")]):
        journal.append(event.model_copy(update={"key": f"k{n}"}), now=lambda: at(50))
    runs = ["--runs", str(tmp_path / "runs"), "--at", at(50).isoformat()]
    assert main(["status", journal.run_id, *runs]) == 0
    finish = next(line for line in capsys.readouterr().out.splitlines() if "finish:" in line)
    assert "none while the NO GO stands" in finish
    assert "plan of record" not in finish and "buffer left" not in finish
    assert main(["status", journal.run_id, "--json", *runs]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["level"] == "no-go"
    assert said["projected_finish"] is None and said["delta_s"] is None
    assert said["buffer_left_s"] is None and said["verdict"]["finish"]["plan_of_record"] is None


@pytest.mark.parametrize("template", ["status-update", "incident", "step-update"])
def test_a_message_under_a_no_go_claims_no_finish(template: str) -> None:
    """User pass (2026-12-02): a status update drafted under a NO GO said "projected finish
    03:10" and "87% chance" beside the NO GO that every screen showed."""
    from cutover_tui.comms.templates import render
    from cutover_tui.comms.values import live_values

    state = legal([*to_the_gate(), decided("no-go")])
    values = live_values(state, at(50), forecaster=forecaster_for("no-go"))
    out = render(state.plan, template, values)
    assert values["level"] == "NO GO"
    assert "none while the NO GO stands" in out.body
    assert "chance" not in out.body or "0% chance" in out.body
    figures = {"projected_finish", "likely_finish", "p80", "p_in_window", "delta", "buffer_left"}
    assert not figures & set(out.missing)  # true words, not gaps to fill
    before = live_values(legal(to_the_gate()), at(45), forecaster=forecaster_for("x"))
    assert before["projected_finish"] is not None and "NO GO" not in str(before["delta"])
