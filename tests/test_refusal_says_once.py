"""A refusal says who you are to the run once: `@root [not in the plan's people, so
read-only] may not start 's0': ... (you are root, not in the plan's people, so read-only)`
said the read-only phrase twice in one line (review, 2026-12-03). The CLI on a real run
file, as a login the plan does not list, and as a person of the plan with no role."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.journal.identity import os_login
from tests.journal_support import plan_text
from tests.test_cli_run import LAST_NIGHT, begun_last_night


def refusal(capsys, runs: Path, run_id: str, *argv: str) -> str:
    capsys.readouterr()
    assert main(["do", run_id, *argv, "--runs", str(runs)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def count(runs: Path) -> int:
    (path,) = runs.glob("*.db")
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        db.close()


@pytest.mark.parametrize(
    "argv", [["start", "s0"], ["end", "--outcome", "aborted"], ["note", "--note", "hi"]]
)
def test_a_login_not_in_the_plan_is_said_read_only_once(tmp_path: Path, capsys, argv) -> None:
    text = plan_text(steps=3, commander_login="somebody-else", window_start=LAST_NIGHT)
    run_id, runs = begun_last_night(tmp_path, text)
    err = refusal(capsys, runs, run_id, *argv)
    login = os_login()
    assert err.startswith(f"cutover do: refused: @{login} [not in the plan's people, so read-only]")
    assert err.count("not in the plan's people") == 1 and err.count("read-only") == 1, err
    assert err.rstrip().endswith(f"(you are {login})"), err
    assert count(runs) == 1


def test_a_person_with_no_role_is_said_so_once(tmp_path: Path, capsys) -> None:
    text = plan_text(steps=3, commander_login="somebody-else", window_start=LAST_NIGHT)
    text = text.replace(
        'name = "An Operator"\nuser = "someone-else"\nroles = ["operator"]',
        f'name = "An Operator"\nuser = "{os_login()}"\nroles = []',
    )
    run_id, runs = begun_last_night(tmp_path, text)
    err = refusal(capsys, runs, run_id, "end", "--outcome", "aborted")
    assert "(op) [no role tonight" in err and err.count("no role tonight") == 1, err
    assert err.rstrip().endswith(f"(you are {os_login()}: An Operator (op))"), err


def test_a_refusal_that_names_no_roles_still_says_them(tmp_path: Path, capsys) -> None:
    text = plan_text(steps=3, commander_login="somebody-else", window_start=LAST_NIGHT)
    run_id, runs = begun_last_night(tmp_path, text)
    err = refusal(capsys, runs, run_id, "validated", "x")  # the plan has no [aftercare]
    assert err.rstrip().endswith(f"(you are {os_login()}, not in the plan's people, so read-only)")
