"""The two status lines: where we are, will we make it, when must rollback start."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget

from ...engine.aftercare_status import summary as aftercare_summary
from ...inert import inert_line
from ...journal.identity import BROWSER
from ..cond_health import conductor_health
from ..frame import LEVEL_STYLE, STAGE_MARK, TONE_BADGE, Frame, dur
from ..incident_news import badge_word

ODDS_PENDING = "working out odds…"
PHASE_LABEL = {
    "not-started": ("NOT STARTED", "bold"),
    "running": ("LIVE", "bold green"),
    "rollback": ("ROLLING BACK", "bold white on red"),
    "ended": ("ENDED", "bold"),
}


def headline(
    frame: Frame, conductor: str, width: int, read_only: bool = False, moved: str | None = None
) -> tuple[Text, Text]:
    """Line 1: product, mode and plan on the left; who is looking and the conductor's health
    on the right. The wall clock sits between them in its own cell (see `wall_clock`).
    `moved`: the run moved away from this file (journal/moved.py), said in place of its phase."""
    state = frame.state
    label, style = PHASE_LABEL[state.phase]
    if state.phase == "running" and state.mode == "rehearsal":
        label, style = "REHEARSAL", "bold cyan"
    if state.phase == "ended" and state.outcome:
        label = f"ENDED · {state.outcome}"
    if moved:  # what this file shows stopped at the move: not LIVE
        label, style = "MOVED", "bold white on red"
    # The mode before the title: on a narrow terminal the title is what gets cut short.
    left = Text.assemble(
        (" cutover", "bold"), " · ", (label, style), " · ", inert_line(state.plan.plan.title)
    )
    right = who_looks(frame, read_only, moved)
    healthy, word = conductor_health(conductor)
    if width >= 110:
        right.append(
            # The lease row is writable by the group: its holder text is made inert.
            f"   conductor: {inert_line(conductor, 40)}",
            "dim" if healthy else "yellow",
        )
    else:  # narrow: still say whether anyone conducts; the plan's title is what gets cut
        right.append(f" · cond {word}", "dim" if healthy else "yellow")
    right.append(" ")
    return left, right


def who_looks(frame: Frame, read_only: bool, moved: str | None) -> Text:
    """Who is looking and as what: `alice: commander`; a browser tab is nobody in
    particular (journal/identity.py BROWSER), said as what it is."""
    if frame.actor == BROWSER:
        return Text.assemble(
            "   browser", (" (read-only: the run moved)" if moved else ", read-only", "bold")
        )
    right = Text(f"   {inert_line(frame.person(frame.actor), 30)}: {frame.role_label}")
    if moved:
        right.append(" (read-only: the run moved)", "bold")
    elif read_only:
        right.append(" (following, read-only)", "bold")
    return right


def wall_clock(frame: Frame, now: datetime | None = None) -> Text:
    """The wall clock in the zone the times are shown in, named; stopped at an ended run's end.
    `now`: the clock moved on since the frame was made (a tick that recomputes nothing)."""
    moment = frame.verdict.stopped_at or now or frame.verdict.clock
    tz = moment.astimezone(frame.zone).strftime("%Z")
    stopped = " (stopped)" if frame.verdict.stopped_at else ""
    plan = ""
    if frame.tz is not None:  # a viewer in another zone still sees the plan's, named
        local = moment.astimezone(frame.state.plan.zone)
        plan = f" (plan {local:%H:%M %Z})"
    # A gap before it: a title cut short runs into nothing.
    return Text(f"  {frame.clock(moment, seconds=True)} {tz}{stopped}{plan}", "bold")


def badge(frame: Frame) -> Text:
    """The verdict in words and a mark, not only a colour: NO_COLOR terminals and colour-blind
    readers get the same answer. A fired rollback trigger is named in the badge itself."""
    v = frame.verdict
    word = v.word
    if v.no_go is not None:  # the gate that stopped the run (engine/verdict_nogo.py)
        word += f" · {inert_line(v.no_go, 24)}"
    elif v.calling is not None:
        word += f" · {inert_line(v.calling.trigger or v.calling.step, 24)}"
    elif v.stage == "ended":
        word += f" · {frame.state.outcome}"
    word += badge_word(frame.state)  # an open incident of the worst severity (incident_news.py)
    return Text(f" {STAGE_MARK[v.stage]} {word} ", TONE_BADGE[v.tone])


def finish_text(frame: Frame, short: bool, odds: bool = True) -> tuple[Text, Text]:
    """The headline finish with its basis, and the plan of record, each labelled: the likely
    finish at tonight's pace (P50, P80 beside it) when the odds are known."""
    v = frame.verdict
    style = LEVEL_STYLE[v.pace]
    if v.basis == "ended":
        word = "finished " if frame.state.outcome == "completed" else "ended "
        return Text.assemble(word, (frame.clock(v.headline), f"bold {style}")), Text()
    if not v.claims_finish:  # NO GO, or a ROLL BACK call unanswered
        return _withheld_finish(frame), Text()
    plan_style = LEVEL_STYLE[frame.sched.level]
    plan = Text.assemble(
        "plan ",
        (frame.clock(v.plan_finish), plan_style),
        # Whole minutes: a delta ticking by the second would repaint the line every second.
        (f" ({dur(_minutes(v.delta), signed=True)})", plan_style),
    )
    if v.likely is None:
        if frame.odds_pending:  # the first frame of a large plan: its odds come next
            return Text.assemble(plan, " · ", (ODDS_PENDING, "dim italic")), Text()
        return plan, Text()
    likely = Text.assemble("likely ", (frame.clock(v.likely), f"bold {style}"))
    chance = Text(f"{v.p_in_window:.0%}", f"bold {style}")
    if short:
        return (Text.assemble(likely, " ", chance) if odds else likely), Text()
    return (
        Text.assemble(
            likely,
            " · P80 ",
            (frame.clock(v.p80), style),
            " · ",
            chance,
            " by the RTO" if v.stage == "rolling-back" else " in window",
        ),
        plan,
    )


def _withheld_finish(frame: Frame) -> Text:
    """Under a NO GO the plan stops at the gate, and under ROLL BACK the call stands until it
    is answered: no forward finish, but what rolling back now gives (engine/verdict_nogo.py)."""
    back = frame.sched.back_out_finish
    if back is None or not frame.state.rollback_order:
        if frame.verdict.stage == "roll-back":
            return Text("no finish claimed until the call is answered", "bold red")
        return Text("the plan stops at the gate", "bold red")
    return Text.assemble("rollback now: back ", (frame.clock(back), "bold"))


def figures(frame: Frame, width: int) -> Text:
    """Line 2: the verdict, the finish (likely and plan, labelled), buffer and rollback point.

    What does not fit goes, least needed first: the window's hours, % done, the plan of
    record, the buffer, the time left. The verdict, the finish and the rollback point stay."""
    v, sched, state = frame.verdict, frame.sched, frame.state
    short = width < 110
    finish, plan = finish_text(frame, short)
    head = Text.assemble(badge(frame), " ", finish)
    if v.stage == "ended":
        # The figures as they ended, no countdowns: the clock has stopped.
        rule = Text(inert_line(v.decided_by.text, 90))
        after = aftercare_text(frame)  # after the night; red when something is overdue
        if short:
            return Text.assemble(head, " │ ", after) if after.style == "bold red" else head
        return _fit([(9, head), (1, rule), (8, after)], width)
    rollback = _rollback_text(frame)
    if short:
        # Narrow: the verdict, the likely finish, the rollback point; shorter forms first
        # of the odds, then of the rollback countdown, until the line fits.
        bare = Text.assemble(badge(frame), " ", finish_text(frame, True, odds=False)[0])
        for line in (
            Text.assemble(head, " │ ", rollback),
            Text.assemble(bare, " │ ", rollback),
            Text.assemble(bare, " │ ", _rollback_text(frame, short=True)),
        ):
            if line.cell_len <= width:
                return line
        return line
    window = state.plan.window
    left_in_window = max(timedelta(0), window.end - frame.now)
    buffer = Text.assemble("buffer ", (dur(sched.buffer_left), LEVEL_STYLE[sched.level]))
    if not v.claims_finish:  # the plan's buffer means nothing while it cannot go on
        buffer = Text()
    parts = [
        (1, Text(f" window {frame.clock(window.start)}→{frame.clock(window.end)}")),
        (5, Text(f"left {dur(left_in_window)}")),
        (9, head),
        (3, plan),
        (4, buffer),
        (2, Text(f"{sched.percent_done:.0%} done")),
        (8, rollback),
    ]
    if v.stage == "rolling-back":
        # Rolling back, the restore deadline is what matters: it goes first.
        parts = [(9, Text.assemble(" ", rollback)), (9, head), (3, plan), (4, buffer)]
    return _fit(parts, width)


def aftercare_text(frame: Frame) -> Text:
    """The run's summary after the night (engine/aftercare.py): empty without [aftercare]."""
    said = aftercare_summary(frame.state, frame.now)
    if said is None:
        return Text("")
    return Text(inert_line(said[0]), "bold red" if said[1] else "")


def _fit(parts: list[tuple[int, Text]], width: int) -> Text:
    """Join the parts with bars, dropping the least needed until the line fits `width`."""
    parts = [(rank, text) for rank, text in parts if text.plain]
    sep = Text(" │ ")
    while True:
        line = sep.join([text for _, text in parts])
        if line.cell_len <= width or len(parts) <= 2:
            return line
        parts.remove(min(parts, key=lambda p: p[0]))


def _minutes(delta: timedelta) -> timedelta:
    return timedelta(minutes=round(delta / timedelta(minutes=1)))


def _rollback_text(frame: Frame, short: bool = False) -> Text:
    sched, state, v = frame.sched, frame.state, frame.verdict
    if state.phase == "rollback":
        due = sched.rollback_deadline
        if short:  # at 80 columns the parenthesis fell off the edge mid-word
            return Text.assemble(("RESTORE BY", "bold red"), f" {frame.clock(due)}")
        return Text.assemble(
            ("RESTORE BY", "bold red"),
            f" {frame.clock(due)} (RTO; rollback since {frame.clock(state.rollback_at)})",
        )
    if not state.rollback_order:
        return Text("no rollback planned", "dim")
    by = sched.last_safe_rollback_start
    left = by - frame.now
    if v.stage == "no-return" or left < timedelta(0):
        return Text(f"NO RETURN since {frame.clock(by)}", "bold red")
    style = "bold red" if left < state.plan.window.warning else "bold"
    if v.stage in ("roll-back", "no-go"):
        style = "bold white on red"
    if short:
        return Text.assemble((f"RB {frame.clock(by)}", style), f" {dur(left)}")
    return Text.assemble((f"ROLLBACK BY {frame.clock(by)}", style), f" (in {dur(left)})")


class Cell(Widget):
    """One piece of a status line. It repaints only itself, only when its text changes, and
    never asks for a relayout: the wall clock ticking costs a dozen bytes a second, not two
    full lines (every byte counts over SSH)."""

    DEFAULT_CSS = """
    Cell { height: 1; width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    Cell.-fit { width: auto; }
    """

    def __init__(self, *, fit: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, classes="-fit" if fit else "")
        self._text = Text()

    def set(self, text: Text) -> None:
        text.no_wrap = True
        text.overflow = "ellipsis"
        if text.plain == self._text.plain and text.spans == self._text.spans:
            return
        resized = text.cell_len != self._text.cell_len
        self._text = text
        # A fitted cell changes size with its text; others keep their place.
        self.refresh(layout=resized and self.has_class("-fit"))

    def get_content_width(self, container, viewport) -> int:
        return self._text.cell_len

    def render(self) -> Text:
        return self._text


class StatusBar(Vertical):
    """Two lines at the top: where we are, will we make it, when must rollback start."""

    DEFAULT_CSS = """
    StatusBar { height: 2; background: $panel; }
    StatusBar > Horizontal { height: 1; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Cell(id="status-left")
            yield Cell(fit=True, id="status-clock")
            yield Cell(fit=True, id="status-right")
        yield Cell(id="status-figures")

    def show(
        self, frame: Frame, conductor: str, read_only: bool = False, moved: str | None = None
    ) -> None:
        width = self.size.width or self.app.size.width
        left, right = headline(frame, conductor, width, read_only, moved)
        self.query_one("#status-left", Cell).set(left)
        self.query_one("#status-clock", Cell).set(wall_clock(frame))
        self.query_one("#status-right", Cell).set(right)
        # Moved away, the file's figures are stale: the line says where the run went instead.
        line = Text(f" {moved} ", "bold white on red") if moved else figures(frame, width)
        self.query_one("#status-figures", Cell).set(line)

    def tick(
        self,
        frame: Frame,
        now: datetime,
        conductor: str,
        read_only: bool = False,
        moved: str | None = None,
    ) -> None:
        """Between recomputes: the wall clock moves, and the conductor's health is read again
        (a stale lease is news within seconds); the figures wait for the next frame."""
        width = self.size.width or self.app.size.width
        left, right = headline(frame, conductor, width, read_only, moved)
        self.query_one("#status-left", Cell).set(left)
        self.query_one("#status-clock", Cell).set(wall_clock(frame, now))
        self.query_one("#status-right", Cell).set(right)

    @property
    def plain(self) -> str:
        """Both lines as text (for tests and logs)."""
        cells = [
            self.query_one(f"#status-{name}", Cell)._text.plain
            for name in ("left", "clock", "right")
        ]
        return " ".join(cells) + "\n" + self.query_one("#status-figures", Cell)._text.plain
