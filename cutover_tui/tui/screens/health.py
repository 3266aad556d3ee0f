"""`H`: the night's health: each probe's state, since when, a sparkline of its recorded
samples, its last outcome; then each checkpoint's check, what it runs and its last result.

Everything shown is folded from the journal (engine/checks.py), so every war room on the run
shows the same; text from the plan and from the checks' output goes through inert.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...engine.checks import ProbeState, check_of, may_run_checks
from ...engine.events import ProbeSampled
from ...engine.spoken_zone import told_in
from ...engine.state import RunState
from ...inert import inert_line
from ...plan.probes import describe
from ..pacing import marker

BLOCKS = "▁▂▃▄▅▆▇█"
RED_MARK = "✗"


def sparkline(samples: list[ProbeSampled], width: int = 30) -> Text:
    """The last `width` samples: a block per green sample, as tall as its latency against the
    slowest shown; a red ✗ for a red one (readable without colour)."""
    shown = samples[-width:]
    # Against the slowest green sample: a red one's latency is its timeout, not the service's.
    slowest = max((s.latency_ms or 0.0 for s in shown if s.ok), default=0.0) or 1.0
    text = Text()
    for sample in shown:
        if not sample.ok:
            text.append(RED_MARK, "bold red")
            continue
        level = int((sample.latency_ms or 0.0) / slowest * (len(BLOCKS) - 1))
        text.append(BLOCKS[max(0, min(level, len(BLOCKS) - 1))], "green")
    return text


def probe_table(state: RunState) -> Table | Text:
    if not state.plan.probe:
        return Text("No health probes in this plan ([[probe]] in docs/plan-format.md).", "dim")
    table = Table(title="Probes", box=None, expand=True, padding=(0, 1))
    for column in ("probe", "state", "since", "samples", "last"):
        table.add_column(column, no_wrap=column != "last")
    for probe in state.plan.probe:
        now: ProbeState | None = state.checks.probes.get(probe.id)
        if now is None:
            table.add_row(inert_line(probe.id), Text("not run yet", "dim"), "", "", "")
            continue
        mark = Text("● green", "green") if now.ok else Text("✗ RED", "bold red")
        table.add_row(
            inert_line(probe.id),
            mark,
            state.when(now.since),
            sparkline(list(now.history)),
            Text(inert_line(now.last.detail, 80)),
        )
    return table


def check_table(state: RunState) -> Table | Text:
    rows = [sid for sid in state.all_ids() if check_of(state, sid) is not None]
    if not rows:
        return Text("No checkpoint in this plan carries a check ([step.check]).", "dim")
    table = Table(title="Checkpoint checks (x runs the highlighted one)", box=None, expand=True)
    for column in ("checkpoint", "status", "runs", "result"):
        table.add_column(column, no_wrap=column in ("checkpoint", "status"))
    for sid in rows:
        st = state.status[sid]
        first = st.evidence.splitlines()[0] if st.evidence else ""
        by = f" by {st.finished_by}" if st.finished_by and st.status in ("done", "failed") else ""
        style = {"done": "green", "failed": "bold red", "running": "yellow"}.get(st.status, "")
        table.add_row(
            inert_line(sid),
            Text(st.status + by, style),
            Text(inert_line(describe(check_of(state, sid)), 70)),
            Text(inert_line(first, 70)),
        )
    return table


def health_parts(state: RunState) -> list[Text | Table]:
    off = may_run_checks(state)
    head = Text.assemble(
        ("Health  ", "bold"),
        f"checks and probes are off: {off}" if off else "checks and probes run in the conductor",
        style="" if not off else "yellow",
    )
    return [head, probe_table(state), check_table(state)]


class HealthScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HealthScreen { align: center middle; }
    HealthScreen > VerticalScroll {
        width: 150; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    HealthScreen Static { margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape,q,H", "close", "Close", id="health.close")]

    def __init__(self, state: RunState) -> None:
        super().__init__()
        self.state = state
        self._drawn = marker(state)

    def compose(self) -> ComposeResult:
        with told_in(getattr(self.app, "tz", None)):  # `--tz`: the times in the panes' zone
            parts = health_parts(self.state)
        with VerticalScroll():
            for part in parts:
                yield Static(part)

    def on_mount(self) -> None:
        self.set_interval(1.0, self._redraw)  # the app folds new samples into its state

    def _redraw(self) -> None:
        state = getattr(self.app, "state", self.state)  # a refold gives the app a new one
        seen = marker(state)  # events are folded into the state in place; amendments too
        if seen == self._drawn:  # nothing new since the last draw: nothing to redo
            return
        self._drawn = seen
        with told_in(getattr(self.app, "tz", None)):
            parts = health_parts(state)
        for widget, part in zip(self.query(Static), parts, strict=False):
            widget.update(part)

    def action_close(self) -> None:
        self.dismiss(None)
