"""The war room's first frame: the whole frame at once, or on a large plan a sketch of the
status line now and the frame once a worker has worked out the first schedule (issue 14).

A mixin of `WarRoomApp` (tui/app.py): until the whole frame is out, `_warming` holds the
events the sketch was made from, and no key that reads or changes the run is offered.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual import work
from textual.css.query import NoMatches

from ..engine.events import Event
from ..engine.schedule import schedule
from ..engine.state import apply
from . import first_paint
from .actions.core import ActionCore
from .boot import held_back
from .catch_up_news import start_catch_up
from .widgets.status import StatusBar


class FirstFrame(ActionCore):
    _warming: list[Event] | None
    _folded_by_source: bool
    _conductor_waits: bool
    tz: Any
    read_only: bool
    refresh_run: Callable[..., None]
    _start_conductor: Callable[..., Any]

    def _first_frame(self) -> None:
        """The whole frame at once, or on a large plan a sketch now and the frame once the
        worker has worked out the schedule."""
        new = list(self.source.poll())
        if not first_paint.deferred(self.state):
            self.refresh_run(new)
            return
        for event in [] if self._folded_by_source else new:
            apply(self.state, event)
        self._warming = new
        now = self.clock.now()
        self._sketch(now)
        self.call_after_refresh(self._schedule_worker, now)  # once the sketch is out

    def _sketch(self, now: datetime) -> None:
        sketch = first_paint.Sketch(self.state, now, self.source.actor, self.tz)
        status = self.source.conductor_status()
        with contextlib.suppress(NoMatches):  # a tick while the app is closing
            bar = self.query_one(StatusBar)
            first_paint.show_sketch(bar, sketch, status, self.read_only, self.source.moved)

    @work(thread=True, exclusive=True, group="first-frame", exit_on_error=False)
    def _schedule_worker(self, now: datetime) -> None:
        try:
            schedule(self.state, now)  # the graph and its passes, kept warm on the state
        finally:  # the frame is made either way: on the UI thread, as always
            with contextlib.suppress(RuntimeError):  # the app closed meanwhile
                self.call_from_thread(self._first_scheduled)

    def _first_scheduled(self) -> None:
        new, self._warming = self._warming or [], None
        self.refresh_run(new, folded=True)
        self.refresh_bindings()  # the keys check_action held back are offered again
        start_catch_up(self)  # not beside the first schedule's worker: after it
        if self._conductor_waits:
            self.call_after_refresh(self._start_conductor)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Before the first whole frame, nothing that reads or changes the run."""
        if self._warming is not None and action not in first_paint.BEFORE_FRAME:
            return False
        return super().check_action(action, parameters)

    async def run_action(
        self, action: Any, default_namespace: Any = None, namespaces: Any = None
    ) -> bool:
        """A key check_action holds back before the first whole frame says why, not nothing."""
        if await super().run_action(action, default_namespace, namespaces):
            return True
        if self._warming is not None and held_back(self, action, default_namespace, namespaces):
            self.notify(first_paint.HELD_BACK, timeout=3)
        return False
