"""Semantic checks on a structurally valid plan: references, cycles, time fit, templates.

Each check yields Finding(loc, message, hint, severity); the loader adds file and line.
The checks on messages live in plan/checks_templates.py, those on the dependency graph and
the time fit in plan/checks_graph.py, Finding and Known in plan/findings.py; this module
runs them all (`check_plan`) and re-exports their names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from .aftercare import aftercare_findings
from .checks_graph import (
    _cycles,
    _time_fit,
    rollback_length,  # noqa: F401 (re-exported: plan/summary.py)
)
from .checks_templates import (  # re-exported: callers import these from here
    BUILTIN_TEMPLATES,
    TEMPLATE_ATTRS,  # noqa: F401
    TEMPLATE_FIELDS,  # noqa: F401
    _audience_addresses,
    _template_placeholders,
    template_problems,  # noqa: F401
)
from .durations import format_duration
from .errors import Loc, nearest
from .findings import Finding, Known, _step_lists  # re-exported: callers import these from here
from .limits import longest_step
from .model import Comms, Gate, Plan
from .probes import probe_findings
from .raci import raci_findings, role_audience, to_finding
from .risks import risk_findings
from .severity import severity_findings

CONDUCTOR_KEY = "conductor"  # engine.events.CONDUCTOR (the plan layer sits below the engine)


def check_plan(plan: Plan, extra: Known | None = None) -> list[Finding]:
    known = Known.of(plan, extra)
    checks: list[Callable[[Plan, Known], Iterable[Finding]]] = [
        _duplicate_ids,
        _step_references,
        _gate_and_comms_references,
        _other_references,
        _cycles,
        _fixed_starts,
        _trigger_times,
        _template_placeholders,
        _audience_addresses,
        _time_fit,
        _step_lengths,
        _roles,
        _reserved_people,
        _shared_logins,
        raci_findings,
        risk_findings,
        probe_findings,
        aftercare_findings,
        severity_findings,
    ]
    return [finding for check in checks for finding in check(plan, known)]


def _unknown(loc: Loc, what: str, value: str, pool: Iterable[str], extra: str = "") -> Finding:
    return Finding(loc, f"unknown {what} {value!r}{extra}", nearest(value, pool))


def _step_lengths(plan: Plan, known: Known) -> Iterator[Finding]:
    """A budget longer than the limit (docs/plan-format.md, Limits): a typo, or a plan
    that needs a longer window."""
    longest = longest_step(plan.window.length)
    for prefix, steps in _step_lists(plan):
        for index, step in enumerate(steps):
            if step.duration > longest:
                yield Finding(
                    (*prefix, index, "duration"),
                    f"{step.id!r} takes {format_duration(step.duration)}; a step may take at "
                    f"most {format_duration(longest)} (7 days, or the window if longer)",
                )


def _duplicate_ids(plan: Plan, known: Known) -> Iterator[Finding]:
    sections: list[tuple[Loc, list]] = [
        *_step_lists(plan),
        (("readiness",), plan.readiness),
    ]
    # Steps and readiness items share one namespace: gate criteria may name either.
    # Where an id was first seen is spelt only for a duplicate (50,000 strings otherwise).
    first_seen: dict[str, tuple[str, int]] = {}
    for prefix, items in sections:
        section = ".".join(map(str, prefix))
        for index, item in enumerate(items):
            if item.id in first_seen:
                at, first = first_seen[item.id]
                yield Finding(
                    (*prefix, index, "id"),
                    f"duplicate id {item.id!r}, already used by "
                    f"{at}[{known.file_index(at, first)}]",
                )
            else:
                first_seen[item.id] = (section, index)
    for name in ("phase", "trigger", "audience", "template"):
        seen: dict[str, int] = {}
        for index, item in enumerate(getattr(plan, name)):
            if item.id in seen:
                yield Finding(
                    (name, index, "id"),
                    f"duplicate id {item.id!r}, already used by "
                    f"{name}[{known.file_index(name, seen[item.id])}]",
                )
            seen.setdefault(item.id, index)


def _step_references(plan: Plan, known: Known) -> Iterator[Finding]:
    for prefix, steps in _step_lists(plan):
        rollback = prefix[0] == "rollback"
        pool = known.rollback_steps if rollback else known.steps
        other = known.steps if rollback else known.rollback_steps
        for index, step in enumerate(steps):
            loc = (*prefix, index)
            if step.owner not in known.people:
                yield Finding(
                    (*loc, "owner"),
                    f"step {step.id!r} is owned by {step.owner!r}, who is not in [people]",
                    nearest(step.owner, known.people),
                )
            if step.phase is not None and step.phase not in known.phases:
                yield _unknown((*loc, "phase"), "phase", step.phase, known.phases)
            for n, pred in enumerate(step.after):
                if pred == step.id:
                    yield Finding((*loc, "after", n), f"step {step.id!r} waits for itself")
                elif pred not in pool:
                    note = (
                        " (rollback steps and plan steps are separate graphs)"
                        if pred in other
                        else ""
                    )
                    yield _unknown((*loc, "after", n), "step", pred, pool, note)


def _gate_and_comms_references(plan: Plan, known: Known) -> Iterator[Finding]:
    criteria_pool: set[str] | None = None  # made once: per gate it was steps x gates
    for prefix, steps in _step_lists(plan):
        for index, step in enumerate(steps):
            loc = (*prefix, index)
            if isinstance(step, Gate):
                if criteria_pool is None:
                    criteria_pool = known.steps | known.readiness
                for n, criterion in enumerate(step.criteria):
                    if criterion not in criteria_pool:
                        yield _unknown(
                            (*loc, "criteria", n),
                            "criterion",
                            criterion,
                            criteria_pool,
                            " (criteria name steps or readiness items)",
                        )
                for n, approver in enumerate(step.approvers):
                    if approver not in known.people:
                        yield _unknown((*loc, "approvers", n), "approver", approver, known.people)
                if not step.approvers:
                    yield Finding(
                        (*loc, "approvers"),
                        f"gate {step.id!r} has no approvers: nobody can record its decision "
                        "but the commander",
                        severity="warning",
                    )
            if isinstance(step, Comms):
                templates = known.templates | set(BUILTIN_TEMPLATES)
                if step.template not in templates:
                    yield _unknown((*loc, "template"), "template", step.template, templates)
                for n, audience in enumerate(step.to):
                    if role_audience(audience) is not None:  # "informed:STEP" (plan/raci.py)
                        if found := to_finding((*loc, "to", n), audience, known):
                            yield found
                    elif audience not in known.audiences:
                        yield _unknown((*loc, "to", n), "audience", audience, known.audiences)


def _other_references(plan: Plan, known: Known) -> Iterator[Finding]:
    all_steps = known.steps | known.rollback_steps
    for index, trigger in enumerate(plan.trigger):
        if trigger.step not in all_steps:
            yield _unknown(("trigger", index, "step"), "step", trigger.step, all_steps)
    for index, item in enumerate(plan.readiness):
        if item.owner not in known.people:
            yield _unknown(("readiness", index, "owner"), "person", item.owner, known.people)
    if plan.rollback and plan.rollback.owner not in known.people:
        yield _unknown(("rollback", "owner"), "person", plan.rollback.owner, known.people)
    for key, person in plan.people.items():
        boss = person.escalates_to
        if boss is not None and boss not in known.people:
            yield _unknown(("people", key, "escalates_to"), "person", boss, known.people)


def _fixed_starts(plan: Plan, known: Known) -> Iterator[Finding]:
    window = plan.window
    zone = plan.zone
    for index, step in enumerate(plan.step):
        at = step.not_before
        if at is not None and not (window.start <= at < window.end):
            local = at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
            yield Finding(
                ("step", index, "not_before"),
                f"fixed start {local} of {step.id!r} is outside the window "
                f"{window.start.astimezone(zone):%Y-%m-%d %H:%M} to "
                f"{window.end.astimezone(zone):%Y-%m-%d %H:%M}",
            )


def _trigger_times(plan: Plan, known: Known) -> Iterator[Finding]:
    """A not-done-by time outside the window: a plan whose window was moved (last month's
    night again) kept its triggers' old dates, and the alert fired the moment the run
    started (user pass, 2026-12-02). A warning, said by validate and start: as an error, the
    runs already sealed with such a plan would no longer open."""
    window, zone = plan.window, plan.zone
    for index, trigger in enumerate(plan.trigger):
        at = trigger.at
        if at is not None and not (window.start < at <= window.end):
            yield Finding(
                ("trigger", index, "at"),
                f"{trigger.id!r} is due at {at.astimezone(zone):%Y-%m-%d %H:%M %Z}, outside the "
                f"window {window.start.astimezone(zone):%Y-%m-%d %H:%M} to "
                f"{window.end.astimezone(zone):%Y-%m-%d %H:%M}: move it with the window",
                severity="warning",
            )


def _reserved_people(plan: Plan, known: Known) -> Iterator[Finding]:
    """`conductor` is the actor of every derived event and every check's result: a person
    keyed so would record as the conductor (a check's pass, a trigger fired)."""
    if CONDUCTOR_KEY in plan.people:
        yield Finding(
            ("people", CONDUCTOR_KEY),
            f"{CONDUCTOR_KEY!r} is the name the conductor records under; give this person another key",
        )


def _shared_logins(plan: Plan, known: Known) -> Iterator[Finding]:
    """Two people with one OS login: cutover takes that login to be the first of them, so the
    other can never act as themselves (user pass: a copied [people] entry validated silently).
    A warning, not an error: runs already made keep their plan, and it is checked on opening."""
    first: dict[str, str] = {}
    for key, person in plan.people.items():
        if not person.user:
            continue
        if person.user in first:
            was = first[person.user]
            yield Finding(
                ("people", key, "user"),
                f"login {person.user!r} is also the login of people.{was}: cutover takes "
                f"{person.user} to be {was}, so {key} can never act as themselves",
                severity="warning",
            )
        else:
            first[person.user] = key


def _roles(plan: Plan, known: Known) -> Iterator[Finding]:
    if plan.people and not plan.people_with_role("commander"):
        yield Finding(
            ("people",),
            "nobody has the commander role; whoever starts the run will command it",
            severity="warning",
        )
