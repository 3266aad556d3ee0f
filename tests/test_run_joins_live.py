"""`cutover run PLAN` joins the live run under way, not a rehearsal started after it.

Found on a shared jump host: the commander started the live run; someone in the group with no
role in the plan then started a rehearsal of it (anyone may), and every operator who opened
the war room with `cutover run PLAN` was put in that rehearsal, told "the live run is started
with `cutover start PLAN`", while the live run went on without them. The most recent open
run of the plan was joined whatever its mode.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.cli.warroom_commands import _journal_for
from tests.journal_support import T0, plan_text


def _start(plan: Path, runs: Path, capsys, *extra: str) -> str:
    capsys.readouterr()
    assert main(["start", str(plan), "--runs", str(runs), *extra]) == 0
    return capsys.readouterr().out.strip()


def _join(plan: Path, runs: Path, rehearsal: bool) -> str | None:
    args = argparse.Namespace(target=str(plan), rehearsal=rehearsal, runs=str(runs), journal=None)
    joined = _journal_for(args)
    return None if joined is None else joined.run_id


def test_run_plan_joins_the_live_run_when_a_rehearsal_began_after_it(tmp_path, capsys) -> None:
    plan = tmp_path / "jt.toml"
    plan.write_text(plan_text(steps=3, window_start=T0))  # this OS login commands it
    runs = tmp_path / "runs"
    live = _start(plan, runs, capsys)
    rehearsal = _start(plan, runs, capsys, "--rehearsal")  # a second later, by anyone
    assert _join(plan, runs, rehearsal=False) == live
    assert "rehearsal" not in capsys.readouterr().err
    assert _join(plan, runs, rehearsal=True) == rehearsal  # asked for: the rehearsal


def test_a_rehearsal_asked_for_beside_the_live_run_says_no_left_aside(tmp_path, capsys) -> None:
    """Review: with only the live run open, `cutover run PLAN --rehearsal --no-checks` said
    "--no-checks left aside: LIVE keeps its own" and then started a rehearsal with checks
    off: the live run (never joined for --rehearsal) was taken as the run being joined."""
    plan = tmp_path / "jt.toml"
    plan.write_text(plan_text(steps=3, window_start=T0))
    runs = tmp_path / "runs"
    live = _start(plan, runs, capsys)
    args = argparse.Namespace(
        target=str(plan), rehearsal=True, runs=str(runs), journal=None, var=[], no_checks=True
    )
    joined = _journal_for(args)
    assert joined is not None and joined.run_id != live
    joined.close()
    err = capsys.readouterr().err
    assert "left aside" not in err, err
