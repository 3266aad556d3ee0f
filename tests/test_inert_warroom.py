"""No text from a plan or a person reaches a war room's terminal raw (issue 12, finding 1).

Hostile text goes into every field a person can set and into the plan's own strings; every
pane, the `w` screen, a form, the command palette and the toasts are rendered
headless, and what Textual would write is read segment by segment: no ESC, no other C0 or
C1 control, no bidi override. Textual's own escapes are not in the segments' text (it adds
them when it writes), so anything found there came from the data.
"""

from __future__ import annotations

import asyncio
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.strip import Strip
from textual.widgets import Input

from cutover_tui.engine.events import (
    CheckpointPassed,
    EstimateChanged,
    GateDecided,
    NoteAdded,
    ReadinessMarked,
    RollbackInvoked,
    RunEnded,
    StepAdded,
    StepCompleted,
    StepFailed,
    StepResumed,
    StepSkipped,
    StepStarted,
    StepSuspended,
)
from cutover_tui.plan.model import Plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.screens.form import FormScreen
from cutover_tui.tui.source import MemoryRun
from tests.inert_support import ATTACK, hostile, unsafe_in
from tests.warroom_support import PLAN, StoppedClock, at, events_of, fill, started

SIZE = (160, 50)  # wide enough for every pane at once


def hostile_plan(words: list[str]) -> Plan:
    """The war-room plan with hostile text in its title, names, titles, instructions and
    verify text."""
    word = itertools.cycle(words).__next__
    steps = [s.model_copy(update={"title": word(), "instructions": word()}) for s in PLAN.step]
    steps = [s.model_copy(update={"verify": word()}) if hasattr(s, "verify") else s for s in steps]
    return PLAN.model_copy(
        update={
            "plan": PLAN.plan.model_copy(update={"title": word()}),
            "step": steps,
            "phase": [p.model_copy(update={"title": word()}) for p in PLAN.phase],
            "people": {k: p.model_copy(update={"name": word()}) for k, p in PLAN.people.items()},
            "readiness": [r.model_copy(update={"item": word()}) for r in PLAN.readiness],
        }
    )


def mid_night(text: str) -> list:
    """Every field a person sets before the load runs: notes, evidence, risks, reasons."""
    return started(
        StepStarted(actor="dba", at=at(0), step="freeze"),
        StepCompleted(actor="dba", at=at(14), step="freeze", note=text),
        StepStarted(actor="dba", at=at(14), step="backup"),
        StepCompleted(actor="dba", at=at(40), step="backup"),
        CheckpointPassed(actor="dba", at=at(44), step="backup-ok", evidence=text),
        ReadinessMarked(actor="carol", at=at(30), item="staff-ready", status="met", note=text),
        GateDecided(actor="alice", at=at(46), step="go", approver="alice", decision="go"),
        GateDecided(
            actor="sponsor",
            at=at(47),
            step="go",
            approver="sponsor",
            decision="conditional-go",
            reason=text,
            risks=[text],
        ),
        StepStarted(actor="dba", at=at(50), step="load"),
        NoteAdded(actor="alice", at=at(51), text=text, kind="deviation", step="load"),
        StepAdded(
            actor="alice",
            at=at(52),
            step="extra-check",
            title=text,
            owner="ops",
            duration_s=600,
            after=["load"],
            phase="migrate",
            reason=text,
        ),
        EstimateChanged(actor="alice", at=at(53), step="switch", duration_s=1200, reason=text),
        StepSkipped(actor="alice", at=at(53), step="announce", reason=text),
        StepSuspended(actor="dba", at=at(54), step="load", reason=text),
    )


def leaked(app: WarRoomApp) -> set[str]:
    """Unsafe characters in what the screen (toasts included) would write, outside
    Textual's own control segments."""
    update = app.screen._compositor.render_full_update()
    found: set[str] = set()
    for line in update.strips:  # each line: strips, each strip: segments
        for strip in [line] if isinstance(line, Strip) else line:
            for segment in strip:
                if not segment.control:
                    found |= unsafe_in(segment.text)
    return found


async def look(app: WarRoomApp, pilot, where: str) -> None:
    await pilot.pause()
    assert not leaked(app), f"{where}: {sorted(leaked(app))!r}"


async def walk(plan: Plan, texts: list[str]) -> None:
    text = texts[0]
    source = MemoryRun(plan, "alice", mid_night(text))
    app = WarRoomApp(source, StoppedClock(at(56)))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await look(app, pilot, "the panes mid-night")
        assert not unsafe_in(app.title)

        # News after the first frame: a failure and a rollback toast; a refusal, a notice.
        source.submit(StepResumed(actor="dba", at=at(57), step="load"))
        source.submit(StepFailed(actor="dba", at=at(57), step="load", reason=text))
        app.refresh_run()
        app.notify(texts[-1], title=texts[-1])
        app.submit(NoteAdded(actor="alice", at=at(58), text=" ", step=texts[-1]))
        await look(app, pilot, "toasts")

        await pilot.press("w")
        await look(app, pilot, "the w screen")
        await pilot.press("escape")

        app.action_pass_check("backup-ok")  # a form quoting a step title and verify text
        await pilot.pause()
        if isinstance(app.screen, FormScreen):
            app.screen.query_one("#field-evidence", Input).value = "seen"
            await look(app, pilot, "a form")
            await pilot.press("escape")

        await pilot.press("ctrl+p")
        await pilot.pause()
        await look(app, pilot, "the command palette")
        await pilot.press("escape")

        source.submit(RollbackInvoked(actor="alice", at=at(60), reason=text))
        source.submit(RunEnded(actor="alice", at=at(61), outcome="aborted", reason=text))
        app.refresh_run()
        await look(app, pilot, "the run ended")


@settings(
    max_examples=3,  # a war room per example, some 5 s each on a busy machine
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan_words=st.lists(hostile, min_size=1, max_size=4), texts=st.lists(hostile, min_size=1))
def test_no_hostile_text_reaches_the_war_rooms_terminal(
    plan_words: list[str], texts: list[str]
) -> None:
    asyncio.run(walk(hostile_plan(plan_words), texts))


def test_the_issues_attack_in_every_field_reaches_no_pane() -> None:
    asyncio.run(walk(hostile_plan([ATTACK, "[bold red]x[/]\u202e"]), [ATTACK, "[operator]"]))


def screen_text(app: WarRoomApp) -> str:
    update = app.screen._compositor.render_full_update()
    rows = []
    for line in update.strips:
        strips = [line] if isinstance(line, Strip) else line
        rows.append("".join(s.text for strip in strips for s in strip if not s.control))
    return "\n".join(rows)


async def refused_toast() -> str:
    app = WarRoomApp(MemoryRun(PLAN, "ops", started()), StoppedClock(at(1)))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.action_start("freeze")  # Priya's step: Omar, an operator, may not start it
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        return screen_text(app)


def test_a_refusal_toast_shows_the_role_in_brackets_as_written() -> None:
    """Regression: toasts were read as markup, so '[operator]' in a refusal was eaten."""
    shown = asyncio.run(refused_toast())
    assert "Omar Diaz (ops) [operator] may not start" in " ".join(shown.split())


async def add_step_form_error(step_id: str) -> tuple[str, int]:
    app = WarRoomApp(MemoryRun(PLAN, "alice", started()), StoppedClock(at(1)))
    async with app.run_test(size=SIZE) as pilot:
        app.action_add_step()
        await pilot.pause()
        fill(app, step=step_id, title="t", reason="r")
        app.screen.query_one("#field-reason").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        error = str(app.screen.query_one("#form-error").render())
        return error, len(events_of(app))


def test_the_add_step_form_holds_ids_to_the_plans_grammar() -> None:
    for step_id, shown in (("../evil", "'../evil'"), ("x\x1b[31mEVILID", "'x␛[31mEVILID'")):
        error, events = asyncio.run(add_step_form_error(step_id))
        assert f"{shown} is not a step id" in error
        assert events == 1  # nothing recorded beyond the run's start
