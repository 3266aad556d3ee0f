"""The war room's suspend form reads its ETA once, on one clock reading, and takes the dated
form its own refusal suggests.

Found in review (2026-12-02): the form checked the ETA on one reading of the clock and the
suspension read it again on a later one; a submit that crossed the minute met the six-hour
rule between the two (23:00 typed at 22:59:59 was fine, then "has passed" at 23:00:01) and
the ValueError escaped the form. And a refused HH:MM said "write it with its date
(2026-11-28T20:00)", which the form's HH:MM check then refused.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import StepStarted, StepSuspended
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.screens.form import FormScreen
from cutover_tui.tui.source import MemoryRun
from tests.warroom_support import PLAN, _form_ready, at, events_of, fill, select, settle, started

SIZE = (160, 48)
FREEZE_RUNNING = started(StepStarted(actor="dba", at=at(0), step="freeze"))


class CrossingClock(FixedClock):
    """Stands still until armed; then each reading is the next of `readings` (the last one
    repeated): a submit whose clock reads cross a minute."""

    def __init__(self, moment: datetime) -> None:
        super().__init__(moment)
        self.readings: list[datetime] = []

    def now(self) -> datetime:
        if self.readings:
            self.moment = self.readings.pop(0) if len(self.readings) > 1 else self.readings[0]
        return self.moment


async def _suspend_form(pilot, app: WarRoomApp) -> FormScreen:
    select(app, "freeze")
    app.action_suspend()
    await settle(pilot, lambda: _form_ready(app))
    assert isinstance(app.screen, FormScreen)
    return app.screen


def _error(form: FormScreen) -> str:
    return str(form.query_one("#form-error").render()).strip()


async def test_a_submit_crossing_the_minute_reads_the_eta_once() -> None:
    """23:00 typed at 22:59:59: one reading dates the suspension and reads its ETA."""
    clock = CrossingClock(at(30))
    app = WarRoomApp(MemoryRun(PLAN, "dba", FREEZE_RUNNING), clock)
    before = at(59) + timedelta(seconds=59)  # 22:59:59 London (UTC in November)
    async with app.run_test(size=SIZE) as pilot:
        form = await _suspend_form(pilot, app)
        fill(app, reason="waiting for the vendor", eta="23:00")
        clock.readings = [before, before + timedelta(seconds=2)]
        form.submit()  # at once: no timer reads the clock between the check and the record
        await settle(pilot, lambda: app.screen is not form)
    suspended = events_of(app)[-1]
    assert isinstance(suspended, StepSuspended)
    assert suspended.at == before
    assert suspended.eta == at(60)


async def test_the_form_takes_the_dated_eta_its_refusal_suggests() -> None:
    """20:00 typed at 23:00 passed 3h ago: refused, naming the dated form, which it takes."""
    app = WarRoomApp(MemoryRun(PLAN, "dba", FREEZE_RUNNING), FixedClock(at(60)))
    async with app.run_test(size=SIZE) as pilot:
        form = await _suspend_form(pilot, app)
        fill(app, reason="waiting for the vendor", eta="20:00")
        form.submit()
        await settle(pilot, lambda: _error(form))
        said = _error(form)
        assert said.startswith("20:00 has passed (it was 3h00m ago)"), said
        assert said.endswith("write it with its date (2026-11-28T20:00)"), said
        assert not isinstance(events_of(app)[-1], StepSuspended)
        fill(app, eta="2026-11-28T20:00")
        form.submit()
        await settle(pilot, lambda: app.screen is not form)
    suspended = events_of(app)[-1]
    assert isinstance(suspended, StepSuspended)
    assert suspended.eta == at(60) + timedelta(hours=21)  # 2026-11-28 20:00 London
