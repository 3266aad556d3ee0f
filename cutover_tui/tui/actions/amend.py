"""Tonight's plan changed live: a step's estimate, a step added. An amendment changes the
run's plan, never the file, and is logged with its reason like every other event."""

from __future__ import annotations

from ...engine.actions import Words, ids
from ...plan.ids import id_problem
from ..screens.form import Field, FormSpec
from ..widgets.now import NowPane
from .core import ActionCore
from .fields import duration_problem, one_of, short

LIVE_NOTE = "A live amendment changes tonight's plan, never the file, and is logged."


class AmendActions(ActionCore):
    def action_amend(self, step: str | None = None) -> None:
        """Change a step's estimate (its budget), with the reason."""
        step = step or self.selected_step()
        if not step:
            return
        current = self.state.steps[step].duration
        spec = FormSpec(
            f"Change the estimate of {self.step_title(step)}",
            (
                Field(
                    "duration",
                    "New budget",
                    required=True,
                    value=short(current),
                    validate=duration_problem,
                ),
                Field("reason", "Why", required=True),
            ),
            submit="Amend plan",
            note=LIVE_NOTE,
        )
        self.ask(
            spec,
            lambda v: self.submit(
                self.event("estimate", step, Words(duration=v["duration"], reason=v["reason"]))
            ),
            self.event("estimate", step, Words(duration="1m", reason="-")),
        )

    def action_add_step(self) -> None:
        """Add a step to tonight's plan: after the highlighted step by default."""
        highlighted = self.query_one(NowPane).selected
        owners = tuple(self.state.plan.people)
        spec = FormSpec(
            "Add a step to tonight's plan",
            (
                Field("step", "Id", required=True, validate=self._new_id_problem),
                Field("title", "Title", required=True),
                Field(
                    "owner",
                    "Owner",
                    required=True,
                    value=self.source.actor,
                    validate=one_of(owners),
                ),
                Field("duration", "Budget", required=True, value="15m", validate=duration_problem),
                Field("after", "After (ids, comma-separated)", value=highlighted or ""),
                Field("before", "Before (ids that must now wait for it)"),
                Field("reason", "Why", required=True),
            ),
            submit="Add step",
            note=LIVE_NOTE,
        )
        self.ask(
            spec,
            lambda v: self.submit(
                self.event(
                    "add-step",
                    v["step"],
                    Words(
                        title=v["title"],
                        owner=v["owner"],
                        duration=v["duration"],
                        after=tuple(ids(v["after"])),
                        before=tuple(ids(v["before"])),
                        phase=self.state.steps[highlighted].phase if highlighted else None,
                        reason=v["reason"],
                    ),
                )
            ),
            self.event(
                "add-step",
                "new",
                Words(title="-", owner=self.source.actor, duration="1m", reason="-"),
            ),
        )

    def _new_id_problem(self, value: str) -> str | None:
        problem = id_problem(value)  # the plan's grammar, as the rules will check it
        if problem:
            return problem
        if value in self.state.steps:
            return f"there is already a step {value!r}"
        return None
