"""A plan's `[vars]`: values named once and used in its checks as `${name}`.

    [vars]
    shop = "https://shop.newplatform.example"   # the new storefront, before DNS moves

    [step.check]
    type = "http"
    url = "${shop}/search?q=mug"

`${name}` is replaced only inside `check` tables (a checkpoint's, a probe's, an after-the-night
item's): templates keep their own `{...}` fields, and nothing else in a plan changes meaning.
`$$` writes a literal `$` (a shell check's `$${HOME}`). An unknown name is an error naming
the key, with the nearest var.

A run may point a var elsewhere when it starts (`cutover start PLAN --var shop=URL`): the
override is written into the plan text the run keeps and seals (`override`), so the journal
holds the very URL its checks ran against, with the plan's own value in a comment beside it.
"""

from __future__ import annotations

import os
import re
from typing import Any

from .errors import Loc, nearest
from .locate import KeyLocator

VAR_NAME = r"[a-z][a-z0-9_]*"
_USE = re.compile(r"\$\$|\$\{([^}]*)\}")


class VarError(ValueError):
    """A `--var` the plan cannot take: one line naming the var."""


def expand(raw: dict[str, Any]) -> list[tuple[Loc, str, str | None]]:
    """Replace `${name}` in every check table of `raw` (in place); the problems found, each as
    (key path, message, nearest name). Only the check tables are visited: a 50,000-step plan
    costs one dict lookup a step."""
    values = raw.get("vars")
    known = (
        {k: v for k, v in values.items() if isinstance(v, str)} if isinstance(values, dict) else {}
    )
    problems: list[tuple[Loc, str, str | None]] = []
    for loc, check in _check_tables(raw):
        for key, value in check.items():
            check[key] = _walk(value, (*loc, key), known, problems)
    return problems


def _check_tables(raw: dict[str, Any]) -> list[tuple[Loc, dict]]:
    """Every `check` table: the steps', the rollback steps', the probes', the items'."""
    rollback = raw.get("rollback")
    aftercare = raw.get("aftercare")
    lists: list[tuple[Loc, Any]] = [
        (("step",), raw.get("step")),
        (("rollback", "step"), rollback.get("step") if isinstance(rollback, dict) else None),
        (("probe",), raw.get("probe")),
        (("aftercare", "check"), aftercare.get("check") if isinstance(aftercare, dict) else None),
    ]
    found = []
    for where, items in lists:
        for index, item in enumerate(items if isinstance(items, list) else ()):
            check = item.get("check") if isinstance(item, dict) else None
            if isinstance(check, dict):
                found.append(((*where, index, "check"), check))
    return found


def _walk(node: Any, loc: Loc, known: dict[str, str], problems: list) -> Any:
    if isinstance(node, dict):
        return {k: _walk(v, (*loc, k), known, problems) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, (*loc, i), known, problems) for i, v in enumerate(node)]
    if isinstance(node, str) and "$" in node:
        return _substitute(node, loc, known, problems)
    return node


def _substitute(text: str, loc: Loc, known: dict[str, str], problems: list) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        if name in known:
            return known[name]
        where = "[vars] has none" if not known else f"[vars] has {', '.join(sorted(known))}"
        problems.append((loc, f"unknown var ${{{name}}}: {where}", nearest(name, known)))
        return match.group(0)

    return _USE.sub(one, text)


def parse_assignments(words: list[str]) -> dict[str, str]:
    """`["shop=http://127.0.0.1:8765"]` -> {"shop": "http://..."}; VarError on a bad one."""
    out: dict[str, str] = {}
    for word in words:
        _refuse_non_utf8(word)
        name, sep, value = word.partition("=")
        if not sep or not re.fullmatch(VAR_NAME, name.strip()):
            raise VarError(f"--var {word!r}: write NAME=VALUE (NAME as in the plan's [vars])")
        out[name.strip()] = value
    return out


def _refuse_non_utf8(word: str) -> None:
    """An argument that was not UTF-8 reaches Python as lone surrogates (PEP 383): the kept
    plan could not be written with it, so it is refused here, its bytes shown escaped."""
    try:
        word.encode("utf-8")
    except UnicodeEncodeError as exc:
        name = word.partition("=")[0]
        shown = os.fsencode(word).decode("ascii", "backslashreplace")
        raise VarError(
            f"--var {name}: not UTF-8 text (from character {exc.start + 1} of '{shown}')"
        ) from None


def override(text: str, values: dict[str, str]) -> str:
    """The plan text with each var in `values` set to its new value, on its own line in
    `[vars]`, the plan's value kept in a comment. VarError naming a var the plan lacks."""
    lines = text.split("\n")  # as TOML and the KeyLocator count lines
    located = KeyLocator(text)
    for name, value in values.items():
        if "\n" in value or "\r" in value:
            raise VarError(f"--var {name}: a value is one line")
        row, old = _row_of(lines, located, name)
        if row is None:
            raise VarError(
                f'--var {name}: no line `{name} = "..."` in the plan\'s [vars] to point '
                "elsewhere (a run overrides a plain one-line string on its own line)"
            )
        ending = "\r" if lines[row].endswith("\r") else ""
        lines[row] = (
            f"{name} = {toml_string(value)}  # set at run start; the plan says {old}{ending}"
        )
    return "\n".join(lines)


def toml_string(value: str) -> str:
    """`value` as a TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _row_of(lines: list[str], located: KeyLocator, name: str) -> tuple[int | None, str]:
    """The line setting `[vars]`'s `name` to a plain one-line string, and that string as
    written. The locator reads the text as TOML does: a `name = ...` line inside an earlier
    multi-line string is text, not the key (a regex over the lines took it for the key)."""
    number = located.lines.get(("vars", name))
    if number is None:
        return None, ""
    pattern = re.compile(rf"^\s*{re.escape(name)}\s*=\s*(\"[^\"\\]*\")\s*(#.*)?$")
    found = pattern.match(lines[number - 1].rstrip("\r"))
    return (number - 1, found.group(1)) if found else (None, "")


def with_overrides(loaded: Any, words: list[str]) -> Any:
    """The LoadedPlan `loaded` with `--var NAME=VALUE` words applied to its text and parsed
    again (so the run keeps and seals the plan its checks run); VarError in one line."""
    from .errors import PlanError
    from .load import parse_plan  # late: load imports this module

    if not words:
        return loaded
    values = parse_assignments(words)
    for name in values:
        if name not in loaded.plan.vars:
            has = ", ".join(sorted(loaded.plan.vars)) or "none"
            hint = nearest(name, loaded.plan.vars)
            tail = f"; did you mean {hint!r}?" if hint else ""
            raise VarError(f"--var {name}: the plan's [vars] has no {name!r} (it has: {has}){tail}")
    text = override(loaded.text, values)
    try:
        new = parse_plan(text, loaded.path)
    except PlanError as exc:
        raise VarError(f"--var: {exc.problems[0]}") from None
    for name, value in values.items():  # the run must check what was asked, or not start
        if new.plan.vars.get(name) != value:
            raise VarError(f"--var {name}: the plan's [vars] {name} was not set to the value given")
    return new


def applied(words: list[str]) -> str:
    """`shop=http://127.0.0.1:8765, ...`: what `cutover start` says it set ("" for none)."""
    values = parse_assignments(words) if words else {}
    return ", ".join(f"{name}={value}" for name, value in values.items())
