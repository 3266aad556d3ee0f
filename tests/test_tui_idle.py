"""An idle war room writes little to the terminal: every byte crosses the SSH link.

The chart replots at once when something happens, and otherwise only when the clock has
moved it a whole column; the checkpoint pane repaints its text without a layout pass (which
repaints the whole screen) while its lines keep their height.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from cutover_tui.engine.events import StepStarted
from cutover_tui.tui.widgets.checks import ChecksPane
from cutover_tui.tui.widgets.timeline import Timeline
from tests.warroom_support import at, started, through_load, war_room

SIZE = (160, 48)


def count_calls(obj, name: str) -> list[object]:
    """Record each call of `obj.name` (still calling it)."""
    calls: list[object] = []
    original = getattr(obj, name)

    def recorded(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    setattr(obj, name, recorded)
    return calls


async def test_the_chart_drifts_a_column_at_a_time_and_replots_at_once_on_news() -> None:
    app = war_room("viewer", started(), at(1))  # nothing running: the bars drift with now
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        chart = app.query_one(Timeline)
        draws = count_calls(chart, "_draw")
        moments = []
        # The 4-hour window over some 140 columns: about 1.7 minutes a column. Ticking a
        # second at a time, each bar edge crosses a column at its own moment; the chart
        # moves them together, once a column, not once per edge.
        for second in range(60, 720):
            app.clock.set(at(1) + timedelta(seconds=second))
            count = len(draws)
            app.refresh_run()
            if len(draws) > count:
                moments.append(app.clock.moment)
        assert len(moments) >= 3  # it does move
        assert all(b - a >= timedelta(minutes=1) for a, b in pairwise(moments))
        # Something happening replots at once, whatever the clock did.
        before = len(draws)
        app.source.submit(StepStarted(actor="alice", at=app.clock.moment, step="freeze"))
        app.poll_journal()
        app.refresh_run()
        assert len(draws) == before + 1


async def test_the_checkpoint_pane_repaints_without_a_layout_while_its_lines_keep_their_height() -> (
    None
):
    app = war_room("viewer", through_load(), at(60))  # the load's trigger counts down
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.clock.set(at(61))
        app.refresh_run()
        await pilot.pause()
        body = app.query_one(ChecksPane).query_one("#checks-body")
        refreshes = count_calls(body, "refresh")
        app.clock.set(at(62))
        app.refresh_run()
        await pilot.pause()
        assert refreshes, "the minute ticking off was not shown"
        assert all(not kwargs.get("layout") for _, kwargs in refreshes)


async def test_the_timeline_title_is_set_once_not_every_tick() -> None:
    # Regression: the title naming the now, rollback-by and deadline lines was compared with
    # border_title, which Textual stores normalised ("[/]" reads back as "[/red]"): set, and
    # the whole chart repainted, every second (9 KB/s idle at 160x48).
    app = war_room("viewer", through_load(), at(100))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        chart = app.query_one(Timeline)
        refreshes = count_calls(chart, "refresh")
        for second in range(1, 30):
            app.clock.set(at(100) + timedelta(seconds=second))
            app.refresh_run()
        assert refreshes == []
