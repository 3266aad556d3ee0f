"""Which column of a runbook sheet holds what: the names people give their columns.

A header cell is normalised (lower case, punctuation to spaces, a unit such as "(mins)" or
"hours" taken out and remembered for plain-number durations) and looked up in ALIASES.
`--map COLUMN=FIELD` overrides the guess for one column, named by its header or its letter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..plan.errors import nearest
from .sheet import Value, column_letter

# The fields a column may fill; "notes" columns become the step's notes (its instructions).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "#",
        "no",
        "nr",
        "num",
        "number",
        "ref",
        "step id",
        "task id",
        "step no",
        "step number",
        "task no",
        "task number",
        "item",
        "seq",
        "key",
    ),
    "title": (
        "task",
        "activity",
        "step",
        "name",
        "task name",
        "description",
        "title",
        "action",
        "what",
        "step description",
        "activity description",
        "summary",
        "task description",
        "activity name",
        "step name",
        "subject",
    ),
    "owner": (
        "owner",
        "responsible",
        "assigned to",
        "assignee",
        "resource names",
        "resource",
        "who",
        "executor",
        "performed by",
        "done by",
        "lead",
        "responsible person",
        "r",
        "resp",
        "owner name",
    ),
    "duration": (
        "duration",
        "est",
        "estimate",
        "estimated",
        "estimated duration",
        "time",
        "effort",
        "planned duration",
        "length",
        "budget",
        "dur",
        "time allowed",
        "est duration",
        "expected duration",
    ),
    "start": (
        "start",
        "planned start",
        "start date",
        "start time",
        "begin",
        "scheduled start",
        "baseline start",
        "expected start",
        "not before",
        "from",
        "start date time",
    ),
    "end": (
        "end",
        "finish",
        "planned end",
        "end date",
        "planned finish",
        "finish date",
        "due",
        "due date",
        "end time",
        "expected end",
        "expected finish",
        "to",
        "scheduled finish",
        "baseline finish",
    ),
    "after": (
        "predecessors",
        "predecessor",
        "depends on",
        "dependencies",
        "dependency",
        "after",
        "prerequisites",
        "prerequisite",
        "pred",
        "preds",
        "waits for",
        "blocked by",
        "depends",
    ),
    "phase": ("phase", "stage", "section", "group", "phase name", "workstage", "workstream"),
    "kind": ("type", "kind", "step type", "task type", "item type"),
    "notes": (
        "notes",
        "instructions",
        "comments",
        "comment",
        "details",
        "how",
        "procedure",
        "command",
        "commands",
        "remarks",
        "note",
        "runbook notes",
        "steps to perform",
    ),
    "verify": (
        "verification",
        "verify",
        "check",
        "success criteria",
        "validation",
        "evidence",
        "expected result",
        "acceptance",
        "how to verify",
    ),
    "status": ("status", "state", "progress", "complete", "percent complete", "rag"),
    "accountable": ("accountable", "a", "accountable person"),
    "consulted": (
        "consulted",
        "c",
        "support",
        "supporting",
        "backup",
        "support team",
        "supported by",
    ),
    "informed": ("informed", "i", "inform", "notify", "keep informed"),
    "stream": ("stream",),
    "on_fail": ("on fail", "if it fails", "on failure", "if fails"),
    "criteria": ("criteria", "go criteria", "gate criteria", "go no go criteria"),
    "approvers": ("approvers", "approver", "approved by", "sign off", "signoff", "sign off by"),
    "low": ("low estimate", "optimistic", "best case", "min duration", "low"),
    "high": ("high estimate", "pessimistic", "worst case", "max duration", "high"),
    "outline": ("outline level", "level", "outline"),
    "template": ("template", "message template"),
    "audiences": ("audiences", "send to", "recipients"),
    "auto": ("auto", "send automatically"),
}
FIELDS = (*ALIASES, "ignore")
# Fields that several columns may fill, their values joined.
MULTI = {"notes", "consulted", "informed"}
_BY_ALIAS = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_UNITS = {
    "m": ("min", "mins", "minute", "minutes", "m"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "d": ("d", "day", "days"),
    "w": ("wk", "wks", "week", "weeks"),
}
_UNIT_WORD = {word: unit for unit, words in _UNITS.items() for word in words}


@dataclass(frozen=True)
class Column:
    index: int  # 0-based
    header: str
    field: str  # one of FIELDS, or "unmapped"
    unit: str | None = None  # m, h, d or w: the unit of a plain-number duration

    @property
    def letter(self) -> str:
        return column_letter(self.index + 1)

    @property
    def label(self) -> str:
        """'D (Duration)': how a problem names the column."""
        return f"{self.letter} ({self.header})" if self.header else self.letter


@dataclass
class Columns:
    by_index: dict[int, Column] = field(default_factory=dict)
    duplicates: list[tuple[Column, Column]] = field(default_factory=list)  # (kept, first)

    def of(self, name: str) -> list[Column]:
        return [c for c in self.by_index.values() if c.field == name]

    def first(self, name: str) -> Column | None:
        found = self.of(name)
        return found[0] if found else None

    @property
    def unmapped(self) -> list[Column]:
        return [c for c in self.by_index.values() if c.field == "unmapped"]


class MapError(ValueError):
    """A --map the sheet cannot honour; one line."""


def normalise(header: str) -> tuple[str, str | None]:
    """'Est. (mins)' -> ('est', 'm'); 'Duration (hours)' -> ('duration', 'h')."""
    text = header.strip().lower()
    if text in ("#", "%"):
        return text, None
    text = text.replace("%", " percent ").replace("#", " number ").replace("/", " ")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    unit = None
    kept = []
    for word in words:
        if word in _UNIT_WORD and (len(words) > 1 or word not in ("m", "d", "h")):
            unit = _UNIT_WORD[word]
            continue
        kept.append(word)
    return " ".join(kept), unit


def field_of(header: str) -> tuple[str | None, str | None]:
    """The field a header names (None if unknown) and the duration unit it states."""
    base, unit = normalise(header)
    if not base and unit:
        return "duration", unit  # a column headed just "Minutes" or "Hours"
    name = _BY_ALIAS.get(base)
    if name is None and base.endswith("s") and base[:-1] in _BY_ALIAS:
        name = _BY_ALIAS[base[:-1]]
    if name is None and unit and base in ("estimated", "planned", "expected", "elapsed"):
        name = "duration"
    return name, unit if name in ("duration", "low", "high") else None


def header_score(cells: Sequence[Value]) -> int:
    """How many cells of a row read as known column names (a header row scores 2 or more)."""
    names = {field_of(str(c))[0] for c in cells if isinstance(c, str)}
    names.discard(None)
    return len(names) + (1 if "title" in names else 0)


def parse_maps(maps: Sequence[str]) -> list[tuple[str, str]]:
    """['Comments=notes'] -> [('Comments', 'notes')], or MapError naming the bad one."""
    out = []
    for item in maps:
        column, sep, name = item.rpartition("=")
        name = name.strip().lower().replace("-", "_")
        if not sep or not column.strip():
            raise MapError(f"--map {item!r}: write it as COLUMN=FIELD, like 'Who=owner'")
        if name == "instructions":
            name = "notes"
        if name not in FIELDS:
            hint = nearest(name, FIELDS)
            tail = f" (did you mean {hint!r}?)" if hint else ""
            raise MapError(
                f"--map {item!r}: {name!r} is not a field; fields are {', '.join(FIELDS)}{tail}"
            )
        out.append((column.strip(), name))
    return out


def map_columns(header: Sequence[Value], maps: Sequence[tuple[str, str]] = ()) -> Columns:
    """Columns of a header row; `maps` (from parse_maps) win over the guesses."""
    texts = ["" if c is None else str(c).strip() for c in header]
    forced = _forced(texts, maps)
    columns = Columns()
    # The mapped columns first: a guess that lands on a mapped field gives way to it.
    mapped = {i: Column(i, texts[i], name, field_of(texts[i])[1]) for i, name in forced.items()}
    taken: dict[str, Column] = {}
    for column in mapped.values():
        taken.setdefault(column.field, column)
    for index, text in enumerate(texts):
        if index in mapped:
            columns.by_index[index] = mapped[index]
            continue
        name, unit = field_of(text) if text else (None, None)
        column = Column(index, text, name or "unmapped", unit)
        if name is not None and name not in MULTI:
            if name in taken:
                # A second owner-like column ("Executor" beside "Responsible"): kept as notes.
                columns.duplicates.append((column, taken[name]))
                column = Column(index, text, "unmapped", unit)
            else:
                taken[name] = column
        columns.by_index[index] = column
    return columns


def _forced(texts: list[str], maps: Sequence[tuple[str, str]]) -> dict[int, str]:
    out: dict[int, str] = {}
    written: dict[int, str] = {}  # index -> the --map that named it
    by_text = {t.lower(): i for i, t in enumerate(texts) if t}
    by_letter = {column_letter(i + 1): i for i in range(len(texts))}
    for column, name in maps:
        if column.lower() in by_text:
            index = by_text[column.lower()]
        elif column.upper() in by_letter:
            index = by_letter[column.upper()]
        else:
            shown = [t for t in texts if t]
            hint = nearest(column, shown)
            tail = f" (did you mean {hint!r}?)" if hint else ""
            raise MapError(
                f"--map {column}={name}: the header has no column {column!r}; "
                f"it has {', '.join(shown)}{tail}"
            )
        this = f"--map {column}={name}"
        _check_forced(texts, out, written, index, name, this)
        out[index], written[index] = name, this
    return out


def _check_forced(
    texts: list[str],
    out: dict[int, str],
    written: dict[int, str],
    index: int,
    name: str,
    this: str,
) -> None:
    """A column mapped to two fields, or two columns to a field that reads one, is refused."""
    shown = Column(index, texts[index], name).label
    if index in out and out[index] != name:
        raise MapError(f"{written[index]} and {this} map column {shown} to two fields; map it once")
    if name in MULTI or name == "ignore":
        return
    for other, other_name in out.items():
        if other_name == name and other != index:
            first = Column(other, texts[other], name).label
            raise MapError(
                f"{written[other]} and {this} map columns {first} and {shown} both to {name}; "
                f"a step has one {name}: map one of them to another field or to ignore"
            )
