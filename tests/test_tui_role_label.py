"""Line one of the war room names the viewer's role as the refusals do (user pass, jump host):
someone with no role tonight was called a "watcher", while `cutover do` said "no role
tonight" or "not in the plan's people", and the watcher role is a role of its own."""

from __future__ import annotations

from cutover_tui.engine.events_incidents import RoleHandedOver
from tests.warroom_support import (
    at,
    notices,
    select,
    settle,
    started,
    through_backup,
    through_load,
    war_room,
)


def _line_one(app) -> str:
    return str(app.screen.query_one("#status-right").render())


def _alice_hands_command_to_ops(moment) -> RoleHandedOver:
    """The plan's commander, alice, hands the command to ops (off shift) at `moment`."""
    return RoleHandedOver(
        actor="alice", at=moment, role="commander", giver="alice", taker="ops", reason="off shift"
    )


async def _start_refused(app, pilot, step: str) -> str:
    """The one notice refusing `s` on `step` in `app`."""
    select(app, step)
    await pilot.press("s")
    await settle(pilot, lambda: any("may not start" in n for n in notices(app)))
    [refusal] = [n for n in notices(app) if "may not start" in n]
    return refusal


async def test_a_commander_who_handed_the_role_over_is_not_called_a_watcher() -> None:
    handed = _alice_hands_command_to_ops(at(51))
    app = war_room("alice", [*through_load(), handed], now=at(52))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: "Alice Ng" in _line_one(app))
        assert "Alice Ng: no role tonight" in _line_one(app)
        assert "watcher" not in _line_one(app)


async def test_a_login_the_plan_does_not_name_is_not_called_a_watcher() -> None:
    app = war_room("@eve", through_load(), now=at(52))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: "eve" in _line_one(app))
        assert "@eve: not in the plan's people" in _line_one(app)


async def test_the_label_and_a_refusal_say_not_in_the_plans_people_alike() -> None:
    # Close note 13: line one said "not in the plan" while the refusal beside it said "not in
    # the plan's people, so read-only" (and `cutover do` "not in the plan's [people]").
    app = war_room("@eve", started(), now=at(1))
    async with app.run_test(size=(120, 34)) as pilot:
        await settle(pilot, lambda: "eve" in _line_one(app))
        refusal = await _start_refused(app, pilot, "freeze")
        assert "not in the plan's people, so read-only" in refusal, refusal
        assert "@eve: not in the plan's people   " in _line_one(app), _line_one(app)


async def test_a_watcher_is_still_called_a_watcher() -> None:
    app = war_room("viewer", through_load(), now=at(52))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: "Vic Watts" in _line_one(app))
        assert "Vic Watts: watcher" in _line_one(app)


async def test_refusing_someone_elses_step_names_who_commands_now() -> None:
    # Close note 13: after alice handed the command to ops, carol's refusal on the dba's step
    # said "only the commander or its owner": whom to ask, it did not say.
    handed = _alice_hands_command_to_ops(at(41))
    app = war_room("carol", [*through_backup(), handed], now=at(42))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: "Carol Jones" in _line_one(app))
        refusal = await _start_refused(app, pilot, "backup-ok")
        assert "only the commander (Omar Diaz (ops)) or its owner, Priya Shah (dba)" in refusal
        assert "Alice Ng" not in refusal, refusal
