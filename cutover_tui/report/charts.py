"""The review's charts as inline SVG, drawn by matplotlib (no pyplot, no display, no fonts
fetched): the planned-against-actual Gantt, and P(finish inside the window) through the night.

Text stays SVG text in the reader's sans-serif (`svg.fonttype = "none"`): only step ids,
times and stage names, never a person's words. The XML prolog, DOCTYPE, comments and RDF
metadata (URLs) are cut, for the SVG goes inside the HTML page, and nothing in it names
anything outside it but its XML namespaces. A fixed hash salt keeps it the same each time.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import matplotlib
from matplotlib import dates as mdates
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from .odds_history import OddsHistory
from .timeline import StepLine

PLANNED, ACTUAL, LATE, ROLLBACK = "#b8c4d6", "#2e7d32", "#c62828", "#ef6c00"
MAX_GANTT_ROWS = 40  # a 320-step night shows its phases' steps with the largest slips
# Text as SVG text in the reader's own sans-serif (nothing fetched; a third of the size and
# faster to draw than glyphs as paths); a fixed hash salt keeps the SVG the same each time.
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "cutover-review",
    "font.size": 8,
    "font.family": "sans-serif",
}


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buffer, metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)  # matplotlib's comments carry labels
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)  # RDF with URLs
    text = re.sub(r"<\?xml[^>]*\?>\s*", "", text)
    return re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)


def gantt_svg(steps: list[StepLine], zone, deadline: datetime | None = None) -> str:
    """Each step's planned bar (pale) with its actual bar over it: green, red when it ran
    over its budget, orange for rollback steps. Two bar collections, fixed margins: a
    320-step night draws in a fraction of a second (tight_layout measured every label twice)."""
    shown = _gantt_rows(steps)
    height = max(2.5, 0.2 * len(shown) + 1.0)
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(10, height))
        fig.subplots_adjust(left=0.17, right=0.98, top=1 - 0.45 / height, bottom=0.4 / height)
        ax = fig.add_subplot()
        rows = range(len(shown))
        planned = [
            (_days(s.planned_start), _span(s.planned_start, s.planned_finish)) for s in shown
        ]
        ax.barh(
            rows, [w for _, w in planned], left=[x for x, _ in planned], height=0.8, color=PLANNED
        )
        ran = [
            (row, s)
            for row, s in zip(rows, shown, strict=True)
            if s.actual_start is not None and s.actual_finish is not None
        ]
        if ran:
            ax.barh(
                [row for row, _ in ran],
                [_span(s.actual_start, s.actual_finish) for _, s in ran],
                left=[_days(s.actual_start) for _, s in ran],
                height=0.4,
                color=[_colour(s) for _, s in ran],
            )
        if deadline is not None:
            ax.axvline(_days(deadline), color=LATE, linewidth=1, linestyle="--")
        ax.set_yticks(rows, [s.id for s in shown])
        ax.set_ylim(len(shown) - 0.5, -0.5)
        _time_axis(ax, zone)
        title = (
            "Planned (pale) against actual: green on budget, red over, orange rollback;"
            " dashed: the deadline"
        )
        if len(shown) < len(steps):  # never leave steps out without a word (user pass)
            title += f"\n{len(shown)} of {len(steps)} steps: {LEFT_OUT}"
        ax.set_title(title)
        return _svg(fig)


def _span(start: datetime, finish: datetime) -> float:
    return _days(finish) - _days(start)


LEFT_OUT = (
    "those that ran (rollback steps first), then the largest slips; every step is in the table"
)


def _gantt_rows(steps: list[StepLine]) -> list[StepLine]:
    """All steps, or on a long night those that ran (the rollback's ahead of the rest),
    then the ones that slipped most, kept in plan order."""
    if len(steps) <= MAX_GANTT_ROWS:
        return steps
    order = {s.id: i for i, s in enumerate(steps)}

    def weight(s: StepLine) -> tuple[bool, bool, timedelta]:
        return (s.actual_start is not None, s.rollback, abs(s.slip or timedelta(0)))

    top = sorted(steps, key=weight, reverse=True)
    return sorted(top[:MAX_GANTT_ROWS], key=lambda s: order[s.id])


def _colour(s: StepLine) -> str:
    if s.rollback:
        return ROLLBACK
    return LATE if s.variance is not None and s.variance > timedelta(0) else ACTUAL


def odds_svg(history: OddsHistory, zone, deadline: datetime) -> str:
    """P(finish inside the window) at each sample, with the stage's colour behind it."""
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(10, 2.8))
        fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.14)
        ax = fig.add_subplot()
        points = [p for p in history.points if p.p_in_window is not None]
        if points:
            ax.plot(
                [_days(p.at) for p in points],
                [p.p_in_window * 100 for p in points],
                color="#1565c0",
                marker="o",
                markersize=2.5,
            )
        for stage, began in history.began:
            ax.axvline(_days(began), color=_STAGE_COLOURS.get(stage, "#888"), linewidth=0.8)
            ax.annotate(stage, (_days(began), 100), fontsize=6, rotation=90, va="top")
        ax.set_ylim(0, 105)
        ax.set_ylabel("P(in window) %")
        _time_axis(ax, zone)
        ax.set_title("The odds of finishing inside the window, through the night")
        return _svg(fig)


_STAGE_COLOURS = {
    "on-track": "#2e7d32",
    "at-risk": "#f9a825",
    "late": "#c62828",
    "roll-back": "#c62828",
    "no-go": "#c62828",
    "rolling-back": "#ef6c00",
    "no-return": "#6a1b9a",
}


def _days(moment: datetime) -> float:
    return mdates.date2num(moment)


def _time_axis(ax, zone) -> None:
    ax.xaxis_date(tz=zone)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=zone))
    ax.grid(axis="x", color="#ddd", linewidth=0.5)
