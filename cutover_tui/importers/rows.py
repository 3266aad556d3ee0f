"""One step row of a sheet read into a Draft: every cell parsed, every bad cell a located
problem, the row kept (marked failed) so that it is named and its id still resolves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from ..plan.errors import nearest
from ..plan.model import STREAMS
from .columns import Column
from .layout import StepRow
from .problems import Problems
from .sheet import Value
from .values import (
    CellError,
    Link,
    When,
    duration_of,
    kind_of,
    links_of,
    names_of,
    text_of,
    when_of,
)

_ON_FAIL = ("rollback", "hold", "continue")


@dataclass
class Draft:
    row: int
    title: str
    id_text: str | None = None
    kind: str = "task"
    owners: list[str] = field(default_factory=list)
    duration: timedelta | None = None
    start: When | None = None
    end: When | None = None
    links: list[Link] = field(default_factory=list)
    phase: str | None = None
    notes: list[str] = field(default_factory=list)
    verify: str | None = None
    status: str | None = None
    accountable: list[str] = field(default_factory=list)
    consulted: list[str] = field(default_factory=list)
    informed: list[str] = field(default_factory=list)
    approvers: list[str] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)
    stream: str | None = None
    on_fail: str | None = None
    low: timedelta | None = None
    high: timedelta | None = None
    template: str | None = None
    audiences: list[str] = field(default_factory=list)
    auto: bool = False
    columns: dict[str, Column] = field(default_factory=dict)
    failed: bool = False
    id: str = ""  # given by runbook.py once every row is read


def read_row(row: StepRow, problems: Problems, date_order: str) -> Draft | None:
    """The row as a Draft (failed=True if a cell is wrong), or None for an empty one."""
    _, title = row.first("title")
    if title is None:
        if not row.cells and not row.extras:
            return None
        if not row.cells:  # a remark typed beside the table on a row of its own
            for letter, value in row.extras:
                problems.warn(
                    f"{text_of(value)!r} in {letter}, past the last headed column, on a row "
                    "with no task name: read as a remark, not a step",
                    row.number,
                    letter,
                )
            return None
        shown = next(iter(row.cells), None)
        cells = [c for found in row.cells.values() for c in found]
        if len(cells) == 1 and not row.extras and isinstance(cells[0][1], str):
            problems.warn(
                f"only {cells[0][0].header or 'one cell'} and no task name: read as a remark, "
                "not a step",
                row.number,
                cells[0][0],
            )
            return None
        problems.add(
            "no task name on this row, so it cannot be imported"
            + (f" (it has {shown})" if shown else ""),
            row.number,
        )
        draft = Draft(row.number, "", failed=True)
        draft.id_text = text_of(row.first("id")[1])
        return draft
    draft = Draft(row.number, text_of(title) or "")
    draft.columns = {name: cells[0][0] for name, cells in row.cells.items()}
    draft.id_text = text_of(row.first("id")[1])
    readers = {
        "kind": _kind,
        "duration": _duration,
        "low": _estimate,
        "high": _estimate,
        "start": _when,
        "end": _when,
        "after": _links,
        "on_fail": _on_fail,
        "stream": _stream,
    }
    for name, cells in row.cells.items():
        column, value = cells[0]
        reader = readers.get(name)
        try:
            if reader is not None:
                reader(draft, name, value, column, date_order)
            else:
                _plain(draft, name, cells)
        except CellError as exc:
            problems.add(str(exc), row.number, column, exc.hint)
            draft.failed = True
    for letter, value in row.extras:
        problems.warn(
            f"a value in {letter}, past the last headed column (someone typed into the wrong "
            "cell?): kept in the step's notes",
            row.number,
            letter,
        )
        draft.notes.append(f"{letter}: {text_of(value)}")
    return draft


def _plain(draft: Draft, name: str, cells: list[tuple[Column, Value]]) -> None:
    texts = [(column, text_of(value)) for column, value in cells]
    if name in ("title", "id", "outline"):
        return
    if name in ("owner", "accountable", "consulted", "informed", "approvers"):
        names = [n for _, text in texts for n in names_of(text)]
        getattr(draft, "owners" if name == "owner" else name).extend(names)
    elif name == "criteria":
        draft.criteria = [c.strip() for _, t in texts for c in (t or "").split(",") if c.strip()]
    elif name == "notes":
        draft.notes.extend(t for _, t in texts if t)
    elif name == "unmapped":
        draft.notes.extend(f"{c.header}: {t}" for c, t in texts if t)
    elif name in ("phase", "verify", "status", "template"):
        setattr(draft, name, texts[0][1])
    elif name == "audiences":
        draft.audiences = [a.strip() for _, t in texts for a in (t or "").split(",") if a.strip()]
    elif name == "auto":
        draft.auto = _yes(cells[0][1])


def _yes(value: Value) -> bool:
    return value is True or str(value).strip().lower() in ("true", "yes", "y", "1", "x")


def _kind(draft: Draft, name: str, value: Value, column: Column, order: str) -> None:
    draft.kind = kind_of(value)


def _duration(draft: Draft, name: str, value: Value, column: Column, order: str) -> None:
    draft.duration = duration_of(value, column.unit)


def _estimate(draft: Draft, name: str, value: Value, column: Column, order: str) -> None:
    setattr(draft, name, duration_of(value, column.unit))


def _when(draft: Draft, name: str, value: Value, column: Column, order: str) -> None:
    setattr(draft, name, when_of(value, order))


def _links(draft: Draft, name: str, value: Value, column: Column, order: str) -> None:
    draft.links = links_of(value)


def _on_fail(draft: Draft, name: str, value: Value, column: Column, order: str) -> None:
    text = (text_of(value) or "").lower()
    if text not in _ON_FAIL:
        raise CellError(f"{value!r} is not one of {', '.join(_ON_FAIL)}", nearest(text, _ON_FAIL))
    draft.on_fail = text


def _stream(draft: Draft, name: str, value: Value, column: Column, order: str) -> None:
    text = (text_of(value) or "").lower()
    if text not in STREAMS:
        raise CellError(f"{value!r} is not one of {', '.join(STREAMS)}", nearest(text, STREAMS))
    draft.stream = text
