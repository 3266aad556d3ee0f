"""After the night, in the war room: `V` shows the checklist, access, handover and runbook
(screens/aftercare.py); `v` records one item in a form: a measure's value, a pass/fail item's
answer, an access closed, the handover accepted, the runbook updated. The events are the same
as `cutover do RUN validated|validation-failed|close-access|accept-handover|runbook-updated`
(engine/aftercare_actions.py) and the journal checks who may, also after the run ended.
"""

from __future__ import annotations

from ...engine.actions import Words
from ...engine.aftercare_checks import item_check
from ...engine.aftercare_status import AfterRow, rows
from ...engine.state import RunState
from ..roles import read_only_refusal
from ..screens.form import Field, FormSpec
from .core import ActionCore
from .item_check import RUN_CHECK, run_item_check_now


def _number_problem(text: str) -> str | None:
    try:
        value = float(text)
    except ValueError:
        return f"{text!r} is not a number"
    return None if value == value and abs(value) != float("inf") else f"{text!r} is not a number"


class AftercareActions(ActionCore):
    def action_aftercare(self) -> None:
        if self.frame is not None:

            def then(choice: str | None) -> None:
                if choice == "record":
                    self.action_record_after()
                elif choice == "remark":
                    self.review_remark()

            from ..screens.aftercare import AftercareScreen  # not on the first frame (issue 14)

            self.push_screen(AftercareScreen(self.frame), then)

    def action_record_after(self) -> None:
        """The form for the open items, the person's own first."""
        open_rows = [r for r in rows(self.state, self.clock.now()) if not r.done]
        if self.state.plan.aftercare is None:
            self.notify("this plan has no [aftercare] part", severity="warning")
            return
        if not open_rows:
            self.notify("everything after the night is recorded")
            return
        mine = [r for r in open_rows if r.owner == self.source.actor] or open_rows
        ordered = [*mine, *(r for r in open_rows if r not in mine)]
        spec = FormSpec(
            "Record after the night",
            (
                Field("item", "Item", choices=tuple(_choice(r) for r in ordered)),
                Field("value", "Value measured (a measure only)", validate=_number_problem),
                Field(
                    "result",
                    "Result (a pass/fail item only)",
                    choices=_results(self.state, ordered),
                ),
                Field("note", "Note (what was seen, where the runbook lives)"),
            ),
            submit="Record",
            note="Deadlines count from go-live, the end of the run.",
        )
        by_choice = {_choice(r): r for r in ordered}
        # Read-only: refused before it opens, as every form is (its check would record too).
        refused = read_only_refusal(self.state, self.source.actor) if self.read_only else None
        self.ask(spec, lambda v: self._record(by_choice[v["item"]], v), refused)

    def _record(self, row: AfterRow, values: dict[str, str]) -> None:
        note = values["note"]
        if row.kind == "check" and values["result"] == RUN_CHECK and not values["value"]:
            run_item_check_now(self, row.id)  # tui/actions/item_check.py
            return
        if row.kind == "check":
            if values["value"]:
                words = Words(note=note, value=float(values["value"]))
                self.submit(self.event("validated", row.id, words))
                return
            action = "validated" if values["result"] == "passed" else "validation-failed"
            self.submit(self.event(action, row.id, Words(note=note)))
            return
        action = {"access": "close-access", "handover": "accept-handover"}.get(
            row.kind, "runbook-updated"
        )
        target = row.id if row.kind == "access" else None
        if action == "runbook-updated" and not note:
            self.refuse("say what changed in the runbook and where it lives")
            return
        self.submit(self.event(action, target, Words(note=note)))

    def review_remark(self) -> None:
        """A remark for the review (what went well, what to change, a process gap): anyone
        with a role may add one, during the night or after it ended."""
        spec = FormSpec(
            "A remark for the review",
            (
                Field("remark", "Heading", choices=("went-well", "to-change", "process-gap")),
                Field("text", "Remark (about steps and decisions, not people)", required=True),
            ),
            submit="Add",
        )
        self.ask(
            spec,
            lambda v: self.submit(
                self.event("note", None, Words(kind="review", note=v["text"], remark=v["remark"]))
            ),
        )


def _results(state: RunState, ordered: list[AfterRow]) -> tuple[str, ...]:
    """Passed or failed; "run its check" too when an open item carries a check."""
    checked = any(r.kind == "check" and item_check(state, r.id) for r in ordered)
    return ("passed", "failed", RUN_CHECK) if checked else ("passed", "failed")


def _choice(row: AfterRow) -> str:
    return f"{row.id}: {row.title}"
