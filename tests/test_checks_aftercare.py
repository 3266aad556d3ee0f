"""Post-cutover validation items that check themselves: `cutover check RUN ITEM` runs the
item's check (a real command, a real HTTP server on loopback) under the conductor's rules
and records its outcome as the item's result."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from rich.console import Console

from cutover_tui.cli import main
from cutover_tui.engine.events import RunStarted, ValidationRecorded
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan
from tests.checks_support import toml_list
from tests.journal_support import T0
from tests.shop_support import fake_shop, start_run


def items_plan(tmp_path: Path, printed: str, commander: str | None = None) -> Path:
    """A plan with two validation items checked by a command printing `printed`: a measure
    (rows, 1000 ± 0) and a pass/fail item (exit 0)."""
    argv = toml_list([sys.executable, "-c", f"print({printed!r})"])
    text = f"""format = 1
[plan]
id = "after"
title = "After the night"
timezone = "UTC"
[window]
start = {T0:%Y-%m-%dT%H:%M:%S}
end = {T0.replace(hour=23, minute=59):%Y-%m-%dT%H:%M:%S}
[people.boss]
name = "The Boss"
user = "{commander or os_login()}"
roles = ["commander"]
[[step]]
id = "move"
title = "Move the data"
owner = "boss"
duration = "10m"
[[aftercare.check]]
id = "rows"
area = "data"
item = "Rows on the new system"
owner = "boss"
baseline = 1000
unit = "rows"
tolerance = 0
[aftercare.check.check]
type = "command"
argv = {argv}
expect = "rows >= 0"
[[aftercare.check]]
id = "answers"
area = "functionality"
item = "The new system answers"
owner = "boss"
[aftercare.check.check]
type = "command"
argv = {argv}
[[aftercare.check]]
id = "by-eye"
area = "security"
item = "Looked at by a person"
owner = "boss"
"""
    path = tmp_path / "after.toml"
    tmp_path.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def start(tmp_path: Path, plan: Path, *extra: str) -> Journal:
    """A rehearsal of `plan` that went live: its one step done and the run ended, since
    validation is recorded after go-live (engine/aftercare.before_go_live)."""
    journal = start_run(tmp_path, *extra, plan=plan)
    for words in (("start", "move"), ("complete", "move"), ("end", "--outcome", "completed")):
        assert do(journal, *words) == 0
    return journal


def ended(journal: Journal) -> Journal:
    """The online store's night ended (aborted: its steps are not what these tests are about)
    so that its after-the-night items may be recorded."""
    assert do(journal, "end", "--outcome", "aborted") == 0
    return journal


def do(journal: Journal, *words: str) -> int:
    return main(["do", journal.run_id, *words, "--runs", str(journal.path.parent)])


def check(journal: Journal, item: str) -> int:
    return main(["check", journal.run_id, item, "--runs", str(journal.path.parent)])


def recorded(journal: Journal) -> list[ValidationRecorded]:
    return [e for e in Journal(journal.path).events() if isinstance(e, ValidationRecorded)]


def test_a_measure_is_recorded_with_the_value_its_command_printed(tmp_path: Path, capsys) -> None:
    journal = start(tmp_path, items_plan(tmp_path, "rows=1000"))
    assert check(journal, "rows") == 0
    out = capsys.readouterr().out
    assert "rows: passed 1000 rows against 1000 rows ±0 rows" in out
    [event] = recorded(journal)
    assert (event.actor, event.value, event.key) == ("conductor", 1000.0, "check:rows:1")
    assert "check passed" in event.note
    assert Journal(journal.path).state().aftercare.checks["rows"].value == 1000


def test_a_measure_off_its_baseline_fails_and_can_be_checked_again(tmp_path: Path, capsys) -> None:
    journal = start(tmp_path, items_plan(tmp_path, "rows=990"))
    assert check(journal, "rows") == 1
    assert "rows: failed 990 rows" in capsys.readouterr().out
    assert check(journal, "rows") == 1  # asked again: a second attempt, its own key
    assert [e.key for e in recorded(journal)] == ["check:rows:1", "check:rows:2"]


def test_a_pass_fail_item_passes_on_exit_0(tmp_path: Path) -> None:
    journal = start(tmp_path, items_plan(tmp_path, "fine"))
    assert check(journal, "answers") == 0
    [event] = recorded(journal)
    assert event.passed is True and event.value is None


def test_output_reaches_the_terminal_inert(tmp_path: Path, capsys) -> None:
    journal = start(tmp_path, items_plan(tmp_path, "rows=1000 \x1b[2J\x1b]0;pwned\x07"))
    assert check(journal, "rows") == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out


def test_the_checks_rules_apply_to_items(tmp_path: Path, capsys) -> None:
    # An item without a check, checks off, and a run started by another OS login: not run.
    journal = start(tmp_path / "a", items_plan(tmp_path / "a", "rows=1000"))
    assert check(journal, "by-eye") == 1
    assert "'by-eye' has no check in the plan" in capsys.readouterr().err
    off = start(tmp_path / "b", items_plan(tmp_path / "b", "rows=1000"), "--no-checks")
    assert check(off, "rows") == 1
    assert "not run: this run was started with --no-checks" in capsys.readouterr().err
    assert recorded(journal) == [] and recorded(off) == []


def test_an_item_is_not_checked_as_another_login_than_the_starters(tmp_path: Path, capsys) -> None:
    loaded = load_plan(items_plan(tmp_path, "rows=1000", commander="someone-else"))
    journal = Journal.create(tmp_path / "runs", loaded, rehearsal=True, created_by="someone-else")
    journal.append(RunStarted(actor="boss", at=T0, plan_id="after", key="go"), now=lambda: T0)
    assert check(journal, "rows") == 1
    err = capsys.readouterr().err
    assert "checks run as the OS user who started the run (someone-else)" in err
    assert recorded(journal) == []


def test_a_person_cannot_record_as_the_conductor_an_item_without_a_check(tmp_path: Path) -> None:
    from cutover_tui.engine.state import Refused

    journal = start(tmp_path, items_plan(tmp_path, "rows=1000"))
    forged = ValidationRecorded(actor="conductor", at=T0, check="by-eye", passed=True, key="k")
    try:
        journal.append(forged)
    except Refused as refusal:
        assert "without a check" in str(refusal)
    else:
        raise AssertionError("the conductor recorded an item that has no check")


def test_online_store_after_the_night_against_the_fake_shop(tmp_path: Path, capsys) -> None:
    with fake_shop() as shop:
        base = f"http://127.0.0.1:{shop.server_address[1]}"
        journal = ended(start_run(tmp_path, "--var", f"shop={base}", "--var", f"live={base}"))
        runs = str(journal.path.parent)
        assert main(["check", journal.run_id, "sku-count", "--runs", runs]) == 0
        assert main(["check", journal.run_id, "checkout-works", "--runs", runs]) == 0
    out = capsys.readouterr().out
    assert "sku-count: passed 48000 SKUs against 48000 SKUs ±0 SKUs" in out
    after = Journal(journal.path).state().aftercare.checks
    assert after["sku-count"].value == 48000 and after["checkout-works"].passed is True


def test_online_store_with_the_shop_down_fails_the_item_with_the_reason(
    tmp_path: Path, capsys
) -> None:
    with fake_shop() as shop:  # gone when the block ends: nothing listens on its port
        base = f"http://127.0.0.1:{shop.server_address[1]}"
    journal = ended(start_run(tmp_path, "--var", f"shop={base}", "--var", f"live={base}"))
    assert main(["check", journal.run_id, "sku-count", "--runs", str(journal.path.parent)]) == 1
    assert "sku-count: failed" in capsys.readouterr().out
    [event] = recorded(journal)
    assert event.passed is False and event.value is None and "refused" in event.note.lower()


async def test_v_runs_an_items_check_in_the_war_room_and_records_it(tmp_path: Path) -> None:
    from cutover_tui.journal.run import JournalRun
    from cutover_tui.tui.actions.item_check import RUN_CHECK
    from cutover_tui.tui.app import WarRoomApp
    from cutover_tui.tui.screens.aftercare import aftercare_table
    from tests.warroom_support import fill, notices, open_form, settle, submit_form

    journal = start(tmp_path, items_plan(tmp_path, "rows=1000"))
    source = JournalRun.for_current_user(Journal(journal.path))
    app = WarRoomApp(source, source.clock, poll_seconds=0.05)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_form(pilot, app, "v")
        fill(app, item="rows: Rows on the new system", result=RUN_CHECK)
        await submit_form(pilot, app)
        await settle(pilot, lambda: "rows" in app.state.aftercare.checks)
        await settle(pilot, lambda: any("rows: check passed" in n for n in notices(app)))
        await pilot.press("V")  # the screen marks the items that check themselves
        await settle(pilot, lambda: type(app.screen).__name__ == "AftercareScreen")
        console = Console(width=220, record=True, file=io.StringIO())
        console.print(aftercare_table(app.screen.frame))
        table = console.export_text()
        assert (
            "rows: Rows on the new system ⚙" in table
            and "by-eye: Looked at by a person ⚙" not in table
        )
    [event] = recorded(journal)
    assert (event.actor, event.value) == ("conductor", 1000.0)
