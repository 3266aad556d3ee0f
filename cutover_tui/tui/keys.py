"""The war room's keys as named records: one table read by the bindings, the footer, the help
screen and the command palette, so a key is added (or remapped) in one place.

A `Key` says which keyboard key runs which `action_*`, the word the footer shows (empty: the
key is in the help and the palette, never the footer), the line the help screen reads, and
who may use it (`tui/roles.py` `may_use` reads that phrase).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

PANES = (("timeline", "Timeline"), ("now", "Now"), ("checks", "Checks"), ("comms", "Comms"))


@dataclass(frozen=True)
class Key:
    key: str  # Textual's binding key: `s`, `plus,equals_sign`
    action: str  # the action it runs, with arguments if any: `zoom(1)`
    label: str  # the footer's word; empty keeps it out of the footer
    help: str  # what it does, for the help screen and the palette
    who: str  # who may use it, in the words `roles.may_use` reads

    @property
    def id(self) -> str:
        """The binding's id (`warroom.zoom`), so a keymap can remap it."""
        return f"warroom.{self.action.split('(')[0]}"

    @property
    def keyboard(self) -> str:
        """How the key reads on the keyboard: `plus,equals_sign` is `+`."""
        return key_label(self.key)


KEYS: tuple[Key, ...] = (
    Key("s", "start", "start", "start the highlighted step", "commander, owner"),
    Key(
        "c",
        "complete",
        "complete",
        "complete it (a checkpoint asks for evidence)",
        "commander, owner",
    ),
    Key("f", "fail", "fail", "fail it, with the reason or evidence", "commander, owner"),
    Key(
        "p",
        "pass_check",
        "pass",
        "pass the highlighted checkpoint, with evidence",
        "commander, owner",
    ),
    Key(
        "x",
        "run_check",
        "",
        "run the highlighted checkpoint's check now (the conductor runs it)",
        "commander, owner",
    ),
    Key("g", "decide", "decide", "record your go / conditional go / no-go at a gate", "approvers"),
    Key(
        "u", "suspend", "suspend", "suspend (with reason and ETA) or resume it", "commander, owner"
    ),
    Key("k", "skip", "skip", "skip it, with a reason", "commander"),
    Key("a", "amend", "amend", "change its estimate, with a reason", "commander"),
    Key("A", "add_step", "", "add a step to tonight's plan, with a reason", "commander"),
    Key("m", "readiness", "ready", "mark a readiness item met or waived", "commander, item owner"),
    Key("n", "note", "note", "add a note, decision or deviation", "anyone with a role"),
    Key(
        "i",
        "raise_incident",
        "",
        "raise an incident (severity, title) about the highlighted step",
        "anyone with a role",
    ),
    Key(
        "I",
        "incidents",
        "",
        "incidents: SLA countdowns, escalation chains, the bridge; a ack, u update, "
        "s severity, o re-assign, v resolve, n raise, h hand a role over",
        "everyone",
    ),
    Key("r", "rollback", "rollback…", "invoke rollback (confirms, asks why)", "commander"),
    Key(
        "O",
        "override",
        "",
        "carry on past a fired rollback trigger, with the reason (ends ROLL BACK)",
        "commander",
    ),
    Key("E", "end_run", "end", "end the run: completed, rolled back or aborted", "commander"),
    Key(
        "v",
        "record_after",
        "",
        "after the night: record an item (a measure, access closed, handover, runbook)",
        "commander, aftercare owner",
    ),
    Key(
        "V",
        "aftercare",
        "",
        "after the night: validation, handover, temporary access, runbook; overdue in red",
        "everyone",
    ),
    Key(
        "w",
        "why",
        "why",
        "why this alarm level: tonight's pace, the evidence, the P80 path",
        "everyone",
    ),
    Key(
        "C", "comms", "", "comms: the outbox, drafts awaiting a communicator, contacts", "everyone"
    ),
    Key("H", "health", "", "health: probes with sparklines, checkpoint checks", "everyone"),
    Key("slash", "filter", "filter", "cycle the comms log filter", "everyone"),
    Key("z", "timeline_rows", "", "timeline: phases or steps", "everyone"),
    Key("plus,equals_sign", "zoom(1)", "", "timeline: zoom in", "everyone"),
    Key("minus", "zoom(-1)", "", "timeline: zoom out", "everyone"),
    Key("left_square_bracket", "pan(-0.25)", "", "timeline: earlier / up", "everyone"),
    Key("right_square_bracket", "pan(0.25)", "", "timeline: later / down", "everyone"),
    Key("colon,ctrl+p", "command_palette", ":cmd", "command palette (also ctrl+p)", "everyone"),
    Key("question_mark", "help", "help", "this list", "everyone"),
    Key("q", "quit", "quit", "leave the war room (the run goes on)", "everyone"),
)


def bindings() -> list[Binding]:
    """The app's BINDINGS: every key, then 1-4 for the panes (shown in no footer)."""
    return [Binding(k.key, k.action, k.label, show=bool(k.label), id=k.id) for k in KEYS] + [
        Binding(str(i + 1), f"pane('{pane}')", "", show=False, id=f"warroom.pane.{pane}")
        for i, (pane, _) in enumerate(PANES)
    ]


def who_may(action: str) -> str:
    """Who may run `action` (`everyone` for an action with no key)."""
    return next((k.who for k in KEYS if k.action == action), "everyone")


def help_rows() -> list[tuple[str, str, str]]:
    """The help screen's rows: key, what it does, who may."""
    rows = [(k.keyboard, k.help, k.who) for k in KEYS]
    rows.append(("1-4", "show a pane (at 80x24 the panes are tabs)", "everyone"))
    return rows


_KEY_NAMES = {
    "plus": "+",
    "minus": "-",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "slash": "/",
    "colon": ":",
    "question_mark": "?",
}


def key_label(binding: str) -> str:
    """How a binding reads on the keyboard: `plus,equals_sign` is `+`."""
    first = binding.split(",")[0]
    return _KEY_NAMES.get(first, first)
