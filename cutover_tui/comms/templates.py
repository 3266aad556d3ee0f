"""Message templates rendered with live values, in Jinja2's sandbox.

A plan writes its templates with `{placeholder}` fields and Python format specs
(`{now:%H:%M}`), checked at validation against `plan.checks.TEMPLATE_FIELDS`. Here each
template is compiled once into a Jinja2 template run by a `SandboxedEnvironment`: every field
becomes `{{ name | value(...) }}` and every piece of literal text is passed in as data, so
nothing the author wrote is ever evaluated as template code, and attribute access goes through
the sandbox (no `__class__`, no methods).

A value missing at render time (no forecast yet, nothing running) never raises: the draft says
`[no projected_finish yet]` where it would be, and `Rendered.missing` names it, so the
communicator sees what is missing before sending. Jinja's StrictUndefined would raise on such
a value; `_Missing` (chainable: `plan.owner.name` stays missing) is caught by the `value`
filter instead, and anything else the sandbox refuses becomes a line in the draft too.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jinja2 import ChainableUndefined, TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment

from ..plan.checks_templates import spec_problem
from ..plan.model import Plan, Template
from .builtin import BUILTIN

_FIELD = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")


class _Missing(ChainableUndefined):
    """An absent value: passes through attribute access, reported by the `value` filter."""


@dataclass(frozen=True)
class Rendered:
    template: str
    subject: str
    body: str
    missing: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return not self.missing


def template_for(plan: Plan, template_id: str) -> Template | None:
    """The plan's template of that id, else the built-in one, else None."""
    return plan.template_by_id.get(template_id) or BUILTIN.get(template_id)


def render(plan: Plan, template_id: str, values: dict[str, Any]) -> Rendered:
    """`template_id` (the plan's, else built-in) rendered with `values`; never raises."""
    template = template_for(plan, template_id)
    if template is None:
        missing = (f"template {template_id}",)
        return Rendered(template_id, f"[no template {template_id!r}]", "", missing)
    found: list[str] = []
    subject = " ".join(render_text(template.subject, values, found).split())  # one line
    body = render_text(template.body, values, found).strip("\n")
    return Rendered(template_id, subject, body, tuple(dict.fromkeys(found)))


def render_text(text: str, values: dict[str, Any], missing: list[str]) -> str:
    """One template text with `values`; names of absent values are appended to `missing`."""
    try:
        compiled, literals = _compile(text)
    except ValueError as exc:  # refused at validation; a stored plan from before, say so
        missing.append("a well-formed template")
        return f"[template not well formed: {exc}]"
    context = {**values, "_lit": literals, "_missing": missing}
    try:
        return compiled.render(context)
    except TemplateError as exc:
        missing.append(f"template ({exc})")
        return f"[template failed: {exc}]"


@lru_cache(maxsize=256)
def _compile(text: str) -> tuple[Any, tuple[str, ...]]:
    """(Jinja template, literal pieces) for a `{field:spec}` text."""
    source: list[str] = []
    literals: list[str] = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        if literal:
            source.append(f"{{{{ _lit[{len(literals)}] }}}}")
            literals.append(literal)
        if name is None:
            continue
        if not _FIELD.match(name):  # validation refuses these; never let one reach Jinja
            source.append(f"{{{{ _lit[{len(literals)}] }}}}")
            literals.append(f"[unknown placeholder {name}]")
            continue
        source.append(f"{{{{ {name} | value({name!r}, {spec or ''!r}, {conversion or ''!r}) }}}}")
    return _ENV.from_string("".join(source)), tuple(literals)


def _value(context: Any, value: Any, name: str, spec: str, conversion: str) -> str:
    if isinstance(value, Undefined) or value is None:
        context["_missing"].append(name)
        return f"[no {name} yet]"
    too_big = spec_problem(spec)  # refused at validation; a stored plan from before
    if too_big is not None:
        context["_missing"].append(f"{name} as {spec!r}")
        return f"[{name}: {too_big}]"
    if conversion == "r":
        value = repr(value)
    elif conversion in ("s", "a"):
        value = str(value) if conversion == "s" else ascii(value)
    try:
        return format(value, spec)
    except (ValueError, TypeError):
        context["_missing"].append(f"{name} as {spec!r}")
        return f"[{name}: cannot be shown as {spec!r}]"


def _environment() -> SandboxedEnvironment:
    from jinja2 import pass_context

    env = SandboxedEnvironment(undefined=_Missing, autoescape=False, keep_trailing_newline=True)
    env.filters["value"] = pass_context(
        lambda ctx, value, name, spec, conv: _value(ctx, value, name, spec, conv)
    )
    return env


_ENV = _environment()
