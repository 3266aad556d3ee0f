"""Semantic checks on a structurally valid plan: references, cycles, time fit, templates.

Each check yields Finding(loc, message, hint, severity); the loader adds file and line.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from .aftercare import aftercare_findings
from .durations import format_duration
from .errors import Loc, Severity, nearest
from .graph import Baseline, CycleError, baseline, topological_order
from .limits import longest_step
from .model import AnyStep, Comms, Gate, Plan
from .probes import probe_findings
from .raci import raci_findings, role_audience, to_finding
from .risks import risk_findings
from .severity import severity_findings

CONDUCTOR_KEY = "conductor"  # engine.events.CONDUCTOR (the plan layer sits below the engine)

# Run facts a message template may name; `plan.*` and `window.*` take these attributes.
TEMPLATE_FIELDS = {
    "now",
    "plan",
    "window",
    "projected_finish",
    "deadline",
    "delta",
    "percent_done",
    "current_step",
    "reason",
    "buffer_left",
    "rollback_by",
    "step",
    # comms/values.py: the verdict's word, the odds, who commands, what the message is about
    "level",
    "likely_finish",
    "p80",
    "p_in_window",
    "commander",
    "trigger",
    "checkpoint",
    "audience",
}
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
# Templates every plan has without writing them (comms/builtin.py); a plan's own overrides.
BUILTIN_TEMPLATES = (
    "status-update",
    "incident",
    "rollback-announcement",
    "go-live",
    "step-update",
)
TEMPLATE_ATTRS = {"plan": {"id", "title", "timezone", "launch"}, "window": {"start", "end"}}


@dataclass(frozen=True)
class Finding:
    loc: Loc
    message: str
    hint: str | None = None
    severity: Severity = "error"


@dataclass
class Known:
    """Ids written in the file, including items that failed structural validation.

    Counting broken items as known stops one typo from cascading into a dozen
    "unknown reference" errors.
    """

    steps: set[str] = field(default_factory=set)
    rollback_steps: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    phases: set[str] = field(default_factory=set)
    readiness: set[str] = field(default_factory=set)
    audiences: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)
    # For each list with items set aside ("step", "rollback.step", ...), the file index of each
    # item kept, so that messages can name items as the file numbers them.
    kept: dict[str, list[int]] = field(default_factory=dict)

    def file_index(self, section: str, index: int) -> int:
        kept = self.kept.get(section)
        return kept[index] if kept else index

    @classmethod
    def of(cls, plan: Plan, extra: Known | None = None) -> Known:
        known = cls(
            steps={s.id for s in plan.step},
            rollback_steps={s.id for s in plan.rollback_steps},
            people=set(plan.people),
            phases={p.id for p in plan.phase},
            readiness={r.id for r in plan.readiness},
            audiences={a.id for a in plan.audience},
            templates={t.id for t in plan.template},
        )
        if extra:
            for name in vars(known):
                getattr(known, name).update(getattr(extra, name))
        return known


def check_plan(plan: Plan, extra: Known | None = None) -> list[Finding]:
    known = Known.of(plan, extra)
    checks: list[Callable[[Plan, Known], Iterable[Finding]]] = [
        _duplicate_ids,
        _step_references,
        _gate_and_comms_references,
        _other_references,
        _cycles,
        _fixed_starts,
        _template_placeholders,
        _audience_addresses,
        _time_fit,
        _step_lengths,
        _roles,
        _reserved_people,
        raci_findings,
        risk_findings,
        probe_findings,
        aftercare_findings,
        severity_findings,
    ]
    return [finding for check in checks for finding in check(plan, known)]


def _unknown(loc: Loc, what: str, value: str, pool: Iterable[str], extra: str = "") -> Finding:
    return Finding(loc, f"unknown {what} {value!r}{extra}", nearest(value, pool))


def _step_lists(plan: Plan) -> Iterator[tuple[Loc, list[AnyStep]]]:
    yield ("step",), plan.step
    if plan.rollback:
        yield ("rollback", "step"), plan.rollback.step


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


def _graph(steps: list[AnyStep], pool: set[str]) -> Mapping[str, list[str]]:
    # Self-waits are reported on their own; leave them out of the cycle search. A duplicated
    # id is reported on its own too: keep its first step, or the two merge into a false cycle.
    graph: dict[str, list[str]] = {}
    for s in steps:
        graph.setdefault(s.id, [p for p in s.after if p in pool and p != s.id])
    return graph


def _cycles(plan: Plan, known: Known) -> Iterator[Finding]:
    for prefix, steps in _step_lists(plan):
        if steps is plan.step and _ids_unique(steps) and _baseline_if_acyclic(plan):
            continue  # sorted whole, self-waits included: the baseline the later checks reuse
        try:
            topological_order(_graph(steps, {s.id for s in steps}))
        except CycleError as cycle:
            index = next(i for i, s in enumerate(steps) if s.id == cycle.cycle[0])
            yield Finding((*prefix, index, "after"), f"dependency cycle: {cycle}")


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


def _template_placeholders(plan: Plan, known: Known) -> Iterator[Finding]:
    for index, template in enumerate(plan.template):
        for key in ("subject", "body"):
            for problem in template_problems(getattr(template, key)):
                yield Finding(("template", index, key), problem[0], problem[1])


def _audience_addresses(plan: Plan, known: Known) -> Iterator[Finding]:
    """A message to an audience with no address would be sent to nobody: refused here."""
    for index, audience in enumerate(plan.audience):
        if not audience.email and not audience.webhook:
            yield Finding(
                ("audience", index),
                f"audience {audience.id!r} has no address: give it `email` or `webhook`",
            )
        for n, address in enumerate(audience.email):
            if not _EMAIL.fullmatch(address):
                yield Finding(
                    ("audience", index, "email", n),
                    f"{address!r} is not an email address (like name@example.com)",
                )
    for key, person in plan.people.items():
        if person.email is not None and not _EMAIL.fullmatch(person.email):
            yield Finding(
                ("people", key, "email"),
                f"{person.email!r} is not an email address (like name@example.com)",
            )


def template_problems(text: str) -> list[tuple[str, str | None]]:
    """Unknown placeholders or broken braces in a message template."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        return [
            (f"template is not well formed: {exc} (write a literal brace as {{{{ or }}}})", None)
        ]
    out: list[tuple[str, str | None]] = []
    for name in fields:
        root, _, attr = name.partition(".")
        root = root.split("[")[0]
        if root not in TEMPLATE_FIELDS:
            out.append((f"unknown placeholder {{{name}}}", nearest(root, TEMPLATE_FIELDS)))
        elif attr and attr not in TEMPLATE_ATTRS.get(root, set()):
            pool = TEMPLATE_ATTRS.get(root, set())
            out.append((f"unknown placeholder {{{name}}}", nearest(attr, pool)))
    return out


def _acyclic(steps: list[AnyStep]) -> bool:
    try:
        topological_order({s.id: s.after for s in steps})
    except CycleError:
        return False
    return True


def _ids_unique(steps: list[AnyStep]) -> bool:
    return len({s.id for s in steps}) == len(steps)


def _baseline_if_acyclic(plan: Plan) -> Baseline | None:
    """The baseline, or None on a cycle (_cycles reports it): one topological sort, not two."""
    try:
        return baseline(plan.step, plan.window.start)
    except CycleError:
        return None


def _time_fit(plan: Plan, known: Known) -> Iterator[Finding]:
    steps = [s for s in plan.step if known.steps.issuperset(s.after)]
    base = _baseline_if_acyclic(plan) if len(steps) == len(plan.step) else None
    if base is not None:
        window = plan.window
        length = base.length(window.start)
        left = window.end - base.end
        if left < timedelta(0):
            yield Finding(
                ("window",),
                f"the critical path takes {format_duration(length)}: "
                f"{format_duration(-left)} longer than the window "
                f"({format_duration(window.length)})",
                severity="warning",
            )
        elif left < window.buffer_time:
            yield Finding(
                ("window", "buffer"),
                f"the critical path takes {format_duration(length)}, leaving "
                f"{format_duration(left)} of the window free; the buffer rule wants "
                f"{format_duration(window.buffer_time)} ({window.buffer:.0%})",
                severity="warning",
            )
    rollback = plan.rollback
    if rollback and rollback.step and _acyclic(rollback.step):
        length = rollback_length(plan)
        if length > rollback.rto:
            yield Finding(
                ("rollback", "rto"),
                f"the rollback's critical path takes {format_duration(length)}, longer than "
                f"its RTO of {format_duration(rollback.rto)}",
                severity="warning",
            )


def rollback_length(plan: Plan) -> timedelta:
    """The critical path of the rollback steps (zero when there are none)."""
    steps = [
        s.model_copy(update={"not_before": None}) if s.not_before else s
        for s in plan.rollback_steps
    ]
    if not steps:
        return timedelta(0)
    origin = plan.window.start
    return baseline(steps, origin).length(origin)


def _reserved_people(plan: Plan, known: Known) -> Iterator[Finding]:
    """`conductor` is the actor of every derived event and every check's result: a person
    keyed so would record as the conductor (a check's pass, a trigger fired)."""
    if CONDUCTOR_KEY in plan.people:
        yield Finding(
            ("people", CONDUCTOR_KEY),
            f"{CONDUCTOR_KEY!r} is the name the conductor records under; give this person another key",
        )


def _roles(plan: Plan, known: Known) -> Iterator[Finding]:
    if plan.people and not plan.people_with_role("commander"):
        yield Finding(
            ("people",),
            "nobody has the commander role; whoever starts the run will command it",
            severity="warning",
        )
