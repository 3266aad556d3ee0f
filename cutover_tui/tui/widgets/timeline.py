"""The timeline Gantt: phases (or steps) as bars on clock time, baseline under projection,
coloured by status and slippage, with now, the last safe rollback start and the deadline.

Drawn with plotext through textual-plotext. It re-plots only when what it shows changes
(a state change, or `now` moving by a column), so an idle war room sends almost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import plotext._utility
from textual_plotext import PlotextPlot

from ...inert import inert_line
from ..frame import Frame
from ..ticks import clock_ticks

ZOOMS = (1.0, 2.0, 4.0, 8.0)
LINE_COLOURS = ("cyan", "orange", "red")  # now, the last safe rollback start, the deadline
QUANTUM = timedelta(minutes=15)


def _ceil(delta: timedelta, quantum: timedelta) -> timedelta:
    return -(-delta // quantum) * quantum


def _ordered_unique(data):
    return list(dict.fromkeys(data))


# plotext 5.3.2 de-duplicates ticks and points through a set, so which of two overlapping
# labels or marks is drawn last depends on the process's hash seed: the same plot drew
# differently from one process to the next. Keep the order the points were given in.
plotext._utility.no_duplicates = _ordered_unique


@dataclass(frozen=True)
class Bar:
    label: str
    start: datetime
    finish: datetime
    base_start: datetime
    base_finish: datetime
    colour: str
    done: bool


def _colour(statuses: set[str], levels: set[str]) -> str:
    if statuses <= {"done", "skipped"}:
        return "orange" if "late" in levels else "green"  # finished, but overran its budget
    if "failed" in statuses or "late" in levels:
        return "red"
    if "at-risk" in levels:
        return "orange"
    if statuses & {"running", "suspended"}:
        return "cyan"
    return "gray"


def phase_bars(frame: Frame) -> list[Bar]:
    state, sched = frame.state, frame.sched
    groups: dict[str, list[str]] = {}
    for sid in state.active_ids():
        phase = state.steps[sid].phase or (
            "rollback" if state.steps[sid].rollback else "(no phase)"
        )
        groups.setdefault(phase, []).append(sid)
    titles = {p.id: p.title for p in state.plan.phase}
    bars = []
    for phase, ids in groups.items():
        span = sched.steps.span(ids, state.derived)  # from the schedule's arrays
        statuses = {state.status[sid].status for sid in ids}
        bars.append(
            Bar(
                label=titles.get(phase, phase.title() if phase == "rollback" else phase),
                start=span.start,
                finish=span.finish,
                base_start=span.base_start,
                base_finish=span.base_finish,
                colour=_colour(statuses, set(span.levels)),
                done=statuses <= {"done", "skipped"},
            )
        )
    return sorted(bars, key=lambda b: b.base_start)


def step_bars(frame: Frame) -> list[Bar]:
    state, sched = frame.state, frame.sched
    bars = []
    for sid in state.active_ids():
        t = sched.steps[sid]
        status = state.status[sid].status
        bars.append(
            Bar(
                label=sid,
                start=t.start,
                finish=max(t.finish, t.start + timedelta(minutes=1)),
                base_start=t.baseline_start,
                base_finish=max(t.baseline_finish, t.baseline_start + timedelta(minutes=1)),
                colour=_colour({status}, {t.level}),
                done=status in ("done", "skipped"),
            )
        )
    return bars


class Timeline(PlotextPlot):
    DEFAULT_CSS = """
    Timeline { border: round $primary; border-title-style: bold; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.by_step = False
        self.zoom = 0
        self.row_offset = 0  # first step row shown, in step mode
        self.pan = 0.0  # fraction of the visible span the view is moved right
        self._signature: tuple = ()
        self._drawn_at: datetime | None = None  # the frame time of the last plot
        self._frame: Frame | None = None
        self._made: tuple[tuple[int, bool], Frame, list[Bar]] | None = None

    def on_mount(self) -> None:
        super().on_mount()
        self.border_title = "Timeline"
        self.border_subtitle = "z steps/phases · +/- zoom · [ ] pan"

    def on_resize(self) -> None:
        # How many rows fit depends on the size: redraw now, not at the next tick.
        if self._frame is not None:
            self.show(self._frame)

    def show(self, frame: Frame) -> None:
        self._frame = frame
        bars = self._bars(frame)
        rows = max(1, (self.size.height - 1) // 2) if self.size.height else 8
        window = frame.state.plan.window
        origin = window.start
        # The axis spans every bar, shown or not, so it does not jump while rows scroll.
        full_end = max([window.end, frame.sched.projected_finish, *(b.finish for b in bars)])
        # Whole quarter hours: a projection creeping later by the second must not replot
        # the whole chart every second (every byte counts over SSH).
        full_end = origin + _ceil(full_end - origin, QUANTUM)
        total = len(bars)
        first = 0
        if self.by_step:
            self.row_offset = first = max(0, min(self.row_offset, total - rows))
        bars = bars[first : first + rows]
        self._subtitle(first, len(bars), total)
        self._legend(frame)
        span = (full_end - origin) / ZOOMS[self.zoom]
        left = origin + (full_end - origin - span) * self.pan if self.zoom else origin
        if self.zoom and not self.pan:
            # Zoomed in: centre on now, so the action is in view.
            left = max(origin, min(frame.now - span / 3, full_end - span))
            left = origin + _ceil(left - origin, QUANTUM)
        right = left + span
        width = max(20, self.size.width - 20)
        column = span / width

        def col(moment: datetime) -> int:
            return int((moment - left) / column) if column else 0

        # What the chart shows, to the column: it replots only when a column changes. What
        # happened (an event, a bar changing colour, a resize) replots at once; bars only
        # drifting with the clock wait until the chart has moved a whole column, so their
        # edges, each crossing a column at its own moment, move together: one replot every
        # few minutes when idle instead of one every few seconds (every byte counts over SSH).
        what = (
            tuple((b.label, b.colour) for b in bars),
            frame.state.event_count,
            left,
            right,
            self.size,
        )
        where = (
            tuple(
                (col(b.start), col(b.finish), col(b.base_start), col(b.base_finish)) for b in bars
            ),
            col(frame.now),
            col(frame.sched.last_safe_rollback_start),
        )
        if (what, where) == self._signature:
            return
        if (
            self._signature
            and what == self._signature[0]
            and self._drawn_at is not None
            and timedelta(0) <= frame.now - self._drawn_at < column
        ):
            return  # only drifting, and by less than a column since the last plot
        self._signature = (what, where)
        self._drawn_at = frame.now
        self._draw(frame, bars, left, right)
        self.refresh()

    def _bars(self, frame: Frame) -> list[Bar]:
        """The bars of this frame, made once: a zoom, a pan or a resize draws the same frame
        again (a 20,000-step plan's bars take a tenth of a second)."""
        key = (id(frame), self.by_step)
        if self._made is None or self._made[0] != key or self._made[1] is not frame:
            self._made = (key, frame, step_bars(frame) if self.by_step else phase_bars(frame))
        return self._made[2]

    def _legend(self, frame: Frame) -> None:
        """The title names the three vertical lines, in their colours."""
        _, rollback_by, deadline = _line_moments(frame)
        parts = [
            f"[{LINE_COLOURS[0]}]┃[/] now",  # no time: the title would repaint every minute
            f"[{LINE_COLOURS[1]}]┃[/] rollback by {frame.clock(rollback_by)}",
            f"[{LINE_COLOURS[2]}]┃[/] deadline {frame.clock(deadline)}",
        ]
        if not frame.state.rollback_order:
            del parts[1]
        title = "Timeline  " + "  ".join(parts)
        # Compared with our own copy: Textual normalises the markup it stores ("[/]" reads
        # back as "[/red]"), so comparing with border_title set it, and repainted the whole
        # chart, every tick: 9 KB/s idle at 160x48.
        if getattr(self, "_legend_title", None) != title:
            self._legend_title = title
            self.border_title = title

    def _subtitle(self, first: int, shown: int, total: int) -> None:
        keys = "z steps/phases · +/- zoom · [ ] pan"
        what = "steps" if self.by_step else "phases"
        if shown < total:
            keys = f"{what} {first + 1}-{first + shown} of {total} · {keys}"
        if self.border_subtitle != keys:
            self.border_subtitle = keys

    def _draw(self, frame: Frame, bars: list[Bar], left: datetime, right: datetime) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.frame(False)

        def x(moment: datetime) -> float:
            return (moment - left).total_seconds() / 60

        # One plot unit per terminal row (the bottom row holds the hour labels), so a bar and
        # the baseline under it never round onto the same row.
        top = max(2, self.size.height - 1)
        for i, bar in enumerate(bars):
            y = top - 2 * i
            plt.plot(
                [x(bar.base_start), x(bar.base_finish)], [y - 1, y - 1], marker="▔", color="gray"
            )
            plt.plot([x(bar.start), x(bar.finish)], [y, y], marker="█", color=bar.colour)
        for moment, colour in zip(_line_moments(frame), LINE_COLOURS, strict=True):
            if left <= moment <= right:
                plt.vline(x(moment), colour)
        plt.yticks([top - 2 * i for i in range(len(bars))], [inert_line(b.label, 18) for b in bars])
        ticks, labels = _hour_ticks(left, right, frame)
        plt.xticks([x(t) for t in ticks], labels)
        plt.xlim(0, x(right))
        plt.ylim(1, top)

    def toggle_rows(self) -> None:
        self.by_step = not self.by_step
        self.row_offset = 0
        self._signature = ()

    def zoom_by(self, step: int) -> None:
        self.zoom = max(0, min(len(ZOOMS) - 1, self.zoom + step))
        self.pan = 0.0
        self._signature = ()

    def pan_by(self, step: float) -> None:
        if self.by_step and not self.zoom:
            self.row_offset = max(0, self.row_offset + int(step * 8))
        else:
            self.pan = max(0.0, min(1.0, self.pan + step))
        self._signature = ()


def _line_moments(frame: Frame) -> tuple[datetime, datetime, datetime]:
    """Now, the last safe rollback start and the deadline: the chart's vertical lines."""
    return frame.now, frame.sched.last_safe_rollback_start, frame.state.plan.window.end


def _hour_ticks(left: datetime, right: datetime, frame: Frame) -> tuple[list[datetime], list[str]]:
    # In the zone every other time is shown in (`--tz`), as the legend above the chart is.
    return clock_ticks(left, right, frame.zone)  # any span: hours, days, weeks
