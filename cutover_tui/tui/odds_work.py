"""The odds of a large plan, worked out in a worker thread whose newest answer wins
(tui/odds.py keeps them and says when they are stale). A mixin of `WarRoomApp` (tui/app.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from textual import work
from textual.worker import get_current_worker

from ..engine.spoken_zone import told_in
from .actions.core import ActionCore
from .catch_up_news import odds_settled
from .odds import Asked, OddsKeeper

if TYPE_CHECKING:  # numpy: once the odds are wanted (issue 14)
    from ..engine.foresight import Foresight


class OddsWork(ActionCore):
    odds: OddsKeeper
    tz: tzinfo | None
    refresh_run: Callable[..., None]

    def _ask_odds(self, now: datetime) -> None:
        asked = self.odds.ask(self.state, now)
        if asked is not None:
            self._odds_worker(asked)

    @work(thread=True, exclusive=True, group="odds", exit_on_error=False)
    def _odds_worker(self, asked: Asked) -> None:
        sight = None
        try:
            with told_in(self.tz):  # this thread's own: the odds' reason in the viewer's zone
                sight = self.odds.work(self.state, asked)
        finally:  # always answered, or no odds would ever be asked for again
            if not get_current_worker().is_cancelled:
                with contextlib.suppress(RuntimeError):  # the app closed meanwhile
                    self.call_from_thread(self._odds_landed, asked, sight)

    def _odds_landed(self, asked: Asked, sight: Foresight | None) -> None:
        odds_settled(self)  # a catch-up waiting for the first odds goes now (catch_up_news)
        if self.odds.landed(asked, sight):
            self.refresh_run([])  # the newest odds, judged with the schedule at now
        else:
            self._ask_odds(self.clock.now())
