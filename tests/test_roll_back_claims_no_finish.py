"""Under ROLL BACK (a rollback trigger fired, not yet answered) no forward finish is claimed.

Regression (user pass, 2026-12-02): the status line and `cutover status` said "ROLL BACK"
beside "likely 00:36 · 97% in window", the odds of carrying on past a call nobody had decided
to override. Now the status line, `cutover status` (text and --json) and a drafted message
say what rolling back now gives, and no finish, as under a NO GO.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.comms.templates import render
from cutover_tui.comms.values import live_values
from cutover_tui.engine.state import fold
from cutover_tui.engine.verdict import forecaster_for
from cutover_tui.tui.screens.foresight import reasoning
from tests.test_cli_run import last_night
from tests.test_status_override import checkpoint_failed_by_cli
from tests.warroom_support import PLAN, at, settle, through_load, war_room


def status(app) -> str:
    return app.query_one("StatusBar").plain


def test_status_under_roll_back_claims_no_finish(tmp_path: Path, capsys) -> None:
    run, r = checkpoint_failed_by_cli(tmp_path)
    capsys.readouterr()
    assert main(["status", run, "--at", last_night(50), *r]) == 0
    out = capsys.readouterr().out
    assert ": ROLL BACK · backup-failed" in out, out
    [finish] = [line for line in out.splitlines() if line.strip().startswith("finish:")]
    assert "in window" not in finish and "likely" not in finish, finish
    assert "finish: none while the rollback call stands" in finish, finish
    assert "back-out: a rollback started now restores service at 23:30" in out, out
    [odds] = [line for line in out.splitlines() if " odds: " in line]
    assert "odds: if the call is overridden: " in odds, odds

    assert main(["status", run, "--json", "--at", last_night(50), *r]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["level"] == "roll-back"
    finish_json = report["verdict"]["finish"]
    for key in ("headline", "likely_p50", "p80", "plan_of_record", "p_in_window"):
        assert finish_json[key] is None, key
    # The basis says why there is no finish (it said "likely", of a null likely finish).
    assert finish_json["basis"] == "roll-back", finish_json
    assert finish_json["withheld"] == "none while the rollback call stands", finish_json
    assert report["projected_finish"] is report["delta_s"] is report["buffer_left_s"] is None


def test_a_status_update_drafted_under_roll_back_claims_no_finish() -> None:
    state = fold(PLAN, through_load())
    values = live_values(state, at(150), forecaster=forecaster_for("warroom-roll-back"))
    assert values["level"] == "ROLL BACK"
    out = render(state.plan, "status-update", values)
    assert "The run is ROLL BACK; finish: none while the rollback call stands;" in out.body
    assert "likely" not in out.body and "chance" not in out.body, out.body
    assert out.complete, out.missing
    # The figures' own fields, for a plan's own templates, claim nothing either.
    assert str(values["likely_finish"]) == "none while the rollback call stands"
    assert str(values["p_in_window"]) == "no stated" and str(values["buffer_left"]) == "none"


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_the_status_line_under_roll_back_says_what_rolling_back_gives(size) -> None:
    # The load's trigger: running over 1h30m; at 00:30 it has run 1h40m.
    app = war_room("alice", through_load(), at(150))
    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: "ROLL BACK" in status(app))
        line = status(app).splitlines()[1]
        assert "in window" not in line and "likely" not in line, line
        assert "buffer" not in line and "plan " not in line, line
        assert "rollback now: back 01:10" in line, line
        # `w` keeps the odds, said as what carrying on past the call would give.
        why = " ".join(str(getattr(p, "plain", "")) for p in reasoning(app.frame))
        assert "for carrying on past the rollback call, if it is overridden" in why, why
        assert "odds at tonight's pace: if the call is overridden: " in why, why
