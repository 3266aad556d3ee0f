"""The review's Gantt chart on a long night: which steps it draws, and that it says so.

User pass (2026-12-02): a simulated 47-step night drew 40 rows with no word of the other
seven, and the ones left out included the rollback's first step, which had run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cutover_tui.report.charts import MAX_GANTT_ROWS, _gantt_rows, gantt_svg
from cutover_tui.report.timeline import StepLine

T0 = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)


def line(n: int, *, ran: bool, slip_min: int = 0, rollback: bool = False) -> StepLine:
    start = T0 + timedelta(minutes=10 * n)
    finish = start + timedelta(minutes=10)
    return StepLine(
        id=f"{'rb' if rollback else 's'}{n}",
        title=f"step {n}",
        phase="rollback" if rollback else "",
        owner="ops",
        kind="task",
        status="done" if ran else "pending",
        planned_start=start,
        planned_finish=finish,
        actual_start=start if ran else None,
        actual_finish=finish + timedelta(minutes=slip_min) if ran else None,
        budget=timedelta(minutes=10),
        actual=timedelta(minutes=10 + slip_min) if ran else None,
        on_planned_critical_path=False,
        rollback=rollback,
        added=False,
    )


def test_a_long_night_draws_what_ran_and_the_rollback_and_says_what_it_left_out() -> None:
    steps = [line(n, ran=n < 35, slip_min=n % 7) for n in range(45)]
    steps.append(line(45, ran=True, slip_min=0, rollback=True))  # on time: no slip at all
    shown = _gantt_rows(steps)
    assert len(shown) == MAX_GANTT_ROWS
    assert {s.id for s in steps if s.actual_start is not None} <= {s.id for s in shown}
    assert [s.id for s in shown] == [s.id for s in steps if s in shown]  # plan order
    svg = gantt_svg(steps, UTC, T0 + timedelta(hours=8))
    assert f"{MAX_GANTT_ROWS} of {len(steps)} steps" in svg
    assert "every step is in the table" in svg


def test_a_short_night_draws_every_step_and_says_nothing_more() -> None:
    steps = [line(n, ran=n < 3) for n in range(5)]
    assert _gantt_rows(steps) == steps
    assert " of 5 steps" not in gantt_svg(steps, UTC)
