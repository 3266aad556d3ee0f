"""Every rehearsal of a plan side by side: budget, actuals, variance, trend; the total against
the window and the buffer rule (a 4-hour window wants a plan that rehearses in 3).

Actual durations are a step's time running (started to finished, time suspended taken out;
a step ticked off seconds apart without --at has none: `engine.timings`);
a gate's is its meeting, from the moment it could meet (its predecessors and criteria done)
to the last decision (the engine opens a gate only at its first decision); a phase's actual
is its span in that rehearsal (first start, a gate's from when it could meet, to last
finish); the total is from the run's start to its last finish. Spans count only the time
that passed (a host clock jump inside one is left out, as a step's duration leaves it out).
The trend is the least-squares slope of the actuals over the rehearsals in order, per
rehearsal: negative means the team is getting faster.

A rehearsal that rolled back also times the rollback: its steps, and the rollback as a whole
(from the invocation to its last step's finish) against the RTO.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from ..engine.state import RunState
from ..engine.times import stamp
from ..engine.timings import ticked_off, timed_start
from ..plan.durations import format_duration
from ..plan.graph import baseline
from ..plan.model import Plan


@dataclass(frozen=True)
class Row:
    key: str  # step or phase id, or "total"
    title: str
    budget: timedelta
    actuals: tuple[timedelta | None, ...]  # one per rehearsal; None: not done in that one

    @property
    def done(self) -> list[timedelta]:
        return [a for a in self.actuals if a is not None]

    @property
    def mean(self) -> timedelta | None:
        done = self.done
        return sum(done, timedelta(0)) / len(done) if done else None

    @property
    def variance(self) -> timedelta | None:
        """Mean actual minus budget: positive runs over."""
        return None if self.mean is None else self.mean - self.budget

    @property
    def variance_pct(self) -> float | None:
        mean = self.mean
        if mean is None or not self.budget:
            return None
        return mean / self.budget - 1

    @property
    def trend(self) -> timedelta | None:
        """Least-squares slope of the actuals per rehearsal (None with fewer than two)."""
        points = [(i, a.total_seconds()) for i, a in enumerate(self.actuals) if a is not None]
        if len(points) < 2:
            return None
        n = len(points)
        mx = sum(x for x, _ in points) / n
        my = sum(y for _, y in points) / n
        sxx = sum((x - mx) ** 2 for x, _ in points)
        slope = sum((x - mx) * (y - my) for x, y in points) / sxx
        return timedelta(seconds=slope)


@dataclass(frozen=True)
class Comparison:
    plan: Plan
    runs: tuple[str, ...]
    steps: tuple[Row, ...]
    phases: tuple[Row, ...]
    total: Row
    window: timedelta
    target: timedelta  # what a rehearsal should take to keep the buffer rule
    rollback_steps: tuple[Row, ...] = ()
    rollback: Row | None = None  # invocation to last rollback step; budget: its critical path
    rto: timedelta | None = None
    held: tuple[str, ...] = ()  # per rehearsal: when it began, how it ended, how far it got

    @property
    def timed(self) -> bool:
        """Whether any rehearsal timed any step: else there is nothing to tabulate."""
        return any(row.done for row in (*self.steps, *self.rollback_steps))

    @property
    def rolled_back(self) -> bool:
        """Whether any rehearsal timed the rollback."""
        return self.rollback is not None and bool(self.rollback.done)


def step_actual(state: RunState, sid: str) -> timedelta | None:
    st = state.status.get(sid)
    if st is None or st.status != "done":
        return None
    step = state.steps.get(sid)
    if step is not None and ticked_off(step, st):
        return None  # ticked off seconds apart after the fact: done, but not a timing
    if step is not None and step.kind == "gate" and st.finished_at is not None:
        return state.real_span(timed_start(state, sid) or st.finished_at, st.finished_at)  # meeting
    return st.actual


def compare(plan: Plan, rehearsals: Sequence[tuple[str, RunState]]) -> Comparison:
    states = [state for _, state in rehearsals]
    steps = tuple(
        Row(s.id, s.title, s.duration, tuple(step_actual(state, s.id) for state in states))
        for s in plan.step
    )
    base = baseline(plan.step, plan.window.start)
    phases = []
    for phase in plan.phase:
        ids = [s.id for s in plan.step if s.phase == phase.id]
        if not ids:
            continue
        budget = max(base.finish[i] for i in ids) - min(base.start[i] for i in ids)
        phases.append(Row(phase.id, phase.title, budget, tuple(_span(st, ids) for st in states)))
    total = Row(
        "total",
        "Whole rehearsal",
        base.end - plan.window.start,
        tuple(_total(state) for state in states),
    )
    window = plan.window.end - plan.window.start
    rollback_steps: tuple[Row, ...] = ()
    rollback = None
    if plan.rollback_steps:
        rollback_steps = tuple(
            Row(s.id, s.title, s.duration, tuple(step_actual(state, s.id) for state in states))
            for s in plan.rollback_steps
        )
        rb = baseline(plan.rollback_steps, plan.window.start)
        rollback = Row(
            "rollback",
            "Rollback",
            rb.end - plan.window.start,
            tuple(_rollback_total(state) for state in states),
        )
    return Comparison(
        plan=plan,
        runs=tuple(run_id for run_id, _ in rehearsals),
        steps=steps,
        phases=tuple(phases),
        total=total,
        window=window,
        target=window - plan.window.buffer_time,
        rollback_steps=rollback_steps,
        rollback=rollback,
        rto=plan.rollback.rto if plan.rollback else None,
        held=tuple(_held(state) for state in states),
    )


def _held(state: RunState) -> str:
    """ "Fri 20 Nov 22:00 GMT; aborted at 23:41, 12/39 steps done": why a column is short."""
    zone = state.plan.zone
    began = f"{state.started_at.astimezone(zone):%a %d %b %H:%M %Z}" if state.started_at else "?"
    how = state.outcome or state.phase  # completed, aborted, rolled-back; or still running
    if state.ended_at is not None and state.outcome != "completed":  # dated off its night
        how += f" at {stamp(state, state.ended_at)}"
    done = sum(1 for sid in state.order if state.status[sid].status == "done")
    return f"{began}; {how}, {done}/{len(state.order)} steps done"


def _span(state: RunState, ids: Sequence[str]) -> timedelta | None:
    # A gate's meeting is the phase's time too (its own start is the end of the meeting).
    starts = [t for i in ids if (t := timed_start(state, i)) is not None]
    ends = [state.status[i].finished_at for i in ids if state.status[i].status == "done"]
    if not starts or len(ends) < len(ids):
        return None
    return state.real_span(min(starts), max(ends))  # a host clock jump: no time passed


def _total(state: RunState) -> timedelta | None:
    # Only a rehearsal that got through the whole plan has a total (not one rolled back).
    if state.started_at is None or state.rollback_at is not None:
        return None
    if not all(state.status[s].closed for s in state.order):
        return None
    ends = [state.status[s].finished_at for s in state.order if state.status[s].finished_at]
    return state.real_span(state.started_at, max(ends)) if ends else None


def _rollback_total(state: RunState) -> timedelta | None:
    if state.rollback_at is None or not state.rollback_order:
        return None
    if not all(state.status[s].closed for s in state.rollback_order):
        return None
    ends = [state.status[s].finished_at for s in state.rollback_order]
    return state.real_span(state.rollback_at, max(e for e in ends if e is not None))


# -- rendering -----------------------------------------------------------------------------


def render(c: Comparison, *, chart: bool = True, color: bool = False) -> str:
    """The comparison as text; `color` keeps the chart's ANSI colours (for a terminal)."""
    labels = [f"R{i + 1}" for i in range(len(c.runs))]
    lines = [f"{c.plan.plan.title}: {len(c.runs)} rehearsal(s)"]
    held = c.held or ("",) * len(c.runs)
    for label, run, how in zip(labels, c.runs, held, strict=True):
        said = f"  {label} {run}" + (f"  {how}" if how else "")
        if len(said) > WIDTH and how:  # the id whole (it is typed), how it went below it
            said = f"  {label} {run}\n      {how}"  # indented as `fit` continues a line
        lines.append(said)
    lines.append("")
    verdict = _verdict(c)
    lines.append(
        f"window {format_duration(c.window)}; the buffer rule wants the rehearsal within "
        f"{format_duration(c.target)}; {verdict}"
    )
    if not c.timed:  # a page of dashes and an empty chart would say this less clearly
        lines.append("no step of these rehearsals was timed yet: nothing to compare")
        return "\n".join(lines)
    lines.append("")
    lines += _table("phase", [c.total, *c.phases], labels)
    lines.append("")
    lines += _table("step", list(c.steps), labels)
    if c.rolled_back:
        assert c.rollback is not None and c.rto is not None
        lines.append("")
        lines.append(f"rollback: the RTO is {format_duration(c.rto)}; {_rollback_verdict(c)}")
        lines += _table("rollback step", [c.rollback, *c.rollback_steps], labels)
    if chart:
        lines.append("")
        lines.append(plan_vs_actual_chart(c, color=color))
    return "\n".join(lines)


def _verdict(c: Comparison) -> str:
    done = c.total.done
    if not done:
        return "no rehearsal ran to completion yet"
    worst = max(done)
    if worst <= c.target:
        return f"every completed rehearsal did (slowest {format_duration(worst)})"
    return (
        f"the slowest took {format_duration(worst)}: {format_duration(worst - c.target)} too long"
    )


def _rollback_verdict(c: Comparison) -> str:
    assert c.rollback is not None and c.rto is not None
    worst = max(c.rollback.done)
    if worst <= c.rto:
        return f"every rehearsed rollback kept it (slowest {format_duration(worst)})"
    return (
        f"the slowest rollback took {format_duration(worst)}: {format_duration(worst - c.rto)} over"
    )


WIDTH = 80  # a terminal's columns: the tables fit, from one rehearsal to many
KEY_MIN = 12  # the id column's width at least, before rehearsal columns are left out


def _table(kind: str, rows: Sequence[Row], labels: Sequence[str]) -> list[str]:
    """Columns as wide as what they hold, within WIDTH: the earliest rehearsals' columns are
    left out (said) when they would not fit, and an id longer than its column is never cut
    (it is typed in commands): it has a line of its own, its figures on the next."""
    cells = [_figures(row) for row in rows]
    heads = ["budget", *labels, "variance", "var %", "trend"]
    widths = [max(6, *map(len, column)) for column in zip(heads, *cells, strict=True)]
    longest = max([len(kind), *(len(row.key) for row in rows)])
    runs = len(labels)
    while (
        runs > 1
        and 2 + max(len(kind), min(longest, KEY_MIN)) + _figures_width(widths, runs) > WIDTH
    ):
        runs -= 1
    keep = [0, *range(1 + len(labels) - runs, len(heads))]  # budget, the latest runs, the rest
    room = WIDTH - 2 - _figures_width(widths, runs)
    key_width = max(len(kind), min(max(longest, KEY_MIN), room))

    def line(key: str, figures: Sequence[str]) -> str:
        return f"  {key:<{key_width}}" + "".join(f" {figures[j]:>{widths[j]}}" for j in keep)

    out = [line(kind, heads)]
    if runs < len(labels):
        out.append(
            f"  ({labels[0]}-{labels[-runs - 1]} left out to fit {WIDTH} columns; the "
            "variance, var % and trend count them)"
            if len(labels) - runs > 1
            else f"  ({labels[0]} left out to fit {WIDTH} columns; the variance, var % and "
            "trend count it)"
        )
    for row, figures in zip(rows, cells, strict=True):
        if len(row.key) > key_width:
            out.append(f"  {row.key}")
        out.append(line(row.key if len(row.key) <= key_width else "", figures))
    return out


def _figures_width(widths: Sequence[int], runs: int) -> int:
    """The columns right of the id with `runs` rehearsal columns, each after one space."""
    kept = [widths[0], *widths[len(widths) - 3 - runs :]]
    return sum(1 + w for w in kept)


def _figures(row: Row) -> list[str]:
    """A row's cells: budget, each rehearsal's actual, variance, var % and trend."""

    def said(d: timedelta | None, signed: bool = False) -> str:
        return format_duration(d, signed=signed) if d is not None else "-"

    pct = row.variance_pct
    return [
        said(row.budget),
        *(said(a) for a in row.actuals),
        said(row.variance, signed=True),
        f"{pct:+.0%}" if pct is not None else "-",
        said(row.trend, signed=True),
    ]


def fit(text: str, width: int = WIDTH) -> str:
    """`text` with each line longer than `width` wrapped at spaces, its continuation indented
    under it: a word (an id, a path) is never broken."""
    out = []
    for line in text.split("\n"):  # a trailing newline kept: a blank line printed
        if len(line) <= width:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        out += textwrap.wrap(
            line,
            width,
            subsequent_indent=lead + "    ",
            break_long_words=False,
            break_on_hyphens=False,
        )
    return "\n".join(out)


CHART_RUNS = 6  # the chart shows the latest few rehearsals; the tables show them all
MARKERS = ("█", "▒", "░", "▓", "#", "=", "+")  # plan first: bars tell apart without colour


def plan_vs_actual_chart(
    c: Comparison, width: int = 100, height: int = 20, *, color: bool = False
) -> str:
    """Planned against actual per rehearsal, per phase, as a plotext bar chart (text). Each
    series has its own fill, so the chart reads without colour too (a pipe, a file)."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    names = [p.key for p in c.phases] or ["total"]
    rows = list(c.phases) or [c.total]
    series = [[r.budget.total_seconds() / 60 for r in rows]]
    legend = ["plan"]
    first = max(0, len(c.runs) - CHART_RUNS)
    for i in range(first, len(c.runs)):
        series.append([(r.actuals[i] or timedelta(0)).total_seconds() / 60 for r in rows])
        legend.append(f"R{i + 1}")
    markers = [MARKERS[0]] + [MARKERS[1 + i % (len(MARKERS) - 1)] for i in range(len(series) - 1)]
    plt.multiple_bar(names, series, labels=legend, marker=markers)
    shown = "each rehearsal" if not first else f"the last {CHART_RUNS} rehearsals"
    plt.title(f"minutes per phase: plan against {shown}")
    plt.theme("clear")
    text = plt.build()
    plt.clear_figure()
    return text if color else plt.uncolorize(text)
