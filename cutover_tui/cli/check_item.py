"""`cutover check RUN ITEM` for a post-cutover validation item with a check: run it here,
under the conductor's rules (clock/aftercare_checks.py), and record and print the result."""

from __future__ import annotations

import sqlite3
import sys

from ..clock.aftercare_checks import NotRun, run_item_check
from ..engine.aftercare import passed
from ..engine.state import Refused
from ..inert import inert


def is_item(state: object, name: str) -> bool:
    """`name` is a validation item of the plan's [aftercare] (and not a step)."""
    after = state.plan.aftercare  # type: ignore[attr-defined]
    return after is not None and name in after.check_by_id()


def check_item(journal: object, item: str, login: str, clock: object) -> int:
    try:
        event = run_item_check(journal, item, login, clock.now)  # type: ignore[attr-defined]
    except NotRun as why:
        print(f"cutover check: not run: {why}", file=sys.stderr)
        return 1
    except Refused as refusal:
        print(f"cutover check: refused: {refusal}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(f"cutover check: cannot write {journal.path}: {exc}", file=sys.stderr)  # type: ignore[attr-defined]
        return 1
    spec = journal.plan.aftercare.check_by_id()[item]  # type: ignore[attr-defined]
    ok = passed(spec, event)
    head = f"{item}: {'passed' if ok else 'failed'}"
    if event.value is not None:
        unit = f" {spec.unit}" if spec.unit else ""
        head += f" {event.value:g}{unit} against {spec.target()}"
    print(inert(f"{head}\n{event.note}"))
    return 0 if ok else 1
