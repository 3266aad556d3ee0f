"""An overridden rollback trigger says so wherever it is listed: `cutover status` (text and
--json) through the real CLI, and the war room's Checkpoints & gates pane.

The user pass (2026-12-02): a checkpoint failed, its rollback trigger fired, the commander
overrode it with a reason. The verdict went back to ON TRACK, yet `cutover status` still
printed `FIRED ... → rollback` with no word of the override, and the pane kept the trigger
and the checkpoint in bold red `→ ROLLBACK`. After a later rollback, the override rule still
said the run "carries on".
"""

from __future__ import annotations

import json
from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from cutover_tui.cli import main
from cutover_tui.engine.events import (
    CheckpointFailed,
    StepStarted,
    TriggerOverridden,
)
from cutover_tui.tui.widgets.checks import ChecksPane
from tests.test_cli_run import last_night
from tests.test_status_no_go import TO_THE_CHECKPOINT, rehearsal_by_cli
from tests.warroom_support import at, settle, through_backup, war_room

SIZE = (160, 48)
REASON = "counted twice, fine"


def checkpoint_failed_by_cli(tmp_path: Path) -> tuple[str, list[str]]:
    """A rehearsal of the warroom plan (its commander this user) whose checkpoint backup-ok
    fails at 22:45: its trigger backup-failed fires, action rollback."""
    failed = ("fail-check", "backup-ok", 45, "--evidence", "row counts differ")
    run, runs = rehearsal_by_cli(tmp_path, [*TO_THE_CHECKPOINT, failed])
    return run, ["--runs", str(runs)]


def failed_and_overridden(tmp_path: Path) -> tuple[str, list[str]]:
    """The warroom plan's rehearsal brought to its checkpoint, which fails at 22:45 (its
    trigger backup-failed fires: rollback), overridden by the commander at 22:47."""
    run, r = checkpoint_failed_by_cli(tmp_path)
    override = ["do", run, "override", "backup-failed", "--reason", REASON]
    assert main([*override, "--at", last_night(47), *r]) == 0
    return run, r


def test_status_says_who_overrode_a_fired_trigger_when_and_why(tmp_path: Path, capsys) -> None:
    run, r = failed_and_overridden(tmp_path)
    capsys.readouterr()

    assert main(["status", run, "--at", last_night(50), *r]) == 0
    out = capsys.readouterr().out
    assert "ROLL BACK" not in out
    [fired] = [line for line in out.splitlines() if "FIRED" in line]
    assert fired.strip() == (
        f"FIRED backup-failed at 22:45, overridden by Alice Ng (alice) at 22:47: {REASON}"
    )

    assert main(["status", run, "--json", "--at", last_night(50), *r]) == 0
    [entry] = json.loads(capsys.readouterr().out)["fired"]
    assert entry["trigger"] == "backup-failed" and entry["action"] == "rollback"
    overridden = entry["overridden"]
    assert overridden["by"] == "alice" and overridden["name"] == "Alice Ng (alice)"
    assert overridden["reason"] == REASON and overridden["at"].startswith(last_night(47))


def test_an_unanswered_fired_trigger_has_no_override_in_json(tmp_path: Path, capsys) -> None:
    run, r = checkpoint_failed_by_cli(tmp_path)
    capsys.readouterr()
    assert main(["status", run, "--json", "--at", last_night(50), *r]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["level"] == "roll-back"
    [entry] = report["fired"]
    assert entry["overridden"] is None


def test_after_a_later_rollback_the_override_no_longer_carries_on(tmp_path: Path, capsys) -> None:
    run, r = failed_and_overridden(tmp_path)
    rollback = ["do", run, "rollback", "--reason", "the load went wrong after all"]
    assert main([*rollback, "--at", last_night(52), *r]) == 0
    capsys.readouterr()

    assert main(["status", run, "--at", last_night(55), *r]) == 0
    out = capsys.readouterr().out
    [rule] = [line for line in out.splitlines() if " override: " in line]
    assert "carries on" not in rule
    assert rule.strip().endswith(f"at 22:47: {REASON}; rollback invoked since, at 22:52")
    assert "overridden by Alice Ng (alice) at 22:47" in out  # the FIRED line: still true


# -- the war room's pane ---------------------------------------------------------------------


def pane(app) -> Text:
    content = app.query_one(ChecksPane).query_one("#checks-body", Static).content
    assert isinstance(content, Text)
    return content


def line_of(text: Text, needle: str) -> Text:
    [line] = [line for line in text.split() if needle in line.plain]
    return line


def red(line: Text, start: int = 0) -> bool:
    """Any of the line from `start` on is red."""
    return any("red" in str(span.style) for span in line.spans if span.end > start)


def checkpoint_failed() -> list:
    return [
        *through_backup(),
        StepStarted(actor="dba", at=at(40), step="backup-ok"),
        CheckpointFailed(actor="dba", at=at(45), step="backup-ok", evidence="rows differ"),
    ]


async def test_the_pane_says_an_overridden_trigger_calmly() -> None:
    events = [
        *checkpoint_failed(),
        TriggerOverridden(actor="alice", at=at(47), trigger="backup-failed", reason=REASON),
    ]
    app = war_room("alice", events, at(50))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "overridden" in pane(app).plain)
        text = pane(app)
        fired = line_of(text, "FIRED")
        assert fired.plain.startswith(
            f"● FIRED backup-failed 22:45, overridden by Alice Ng (alice) at 22:47: {REASON}"
        )
        assert "→ ROLLBACK" not in fired.plain and not red(fired)
        checkpoint = line_of(text, "Backup verified")
        assert checkpoint.plain.endswith("→ ROLLBACK, overridden")
        # It failed (✗ stays red, as a failed checkpoint the plan carries on past does); the
        # rollback it called for is answered: not red.
        assert not red(checkpoint, checkpoint.plain.index("→"))


async def test_the_pane_keeps_an_unanswered_trigger_red() -> None:
    app = war_room("alice", checkpoint_failed(), at(50))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "FIRED" in pane(app).plain)
        text = pane(app)
        fired = line_of(text, "FIRED")
        assert "→ ROLLBACK" in fired.plain and "overridden" not in fired.plain and red(fired)
        checkpoint = line_of(text, "Backup verified")
        assert checkpoint.plain.endswith("→ ROLLBACK")
        assert red(checkpoint, checkpoint.plain.index("→"))


async def test_an_override_reason_with_a_line_feed_forges_no_line_in_the_pane() -> None:
    """Review (2026-12-02): `--reason $'ok\\n● FIRED forged'` showed a forged FIRED line."""
    events = [
        *checkpoint_failed(),
        TriggerOverridden(
            actor="alice", at=at(47), trigger="backup-failed", reason="ok\n● FIRED forged"
        ),
    ]
    app = war_room("alice", events, at(50))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "overridden" in pane(app).plain)
        fired = [line for line in pane(app).split() if "FIRED" in line.plain]
        assert len(fired) == 1 and "ok⏎● FIRED forged" in fired[0].plain
