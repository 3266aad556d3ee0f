"""Load a plan file: TOML syntax, then the models, then the semantic checks.

Every problem found is reported in one PlanError, each with file, line and key path. A
structurally broken item is set aside (its id still counts as known) so that the semantic
checks can still run over the rest of the file.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .checks import Known, check_plan
from .errors import Loc, PlanError, Problem, nearest
from .gc_pause import gc_paused
from .limits import LimitError, check_plan_size, read_plan_bytes, toml_depth_problem
from .locate import KeyLocator
from .model import STEP_KIND_TAGS, Checkpoint, Comms, Gate, Milestone, Plan, Task
from .toml_fast import fast_loads
from .toml_read import TOMLDecodeError, loads
from .vars import expand as expand_vars

CHECK_TYPE_TAGS = ("command", "http", "tcp", "dns")  # plan/probes.py Check's tags

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_LIST_SECTIONS = ("phase", "step", "trigger", "readiness", "audience", "template", "risk")
_STEP_BY_TAG: dict[str, type[BaseModel]] = dict(
    zip(STEP_KIND_TAGS, (Task, Checkpoint, Gate, Comms, Milestone), strict=True)
)


@dataclass(frozen=True)
class LoadedPlan:
    plan: Plan
    path: str
    text: str
    warnings: list[Problem]


def load_plan(path: str | Path) -> LoadedPlan:
    """Read and validate a plan file, or raise PlanError naming every problem."""
    name = str(path)
    try:
        text = read_plan_bytes(path).decode("utf-8")
    except (OSError, UnicodeDecodeError, LimitError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PlanError([Problem(name, None, (), f"cannot read the plan: {reason}")]) from None
    return parse_plan(text, name)


def parse_plan(text: str, name: str = "<plan>") -> LoadedPlan:
    try:
        check_plan_size(text)
    except LimitError as exc:
        raise PlanError([Problem(name, None, (), f"cannot read the plan: {exc}")]) from None
    with gc_paused():  # millions of objects, no cycles among them: see plan/gc_pause.py
        raw = fast_loads(text)  # rtoml, trusted only with what it accepts: plan/toml_fast.py
        if raw is None:
            raw = _reference_loads(text, name)
        return validate_data(raw, name, text, KeyLocator(text))


def _reference_loads(text: str, name: str) -> dict[str, Any]:
    """The nesting check, then tomli: every located TOML error is worded here."""
    too_deep = toml_depth_problem(text)
    if too_deep is not None:
        raise PlanError([Problem(name, too_deep[0], (), f"TOML: {too_deep[1]}")])
    try:
        return loads(text)
    except TOMLDecodeError as exc:
        raise PlanError([_syntax_problem(name, exc)]) from None


class _NoLines:
    """The locator of data that has no text yet: no key has a line."""

    def line_of(self, loc: Loc) -> int | None:
        return None


def validate_data(
    raw: dict[str, Any], name: str, text: str = "", locator: KeyLocator | None = None
) -> LoadedPlan:
    """Validate plan data as parse_plan does once tomllib has read it; without `locator`, the
    problems carry key paths and no lines (data built in code: an imported runbook)."""
    locator = locator or _NoLines()  # type: ignore[assignment]
    var_problems = [  # ${name} in checks, replaced before the models see them (plan/vars.py)
        Problem(name, locator.line_of(loc), loc, message, hint)
        for loc, message, hint in expand_vars(raw)
    ]
    plan, problems, known, kept = _validate(raw, name, locator)
    said = {p.loc for p in var_problems}  # "unknown var" says it; not "not a URL" besides
    problems = var_problems + [p for p in problems if p.loc not in said]
    if plan is not None:
        for finding in check_plan(plan, known):
            loc = _original_loc(finding.loc, kept)
            problems.append(
                Problem(
                    name,
                    locator.line_of(loc),
                    loc,
                    finding.message,
                    finding.hint,
                    finding.severity,
                )
            )
    errors = [p for p in problems if p.severity == "error"]
    if errors or plan is None:
        raise PlanError(sorted(problems, key=lambda p: (p.severity != "error", p.line or 0)))
    return LoadedPlan(plan, name, text, [p for p in problems if p.severity == "warning"])


def _syntax_problem(name: str, exc: TOMLDecodeError) -> Problem:
    message = str(exc)
    found = _TOML_POSITION.search(message)
    line = int(found.group(1)) if found else None
    message = _TOML_POSITION.sub("", message).strip()
    return Problem(name, line, (), f"TOML syntax: {message}")


def _zone_of(raw: dict[str, Any]) -> ZoneInfo:
    plan = raw.get("plan")
    tz = plan.get("timezone", "UTC") if isinstance(plan, dict) else "UTC"
    try:
        return ZoneInfo(tz) if isinstance(tz, str) else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


Kept = dict[str, list[int]]


def _validate(
    raw: dict[str, Any], name: str, locator: KeyLocator
) -> tuple[Plan | None, list[Problem], Known, Kept]:
    context = {"zone": _zone_of(raw)}
    try:
        return Plan.model_validate(raw, context=context), [], Known(), {}
    except ValidationError as exc:
        details = exc.errors()
    problems = [_problem(name, locator, err) for err in details]
    pruned, known, kept, usable = _set_aside_broken(raw, details)
    if not usable:
        return None, problems, known, kept
    try:
        return Plan.model_validate(pruned, context=context), problems, known, kept
    except ValidationError:
        return None, problems, known, kept


def _original_loc(loc: Loc, kept: Kept) -> Loc:
    """Map an index into a list with broken items set aside back to the file's index."""
    if len(loc) >= 3 and loc[:2] == ("rollback", "step") and "rollback.step" in kept:
        return (*loc[:2], kept["rollback.step"][int(loc[2])], *loc[3:])
    if len(loc) >= 2 and isinstance(loc[1], int) and str(loc[0]) in kept:
        return (loc[0], kept[str(loc[0])][loc[1]], *loc[2:])
    return loc


def _set_aside_broken(
    raw: dict[str, Any], details: list[ErrorDetails]
) -> tuple[dict[str, Any], Known, Kept, bool]:
    """Drop the items that failed validation; return what is left and the ids they had."""
    bad: dict[str, set[Any]] = {}
    for err in details:
        loc = err["loc"]
        if not loc:
            return raw, Known(), {}, False
        if loc[0] == "rollback" and len(loc) >= 3 and loc[1] == "step":
            bad.setdefault("rollback.step", set()).add(loc[2])
        elif loc[0] in (*_LIST_SECTIONS, "people") and len(loc) >= 2:
            bad.setdefault(str(loc[0]), set()).add(loc[1])
        elif loc[0] in ("rollback",) or loc[0] not in Plan.model_fields:
            bad.setdefault("<top>", set()).add(loc[0])
        else:
            return raw, Known(), {}, False  # plan, window or format: nothing sound to check
    pruned = dict(raw)
    known = Known()
    kept: Kept = {}
    for section, keys in bad.items():
        if section == "<top>":
            for key in keys:
                gone = pruned.pop(key, None)
                if key == "rollback" and isinstance(gone, dict):
                    # The whole rollback is set aside; its step ids still count as known.
                    steps = gone.get("step")
                    if isinstance(steps, list):
                        known.rollback_steps |= _ids(steps, set(range(len(steps))))
        elif section == "people":
            people = dict(pruned.get("people", {}))
            for key in keys:
                people.pop(key, None)
                known.people.add(str(key))
            pruned["people"] = people
        elif section == "rollback.step":
            known.rollback_steps |= _ids(raw["rollback"].get("step", []), keys)
            if "rollback" not in pruned:
                continue  # set aside whole, for an error in [rollback] itself
            rollback = dict(pruned["rollback"])
            steps = rollback.get("step", [])
            kept[section] = [i for i in range(len(steps)) if i not in keys]
            rollback["step"] = [steps[i] for i in kept[section]]
            pruned["rollback"] = rollback
        else:
            items = pruned.get(section, [])
            if section in _KNOWN_FIELD:  # trigger ids are never referenced: not known steps
                getattr(known, _KNOWN_FIELD[section]).update(_ids(items, keys))
            kept[section] = [i for i in range(len(items)) if i not in keys]
            pruned[section] = [items[i] for i in kept[section]]
    known.kept.update(kept)
    return pruned, known, kept, True


_KNOWN_FIELD = {
    "phase": "phases",
    "step": "steps",
    "readiness": "readiness",
    "audience": "audiences",
    "template": "templates",
}


def _ids(items: Any, indexes: set[Any]) -> set[str]:
    if not isinstance(items, list):
        return set()
    return {
        str(items[i]["id"])
        for i in indexes
        if isinstance(i, int) and i < len(items) and isinstance(items[i], dict) and "id" in items[i]
    }


def _clean_loc(loc: tuple[str | int, ...]) -> Loc:
    """Drop the tags pydantic adds after a union member: a step's kind after its index, a
    check's type after `check` (`step[1].check.command.timeout` is the key `timeout` on
    its own line, not the `[step.check]` table's)."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if part in STEP_KIND_TAGS and i > 0 and isinstance(loc[i - 1], int):
            continue
        if part in CHECK_TYPE_TAGS and i > 0 and loc[i - 1] == "check":
            continue
        out.append(part)
    return tuple(out)


def _problem(name: str, locator: KeyLocator, err: ErrorDetails) -> Problem:
    loc = _clean_loc(err["loc"])
    kind = err["type"]
    value = err.get("input")
    hint = None
    if kind == "extra_forbidden":
        key = str(loc[-1])
        valid = _fields_at(err["loc"][:-1])
        hint = nearest(key, valid)
        message = f"unknown key {key!r}"
        if valid and not hint:
            message += f"; valid keys here: {', '.join(sorted(valid))}"
    elif kind == "missing":
        message = f"missing required key {str(loc[-1])!r}"
    elif kind == "string_pattern_mismatch":
        if len(loc) >= 2 and loc[-1] == "[key]":
            loc = loc[:-1]  # an invalid people key: people.Ops.[key] -> people.Ops
        message = f"{value!r} is not a valid id: use lowercase letters, digits and '-'"
    elif kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        message = f"{value!r} is not allowed here; expected {expected}"
        options = re.findall(r"'([^']*)'", expected)
        hint = nearest(str(value), options)
    elif kind == "invalid_kind":
        message = (
            f"unknown step kind {value.get('kind')!r}" if isinstance(value, dict) else err["msg"]
        )
        hint = nearest(str(value.get("kind")), STEP_KIND_TAGS) if isinstance(value, dict) else None
        loc = (*loc, "kind")
    elif kind in ("value_error", "assertion_error"):
        message = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    elif kind == "too_short" and loc == ("step",):
        message = "the plan has no steps; add at least one [[step]]"
    else:
        shown = repr(value)
        shown = shown if len(shown) < 60 else shown[:57] + "..."
        message = f"{err['msg'][0].lower()}{err['msg'][1:]}, got {shown}"
    return Problem(name, locator.line_of(loc), loc, message, hint)


def _fields_at(loc: tuple[str | int, ...]) -> set[str]:
    """The valid keys of the table at `loc` (a raw pydantic location, tags included)."""
    model: Any = Plan
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if isinstance(part, int):
            continue
        if part in STEP_KIND_TAGS:
            model = _STEP_BY_TAG[part]
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return set()
        info = model.model_fields.get(str(part))
        if info is None:
            return set()
        model, skip_key = _inner_model(info.annotation)
        if skip_key and parts:
            parts.pop(0)  # a dict key such as a person's id
    if isinstance(model, type) and issubclass(model, BaseModel):
        return set(model.model_fields)
    return set()


def _inner_model(annotation: Any) -> tuple[Any, bool]:
    """Unwrap list[...], dict[str, ...], X | None and Annotated to the model inside."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner_model(typing.get_args(annotation)[0])
    if origin is list:
        return _inner_model(typing.get_args(annotation)[0])
    if origin is dict:
        inner, _ = _inner_model(typing.get_args(annotation)[1])
        return inner, True
    if origin in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(models) == 1:
            return _inner_model(models[0])
        return None, False  # the step union: its tag comes next in the location
    return annotation, False
