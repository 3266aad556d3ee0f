"""Drivers of a simulated night (rehearse/simulate.py's `SimulatedNight`): they record what
the night makes happen into a run as a clock runs.

`play_until` / `drive` on a Journal (what `cutover simulate` and the war room use);
`run_simulation(source, night, clock)` on any RunSource (MemoryRun, JournalRun), one
`advance` per tick.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from ..clocks import boot_id
from ..engine.events import Event
from ..engine.state import Refused, RunState, apply
from .simulate import SimulatedNight


class Recorder(Protocol):
    """What the simulation writes to: a Journal has both."""

    def state(self) -> RunState: ...

    def append(self, event: Event) -> Event: ...


def play_until(run: Recorder, night: SimulatedNight, commander: str, now: datetime) -> list[Event]:
    """Record, in order, everything the night has made happen by `now`; return it. Each is
    recorded at `now`, on the run's clock: a Journal would stamp the wall clock, and every
    event of a fast simulation would then read as a tick-off made days late."""
    recorded = []
    while True:
        event = night.next_event(run.state(), commander)
        if event is None or event.at > now:
            return recorded
        recorded.append(run.append(event.model_copy(update={"recorded_at": now})))


def advance(
    source, night: SimulatedNight, state: RunState, now: datetime, clock=None
) -> list[Event]:
    """One tick on a RunSource: catch `state` up with the source, submit what is due by `now`,
    return what was recorded. `state` is the caller's fold of this source's events (updated in
    place). With a `clock`, each event carries the monotonic reading the clock showed at the
    event's own time, so durations measured from monotonic readings are the drawn ones."""
    for event in source.poll():
        apply(state, event)
    recorded = []
    boot = boot_id()
    for event in night.due(state, now):
        if clock is not None:
            mono = clock.monotonic() - (now - event.at).total_seconds()
            event = event.model_copy(update={"mono": mono, "boot": boot})
        try:
            recorded.append(source.submit(event))
        except Refused:
            break  # the run changed under us (someone acted by hand): next tick starts afresh
    for event in source.poll():
        apply(state, event)
    return recorded


def run_simulation(
    source,
    night: SimulatedNight,
    clock,
    *,
    tick: float = 0.1,
    sleep: Callable[[float], None] = time.sleep,
    until: datetime | None = None,
    on_event: Callable[[Event], None] | None = None,
) -> RunState:
    """Play the night into `source` (a RunSource, already started) as `clock` runs, until the
    run ends (or the clock passes `until`); return the final state.

    Between ticks it calls `sleep(tick)`: real seconds with an accelerated clock; a test with a
    FixedClock passes `sleep=lambda _: clock.advance(timedelta(minutes=5))` and nothing
    sleeps. Give the driver its own source: `poll` is per reader (a JournalRun on its own
    Journal beside the war room's, or a MemoryRun nobody else polls).
    """
    from ..engine.state import initial_state

    state = initial_state(source.plan)
    while True:
        now = clock.now()
        for event in advance(source, night, state, now, clock):
            if on_event is not None:
                on_event(event)
        if state.phase == "ended" or (until is not None and now >= until):
            return state
        sleep(tick)


async def drive(
    run: Recorder, night: SimulatedNight, commander: str, clock, tick: float = 0.1
) -> None:
    """Play the night as the clock runs (an accelerated clock for a rehearsal), until it ends."""
    import asyncio

    while run.state().phase != "ended":
        play_until(run, night, commander, clock.now())
        await asyncio.sleep(tick)
