"""Names in a sheet's people columns, turned into the plan's people keys.

A name is looked up by people key, full name or login in the People sheet (when the workbook
has one). Anyone not found is added as a person to be completed (login, roles, phone), and
flagged once, at the first row that names them.
"""

from __future__ import annotations

import re
from typing import Any

from ..plan.fields import PERSON_PATTERN
from .columns import Column
from .problems import Problems
from .values import slug

_PERSON = re.compile(PERSON_PATTERN)


class People:
    def __init__(self, listed: list[dict[str, Any]], problems: Problems) -> None:
        self.problems = problems
        self.table: dict[str, dict[str, Any]] = {}
        self.lookup: dict[str, str] = {}
        self.added: list[str] = []
        for item in listed:
            key = str(item.get("key") or slug(str(item.get("name", "")), True) or "")
            if not key:
                continue
            self.table[key] = {k: v for k, v in item.items() if k != "key"}
            self.lookup[key.lower()] = key
        # Keys first: a name that happens to be another person's key must not take it over.
        for key, person in self.table.items():
            for alias in (person.get("name"), person.get("user")):
                if alias:
                    self.lookup.setdefault(str(alias).lower(), key)
        self.had_list = bool(self.table)

    def key_for(self, name: str, row: int, column: Column | None) -> str:
        found = self.lookup.get(name.lower())
        if found:
            return found
        key = name if _PERSON.fullmatch(name) else slug(name, allow_underscore=True) or "someone"
        base, n = key, 2
        while key in self.table:
            key, n = f"{base}-{n}", n + 1
        self.table[key] = {"name": name}
        self.lookup[name.lower()] = key
        self.lookup[key] = key
        self.added.append(key)
        where = "in the People sheet" if self.had_list else "in a people list"
        self.problems.warn(
            f"{name!r} is not {where}: added as people.{key}, to be completed "
            "(login, roles, phone)",
            row,
            column,
        )
        return key

    def keys_for(self, names: list[str], row: int, column: Column | None) -> list[str]:
        return list(dict.fromkeys(self.key_for(n, row, column) for n in names))
