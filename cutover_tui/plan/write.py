"""Write plan data as hand-editable TOML: `[[step]]` headers rather than inline arrays.

tomli-w formats every value; this module only decides the table layout, because tomli-w
renders arrays of tables inline, which is valid but hard to edit and to locate errors in.
tomli-w escapes the C0 controls but writes C1 controls (CSI, OSC) and bidi overrides raw: a
title imported from a sheet would then drive the terminal of whoever `cat`s the plan, or read
reversed in a review. Those are written as TOML escapes ("\\u202e"), the same text once read.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import tomli_w

from ..inert import has_unsafe
from .durations import localize

# C1 controls and the invisible format characters `inert` shows (C0 and DEL tomli-w escapes
# itself); never a surrogate, which no TOML escape can hold.
_RAW = re.compile("[\x80-\x9f\u00ad-\ud7ff\ue000-\U0010ffff]")


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def dumps_plan(data: dict[str, Any]) -> str:
    """TOML text for `data`, with sub-tables and arrays of tables as headers."""
    return _escape_raw(_dump((), data, array=False).lstrip("\n"))


def _escape_raw(text: str) -> str:
    """Unsafe characters as TOML escapes: tomli-w writes every string and quoted key as a
    one-line basic string, the only place such a character can be, where an escape is valid."""
    if not has_unsafe(text):
        return text
    return _RAW.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if not has_unsafe(char):
        return char
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


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


def local_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` as the plan writes it: a local time in `zone`, which the plan reads back as
    the same moment; in the repeated hour of a clock change (the second 01:30 of a night the
    clocks go back), which a plain local time would read as the first, with its UTC offset."""
    local = moment.astimezone(zone)
    plain = local.replace(tzinfo=None, fold=0)  # as the file says it: no fold in TOML
    if localize(plain, zone) == moment:
        return plain
    # Its own offset, zero in London's repeated hour (`or moment.utcoffset()` took zero for
    # none and wrote the moment's offset beside the local time: an hour early).
    return local.replace(tzinfo=timezone(local.utcoffset() or timedelta(0)), fold=0)
