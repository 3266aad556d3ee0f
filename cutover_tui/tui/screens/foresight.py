"""`w`: why the verdict is what it is: every rule that spoke, tonight's pace, its evidence,
the P80 path."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from ...engine.alarm import sureness
from ...engine.timings import tick_offs, tick_offs_said
from ...inert import inert_line
from ..frame import LEVEL_MARK, LEVEL_STYLE, STAGE_MARK, TONE_BADGE, Frame, dur
from .live import LiveScreen

RULE_NAME = {
    "odds": "odds at tonight's pace",
    "plan-of-record": "plan of record",
    "buffer-rule": "buffer rule",
    "overrun": "over budget",
    "alert": "alert trigger",
    "hold": "checkpoint on hold",
    "failed": "failed step",
    "trigger": "rollback trigger",
    "override": "override",
    "rollback-point": "point of no return",
    "rto": "rollback deadline",
    "before-window": "before the window",
    "ended": "ended",
    "no-go": "no-go at a gate",
    "back-out": "rollback started now",
}


def verdict_lines(frame: Frame) -> list[Text]:
    """The verdict, then every rule that spoke, the deciding one first, in words."""
    v = frame.verdict
    lines = [
        Text.assemble(
            ("Level ", "bold"),
            (f" {STAGE_MARK[v.stage]} {v.word} ", TONE_BADGE[v.tone]),
            f"  decided by the {RULE_NAME.get(v.decided_by.name, v.decided_by.name)}",
        )
    ]
    for rule in v.rules:
        lines.append(
            Text.assemble(
                (f"{LEVEL_MARK[rule.level]} ", LEVEL_STYLE[rule.level]),
                (f"{RULE_NAME.get(rule.name, rule.name)}: ", "bold"),
                inert_line(rule.text),
            )
        )
    return lines


def _tick_offs(frame: Frame) -> str:
    """The done steps the pace leaves out, so "0 finished" beside a done step adds up."""
    ticked = tick_offs(frame.state)
    if not ticked:
        return ""
    said = tick_offs_said(frame.state, ticked)
    return f" ({len(ticked)} more ticked off, {said}: no timings)"


def zone_said(frame: Frame) -> Text | None:
    """With `--tz`, which zone every time on this screen is in, and the plan's beside it."""
    if frame.tz is None:
        return None

    def named(zone) -> str:
        return f"{frame.now.astimezone(zone):%Z} ({inert_line(getattr(zone, 'key', zone))})"

    mine, plan = named(frame.tz), named(frame.state.plan.zone)
    return Text.assemble(("Times  ", "bold"), f"in {mine}, your --tz; the plan's zone is {plan}")


def reasoning(frame: Frame) -> list[Text | Table]:
    parts: list[Text | Table] = [Text("\n").join(verdict_lines(frame))]
    zone = zone_said(frame)
    if zone is not None:  # every time below, the rules' included, is in the viewer's zone
        parts.append(zone)
    sight = frame.foresight
    if frame.verdict.stage == "no-go":  # the odds would simulate the gate passing
        parts.append(Text("No odds: a NO GO stands; the plan cannot go on past it.", "dim"))
        return parts
    if sight is None:
        parts.append(Text("No odds: the run is not under way.", "dim"))
        return parts
    if frame.verdict.stage == "roll-back":  # the status line claims no finish meanwhile
        parts.append(
            Text("The odds below are for carrying on past the rollback call, if it is overridden.")
        )
    pace = sight.pace
    # Dated: with nothing started the finish moves with the clock, and at 80x24 this screen
    # hides the status line, so a figure a recompute moved read as a second voice (review,
    # 2026-12-03: "likely 11:21" there, "11:22" here six seconds later). It is the status
    # line's figure, from the same odds, worked out at that moment.
    asof = frame.clock(sight.now, seconds=True)
    parts += [
        Text.assemble(
            ("Finish  ", "bold"),
            f"likely {frame.clock(sight.p50)} (P50 at tonight's pace, worked out at {asof} "
            "as on the status line) · P80 "
            f"{frame.clock(frame.verdict.p80)} · plan of record "
            f"{frame.clock(frame.sched.projected_finish)} (status date: slips so far, "
            "the rest at budget)",
        ),
        Text.assemble(
            ("Odds  ", "bold"),
            f"{sight.p_in_window:.0%} inside the window (by {frame.clock(sight.deadline)}) · "
            f"{sight.p_in_buffer:.0%} before the buffer line ({frame.clock(sight.buffer_line)})"
            f" · ±{sight.standard_error:.0%}",
        ),
        Text.assemble(
            ("Pace  ", "bold"),
            f"{pace.factor:.2f}× the estimates (80 % between {pace.low:.2f}× and "
            f"{pace.high:.2f}×), from {pace.n} finished and {pace.running} running steps"
            + _tick_offs(frame),
        ),
    ]
    if sight.alarm is not None:  # how sure the estimate is, and what LATE waits for
        parts.append(Text.assemble(("Sureness  ", "bold"), sureness(sight.alarm, frame.state)))
    if pace.per_phase:
        titles = {p.id: p.title for p in frame.state.plan.phase}
        phases = " · ".join(
            f"{inert_line(titles.get(k, k))} {v:.2f}×" for k, v in pace.per_phase.items()
        )
        parts.append(Text.assemble(("By phase  ", "bold"), phases))
    if pace.outliers:
        parts.append(
            Text.assemble(("Set aside as outliers  ", "bold"), inert_line(", ".join(pace.outliers)))
        )
    evidence = Table(title="Evidence (most recent last)", box=None, expand=True, padding=(0, 1))
    for column in ("step", "budget", "actual", "ratio", "weight"):
        evidence.add_column(column, justify="left" if column == "step" else "right")
    for item in pace.steps[-12:]:
        running = " (running)" if item.finished_at is None else ""
        evidence.add_row(
            Text(inert_line(item.step) + running),
            dur(item.budget),
            dur(item.actual),
            f"{item.ratio:.2f}",
            f"{item.weight:.2f}",
            style="dim" if item.outlier else "",
        )
    parts.append(evidence)
    path = list(sight.p80_path)
    shown = path if len(path) <= 8 else [*path[:4], "…", *path[-3:]]
    parts.append(
        Text.assemble(("P80 path  ", "bold"), inert_line(" → ".join(shown)) or "nothing left")
    )
    return parts


class ForesightScreen(LiveScreen):
    DEFAULT_CSS = """
    ForesightScreen { align: center middle; }
    ForesightScreen > VerticalScroll {
        width: 100; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ForesightScreen Static { margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape,q,w", "close", "Close", id="foresight.close")]

    def __init__(self, frame: Frame, head: Callable[[], str | None] | None = None) -> None:
        """`head`: the journal's head as published now (None for a run in memory)."""
        super().__init__()
        self.frame = frame
        self.head = head

    def parts(self) -> list[RenderableType]:
        out: list[RenderableType] = list(reasoning(self.frame))
        head = self.head() if self.head else None
        if head:
            out.append(
                Text.assemble(
                    ("Journal head  ", "bold"),
                    head,
                    "  (note it; `cutover verify RUN --expect` proves the log still holds it)",
                )
            )
        return out

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield from self.part_statics()

    def action_close(self) -> None:
        self.dismiss(None)
