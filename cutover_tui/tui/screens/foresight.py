"""`w`: why the alarm level is what it is: tonight's pace, its evidence, the P80 path."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..frame import LEVEL_STYLE, Frame, dur


def reasoning(frame: Frame) -> list[Text | Table]:
    sight = frame.foresight
    assert sight is not None
    pace = sight.pace
    style = LEVEL_STYLE[sight.level]
    parts: list[Text | Table] = [
        Text.assemble(("Level ", "bold"), (sight.level.upper(), f"bold {style}")),
        Text(sight.reason),
        Text.assemble(
            ("Odds  ", "bold"),
            f"P50 {frame.clock(sight.p50)} · P80 {frame.clock(sight.p80)} · "
            f"{sight.p_in_window:.0%} inside the window (by {frame.clock(sight.deadline)}) · "
            f"{sight.p_in_buffer:.0%} before the buffer line ({frame.clock(sight.buffer_line)})"
            f" · ±{sight.standard_error:.0%}",
        ),
        Text.assemble(
            ("Pace  ", "bold"),
            f"{pace.factor:.2f}× the estimates (80 % between {pace.low:.2f}× and "
            f"{pace.high:.2f}×), from {pace.n} finished and {pace.running} running steps",
        ),
    ]
    if pace.per_phase:
        titles = {p.id: p.title for p in frame.state.plan.phase}
        phases = " · ".join(f"{titles.get(k, k)} {v:.2f}×" for k, v in pace.per_phase.items())
        parts.append(Text.assemble(("By phase  ", "bold"), phases))
    if pace.outliers:
        parts.append(
            Text.assemble(("Set aside as outliers  ", "bold"), ", ".join(pace.outliers), style="")
        )
    evidence = Table(title="Evidence (most recent last)", box=None, expand=True, padding=(0, 1))
    for column in ("step", "budget", "actual", "ratio", "weight"):
        evidence.add_column(column, justify="left" if column == "step" else "right")
    for item in pace.steps[-12:]:
        running = " (running)" if item.finished_at is None else ""
        evidence.add_row(
            item.step + running,
            dur(item.budget),
            dur(item.actual),
            f"{item.ratio:.2f}",
            f"{item.weight:.2f}",
            style="dim" if item.outlier else "",
        )
    parts.append(evidence)
    path = list(sight.p80_path)
    shown = path if len(path) <= 8 else [*path[:4], "…", *path[-3:]]
    parts.append(Text.assemble(("P80 path  ", "bold"), " → ".join(shown) or "nothing left"))
    return parts


class ForesightScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    ForesightScreen { align: center middle; }
    ForesightScreen > VerticalScroll {
        width: 100; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ForesightScreen Static { margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape,q,w", "close", "Close", id="foresight.close")]

    def __init__(self, frame: Frame) -> None:
        super().__init__()
        self.frame = frame

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for part in reasoning(self.frame):
                yield Static(part)

    def action_close(self) -> None:
        self.dismiss(None)
