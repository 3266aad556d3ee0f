"""`V`: after the night: the validation checklist by area, the temporary access to close, the
handover and the runbook update, each with its owner, status and deadline from go-live;
overdue items in red. `v` (here or on the main screen) records one (tui/actions/aftercare.py).

Every word from the plan and from people is made inert (`engine/aftercare.rows` is the one
reading of where each item stands, shared with `cutover aftercare` and the review).
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from ...engine.aftercare_checks import item_check
from ...engine.aftercare_status import AfterRow, due_words, rows, summary
from ...engine.spoken_zone import told_in
from ...engine.state import RunState
from ...inert import inert_line
from ..frame import Frame
from .live import LiveScreen

STATUS_STYLE = {
    "open": "",
    "failed": "bold red",
    "passed": "green",
    "closed": "green",
    "accepted": "green",
    "updated": "green",
}


def aftercare_table(frame: Frame) -> Table:
    state = frame.state
    table = Table(box=None, expand=True, padding=(0, 1))
    for column in ("area", "item", "owner", "status", "due", "detail"):
        table.add_column(column)
    for row in rows(state, frame.now):
        table.add_row(
            Text(row.area),
            Text(inert_line(f"{row.id}: {row.title}", 48) + _checked(state, row)),
            Text(inert_line(state.name(row.owner), 28)),
            _status(row),
            Text(due_words(state, row)),
            Text(inert_line(row.detail, 70)),
            style="red" if row.overdue else None,
        )
    return table


def _checked(state: RunState, row: AfterRow) -> str:
    """ " ⚙" after an item that carries a check (v, "run its check"; `cutover check`)."""
    return " ⚙" if row.kind == "check" and item_check(state, row.id) is not None else ""


def _status(row: AfterRow) -> Text:
    if row.overdue:
        return Text(f"{row.status} OVERDUE", "bold red")
    return Text(row.status, STATUS_STYLE.get(row.status, ""))


def headline(frame: Frame) -> Text:
    said = summary(frame.state, frame.now)
    if said is None:
        return Text("This plan has no [aftercare] part: nothing is tracked after the night.")
    text, red = said
    return Text(inert_line(text), "bold red" if red else "bold")


def handover_lines(frame: Frame) -> Text:
    after = frame.state.plan.aftercare
    h = after.handover if after else None
    if h is None:
        return Text("")
    name = frame.state.name
    lines = [
        Text(inert_line(f"Handover to {h.team}, received by {name(h.owner)}"), "bold"),
        *(Text(inert_line(f"  known issue: {issue}")) for issue in h.known_issues),
        *(Text(inert_line(f"  watch: {item}")) for item in h.watch),
    ]
    return Text("\n").join(lines)


class AftercareScreen(LiveScreen):
    """Dismissed with "record" (`v`) or "remark" (`n`): the app then opens that form."""

    DEFAULT_CSS = """
    AftercareScreen { align: center middle; }
    AftercareScreen > VerticalScroll {
        width: 130; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    AftercareScreen Static { margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("escape,q,V", "close", "Close", id="aftercare.close"),
        Binding("v", "record", "record", id="aftercare.record"),
        Binding("n", "remark", "review remark", id="aftercare.remark"),
    ]

    def __init__(self, frame: Frame) -> None:
        super().__init__()
        self.frame = frame

    def parts(self) -> list[RenderableType]:
        with told_in(self.frame.tz):  # `--tz`: the due times in the zone the panes show
            parts = [headline(self.frame), aftercare_table(self.frame), handover_lines(self.frame)]
        return [*parts, Text("v: record an item   n: a review remark   escape: close", "dim")]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield from self.part_statics(("aftercare-headline", "aftercare-table"))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_record(self) -> None:
        self.dismiss("record")

    def action_remark(self) -> None:
        self.dismiss("remark")
