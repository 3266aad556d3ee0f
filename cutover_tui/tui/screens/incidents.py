"""`I`: the incidents screen: each incident with its severity colour, owner, age, the time left
to its SLA as a countdown, and the escalation chain; the bridge (who holds each role tonight)
above them.

Keys inside it act on the highlighted incident (up/down or j/k move): `a` acknowledge, `u`
update, `s` change severity, `o` re-assign (owner), `v` resolve; `n` raises a new one, `h`
hands a bridge role over (the commander). Each opens the same form and submits the same event
as `cutover do RUN ack|update|severity|assign|resolve|raise|handover` (tui/actions/incidents.py);
the journal decides who may. It redraws every second from the app's latest frame.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...engine.incident_view import IncidentRow, rows
from ...engine.incidents import holders
from ...engine.spoken_zone import plan_clock_label
from ...inert import inert_line
from ..frame import Frame

# The scale's first level is the worst: red, then yellow, then plain.
SEVERITY_STYLE = ("bold white on red", "bold black on yellow", "bold", "dim")
INSIDE_KEYS = (
    ("a", "ack", "acknowledge"),
    ("u", "update", "update"),
    ("s", "severity", "severity"),
    ("o", "assign", "re-assign"),
    ("v", "resolve", "resolve"),
    ("n", "raise", "raise"),
    ("h", "handover", "hand a role over"),
)


def countdown(left: timedelta | None) -> Text:
    """`4:59` to its SLA, `-0:30 OVERDUE` past it, blank when nothing is owed."""
    if left is None:
        return Text("")
    seconds = int(left.total_seconds())
    sign = "-" if seconds < 0 else ""
    m, s = divmod(abs(seconds), 60)
    shown = f"{sign}{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{sign}{m}:{s:02d}"
    return Text(f"{shown} OVERDUE", "bold red") if seconds < 0 else Text(shown)


def sla_cell(r: IncidentRow) -> Text:
    """The countdown; at the chain's end, unacknowledged, that nobody is left (as `cutover
    status` says): a blank read as nothing owed."""
    if r.status == "resolved":
        return Text("")
    if r.left is None and r.waiting != "none":
        return Text("nobody left to escalate to", "bold red")
    return countdown(r.left)


def severity_cell(frame: Frame, severity: str) -> Text:
    from ...plan.severity import severities

    ids = [s.id for s in severities(frame.state.plan)]
    index = ids.index(severity) if severity in ids else len(SEVERITY_STYLE) - 1
    return Text(f" {severity.upper()} ", SEVERITY_STYLE[min(index, len(SEVERITY_STYLE) - 1)])


def bridge_text(frame: Frame) -> Text:
    out = Text("Bridge tonight: ", "bold")
    for n, role in enumerate(("commander", "communicator", "resolver")):
        names = ", ".join(frame.person(p) for p in holders(frame.state, role)) or "nobody"
        out.append(("  " if n else "") + f"{role} ")
        out.append(inert_line(names, 60), "bold")
    return out


def _chain(r: IncidentRow) -> Text:
    """The escalation chain, those who already have it in bold."""
    out = Text()
    for i, person in enumerate(r.chain):
        out.append(" → " if i else "")
        done = person in r.escalated_to or person == r.owner
        out.append(inert_line(person, 20), "bold" if done else "dim")
    return out


def _waits(r: IncidentRow) -> str:
    return "done" if r.status == "resolved" else (r.waiting if r.waiting != "none" else "")


def _label(r: IncidentRow) -> Text:
    return Text(r.label, "strike dim" if r.status == "resolved" else "bold")


def stored_titles(frame: Frame, found: list[IncidentRow]) -> Text | None:
    """Under `--tz`, the incidents whose titles are the conductor's words on the plan's clock
    (a trigger's reason: "since 22:50"), and which clock that is, as the comms log and the
    toasts say it (report/narrate.py). Below the list: a title is cut to its column, and a
    label after it would be cut first."""
    zone = frame.plan_zone_if_other
    said: dict[str, list[str]] = {}  # label -> incidents (GMT and BST around a change)
    for r in found:
        if r.title_stored and zone is not None:
            said.setdefault(plan_clock_label(r.raised_at, zone), []).append(r.label)
    if not said:
        return None
    return Text(
        "; ".join(
            f"{', '.join(labels)}: title{'s' if len(labels) > 1 else ''} in the conductor's"
            f" words{label}"
            for label, labels in said.items()
        ),
        "dim",
    )


def _owner(frame: Frame, r: IncidentRow) -> str:
    return inert_line(frame.person(r.owner) if r.owner else "nobody", 24)


def incidents_table(frame: Frame, found: list[IncidentRow], chosen: int) -> Table:
    """At 120 columns and more: one row per incident, the chain in its own column."""
    table = Table(box=None, expand=True, padding=(0, 1))
    for column in ("", "id", "sev", "title", "owner", "age", "SLA", "waits", "escalation chain"):
        ratio = 1 if column == "title" else None
        table.add_column(column, no_wrap=True, overflow="ellipsis", ratio=ratio)
    for n, r in enumerate(found):
        table.add_row(
            Text("▶" if n == chosen else " ", "bold"),
            _label(r),
            severity_cell(frame, r.severity),
            Text(inert_line(r.title, 80)),
            Text(_owner(frame, r)),
            Text(_age(r.age)),
            sla_cell(r),
            Text(_waits(r)),
            _chain(r),
        )
    if not found:
        table.add_row("", "", "", Text("no incidents: press n to raise one", "dim"))
    table.caption, table.caption_justify = stored_titles(frame, found), "left"
    return table


def incidents_lines(frame: Frame, found: list[IncidentRow], chosen: int) -> Text:
    """Below 120 columns: two lines per incident, what it is, then where it stands."""
    lines = []
    for n, r in enumerate(found):
        lines.append(
            Text.assemble(
                ("▶ " if n == chosen else "  ", "bold"),
                _label(r),
                " ",
                severity_cell(frame, r.severity),
                " ",
                inert_line(r.title, 80),
            )
        )
        lines.append(
            Text.assemble(
                "    ",
                _owner(frame, r),
                f" · {_age(r.age)} · {_waits(r)} ",
                sla_cell(r),
                " · ",
                _chain(r),
            )
        )
    if not found:
        lines.append(Text("no incidents: press n to raise one", "dim"))
    if (note := stored_titles(frame, found)) is not None:
        lines.append(note)
    for line in lines:
        line.no_wrap, line.overflow = True, "ellipsis"
    return Text("\n").join(lines)


def _age(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}" if minutes >= 60 else f"{minutes}m"


def keys_text() -> Text:
    out = Text("", "dim")
    for key, _, word in INSIDE_KEYS:
        out.append(f"{key} ", "bold")
        out.append(f"{word}  ")
    out.append("esc", "bold")
    out.append(" close")
    return out


class IncidentsScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    IncidentsScreen { align: center middle; }
    IncidentsScreen > VerticalScroll {
        width: 150; max-width: 98%; height: auto; max-height: 95%;
        border: thick $error; background: $surface; padding: 0 1;
    }
    IncidentsScreen Static { margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("escape,q,I", "close", "Close", id="incidents.close"),
        Binding("down,j", "move(1)", show=False, id="incidents.down"),
        Binding("up,k", "move(-1)", show=False, id="incidents.up"),
        *(
            Binding(key, f"act('{action}')", word, id=f"incidents.{action}")
            for key, action, word in INSIDE_KEYS
        ),
    ]

    def __init__(self, frame: Frame) -> None:
        super().__init__()
        self.frame = frame
        self.chosen = 0  # the highlighted row's index, as last drawn
        # The incident the cursor is on: the list reorders under it (a SEV1 raised by someone
        # else sorts first, a resolved one last) and the cursor stays with the incident, so a
        # key acts on the one the reader chose, never on whichever took its row.
        self.chosen_number: int | None = None
        self.drawn: list[int] = []  # the numbers in the order last drawn

    @property
    def found(self) -> list[IncidentRow]:
        return rows(self.frame.state, self.now)

    @property
    def now(self) -> datetime:
        """The app's clock, for the countdowns: a frame is made on news and at a minute's
        boundary, and its `now` had them stand still for up to a minute (user pass,
        2026-12-02: "ack 28:19", then 27:48 two seconds later). An ended run's frame keeps
        its end."""
        clock = getattr(self.app, "clock", None)
        if clock is None or self.frame.state.phase == "ended":
            return self.frame.now
        return max(self.frame.now, clock.now())

    def _place_cursor(self, found: list[IncidentRow]) -> None:
        numbers = [r.number for r in found]
        if self.chosen_number in numbers:
            self.chosen = numbers.index(self.chosen_number)
        else:
            self.chosen = max(0, min(self.chosen, len(numbers) - 1))
        self.chosen_number = numbers[self.chosen] if numbers else None
        self.drawn = numbers

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(bridge_text(self.frame), id="incidents-bridge")
            yield Static(self._table(), id="incidents-table")
            yield Static(keys_text(), id="incidents-keys")

    def on_mount(self) -> None:
        self.set_interval(1.0, self.redraw, name="incidents-tick")

    def _table(self) -> Table | Text:
        found = self.found
        self._place_cursor(found)
        if self.app.size.width < 120:
            return incidents_lines(self.frame, found, self.chosen)
        return incidents_table(self.frame, found, self.chosen)

    def redraw(self) -> None:
        """The app's latest frame: countdowns run down, new incidents appear."""
        self.frame = getattr(self.app, "frame", None) or self.frame
        self.query_one("#incidents-bridge", Static).update(bridge_text(self.frame))
        self.query_one("#incidents-table", Static).update(self._table())

    @property
    def selected(self) -> int | None:
        """The incident highlighted on screen."""
        return self.chosen_number

    def action_move(self, step: int) -> None:
        if self.drawn:
            self.chosen = max(0, min(self.chosen + step, len(self.drawn) - 1))
            self.chosen_number = self.drawn[self.chosen]
        self.redraw()

    def action_act(self, action: str) -> None:
        self.app.incident_command(action, self.selected)  # tui/actions/incidents.py

    def action_close(self) -> None:
        self.dismiss(None)
