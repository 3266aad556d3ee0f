"""What people decide during the night: a gate's go / conditional go / no-go, a readiness
item met or waived, a note (info, decision, deviation) for the log, and carrying on past a
fired rollback trigger. Each asks for its words in a form."""

from __future__ import annotations

from ...engine.actions import Words
from ...engine.events import GateDecided, NoteAdded
from ..roles import early_refusal, gate_approver, gate_refusal
from ..screens.form import Field, FormSpec
from ..widgets.now import NowPane
from .core import ActionCore
from .fields import own_first


class DecisionActions(ActionCore):
    def action_decide(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if not step:
            return
        if self.state.steps[step].kind != "gate":
            self.notify(f"{step} is not a gate", severity="warning")
            return
        self.ask(
            self._gate_form(step),
            lambda v: self._record_decision(step, v),
            early_refusal(
                self.state,
                GateDecided(step=step, approver=self.source.actor, decision="go", **self.base()),
                self.read_only,
            )
            or gate_refusal(self.state, step, self.source.actor),
        )

    def _gate_form(self, step: str) -> FormSpec:
        fields = [
            Field("decision", "Decision", choices=("go", "conditional-go", "no-go")),
            Field("reason", "Reason (required for a no-go)"),
            Field("risks", "Accepted risks, separated by ';' (for a conditional go)"),
        ]
        if self.state.is_commander(self.source.actor):
            # Pre-filled with an approver, never with someone who is not one.
            approver = gate_approver(self.state, step, self.source.actor)
            fields.append(Field("approver", "Recorded for approver", value=approver))
        open_criteria = self.state.criteria_open(step)
        note = f"open criteria: {', '.join(open_criteria)}" if open_criteria else "all criteria met"
        return FormSpec(f"Gate {self.step_title(step)}", tuple(fields), "Record", note=note)

    def _record_decision(self, step: str, v: dict[str, str]) -> None:
        risks = [r.strip() for r in v["risks"].split(";") if r.strip()]
        self.submit(
            GateDecided(
                step=step,
                approver=v.get("approver") or self.source.actor,
                decision=v["decision"],  # type: ignore[arg-type]
                reason=v["reason"],
                risks=risks,
                **self.base(),
            )
        )

    def action_readiness(self) -> None:
        open_items = [r.id for r in self.state.plan.readiness if r.id not in self.state.readiness]
        if not open_items:
            self.notify("every readiness item is already marked")
            return
        spec = FormSpec(
            "Mark a readiness item",
            (
                Field("item", "Item", choices=tuple(open_items)),
                Field("status", "Status", choices=("met", "waived")),
                Field("note", "Note"),
            ),
            submit="Mark",
        )
        self.ask(
            spec,
            lambda v: self.submit(self.event(v["status"], v["item"], Words(note=v["note"]))),
            self.event("met", own_first(self.state, open_items, self.source.actor)),
        )

    def action_note(self) -> None:
        """A note about the highlighted step, if any, else about the night."""
        step = self.query_one(NowPane).selected
        spec = FormSpec(
            "Add to the log",
            (
                Field("kind", "Kind", choices=("info", "decision", "deviation")),
                Field("text", "Text", required=True),
            ),
            submit="Log it",
            note=f"about {step}" if step else "",
        )
        self.ask(
            spec,
            lambda v: self.submit(self.event("note", step, Words(kind=v["kind"], note=v["text"]))),
            NoteAdded(text="-", step=step, **self.base()),
        )

    def action_override(self) -> None:
        """Carry on past the trigger calling for rollback: the war room stops saying ROLL BACK."""
        calling = self.frame.verdict.calling if self.frame else None
        if calling is None:
            self.notify("no rollback trigger is calling for rollback", severity="warning")
            return
        trigger = calling.trigger or calling.step
        spec = FormSpec(
            f"Carry on past {trigger}",
            (
                Field(
                    "reason",
                    "Why the run carries on (recorded, kept for the review)",
                    required=True,
                ),
            ),
            submit="Override",
            danger=True,
            note=f"{calling.reason}. The war room stops saying ROLL BACK for this trigger.",
        )
        self.ask(
            spec,
            lambda v: self.submit(self.event("override", trigger, Words(reason=v["reason"]))),
            self.event("override", trigger, Words(reason="-")),
        )
