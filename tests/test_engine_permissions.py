"""Regression tests for who may do what, found by driving the war room."""

from __future__ import annotations

from cutover_tui.engine.events import StepAdded
from cutover_tui.engine.state import check, fold
from tests.warroom_support import PLAN, at, started


def added(actor: str) -> StepAdded:
    return StepAdded(
        actor=actor, at=at(5), step="extra", title="Extra", owner="dba", duration_s=300, reason="r"
    )


def test_operator_may_not_add_a_step() -> None:
    # The new step's id is unknown to the state, which once let the permission check wave
    # the event through as "an unknown step, reported by the legality check".
    reason = check(fold(PLAN, started()), added("dba"))
    assert reason is not None and "may not" in reason and "commander" in reason


def test_commander_may_add_a_step() -> None:
    assert check(fold(PLAN, started()), added("alice")) is None
