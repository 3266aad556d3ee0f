"""Checkpoints & gates: every checkpoint's result, every gate's decisions, readiness by
stream, and each rollback trigger with how close it is to firing."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...engine.triggers import FiredTrigger, override_of
from ...inert import inert_line, inert_rich
from ...plan.model import STREAMS
from ...plan.risks import Risk, risks_by_trigger
from ..frame import Frame, bar, dur
from .check_mark import check_mark, shown_evidence

DECISION_STYLE = {"go": "green", "conditional-go": "yellow", "no-go": "red"}


def checkpoint_lines(frame: Frame) -> list[Text]:
    state, sched = frame.state, frame.sched
    lines = []
    for sid in state.active_ids():
        step = state.steps[sid]
        if step.kind != "checkpoint":
            continue
        st = state.status[sid]
        if st.status == "done":
            mark, style, when = "✓", "green", f"{frame.clock(st.finished_at)} {st.finished_by}"
        elif st.status == "failed":
            mark, style, when = "✗", "bold red", f"{frame.clock(st.finished_at)} {st.finished_by}"
        elif st.status == "skipped":
            mark, style, when = "–", "dim", f"skipped {frame.clock(st.finished_at)}"
        elif _left_behind(frame, sid):  # the night went no further: no time it is due by
            mark, style, when = "–", "dim", "not reached"
        else:
            mark, style, when = "◷", "", f"due {frame.clock(sched.steps[sid].finish)}"
        line = Text.assemble((f"{mark} ", style), (step.title, style))
        line.append_text(check_mark(state, sid) or Text())  # ⚙: it checks itself
        line.append_text(Text.assemble("  ", (when, "dim")))
        if st.evidence:
            line.append(f'  "{shown_evidence(state, sid)}"', "italic")
        if st.status == "failed" and step.on_fail != "continue":
            if step.on_fail == "rollback" and _rollback_overridden(frame, sid):
                line.append("  → ROLLBACK, overridden", "dim")
            else:
                line.append(f"  → {step.on_fail.upper()}", "bold red")
        lines.append(line)
    return lines


def _left_behind(frame: Frame, sid: str) -> bool:
    """A forward step the run will not reach: it ended, or it is rolling back (user pass,
    2026-12-02: an aborted run still said "Smoke test due 20:57" and its gate "OPEN")."""
    state = frame.state
    if state.phase == "ended":
        return True
    return state.phase == "rollback" and not state.steps[sid].rollback


def _rollback_overridden(frame: Frame, sid: str) -> bool:
    """The rollback this failed checkpoint calls for (by its own on_fail, or a `failed`
    trigger on it) has been overridden by the commander."""
    calls = [
        f
        for f in frame.sched.fired
        if f.step == sid
        and f.action == "rollback"
        and f.condition in ("failed", "checkpoint-failed")
    ]
    return bool(calls) and all(override_of(frame.state, f) is not None for f in calls)


def gate_lines(frame: Frame) -> list[Text]:
    state = frame.state
    lines = []
    for sid, gate in state.gates.items():
        step = state.steps[sid]
        outcome = gate.outcome
        behind = _left_behind(frame, sid)
        undecided = "not decided" if behind else "open"
        head = Text.assemble(
            ("⛩ ", "bold"),
            step.title,
            ": ",
            (
                (outcome or undecided).upper().replace("-", " "),
                DECISION_STYLE.get(outcome or "", "dim"),
            ),
        )
        for approver in step.approvers or list(gate.decisions):
            decided = gate.decisions.get(approver)
            if decided:
                head.append(f"  {approver} ", "")
                head.append(decided.decision, DECISION_STYLE[decided.decision])
                head.append(f" {frame.clock(decided.at)}", "dim")
            else:
                head.append(f"  {approver} ◌", "dim")
        lines.append(head)
        risks = [r for d in gate.decisions.values() for r in d.risks]
        if risks:
            lines.append(Text(f"    accepted risks: {'; '.join(risks)}", "yellow"))
        open_criteria = state.criteria_open(sid) if outcome is None and not behind else []
        if open_criteria:
            lines.append(Text(f"    open criteria: {', '.join(open_criteria)}", "dim"))
    return lines


def readiness_line(frame: Frame) -> Text:
    plan = frame.state.plan
    parts = []
    for stream in STREAMS:
        items = [r for r in plan.readiness if r.stream == stream]
        if not items:
            continue
        met = sum(1 for r in items if r.id in frame.state.readiness)
        style = "green" if met == len(items) else "yellow"
        parts.append(Text.assemble(f"{stream} ", (f"{met}/{len(items)}", style)))
    if not parts:
        return Text("readiness: no items in the plan", "dim")
    return Text.assemble("readiness  ", Text(" · ").join(parts))


def _risks(register: dict[str, list[Risk]], trigger: str | None) -> str:
    """The live risks a trigger guards against, from the plan's register: ' · risk R1 (high)'."""
    return "".join(f" · risk {r.id} ({r.impact} impact)" for r in register.get(trigger or "", []))


def trigger_lines(frame: Frame) -> list[Text]:
    sched = frame.sched
    register = risks_by_trigger(frame.state.plan)  # once a frame, not once a trigger
    lines = []
    for fired in sched.fired:
        if (overridden := _overridden_line(frame, fired, register)) is not None:
            lines.append(overridden)
            continue
        lines.append(
            Text.assemble(
                ("● FIRED ", "bold red"),
                (fired.trigger or fired.step, "bold"),
                f" {frame.clock(fired.fired_at)} ",
                ("→ ROLLBACK" if fired.action == "rollback" else "→ alert", "bold red"),
                f": {fired.reason}",  # said on the plan's clock when stored (engine/triggers.py)
                (_risks(register, fired.trigger), "magenta"),
            )
        )
    for armed in sched.armed:
        left = f" ({dur(armed.time_left)} left)" if armed.time_left is not None else ""
        hot = armed.closeness >= 0.75 or armed.projected_to_fire
        style = "yellow" if hot else "dim"
        line = Text.assemble(("◌ armed ", style), armed.trigger)
        if armed.time_left is not None:  # a timed trigger: how much of its fuse has burnt
            line.append(" ")
            line.append(bar(armed.closeness, 6).replace(" ", "·"), "yellow" if hot else "green")
        line.append(f"  {armed.describe}{left}", style)
        if armed.projected_to_fire and armed.fires_at is not None:
            line.append(f"  projected to fire {frame.clock(armed.fires_at)}", "bold yellow")
        line.append(_risks(register, armed.trigger), "magenta")
        lines.append(line)
    return lines


def _overridden_line(
    frame: Frame, fired: FiredTrigger, register: dict[str, list[Risk]]
) -> Text | None:
    """A fired rollback trigger the commander overrode, said calmly with who, when and why:
    'FIRED t 17:02, overridden by Alice Ng (alice) at 17:06: reason' (None if not overridden)."""
    o = override_of(frame.state, fired)
    if o is None:
        return None
    return Text.assemble(
        ("● FIRED ", "dim"),  # answered: calm, not the red of a call still standing
        (fired.trigger or fired.step, "bold"),
        f" {frame.clock(fired.fired_at)}",
        f", overridden by {inert_line(frame.state.name(o.actor))} at {frame.clock(o.at)}",
        f": {inert_line(o.reason)}",  # one line: a line feed in it forged a line of its own
        (_risks(register, fired.trigger), "magenta"),
    )


class ChecksPane(VerticalScroll):
    DEFAULT_CSS = """
    ChecksPane { border: round $primary; border-title-style: bold; padding: 0 1; }
    """

    def compose(self):
        yield Static(id="checks-body")

    def on_mount(self) -> None:
        self.border_title = "Checkpoints & gates"
        self._last = ""
        self._shape = 0

    def show(self, frame: Frame) -> None:
        sections = [
            *checkpoint_lines(frame),
            *gate_lines(frame),
            readiness_line(frame),
            *trigger_lines(frame),
        ]
        text = inert_rich(Text("\n").join(sections))  # titles, evidence, risks, names
        if text.markup != self._last:
            self._last = text.markup
            body = self.query_one("#checks-body", Static)
            # A minute ticking off in "2h48m left" keeps every line's height: repaint the
            # text alone. A layout pass would repaint the whole screen (some 10 KB over SSH).
            shape = _rows(text, body.size.width)
            body.update(text, layout=shape != self._shape)
            self._shape = shape


def _rows(text: Text, width: int) -> int:
    """How many terminal rows `text` takes when wrapped at `width` (0: not laid out yet)."""
    if width <= 0:
        return 0
    return len(text.wrap(Console(width=width), width))
