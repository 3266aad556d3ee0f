"""Plan checks on messages: the fields a template may name, well-formed placeholders, and
audiences and people with usable addresses (plan/checks.py runs them).

Split out of plan/checks.py unchanged; checks.py re-exports every public name here.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

from .errors import nearest
from .findings import Finding, Known
from .model import Plan

# Run facts a message template may name; `plan.*` and `window.*` take these attributes.
TEMPLATE_FIELDS = {
    "now",
    "raised_at",
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
    "news",  # "step: reason", or the reason alone (comms/values.py)
    # comms/values.py: the verdict's word, the odds, who commands, what the message is about
    "level",
    "likely_finish",
    "p80",
    "p_in_window",
    "outlook",  # the odds, or why there are none, in one clause (comms/values.py)
    "rollback",  # whether and until when a rollback is possible, in one clause
    "commander",
    "trigger",
    "checkpoint",
    "audience",
}
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
# Printable ASCII only: a relay without SMTPUTF8 refuses anything else at send time (after
# validation said yes), and a bidi control in an address shows one and sends to another.
_ASCII_ADDRESS = re.compile(r"[\x21-\x7e]+")
# Templates every plan has without writing them (comms/builtin.py); a plan's own overrides.
BUILTIN_TEMPLATES = (
    "status-update",
    "incident",
    "rollback-announcement",
    "go-live",
    "step-update",
)
TEMPLATE_ATTRS = {"plan": {"id", "title", "timezone", "launch"}, "window": {"start", "end"}}


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
            problem = address_problem(address)
            if problem:
                yield Finding(("audience", index, "email", n), problem)
    for key, person in plan.people.items():
        problem = address_problem(person.email) if person.email is not None else None
        if problem:
            yield Finding(("people", key, "email"), problem)


def address_problem(address: str) -> str | None:
    """Why `address` cannot be mailed to, or None."""
    if not _EMAIL.fullmatch(address):
        return f"{address!r} is not an email address (like name@example.com)"
    if not _ASCII_ADDRESS.fullmatch(address):
        return (
            f"{address!a} has a character that is not printable ASCII: a mail relay "
            "without SMTPUTF8 refuses it; write the address in ASCII"
        )
    return None


MAX_SPEC_NUMBER = 200  # a width or precision in a placeholder's format spec, at most


def spec_problem(spec: str) -> str | None:
    """Why a placeholder's format spec may not be used: a width or precision over
    MAX_SPEC_NUMBER (`{reason:x>5000000}` built a 5 MB string at every render before the
    message was cut to its limit; a plan could ask for gigabytes)."""
    numbers = [int(n) for n in re.findall(r"\d+", spec or "")]
    if numbers and max(numbers) > MAX_SPEC_NUMBER:
        return f"a width or precision over {MAX_SPEC_NUMBER} in {spec!r}"
    return None


def template_problems(text: str) -> list[tuple[str, str | None]]:
    """Unknown placeholders, oversized format specs or broken braces in a message template."""
    try:
        parsed = list(string.Formatter().parse(text))
        fields = [name for _, name, _, _ in parsed if name is not None]
        specs = [spec for _, name, spec, _ in parsed if name is not None and spec]
    except ValueError as exc:
        return [
            (f"template is not well formed: {exc} (write a literal brace as {{{{ or }}}})", None)
        ]
    out: list[tuple[str, str | None]] = [
        (f"placeholder format: {problem}", None)
        for problem in map(spec_problem, specs)
        if problem is not None
    ]
    for name in fields:
        root, _, attr = name.partition(".")
        root = root.split("[")[0]
        if root not in TEMPLATE_FIELDS:
            out.append((f"unknown placeholder {{{name}}}", nearest(root, TEMPLATE_FIELDS)))
        elif attr and attr not in TEMPLATE_ATTRS.get(root, set()):
            pool = TEMPLATE_ATTRS.get(root, set())
            out.append((f"unknown placeholder {{{name}}}", nearest(attr, pool)))
    return out
