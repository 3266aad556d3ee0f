"""`?`: every key of the war room, with what it does and who may use it."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 84; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss_help", "Close", id="help.close"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(title="Keys", expand=True, box=None, padding=(0, 1))
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("does")
        table.add_column("who", style="dim")
        for key, text, who in self.rows:
            table.add_row(key, text, who)
        with VerticalScroll():
            yield Static(table)
            yield Static(
                "Step keys act on the step highlighted in the Now pane (↑/↓ to move). "
                "ctrl+p or : opens the command palette, with every action on every step.",
                classes="note",
            )

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
