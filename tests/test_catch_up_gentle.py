"""The catch-up goes last and gently (tui/catch_up_news.py; issue 14, the hostile review's
third finding): after the first odds, at the process's own priority (nice 19 starved it on
a busy host), with the heap frozen and the cyclic collector paused while it works.

Regression: it started with the first whole frame, beside the odds worker, and its
collector passes over the war room's heap held the GIL (the UI loop's p99 lateness doubled;
benchmarks/catch_up_stall.py measures it). A real run file, the real war room under the
pilot; the odds held by an Event the test sets, never by a sleep.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from pathlib import Path

import pytest

from cutover_tui.cli import catch_up_later as later_module
from cutover_tui.cli.warroom_commands import war_room_parts
from cutover_tui.journal.store import Journal
from cutover_tui.tui.catch_up_news import TITLE
from cutover_tui.tui.odds import OddsKeeper
from tests.test_catch_up_later import looked_then_changed_large
from tests.warroom_support import settle

HOLD_S = 60.0  # how long held odds wait for the test before they give up (a real fault)


def catch_up_thread() -> threading.Thread | None:
    return next((t for t in threading.enumerate() if t.name == "catch-up"), None)


def waits_at_the_gate(thread: threading.Thread | None) -> bool:
    """Is the catch-up's thread waiting (in `_work`, before any catch-up is worked out)?"""
    if thread is None or thread.ident is None:
        return False
    frame, names = sys._current_frames().get(thread.ident), set()
    while frame is not None:
        names.add(frame.f_code.co_name)
        frame = frame.f_back
    return "_work" in names and "wait" in names and "catch_up_lines" not in names


async def test_the_catch_up_waits_for_the_first_odds_and_works_gently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = looked_then_changed_large(tmp_path)
    odds_entered, odds_release = threading.Event(), threading.Event()
    real_work = OddsKeeper.work

    def held_odds(self, state, asked):
        odds_entered.set()
        odds_release.wait(HOLD_S)
        return real_work(self, state, asked)

    seen: dict[str, object] = {}
    real_lines = later_module.catch_up_lines

    def recorded(journal, since):
        seen["odds landed"] = app.odds.sight is not None or app.odds.answered is not None
        seen["collector on"] = gc.isenabled()
        seen["frozen"] = gc.get_freeze_count()
        if sys.platform.startswith("linux"):
            seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return real_lines(journal, since)

    monkeypatch.setattr(OddsKeeper, "work", held_odds)
    monkeypatch.setattr(later_module, "catch_up_lines", recorded)
    parts = war_room_parts(Journal(path), read_only=True)
    app = parts.app_class(parts.source, parts.clock, **parts.options)
    app.catch_up, app.catch_up_later = parts.catch_up, parts.catch_up_later
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, odds_entered.is_set, timeout=60)  # the first odds, held
            await settle(pilot, lambda: waits_at_the_gate(catch_up_thread()), timeout=60)
            assert not seen, "the catch-up was worked out beside the first odds"
            odds_release.set()
            await settle(
                pilot, lambda: any(n.title == TITLE for n in app._notifications), timeout=120
            )
    finally:
        odds_release.set()
    assert seen["odds landed"] and seen["collector on"] is False and seen["frozen"]
    assert gc.isenabled()  # the collector back once the catch-up is made
    if sys.platform.startswith("linux"):  # regression: nice 19 starved it on a busy host
        assert seen["nice"] == os.getpriority(os.PRIO_PROCESS, 0)


async def test_without_odds_to_wait_for_the_catch_up_starts_at_once(
    tmp_path: Path,
) -> None:
    """A run that is not going (nothing to forecast): no gate to wait at."""
    from cutover_tui.tui.catch_up_news import start_catch_up

    class NoOdds:
        catch_up_later = staticmethod(lambda: [])
        odds = None
        state = None

    app = NoOdds()
    start_catch_up(app)
    assert app.catch_up_gate.is_set()
