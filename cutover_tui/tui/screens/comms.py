"""`C`: the comms screen: the outbox (queued, sending, sent, retrying, undeliverable, per
message and audience), the drafts awaiting a communicator, and the contact matrix.

Everyone sees it; the commander and a communicator send a draft with its number (1-9), as
`cutover do RUN send ID` does (comms/send.py; the journal checks who may). Every word from the
plan, people and servers is made inert.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from ...comms.outgoing import Draft, drafts
from ...comms.send import send_events
from ...comms.settings import CommsConfigError, load_comms_settings
from ...comms.templates import render
from ...comms.values import values_from
from ...engine.outbox import SENDERS
from ...inert import inert_line
from ..frame import Frame
from .live import LiveScreen

STATUS_STYLE = {
    "queued": "",
    "sending": "yellow",
    "retrying": "yellow",
    "sent": "green",
    "undeliverable": "bold red",
}


def _cell(text: str, limit: int | None = None) -> Text:
    """A table cell of plan, people or server text: inert, and a Text, since a str cell is
    read as markup (a '[/]' in a subject raised, a '[link=...]' in a name planted a link)."""
    return Text(inert_line(text, limit))


def outbox_table(frame: Frame) -> Table:
    table = Table(title="Outbox", box=None, expand=True, padding=(0, 1))
    for column in ("status", "audience", "route", "queued", "subject", "answer"):
        table.add_column(column)
    for m in frame.state.outbox:
        q = m.queued
        answer = m.sent.answer if m.sent else (m.failures[-1].reason if m.failures else "")
        table.add_row(
            Text(m.status, STATUS_STYLE[m.status]),
            _cell(q.audience),
            _cell(q.route),
            frame.clock(q.at),
            _cell(q.subject, 60),
            _cell(answer, 60),
        )
    if not frame.state.outbox.messages:
        table.add_row("", "nothing queued yet", "", "", "", "")
    return table


def may_send(frame: Frame) -> bool:
    return bool(frame.state.roles_of(frame.actor) & SENDERS)


def draft_lines(frame: Frame, found: list[Draft] | None = None) -> Text:
    """The drafts waiting (`found`, else those of `frame`), numbered as 1-9 send them."""
    state, verdict = frame.state, frame.verdict
    if found is None:
        found = drafts(state, frame.now, verdict.stage)
    lines = [Text(f"Drafts awaiting a communicator: {len(found)}", "bold")]
    for number, draft in enumerate(found, start=1):
        text = render(
            state.plan, draft.template, values_from(state, frame.sched, verdict, draft.about)
        )
        missing = f"  (missing: {inert_line(', '.join(text.missing))})" if text.missing else ""
        lines.append(
            Text.assemble(
                (f"{number}  {inert_line(draft.id)}: ", "bold"),
                inert_line(text.subject, 80),
                (f"  to {inert_line(', '.join(draft.audiences))}; {draft.why}{missing}", "dim"),
            )
        )
        how = f"press {number}, or " if may_send(frame) and number <= 9 else ""
        lines.append(Text(f"  send: {how}cutover do RUN send {inert_line(draft.id)}", "dim"))
    return Text("\n").join(lines)


def contacts_table(frame: Frame) -> Table:
    plan = frame.state.plan
    table = Table(title="Contacts", box=None, expand=True, padding=(0, 1))
    for column in ("person", "role", "team", "phone", "email", "escalates to", "audiences"):
        table.add_column(column)
    for p in plan.people.values():
        audiences = [a.id for a in plan.audience if p.email and p.email in a.email]
        if "resolver" in p.roles:
            audiences.append("resolvers")
        table.add_row(
            _cell(p.name, 30),
            _cell(", ".join(p.roles)),
            _cell(p.team or ""),
            _cell(p.phone or ""),
            _cell(p.email or ""),
            _cell(p.escalates_to or ""),
            _cell(", ".join(audiences)),
        )
    for a in plan.audience:
        ways = ", ".join([*a.email, *(["webhook"] if a.webhook else [])])
        table.add_row(_cell(a.name, 30), "audience", "", "", _cell(ways), "", _cell(a.id))
    return table


class CommsScreen(LiveScreen):
    DEFAULT_CSS = """
    CommsScreen { align: center middle; }
    CommsScreen > VerticalScroll {
        width: 120; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    CommsScreen Static { margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("escape,q,C", "close", "Close", id="comms.close"),
        *(Binding(str(n), f"send({n})", show=False, id=f"comms.send.{n}") for n in range(1, 10)),
    ]

    def __init__(self, frame: Frame) -> None:
        super().__init__()
        self.frame = frame
        self.numbered: list[str] = []  # the drafts' ids as last drawn: 1 is numbered[0]

    def parts(self) -> list[RenderableType]:
        frame = self.frame
        found = drafts(frame.state, frame.now, frame.verdict.stage)
        # The ids, not the drafts: the state under a frame is the app's, folded in place.
        self.numbered = [d.id for d in found]
        return [outbox_table(frame), draft_lines(frame, found), contacts_table(frame)]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield from self.part_statics()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_send(self, number: int) -> None:
        """Send the draft shown as `number` as the war room's user; each refusal said as the
        app says it. The number is the screen's: a draft sent or gone since it was drawn is
        refused, never swapped for whatever now has that number."""
        app = self.app
        if not 1 <= number <= len(self.numbered):
            self.notify(f"there is no draft {number}", severity="warning")
            return
        chosen = self.numbered[number - 1]
        frame = getattr(app, "frame", None) or self.frame
        draft = next(
            (d for d in drafts(frame.state, frame.now, frame.verdict.stage) if d.id == chosen),
            None,
        )
        if draft is None:
            self.notify(
                f"draft {number} ({inert_line(chosen)}) is no longer waiting: "
                "sent, or no longer due; the list is redrawn",
                title="Refused",
                severity="warning",
            )
            self.follow_frame(frame)
            return
        try:
            settings = load_comms_settings()
        except CommsConfigError as exc:
            self.notify(str(exc), title="Refused", severity="error", markup=False)
            return
        log_only = frame.state.mode == "rehearsal" and settings.delivery.rehearsals == "log"
        events = send_events(
            frame.state,
            draft,
            actor=frame.actor,
            at=app.clock.now(),
            sched=frame.sched,
            verdict=frame.verdict,
            log_only=log_only,
        )
        for event in events:
            if not app.submit(event):  # refused: the app said why
                return
