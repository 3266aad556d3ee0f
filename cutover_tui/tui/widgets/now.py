"""The Now pane: what runs, against its budget; what is ready next; my steps.

The list is focusable: its highlighted step is the one the step keys (s, c, f, p...) act on.
"""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...inert import inert_rich
from ..frame import Frame, bar, dur
from .quote import quoted

KIND_MARK = {"checkpoint": "◆", "gate": "⛩", "comms": "✉", "milestone": "◇", "task": "•"}


def running_lines(frame: Frame, step_id: str, width: int) -> Text:
    state, sched = frame.state, frame.sched
    step, st = state.steps[step_id], state.status[step_id]
    times = sched.steps[step_id]
    # An ended run is measured to its end (the figures' clock): a step it left running has
    # not run on for the days since (an aborted rehearsal read "elapsed 11d23h of 30m").
    # The engine's measure (`ran_by`): a suspended step's clock stopped at its suspension, as
    # the schedule and forecast have it (its elapsed grew while it stood still, 2026-12-03).
    elapsed = st.ran_by(frame.verdict.clock)
    # A start dated up to the clock skew ahead (another host's clock) has not begun yet
    # here: 0, not "-1m" (user pass, 2026-12-02). Whole minutes: seconds ticking would
    # repaint the whole list every second over SSH.
    elapsed = timedelta(minutes=max(0, int(elapsed / timedelta(minutes=1))))
    budget = step.duration
    fraction = elapsed / budget if budget else 1.0
    style = "red" if fraction > 1 else ("yellow" if fraction > 0.8 else "green")
    mark = "⏸" if st.status == "suspended" else "▶"
    head = Text.assemble(
        (f"{mark} {step.id}", "bold"),
        f"  {quoted(step.title)}  ",
        (frame.person(step.owner), "cyan"),
    )
    over = elapsed - budget
    detail = Text.assemble(
        f"  elapsed {dur(elapsed)} of {dur(budget)}  ",
        (bar(fraction, max(8, min(24, width - 40))), style),
        (f" {dur(over, signed=True)}" if over.total_seconds() > 0 else "", "bold red"),
        f"  ends {frame.dated(times.finish)}",  # dated off the run's night: past an ETA
    )
    lines = [head, detail]
    if st.status == "suspended":
        since = f" since {frame.dated(st.suspended_at)}" if st.suspended_at else ""
        eta = f", resumes ~{frame.dated(st.resume_eta)}" if st.resume_eta else ""
        lines.append(Text(f"  suspended{since}: {quoted(st.reason)}{eta}", "yellow"))
    plan_step = state.plan.step_by_id.get(step_id)
    verify = getattr(plan_step, "verify", None)
    if verify:
        lines.append(Text(f"  verify: {_one_line(verify)}", "italic"))
    elif plan_step is not None and plan_step.instructions:
        lines.append(Text(f"  {_one_line(plan_step.instructions)}", "dim"))
    return Text("\n").join(lines)


def _one_line(text: str) -> str:
    """Plan text written over several TOML lines, as one paragraph that wraps to the pane."""
    return " ".join(text.split())


def _ready_verb(kind: str, failed: bool) -> str:
    """What a ready row offers. A failed step is ready again only to be retried: "ready"
    beside the checks pane's "✗ failed" told two stories (review of the ROLL BACK screen,
    2026-12-02: a failed checkpoint under its rollback call read "ready · 10m")."""
    if failed:
        return "failed: retry or skip"
    return "decide" if kind == "gate" else "ready"


def actionable(frame: Frame) -> list[tuple[str, Text]]:
    """(step id, label) for the list: running first, then ready, then my later steps.

    Every label is inert: titles, names, reasons and instructions are plan's and people's."""
    state, sched = frame.state, frame.sched
    rows: list[tuple[str, Text]] = []
    seen: set[str] = set()
    for sid in sched.running:
        rows.append((sid, running_lines(frame, sid, 80)))
        seen.add(sid)
    for sid in sched.ready:
        if sid in seen:
            continue
        step = state.steps[sid]
        failed = state.status[sid].status == "failed"
        rows.append(
            (
                sid,
                Text.assemble(
                    ("✗" if failed else "○", "bold red" if failed else "bold"),
                    (f" {KIND_MARK.get(step.kind, '•')} {sid}", "bold"),
                    f"  {quoted(step.title)}  ",
                    (frame.person(step.owner), "cyan"),
                    (f"  {_ready_verb(step.kind, failed)} · {dur(step.duration)}", "dim"),
                ),
            )
        )
        seen.add(sid)
    if "commander" not in frame.roles:
        mine = [
            sid
            for sid in state.active_ids()
            if state.steps[sid].owner == frame.actor
            and sid not in seen
            and not state.status[sid].closed
        ]
        for sid in mine[:8]:
            times = sched.steps[sid]
            rows.append(
                (
                    sid,
                    Text.assemble(
                        (f"  mine: {sid}", ""),
                        f"  {quoted(state.steps[sid].title)}",
                        (f"  ~{frame.clock(times.start)}", "dim"),
                    ),
                )
            )
    return [(sid, inert_rich(text)) for sid, text in rows]


class NowPane(Vertical):
    DEFAULT_CSS = """
    NowPane { border: round $primary; border-title-style: bold; }
    NowPane > #now-empty { color: $text-muted; padding: 0 1; }
    NowPane:focus-within { border: round $accent; }
    NowPane > OptionList, NowPane > OptionList:focus {
        border: none; height: 1fr; padding: 0; background: transparent;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="now-empty")
        yield OptionList(id="now-list")

    def on_mount(self) -> None:
        self.border_title = "Now"
        self._signature: tuple = ()
        self._dropped = False  # the highlighted step left the list and nothing was chosen since

    @property
    def selected(self) -> str | None:
        option_list = self.query_one(OptionList)
        option = option_list.highlighted_option
        return option.id if option else None

    def show(self, frame: Frame) -> None:
        rows = actionable(frame)
        message = _empty_message(frame, bool(rows))
        # The message is part of what is shown: a run that ends with nothing running keeps
        # the same (empty) rows, and its line must still change.
        signature = (message, tuple((sid, text.plain) for sid, text in rows))
        if signature == self._signature:
            return
        self._signature = signature
        option_list = self.query_one(OptionList)
        keep = self.selected
        option_list.set_options([Option(text, id=sid) for sid, text in rows])
        ids = [sid for sid, _ in rows]
        if keep is not None:  # a step was highlighted: did it leave the list?
            self._dropped = keep not in ids
        if keep in ids:
            option_list.highlighted = ids.index(keep)
        elif ids and not self._dropped:  # nothing chosen yet: the first row
            option_list.highlighted = 0
        else:  # the chosen step left the list: no step key acts until one is chosen again,
            option_list.highlighted = None  # however often the list is redrawn meanwhile
        empty = self.query_one("#now-empty", Static)
        empty.update(inert_rich(Text(message)))
        empty.display = bool(message)


def _empty_message(frame: Frame, has_rows: bool) -> str:
    phase = frame.state.phase
    if phase == "not-started":
        return "The run has not started: the commander starts it with `cutover start`."
    if phase == "ended":
        return f"The run ended: {frame.state.outcome}."
    if not has_rows:
        return "Nothing running and nothing ready: waiting on fixed starts or decisions."
    return ""
