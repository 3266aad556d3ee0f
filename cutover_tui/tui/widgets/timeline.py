"""The timeline Gantt: phases (or steps) as bars on clock time, baseline under projection,
coloured by status and slippage, with now, the last safe rollback start and the deadline
(rolling back: now and the RTO's restore-by; ended: the end and the deadline it was held to).

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
NOW, ROLLBACK_BY, DEADLINE = "cyan", "orange", "red"  # the vertical lines' colours
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
class Line:
    """A vertical line on the chart, and its words in the legend after a mark in its colour."""

    moment: datetime
    colour: str
    words: str


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


def _shown_ids(frame: Frame) -> list[str]:
    """The steps drawn: the schedule's; once the run ended, only those that happened (a step
    never started would be drawn after the end, as if still to come)."""
    state = frame.state
    ids = state.active_ids()
    if state.phase == "ended":
        return [sid for sid in ids if state.status[sid].status != "pending"]
    return ids


def phase_bars(frame: Frame) -> list[Bar]:
    state, sched = frame.state, frame.sched
    groups: dict[str, list[str]] = {}
    for sid in _shown_ids(frame):
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
    for sid in _shown_ids(frame):
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
            tuple(col(line.moment) for line in _lines(frame)),
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
        """The title names the vertical lines, in their colours."""
        title = "Timeline  " + "  ".join(f"[{ln.colour}]┃[/] {ln.words}" for ln in _lines(frame))
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
        for line in _lines(frame):
            if left <= line.moment <= right:
                plt.vline(x(line.moment), line.colour)
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


def _lines(frame: Frame) -> list[Line]:
    """The chart's vertical lines, as the status line tells them: now, the last safe rollback
    start (while a rollback is still a choice) and the deadline. Rolling back, the deadline is
    the RTO's restore-by (`sched.deadline`, the status line's RESTORE BY) and the rollback
    point has passed its meaning. Ended, the clock stopped: the end and the deadline the run
    was held to (the ENDED verdict's), nothing still to come."""
    state, sched = frame.state, frame.sched
    due = "restore by" if sched.graph == "rollback" else "deadline"
    deadline = Line(sched.deadline, DEADLINE, f"{due} {frame.clock(sched.deadline)}")
    if state.phase == "ended":
        end = frame.verdict.stopped_at or state.ended_at or frame.now
        return [Line(end, NOW, f"ended {frame.clock(end)}"), deadline]
    now = Line(frame.now, NOW, "now")  # no time: the title would repaint every minute
    if sched.graph == "rollback" or not state.rollback_order:
        return [now, deadline]
    by = sched.last_safe_rollback_start
    return [now, Line(by, ROLLBACK_BY, f"rollback by {frame.clock(by)}"), deadline]


def _hour_ticks(left: datetime, right: datetime, frame: Frame) -> tuple[list[datetime], list[str]]:
    # In the zone every other time is shown in (`--tz`), as the legend above the chart is.
    return clock_ticks(left, right, frame.zone)  # any span: hours, days, weeks
