"""The night as a whole: invoking rollback (the plan's steps close and the rollback runbook
starts against the RTO) and ending the run with its outcome. Both are the commander's, both
confirm in a form marked as dangerous, and neither can be undone."""

from __future__ import annotations

from ...engine.actions import Words
from ..roles import end_outcome
from ..screens.form import Field, FormSpec
from .core import ActionCore


class NightActions(ActionCore):
    def action_rollback(self) -> None:
        """Roll back; the reason is pre-filled from a fired rollback trigger, if one fired."""
        fired = [
            f for f in (self.frame.sched.fired if self.frame else []) if f.action == "rollback"
        ]
        reason = fired[0].reason if fired else ""
        spec = FormSpec(
            "INVOKE ROLLBACK",
            (
                Field(
                    "reason",
                    "Why (recorded in the log, kept for the review)",
                    required=True,
                    value=reason,
                ),
            ),
            submit="Roll back",
            danger=True,
            note="Plan steps close; the rollback runbook starts against the RTO. This cannot be undone.",
        )
        trigger = fired[0].trigger if fired else None
        self.ask(
            spec,
            lambda v: self.submit(
                self.event("rollback", None, Words(reason=v["reason"], trigger=trigger))
            ),
            self.event("rollback", None, Words(reason="-")),
        )

    def action_end_run(self) -> None:
        spec = FormSpec(
            "End the run",
            (
                Field(
                    "outcome",
                    "Outcome",
                    choices=("completed", "rolled-back", "aborted"),
                    value=end_outcome(self.state),
                ),
                Field("reason", "Closing note"),
            ),
            submit="End run",
            danger=True,
        )
        self.ask(
            spec,
            lambda v: self.submit(
                self.event("end", None, Words(outcome=v["outcome"], reason=v["reason"]))
            ),
            self.event("end", None, Words(outcome="aborted")),
        )
