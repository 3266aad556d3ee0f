"""Every war-room action, driven with Pilot, for each role, refusals included."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

from cutover_tui.engine.events import (
    CheckpointPassed,
    StepCompleted,
    StepStarted,
)
from cutover_tui.tui.screens.form import FormScreen
from cutover_tui.tui.screens.help import HelpScreen
from tests.warroom_support import (
    PLAN,
    at,
    events_of,
    fill,
    notices,
    open_form,
    select,
    settle,
    started,
    submit_form,
    through_backup,
    through_gate,
    through_load,
    war_room,
)

SIZE = (160, 48)


async def test_owner_starts_and_completes_own_step() -> None:
    app = war_room("dba", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "freeze")
        await pilot.press("s")
        await settle(pilot, lambda: events_of(app)[-1].type == "step-started")
        assert app.state.status["freeze"].status == "running"
        select(app, "freeze")
        await pilot.press("c")
        await settle(pilot, lambda: events_of(app)[-1].type == "step-completed")
        assert app.state.status["freeze"].status == "done"


async def test_operator_refused_on_someone_elses_step() -> None:
    app = war_room("ops", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "freeze")
        await pilot.press("s")
        await settle(pilot, lambda: any("may not start 'freeze'" in n for n in notices(app)))
        assert [e.type for e in events_of(app)] == ["run-started"]
        assert any("Priya Shah" in n for n in notices(app))


async def test_watcher_and_unlisted_user_are_read_only() -> None:
    for actor in ("viewer", "mallory"):
        app = war_room(actor, started(), now=at(1))
        async with app.run_test(size=SIZE) as pilot:
            select(app, "freeze")
            await pilot.press("s")
            await pilot.press("n")  # refused at once: no form to fill in first
            await settle(pilot, lambda app=app: sum("may not" in n for n in notices(app)) == 2)
            assert not isinstance(app.screen, FormScreen)
            assert len(events_of(app)) == 1


async def test_second_operator_closing_a_step_hears_who_closed_it() -> None:
    events = started(
        StepStarted(actor="dba", at=at(0), step="freeze"),
        StepCompleted(actor="alice", at=at(12), step="freeze"),
    )
    app = war_room("dba", events, now=at(13))
    async with app.run_test(size=SIZE) as pilot:
        app.action_complete("freeze")
        await pilot.pause()
        assert any("already completed by Alice Ng (alice) at 22:12" in n for n in notices(app)), (
            notices(app)
        )


async def test_checkpoint_pass_with_evidence() -> None:
    app = war_room("dba", through_backup(), now=at(41))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "backup-ok")
        await open_form(pilot, app, "p")
        fill(app, evidence="48,112,007 rows both sides")
        await submit_form(pilot, app)
        await settle(pilot, lambda: events_of(app)[-1].type == "checkpoint-passed")
        last = events_of(app)[-1]
        assert last.type == "checkpoint-passed" and last.evidence == "48,112,007 rows both sides"


async def test_checkpoint_fail_needs_evidence_and_fires_rollback_alert() -> None:
    app = war_room("alice", through_backup(), now=at(41))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "backup-ok")
        await open_form(pilot, app, "f")
        await submit_form(pilot, app)
        assert isinstance(app.screen, FormScreen), "a failed checkpoint needs evidence"
        fill(app, evidence="checksum differs")
        # Enter in the field submits too (a second click this soon would be a double click).
        app.screen.query_one("#field-evidence").focus()
        await pilot.press("enter")
        await settle(pilot, lambda: events_of(app)[-1].type == "checkpoint-failed")
        assert app.frame is not None
        assert [f.trigger for f in app.frame.sched.fired] == ["backup-failed"]


async def test_fail_a_task_with_reason() -> None:
    app = war_room("dba", started(StepStarted(actor="dba", at=at(0), step="freeze")), now=at(5))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "freeze")
        await open_form(pilot, app, "f")
        fill(app, reason="lock timeout")
        await submit_form(pilot, app)
        await settle(pilot, lambda: events_of(app)[-1].type == "step-failed")
        assert events_of(app)[-1].type == "step-failed"
        assert app.state.status["freeze"].reason == "lock timeout"


async def test_gate_go_refused_until_criteria_met_then_conditional_go() -> None:
    events = [*through_backup(), CheckpointPassed(actor="dba", at=at(44), step="backup-ok")]
    app = war_room("alice", events, now=at(45))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "go")
        await open_form(pilot, app, "g")
        fill(app, decision="go")
        await submit_form(pilot, app)
        # Refused in the form, which stays open: the approver changes the decision there.
        assert "open: staff-ready" in _form_error(app)
        fill(app, decision="conditional-go", risks="two clerks trained on Monday")
        app.screen.query_one("#field-risks").focus()
        await pilot.press("enter")  # a second click this soon would be a double click
        await settle(pilot, lambda: events_of(app)[-1].type == "gate-decided")
        last = events_of(app)[-1]
        assert last.type == "gate-decided" and last.decision == "conditional-go"
        assert last.risks == ["two clerks trained on Monday"]


async def test_approver_decides_for_self_only() -> None:
    events = [*through_backup(), CheckpointPassed(actor="dba", at=at(44), step="backup-ok")]
    app = war_room("sponsor", events, now=at(45))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "go")
        await open_form(pilot, app, "g")
        fill(app, decision="no-go", reason="clerks not trained")
        await submit_form(pilot, app)
        await settle(pilot, lambda: events_of(app)[-1].type == "gate-decided")
        last = events_of(app)[-1]
        assert last.type == "gate-decided" and last.approver == "sponsor"
        assert app.state.gates["go"].outcome == "no-go"


async def test_suspend_with_eta_then_resume() -> None:
    app = war_room("dba", started(StepStarted(actor="dba", at=at(0), step="freeze")), now=at(5))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "freeze")
        await open_form(pilot, app, "u")
        fill(app, reason="waiting for the vendor", eta="23:30")
        await submit_form(pilot, app)
        await settle(pilot, lambda: events_of(app)[-1].type == "step-suspended")
        last = events_of(app)[-1]
        assert last.type == "step-suspended"
        assert app.state.status["freeze"].status == "suspended"
        select(app, "freeze")
        await pilot.press("u")
        await settle(pilot, lambda: events_of(app)[-1].type == "step-resumed")


async def test_skip_needs_commander_and_reason() -> None:
    app = war_room("dba", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "freeze")
        await pilot.press("k")  # refused at once: no form to fill in first
        await settle(pilot, lambda: any("may not skip" in n for n in notices(app)))
        assert not isinstance(app.screen, FormScreen)
    app = war_room("alice", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "freeze")
        await open_form(pilot, app, "k")
        fill(app, reason="freeze done by the batch already")
        await submit_form(pilot, app)
        await settle(pilot, lambda: app.state.status["freeze"].status == "skipped")
        assert app.state.status["freeze"].status == "skipped"


async def test_amend_estimate_changes_tonight_not_the_file() -> None:
    app = war_room("alice", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "freeze")
        await open_form(pilot, app, "a")
        fill(app, duration="25m", reason="bigger table than rehearsed")
        await submit_form(pilot, app)
        await settle(pilot, lambda: events_of(app)[-1].type == "estimate-changed")
        assert app.state.steps["freeze"].duration.total_seconds() == 25 * 60
        assert app.source.plan.step_by_id["freeze"].duration.total_seconds() == 15 * 60


async def test_readiness_marked_by_its_owner() -> None:
    app = war_room("carol", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "m")
        fill(app, item="staff-ready", status="met", note="all 12 clerks")
        await submit_form(pilot, app)
        await settle(pilot, lambda: "staff-ready" in app.state.readiness)


async def test_note_by_operator() -> None:
    app = war_room("ops", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "n")
        fill(app, kind="deviation", text="switch window moved by the vendor")
        await submit_form(pilot, app)
        await settle(pilot, lambda: events_of(app)[-1].type == "note-added")
        last = events_of(app)[-1]
        assert last.type == "note-added" and last.kind == "deviation"


async def test_rollback_confirms_and_needs_commander() -> None:
    app = war_room("dba", through_gate(), now=at(50))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")  # refused at once: no form to fill in first
        await settle(pilot, lambda: any("may not invoke rollback" in n for n in notices(app)))
        assert not isinstance(app.screen, FormScreen)
    app = war_room("alice", through_gate(), now=at(50))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.spec.danger
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, FormScreen))
        assert app.state.phase == "running", "cancelled: nothing recorded"
        await open_form(pilot, app, "r")
        fill(app, reason="data corrupt")
        await submit_form(pilot, app)
        await settle(pilot, lambda: app.state.phase == "rollback")
        assert set(app.frame.sched.running) | set(app.frame.sched.ready) == {"restore"}


async def test_end_run() -> None:
    app = war_room("alice", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "E")
        fill(app, outcome="completed")
        await submit_form(pilot, app)
        assert "steps are still open" in _form_error(app)  # refused in the open form
        fill(app, outcome="aborted", reason="vendor cancelled")
        app.screen.query_one("#field-reason").focus()
        await pilot.press("enter")
        await settle(pilot, lambda: app.state.phase == "ended")
        assert app.state.phase == "ended" and app.state.outcome == "aborted"


async def test_help_lists_every_key() -> None:
    app = war_room("alice", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = {row[0] for row in app.screen.rows}
        assert {"s", "c", "f", "p", "g", "u", "k", "a", "m", "n", "r", "E"} <= keys
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_narrow_terminal_shows_panes_as_tabs() -> None:
    app = war_room("alice", started(), now=at(1))
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.has_class("-narrow")
        assert app.query_one("#timeline").display
        assert not app.query_one("#comms").display
        await pilot.press("4")
        assert app.query_one("#comms").display
        assert not app.query_one("#timeline").display


async def test_commander_adds_a_step_after_the_highlighted_one() -> None:
    app = war_room("alice", started(StepStarted(actor="dba", at=at(0), step="freeze")), now=at(5))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "freeze")
        await open_form(pilot, app, "A")
        fill(app, step="kill-sessions", title="Kill stray sessions", owner="dba")
        fill(app, duration="10m", reason="sessions still connected")
        app.screen.query_one("#field-reason").focus()
        await pilot.press("enter")
        await settle(pilot, lambda: events_of(app)[-1].type == "step-added")
        last = events_of(app)[-1]
        assert last.after == ["freeze"]
        assert app.state.steps["kill-sessions"].owner == "dba"
        assert "kill-sessions" in app.frame.sched.steps
        assert "kill-sessions" not in PLAN.step_by_id  # tonight's plan, not the file


async def test_add_step_form_rejects_an_existing_id_and_unknown_owner() -> None:
    app = war_room("alice", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "A")
        fill(app, step="freeze", title="x", owner="nobody", reason="r")
        app.screen.query_one("#field-reason").focus()
        await pilot.press("enter")
        await settle(pilot, lambda: "already a step 'freeze'" in _form_error(app))
        fill(app, step="new-one")
        await pilot.press("enter")
        # Worded as the refusals and the incident form (was "is not in [people]": close
        # note 13's "not in the plan" said several ways).
        await settle(pilot, lambda: "'nobody' is not in the plan's people: " in _form_error(app))
        assert len(events_of(app)) == 1


async def test_operator_may_not_add_a_step() -> None:
    app = war_room("dba", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")  # refused at once: no form to fill in first
        await settle(pilot, lambda: any("may not" in n for n in notices(app)))
        assert not isinstance(app.screen, FormScreen)
        assert len(events_of(app)) == 1


async def test_command_palette_starts_a_ready_step() -> None:
    app = war_room("dba", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"start freeze")
        # The palette searches in a worker: wait for its answer, not for a fixed 0.3 s.
        await settle(pilot, lambda: "Start freeze" in _highlighted_command(app))
        await pilot.press("enter")
        await settle(pilot, lambda: events_of(app)[-1].type == "step-started")
        assert events_of(app)[-1].step == "freeze"


async def test_ctrl_p_opens_the_palette_as_the_help_says() -> None:
    # Textual binds ctrl+p itself only when no binding runs the palette; ':' does.
    app = war_room("dba", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))


def _highlighted_command(app) -> str:
    results = app.screen.query(CommandList)
    if not results or results.first().highlighted is None:
        return ""
    option_list = results.first()
    return str(option_list.get_option_at_index(option_list.highlighted).prompt)


async def test_why_shows_the_pace_evidence_and_p80_path() -> None:
    app = war_room("viewer", through_gate(), now=at(60))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        await pilot.pause()
        text = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "Pace" in text and "P80 path" in text and "inside the window" in text
        await pilot.press("escape")
        assert not app.screen.query("ForesightScreen")


async def test_status_line_shows_the_odds() -> None:
    app = war_room("viewer", through_gate(), now=at(60))
    async with app.run_test(size=SIZE):
        assert app.frame is not None and app.frame.foresight is not None
        status = app.query_one("StatusBar").plain
        assert f"{app.frame.foresight.p_in_window:.0%} in window" in status
        assert "ON TRACK" in status or "AT RISK" in status or "LATE" in status


async def test_rolling_back_the_status_line_leads_with_the_restore_deadline() -> None:
    from cutover_tui.tui.screenshots import scene_app

    app = scene_app("rollback")
    async with app.run_test(size=SIZE):
        status = app.query_one("StatusBar").plain.splitlines()[1]
        assert status.lstrip().startswith("RESTORE BY 04:45 (RTO; rollback since 03:15)")
        assert "ROLLING BACK" in status and "by the RTO" in status
        # The projection has 15m of the 30m warning left: the badge does not say on track,
        # whatever the odds say.
        assert app.frame.sched.level == "at-risk"
        assert app.frame.level == "at-risk" and app.frame.verdict.tone == "warn"


async def test_a_tick_while_closing_is_harmless() -> None:
    # Regression (seen once in CI): the 1-second tick fired while the app was tearing down
    # and the status bar's cells were already gone: NoMatches, a traceback on exit.
    app = war_room("alice", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        await app.query_one("StatusBar").remove_children()
        await pilot.pause()
        app.refresh_run()  # must not raise


def _form_error(app) -> str:
    """The open form's error line ('' when no form is open)."""
    if not isinstance(app.screen, FormScreen):
        return ""
    return str(app.screen.query_one("#form-error").render())


def now_ids(app) -> list[str]:
    listed = app.query_one("#now-list")
    return [listed.get_option_at_index(i).id for i in range(listed.option_count)]


async def test_a_step_key_never_falls_on_a_step_nobody_chose() -> None:
    # Regression (user pass, 2026-12-02): the commander had `load` highlighted; the DBA
    # completed it from another terminal, the highlight fell to the first row (`switch`,
    # now ready), and `s` started a step the commander never chose.
    app = war_room("alice", through_load(), now=at(60))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "load")
        app.source.submit(StepCompleted(actor="dba", at=at(59), step="load"))
        app.poll_journal()
        app.refresh_run()
        await settle(pilot, lambda: now_ids(app) == ["switch"])
        await pilot.press("s")
        await settle(pilot, lambda: any("highlight a step" in n for n in notices(app)))
        assert app.state.status["switch"].status == "pending"
        assert events_of(app)[-1].type == "step-completed"  # nothing recorded by the key
        # Redrawn with other rows (review: the highlight fell to row 0 again at the next
        # change of the list, and `c` then completed the step the operator had started).
        app.source.submit(StepStarted(actor="ops", at=at(61), step="switch"))
        app.clock.set(at(61))
        app.poll_journal()
        await settle(pilot, lambda: app.state.status["switch"].status == "running")
        assert now_ids(app) == ["switch"] and app.query_one("#now-list").highlighted is None
        await pilot.press("c")
        await settle(pilot, lambda: sum("highlight a step" in n for n in notices(app)) == 2)
        assert app.state.status["switch"].status == "running"
        select(app, "switch")  # chosen again: the key acts
        await pilot.press("c")
        await settle(pilot, lambda: app.state.status["switch"].status == "done")
