"""The war room keeps its user's `cutover do` facts at the head (cli/facts_keeper.py): a look
starts the refresh when someone else's move made them stale, and only then; a real war room
on a pseudo-terminal does it while the operator watches. Real run files and processes."""

from __future__ import annotations

import os
import pty
import sqlite3
import sys
from pathlib import Path

import pytest

from cutover_tui.cli import facts_keeper, facts_refresh
from cutover_tui.engine.events import NoteAdded, StepStarted
from cutover_tui.journal import do_facts
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from tests.journal_support import at
from tests.test_cli_warroom import ROOT, finish, read_until
from tests.test_do_fast_moves import new_run, wait_for_moves
from tests.waiting import until


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The refreshes a look asks for, recorded, and done here (the real refresh, in process)."""
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    asked: list[str] = []

    def spawn(path: str) -> None:
        asked.append(path)
        facts_refresh.refresh(Path(path))

    monkeypatch.setattr(facts_refresh, "spawn", spawn)
    return asked


def append(path: Path, *events) -> None:
    journal = Journal(path)
    try:
        for event in events:
            journal.append(event, now=lambda: at(20))
    finally:
        journal.close()


def look(path: Path, asked: tuple[int, str] | None) -> tuple[tuple[int, str] | None, bool]:
    """One look by a keeper that last asked at `asked`: the head it asked at after, and
    whether it started a refresh."""
    keeper = facts_keeper.Keeper(path, asked=asked)
    spawned = keeper.look()
    return keeper.asked, spawned


def run_id_of(path: Path) -> str:
    journal = Journal(path)
    try:
        return journal.run_id
    finally:
        journal.close()


def kept_seq(path: Path) -> int | None:
    """The head this user's facts with the moves were taken at (None: no such facts)."""
    facts = do_facts.recall(run_id_of(path), path, os_login())
    return None if facts is None or facts.moves is None else facts.seq


def head_seq(path: Path) -> int:
    journal = Journal(path)
    try:
        return journal.head[0]
    finally:
        journal.close()


def test_a_look_refreshes_facts_a_move_made_stale_and_nothing_else(
    tmp_path: Path, spawned: list[str]
) -> None:
    path = new_run(tmp_path / "runs", ()).resolve()
    asked, started = look(path, None)  # no facts of this user yet: taken
    assert (asked, started, spawned, kept_seq(path)) == ((1, asked[1]), True, [str(path)], 1)
    assert look(path, asked) == (asked, False) and len(spawned) == 1  # same head

    append(path, NoteAdded(actor="op", at=at(20), text="someone's note", key="n1"))
    asked, started = look(path, asked)  # a note folds nothing: the facts serve
    assert asked[0] == 2 and not started and len(spawned) == 1 and kept_seq(path) == 1

    append(path, StepStarted(actor="boss", at=at(20), step="a", key="s1"))
    asked, started = look(path, asked)  # someone's move: the facts are stale
    assert asked[0] == 3 and started and len(spawned) == 2 and kept_seq(path) == 3


def test_a_watchers_war_room_keeps_nothing_fresh(
    tmp_path: Path, spawned: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A login the plan does not name may do nothing while the run goes: after its first
    facts (taken to learn that), others' moves start no refresh of its war room."""
    from cutover_tui.journal import identity

    for where in (identity, facts_keeper):
        monkeypatch.setattr(where, "os_login", lambda: "a-stranger")
    path = new_run(tmp_path / "runs", ()).resolve()
    assert look(path, None)[1] is True  # no facts yet: taken once
    facts = do_facts.recall(run_id_of(path), path, "a-stranger")
    assert facts is not None and facts.moves is not None and not facts.may_note
    append(path, StepStarted(actor="boss", at=at(20), step="a", key="s1"))
    assert look(path, None)[1] is False and len(spawned) == 1


def test_no_look_refreshes_a_plan_over_the_limit(
    tmp_path: Path, spawned: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each refresh folds the log and asks every action of the frontier: on a large plan
    (as the facts count its steps, from the sealed plan: not an index row anyone in the group
    can rewrite) the war room leaves the facts to the commands after its first."""
    path = new_run(tmp_path / "runs", ()).resolve()
    monkeypatch.setattr(facts_keeper, "MOST_STEPS", 1)
    asked, started = look(path, None)  # no facts yet: taken once
    assert started and kept_seq(path) == 1
    append(path, StepStarted(actor="boss", at=at(20), step="a", key="s1"))
    assert look(path, asked)[1] is False and len(spawned) == 1


def test_a_keeper_reaps_the_refreshes_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A war room lives all night: each refresh process it started is waited for once it
    has ended (hostile review: one zombie per refresh, about 900 an hour, without)."""
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("CUTOVER_FACTS_REFRESH", "1")
    monkeypatch.setenv("CUTOVER_DO_SERVER", "0")  # a fresh process each time, no server
    path = new_run(tmp_path / "runs", ()).resolve()
    keeper = facts_keeper.Keeper(path)
    assert keeper.look() and len(keeper.children) == 1
    (pid,) = keeper.children
    until(lambda: zombie(pid), "the refresh has ended", 60)
    append(path, StepStarted(actor="boss", at=at(20), step="a", key="s1"))
    until(lambda: (kept_seq(path) or 0) >= 1, "the first facts kept", 60)
    keeper.look()  # the move: another refresh, and the first one waited for
    assert pid not in keeper.children and not zombie(pid)


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return False


def test_a_login_whose_facts_cannot_be_kept_is_asked_twice_not_forever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    monkeypatch.setattr(facts_refresh, "spawn", lambda path: asked.append(path))  # keeps none
    path = new_run(tmp_path / "runs", ()).resolve()
    keeper = facts_keeper.Keeper(path)
    for n in range(5):
        keeper.look()
        append(path, NoteAdded(actor="op", at=at(20), text=f"note {n}", key=f"n{n}"))
    assert len(asked) == facts_keeper.TRIES


def test_a_fifo_in_the_run_files_place_is_not_opened(tmp_path: Path, spawned: list[str]) -> None:
    path = tmp_path / "run.db"
    os.mkfifo(path)
    assert facts_keeper.Keeper(path).look() is False and spawned == []


def test_a_look_at_a_run_file_that_went_creates_nothing(tmp_path: Path, spawned: list[str]) -> None:
    path = new_run(tmp_path / "runs", ()).resolve()
    path.unlink()
    with pytest.raises((OSError, sqlite3.Error)):  # the keeper's loop looks again a second later
        look(path, None)
    assert not path.exists() and spawned == []


def test_the_keeper_keeps_looking_until_stopped(
    tmp_path: Path, spawned: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUTOVER_FACTS_REFRESH", "1")
    path = new_run(tmp_path / "runs", ()).resolve()
    stop = facts_keeper.keep_facts(path, first=0.0, every=0.05)
    try:
        wait_for_moves(run_id_of(path), path, 1, tmp_path / "state")
        append(path, StepStarted(actor="boss", at=at(20), step="a", key="s1"))
        wait_for_moves(run_id_of(path), path, 2, tmp_path / "state")
    finally:
        stop.set()


class Waits:
    """A stop event that records how long the keeper asked to wait, and stops after `looks`."""

    def __init__(self, looks: int) -> None:
        self.asked: list[float] = []
        self.looks = looks

    def wait(self, seconds: float) -> bool:
        self.asked.append(seconds)
        return len(self.asked) > self.looks


def test_after_starting_a_refresh_the_keeper_waits_its_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A head that moves every second (probes, alerts): one refresh per GAP, not per look."""
    started = iter([True, False, True, True])
    keeper = facts_keeper.Keeper(tmp_path / "run.db")
    monkeypatch.setattr(keeper, "look", lambda: next(started))
    stop = Waits(looks=4)
    facts_keeper._keep(keeper, stop, 2.0, 1.0)
    gap = facts_keeper.GAP
    assert gap > 1.0 and stop.asked == [2.0, gap, 1.0, gap, gap]


def test_a_war_room_on_a_terminal_keeps_the_facts_as_others_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cutover follow` on a pseudo-terminal: someone else starts a step, and this user's
    facts are taken at the new head by the war room's own look (the real refresh process),
    with no `cutover do` of this user to start one. (The war room's conductor records its
    alerts meanwhile: the heads waited for are "at least".)"""
    runs, state = tmp_path / "runs", tmp_path / "state"
    monkeypatch.setenv("CUTOVER_STATE", str(state))
    path = new_run(runs, ()).resolve()
    run_id = run_id_of(path)
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.environ.update(
            CUTOVER_RUNS=str(runs),
            CUTOVER_FACTS_REFRESH="1",
            CUTOVER_DO_SERVER="0",  # the refresh in a fresh process: no server left behind
            TERM="xterm-256color",
        )
        os.execv(sys.executable, [sys.executable, "-m", "cutover_tui.cli", "follow", run_id])
    try:
        assert b"Timeline" in read_until(fd, b"Timeline")
        until(lambda: kept_seq(path) is not None, "the facts taken", 60)
        append(path, StepStarted(actor="boss", at=at(20), step="a", key="s1"))
        moved = head_seq(path)
        until(lambda: (kept_seq(path) or 0) >= moved, "the facts taken after the move", 60)
    finally:
        os.write(fd, b"q")
        assert finish(pid, fd) == 0
