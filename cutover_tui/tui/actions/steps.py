"""One step's progress: start, complete, pass or fail a checkpoint, fail, suspend or resume,
skip. Each takes the step the palette named, or else the one highlighted in the Now pane; a
command that needs words (evidence, a reason, an ETA) asks for them in a form first."""

from __future__ import annotations

from ...engine.actions import Words, event_for
from ...engine.events import CheckpointFailed, CheckpointPassed
from ...engine.when import eta_after
from ..screens.form import Field, FormSpec
from .core import ActionCore
from .fields import verify_text

# What failing a checkpoint sets off, by its `on_fail`, said on the form before it is sent.
FAIL_CONSEQUENCE = {
    "rollback": "Failing it is a ROLLBACK trigger.",
    "hold": "Failing it holds the run.",
}


class StepActions(ActionCore):
    def action_start(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if step:
            self.submit(self.event("start", step))

    def action_complete(self, step: str | None = None) -> None:
        """Complete a task; a checkpoint asks for evidence and a gate for a decision."""
        step = step or self.selected_step()
        if not step:
            return
        kind = self.state.steps[step].kind
        if kind == "checkpoint":
            self.action_pass_check(step)
        elif kind == "gate":
            self.action_decide(step)  # type: ignore[attr-defined]  # DecisionActions
        else:
            self.submit(self.event("complete", step))

    def action_pass_check(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if not step:
            return
        if self.state.steps[step].kind != "checkpoint":
            self.notify(f"{step} is not a checkpoint", severity="warning")
            return
        spec = FormSpec(
            f"Pass checkpoint {self.step_title(step)}",
            (
                Field(
                    "evidence",
                    "Evidence (what you saw)",
                    placeholder="e.g. 48,112,007 rows both sides",
                ),
            ),
            submit="Pass",
            note=verify_text(self.state, step),
        )
        self.ask(
            spec,
            lambda v: self.submit(
                CheckpointPassed(step=step, evidence=v["evidence"], **self.base())
            ),
            CheckpointPassed(step=step, **self.base()),
        )

    def action_fail(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if not step:
            return
        if self.state.steps[step].kind == "checkpoint":
            self._fail_checkpoint(step)
        else:
            self._fail_step(step)

    def _fail_checkpoint(self, step: str) -> None:
        spec = FormSpec(
            f"Fail checkpoint {self.step_title(step)}",
            (Field("evidence", "Evidence (what you saw)", required=True),),
            submit="Fail checkpoint",
            danger=True,
            note=FAIL_CONSEQUENCE.get(self.state.steps[step].on_fail, "The run continues."),
        )
        self.ask(
            spec,
            lambda v: self.submit(self.event("fail-check", step, Words(evidence=v["evidence"]))),
            CheckpointFailed(step=step, **self.base()),  # evidence is the form's to ask
        )

    def _fail_step(self, step: str) -> None:
        spec = FormSpec(
            f"Fail {self.step_title(step)}",
            (Field("reason", "What went wrong", required=True),),
            submit="Fail step",
            danger=True,
        )
        self.ask(
            spec,
            lambda v: self.submit(self.event("fail", step, Words(reason=v["reason"]))),
            self.event("fail", step, Words(reason="-")),
        )

    def action_suspend(self, step: str | None = None) -> None:
        """Suspend a step (why, and when it resumes), or resume a suspended one."""
        step = step or self.selected_step()
        if not step:
            return
        if self.state.status[step].status == "suspended":
            self.submit(self.event("resume", step))
            return
        spec = FormSpec(
            f"Suspend {self.step_title(step)}",
            (
                Field("reason", "Why", required=True),
                Field("eta", "Resume ETA (HH:MM or 2026-12-03T16:00, plan time; optional)"),
            ),
            submit="Suspend",
        )

        def record(v: dict[str, str]) -> None:
            # One clock read dates the suspension and reads its ETA, as `cutover do suspend
            # --eta` does (engine/when.eta_after, its date form too): a form checked on one
            # reading and recorded on a later one met the six-hour rule in between when the
            # submit crossed the minute, a ValueError out of the form.
            now = self.clock.now()
            try:
                eta = eta_after(v["eta"], self.state.plan, now) if v["eta"] else None
            except ValueError as exc:  # not a time, or one that passed a moment ago
                self.refuse(str(exc))
                return
            words = Words(reason=v["reason"], eta=eta)
            self.submit(event_for("suspend", step, words, **{**self.base(), "at": now}))

        self.ask(spec, record, self.event("suspend", step, Words(reason="-")))

    def action_skip(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if not step:
            return
        spec = FormSpec(
            f"Skip {self.step_title(step)}",
            (Field("reason", "Why it is skipped (goes into the review)", required=True),),
            submit="Skip step",
            danger=True,
        )
        self.ask(
            spec,
            lambda v: self.submit(self.event("skip", step, Words(reason=v["reason"]))),
            self.event("skip", step, Words(reason="-")),
        )
