"""Write plan data as hand-editable TOML: `[[step]]` headers rather than inline arrays.

tomli-w formats every value; this module only decides the table layout, because tomli-w
renders arrays of tables inline, which is valid but hard to edit and to locate errors in.
"""

from __future__ import annotations

from typing import Any

import tomli_w


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def dumps_plan(data: dict[str, Any]) -> str:
    """TOML text for `data`, with sub-tables and arrays of tables as headers."""
    return _dump((), data, array=False).lstrip("\n")


def _dump(prefix: tuple[str, ...], table: dict[str, Any], *, array: bool) -> str:
    plain = {k: v for k, v in table.items() if not _is_table(v) and not _is_table_array(v)}
    out = ""
    if prefix:
        dotted = ".".join(_key(part) for part in prefix)
        out += f"\n[[{dotted}]]\n" if array else f"\n[{dotted}]\n"
    out += tomli_w.dumps(plain)
    for key, value in table.items():
        if _is_table(value):
            out += _dump((*prefix, key), value, array=False)
        elif _is_table_array(value):
            for item in value:
                out += _dump((*prefix, key), item, array=True)
    return out


def _key(part: str) -> str:
    """A header's key part, quoted as tomli-w quotes keys when they are not bare."""
    return tomli_w.dumps({part: 0}).rsplit(" = ", 1)[0]
