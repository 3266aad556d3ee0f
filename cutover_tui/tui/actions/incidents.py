"""Incidents from the war room: `i` raises one about the highlighted step, `I` opens the
incidents screen, whose keys acknowledge, update, change the severity of, re-assign and resolve
the highlighted incident, and hand a bridge role over. Each builds its event with the same
mapping as `cutover do` (engine/incident_actions.py); the journal decides who may."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import SystemCommand

from ...engine.actions import Words
from ...engine.incidents import BRIDGE_ROLES, holders, label
from ...plan.severity import severities
from ..roles import early_refusal
from ..screens.form import Field, FormSpec
from ..widgets.now import NowPane
from .core import ActionCore

PLACEHOLDER = Words(severity="sev1", title="-", note="-", reason="-", owner="-", giver="-")


class IncidentActions(ActionCore):
    def action_raise_incident(self) -> None:
        step = self.query_one(NowPane).selected
        levels = tuple(s.id for s in severities(self.state.plan))
        spec = FormSpec(
            "Raise an incident",
            (
                Field("severity", "Severity (the first is the worst)", choices=levels),
                Field("title", "What is wrong", required=True),
                Field("owner", "Assign to (a people key; empty: its chain decides)"),
            ),
            submit="Raise",
            danger=True,
            note=f"about {step}" if step else "about the night (highlight a step to name it)",
        )

        def raised(v: dict[str, str]) -> None:
            words = Words(severity=v["severity"], title=v["title"], owner=v["owner"] or None)
            self.submit(self.event("raise", step, words))

        self.ask(spec, raised, self.event("raise", step, PLACEHOLDER))

    def action_incidents(self) -> None:
        if self.frame is not None:
            from ..screens.incidents import IncidentsScreen  # not on the first frame (issue 14)

            self.push_screen(IncidentsScreen(self.frame))

    def incident_command(self, action: str, number: int | None) -> None:
        """One key of the incidents screen on incident `number`."""
        if action == "raise":
            self.action_raise_incident()
            return
        if action == "handover":
            self._handover()
            return
        if number is None:
            self.notify("no incident to act on: press n to raise one", severity="warning")
            return
        target = str(number)
        probe = self.event(action, target, PLACEHOLDER)
        if action == "ack":
            self.ask_none(probe)
            return
        spec, words = _INCIDENT_FORMS[action](self, number)
        self.ask(spec, lambda v: self.submit(self.event(action, target, words(v))), probe)

    def ask_none(self, probe) -> None:
        """A command with no words (acknowledge): refused at once, or recorded."""
        refusal = self.source.moved or early_refusal(self.state, probe, self.read_only)
        if refusal:
            self.notify(refusal, title="Refused", severity="error", timeout=10)
            return
        self.submit(probe)

    def _handover(self) -> None:
        people = tuple(self.state.plan.people)
        mine = [r for r in BRIDGE_ROLES if r in self.state.roles_of(self.source.actor)]
        spec = FormSpec(
            "Hand a role on the bridge over",
            (
                Field("role", "Role", choices=BRIDGE_ROLES, value=mine[0] if mine else ""),
                Field("giver", "From (a people key)", required=True, value=_only(self, mine)),
                Field("taker", "To (a people key)", required=True, validate=_person(people)),
                Field("reason", "Why (kept in the log)", required=True),
            ),
            submit="Hand over",
        )

        def handed(v: dict[str, str]) -> None:
            words = Words(owner=v["taker"], giver=v["giver"], reason=v["reason"])
            self.submit(self.event("handover", v["role"], words))

        self.ask(spec, handed, self.event("handover", "commander", PLACEHOLDER))


def _only(app: IncidentActions, roles: list[str]) -> str:
    found = holders(app.state, roles[0]) if roles else []
    return found[0] if len(found) == 1 else app.source.actor


def _person(people: tuple[str, ...]):
    def check(value: str) -> str | None:
        return None if value in people else f"{value!r} is not in the plan's people"

    return check


def _update(app: IncidentActions, number: int):
    spec = FormSpec(
        f"Update {label(number)}",
        (Field("note", "What is happening now", required=True),),
        submit="Update",
    )
    return spec, lambda v: Words(note=v["note"])


def _resolve(app: IncidentActions, number: int):
    spec = FormSpec(
        f"Resolve {label(number)}",
        (Field("note", "How it was resolved (kept for the review)", required=True),),
        submit="Resolve",
    )
    return spec, lambda v: Words(note=v["note"])


def _severity(app: IncidentActions, number: int):
    levels = tuple(s.id for s in severities(app.state.plan))
    spec = FormSpec(
        f"Change the severity of {label(number)}",
        (
            Field("severity", "Severity", choices=levels),
            Field("reason", "Why", required=True),
        ),
        submit="Change",
    )
    return spec, lambda v: Words(severity=v["severity"], reason=v["reason"])


def _assign(app: IncidentActions, number: int):
    people = tuple(app.state.plan.people)
    spec = FormSpec(
        f"Re-assign {label(number)}",
        (
            Field("owner", "To (a people key)", required=True, validate=_person(people)),
            Field("reason", "Why"),
        ),
        submit="Re-assign",
        note="the new owner acknowledges it again; its SLA counts from now",
    )
    return spec, lambda v: Words(owner=v["owner"], reason=v["reason"])


_INCIDENT_FORMS = {
    "update": _update,
    "resolve": _resolve,
    "severity": _severity,
    "assign": _assign,
}


def incident_commands(app: IncidentActions) -> Iterable[SystemCommand]:
    """The palette's incident commands: raise one, the screen, and each open incident's
    acknowledge and resolve (i and I keep out of the footer: this is where they are found)."""
    if app.offers("raise_incident"):
        yield SystemCommand("Raise an incident (i)", "severity, title", app.action_raise_incident)
    yield SystemCommand("Incidents (I)", "SLA countdowns, chains, the bridge", app.action_incidents)
    if app.read_only:
        return
    for incident in app.state.incidents.open():
        n, title = incident.number, incident.raised.title
        if incident.acked is None:
            yield SystemCommand(
                f"Acknowledge {incident.label}", title, lambda n=n: app.incident_command("ack", n)
            )
        yield SystemCommand(
            f"Resolve {incident.label}", title, lambda n=n: app.incident_command("resolve", n)
        )
