"""The journal on real SQLite files, written by real processes."""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import sqlite3
import time
import uuid
from pathlib import Path

import pytest

from cutover_tui.engine.events import NoteAdded, StepCompleted, StepStarted
from cutover_tui.engine.state import Refused
from cutover_tui.journal.backend import open_at
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.run_lookup import event_rows, list_runs, open_run
from cutover_tui.journal.store import Journal, JournalError
from tests.journal_support import at, new_run
from tests.waiting import until

CTX = multiprocessing.get_context("spawn")


def key() -> str:
    return uuid.uuid4().hex


def test_append_checks_orders_and_chains(where: Path | str) -> None:
    journal = new_run(where)
    first = journal.append(StepStarted(actor="boss", at=at(1), step="s0", key=key()))
    second = journal.append(StepCompleted(actor="boss", at=at(9), step="s0", key=key()))
    assert (first.seq, second.seq) == (2, 3)
    assert second.recorded_at is not None
    problems, head, count = journal.verify()
    assert problems == [] and count == 3 and len(head) == 64
    rows = event_rows(journal)
    assert [r["prev"] for r in rows[1:]] == [r["hash"] for r in rows[:-1]]


def test_refusal_names_who_did_it_and_when(where: Path | str) -> None:
    journal = new_run(where)
    journal.append(StepStarted(actor="boss", at=at(1), step="s0", key=key()))
    journal.append(StepCompleted(actor="boss", at=at(9), step="s0", key=key()))
    with pytest.raises(Refused, match=r"already completed by The Boss \(boss\) at 22:09"):
        journal.append(StepCompleted(actor="boss", at=at(10), step="s0", key=key()))
    with pytest.raises(Refused, match="may not"):
        journal.append(StepStarted(actor="op", at=at(1), step="s1", key=key()))
    assert journal.verify()[2] == 3  # nothing refused was written


def test_idempotency_key_appends_once(where: Path | str) -> None:
    journal = new_run(where)
    k = key()
    a = journal.append(StepStarted(actor="boss", at=at(1), step="s0", key=k))
    b = journal.append(StepStarted(actor="boss", at=at(1), step="s0", key=k))
    assert a.seq == b.seq
    assert journal.verify()[2] == 2


def test_update_and_delete_are_refused_by_the_database(tmp_path: Path) -> None:
    journal = new_run(tmp_path)
    db = sqlite3.connect(journal.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE events SET actor = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM events")


def test_verify_finds_an_edited_event(tmp_path: Path) -> None:
    journal = new_run(tmp_path)
    journal.append(NoteAdded(actor="boss", at=at(1), text="all good", key=key()))
    db = sqlite3.connect(journal.path)
    db.execute("DROP TRIGGER events_no_update")  # someone with the file and sqlite3
    db.execute("UPDATE events SET body = replace(body, 'all good', 'all bad') WHERE seq = 2")
    db.commit()
    problems, _, _ = Journal(journal.path).verify()
    assert any("hash does not match" in p for p in problems)


def test_files_are_group_writable_not_world_readable(tmp_path: Path) -> None:
    journal = new_run(tmp_path / "runs")
    assert journal.path.stat().st_mode & 0o777 == 0o660
    assert (tmp_path / "runs").stat().st_mode & 0o2777 == 0o2770


def test_open_run_by_id_path_and_a_helpful_miss(tmp_path: Path) -> None:
    journal = new_run(tmp_path)
    assert open_run(journal.run_id, tmp_path).run_id == journal.run_id
    assert open_run(str(journal.path), tmp_path).run_id == journal.run_id
    with pytest.raises(JournalError, match="did you mean"):
        open_run(journal.run_id[:-1] + "x", tmp_path)
    assert [r.run_id for r in list_runs(tmp_path)] == [journal.run_id]


def test_the_run_keeps_its_own_copy_of_the_plan(where: Path | str) -> None:
    journal = new_run(where)
    again = open_at(journal.locator)
    assert again.plan.plan.title == "Journal test"
    assert len(again.plan.step) == len(journal.plan.step)


# -- many processes ----------------------------------------------------------------------------


def _writer(path: str, worker: int, steps: list[str], acks) -> None:
    """Start and complete every step, in this worker's own order: each step is fought over by
    every worker, so most of these commands conflict with another process's."""
    journal = open_at(path)
    for sid in steps:
        for event in (
            StepStarted(actor="boss", at=at(1), step=sid, key=f"w{worker}-start-{sid}"),
            StepCompleted(actor="boss", at=at(11), step=sid, key=f"w{worker}-done-{sid}"),
        ):
            try:
                stored = journal.append(event)
                acks.put((event.key, stored.seq))  # acknowledged: the commit returned
            except Refused as refusal:
                acks.put(("refused", str(refusal)))
    # And the contested step, already started: only one completion may win.
    for attempt in range(3):
        try:
            event = StepCompleted(
                actor="boss", at=at(12), step="contested", key=f"w{worker}-contested-{attempt}"
            )
            stored = journal.append(event)
            acks.put((event.key, stored.seq))
        except Refused as refusal:
            acks.put(("refused", str(refusal)))
    acks.put(("finished", worker))


def test_concurrent_writers_every_ack_once_one_order(where: Path | str) -> None:
    steps, writers = 60, 4
    journal = new_run(where, steps=steps)
    journal.append(StepStarted(actor="boss", at=at(1), step="contested", key="contested-start"))
    acks = CTX.Queue()
    ids = [f"s{i}" for i in range(steps)]
    workers = [  # each in its own order, two of them backwards
        CTX.Process(
            target=_writer,
            args=(
                journal.locator,
                w,
                (ids[w * 15 :] + ids[: w * 15])[:: 1 if w % 2 else -1],
                acks,
            ),
        )
        for w in range(writers)
    ]
    for p in workers:
        p.start()
    acked: dict[str, int] = {}
    refusals: list[str] = []
    finished = 0
    while finished < writers:  # drain while they run: a full queue would block a writer
        k, value = acks.get(timeout=120)
        if k == "finished":
            finished += 1
        elif k == "refused":
            refusals.append(value)
        else:
            acked[k] = value
    for p in workers:
        p.join(timeout=60)
        assert p.exitcode == 0
    commands = writers * (2 * steps + 3)
    assert len(acked) + len(refusals) == commands == 492  # hundreds, every one answered
    rows = event_rows(open_at(journal.locator))
    by_key = {r["key"]: r["seq"] for r in rows}
    assert len(by_key) == len(rows)  # no key twice
    assert all(by_key[k] == seq for k, seq in acked.items())  # every ack present, same seq
    assert len(rows) == 2 + len(acked)  # and nothing that was not acknowledged
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))  # one order, no gaps
    for sid in [*ids, "contested"]:  # each step started once and completed once
        kinds = [r["type"] for r in rows if r["body"].get("step") == sid]
        assert sorted(kinds) == ["step-completed", "step-started"], (sid, kinds)
    assert len(acked) == 2 * steps + 1
    # Every loser hears why, naming who won and when.
    assert len(refusals) == commands - len(acked)
    pattern = re.compile(
        r"^'(s\d+|contested)' (was already (started|completed) by The Boss \(boss\) at 22:\d\d"
        r"|is running \(started 22:01 by The Boss \(boss\)\))"
    )
    unclear = [r for r in refusals if not pattern.search(r)]
    assert not unclear, unclear[:5]
    assert (
        sum("'contested' was already completed by The Boss (boss) at 22:12" in r for r in refusals)
        == 11
    )
    assert open_at(journal.locator).verify()[0] == []


def _endless_writer(path: str, acks, prefix: str) -> None:
    journal = open_at(path)
    n = 0
    while True:
        event = NoteAdded(actor="boss", at=at(1), text=f"note {n}", key=f"{prefix}-{n}")
        journal.append(event)
        acks.send(event.key)  # acknowledged only after the commit returned
        n += 1


def test_writers_killed_at_random_moments_lose_no_acknowledged_event(where: Path | str) -> None:
    import random

    journal = new_run(where)
    rng = random.Random(7)
    acked: list[str] = []
    for round_ in range(5):
        pipes, writers = [], []
        for w in range(2):
            receive, send = CTX.Pipe(duplex=False)
            writer = CTX.Process(
                target=_endless_writer, args=(journal.locator, send, f"r{round_}w{w}")
            )
            writer.start()
            pipes.append(receive)
            writers.append(writer)
        target = rng.randint(20, 200)  # kill after a random number of acknowledged appends
        deadline = time.monotonic() + 60
        got = 0
        while got < target and time.monotonic() < deadline:
            for receive in pipes:
                while receive.poll(0.01):
                    acked.append(receive.recv())
                    got += 1
        for writer in writers:
            os.kill(writer.pid, signal.SIGKILL)
            writer.join()
        for receive in pipes:
            try:
                while receive.poll(0.05):
                    acked.append(receive.recv())
            except EOFError:
                pass  # the writer is dead: its end of the pipe is closed
        after = open_at(journal.locator)
        problems, _, _ = after.verify()  # integrity_check and the chain, after every round
        assert problems == []
        assert set(acked) <= {e.key for e in after.events()}
    assert len(acked) >= 100


def _late_appender(path: str, ready, sent) -> None:
    journal = open_at(path)
    ready.wait(30)  # the follower is polling
    stamp = time.time()
    journal.append(NoteAdded(actor="boss", at=at(2), text="commander speaking", key="late"))
    sent.put(stamp)


def test_a_follower_sees_a_new_event_within_a_second(where: Path | str) -> None:
    journal = new_run(where)
    follower = JournalRun(open_at(journal.locator), "op")
    assert follower.poll()  # the history
    ready, sent = CTX.Event(), CTX.Queue()
    writer = CTX.Process(target=_late_appender, args=(journal.locator, ready, sent))
    writer.start()

    def seen() -> float | None:
        ready.set()  # once the follower has polled, the writer may append
        return time.time() if any(e.key == "late" for e in follower.poll()) else None

    seen_at = until(seen, "the follower sees the late note")
    writer.join()
    assert seen_at - sent.get(timeout=5) < 1.0


def test_polling_an_unchanged_run_reads_nothing(where: Path | str) -> None:
    journal = new_run(where)
    follower = JournalRun(open_at(journal.locator), "op")
    assert len(follower.poll()) == 1
    assert follower.poll() == []
    journal.append(NoteAdded(actor="boss", at=at(2), text="x", key="x"))
    if isinstance(where, str):  # PostgreSQL tells a follower on its own socket (NOTIFY): the
        new = until(follower.poll, "the follower is told")  # poll after it arrives reads it
    else:  # SQLite's data_version has changed by the time the commit returns
        new = follower.poll()
    assert [e.key for e in new] == ["x"]


def test_a_follow_only_source_refuses_commands(where: Path | str) -> None:
    journal = new_run(where)
    follower = JournalRun(open_at(journal.locator), "boss", read_only=True)
    with pytest.raises(Refused, match="read-only"):
        follower.submit(NoteAdded(actor="boss", at=at(2), text="x", key="y"))


def test_an_unfinished_simulation_is_not_the_run_to_join(tmp_path: Path) -> None:
    from cutover_tui.engine.events import RunStarted
    from cutover_tui.journal.run_lookup import latest_open_run
    from cutover_tui.plan import parse_plan
    from tests.journal_support import plan_text

    loaded = parse_plan(plan_text(steps=1))
    simulated = Journal.create(tmp_path, loaded, rehearsal=True, created_by="me", speed=60)
    simulated.append(  # started, never ended
        RunStarted(actor="boss", at=at(0), plan_id="jt", mode="rehearsal", key="k")
    )
    assert latest_open_run(tmp_path, "jt") is None
    live = new_run(tmp_path)
    assert latest_open_run(tmp_path, "jt").run_id == live.run_id


def test_a_war_room_sees_its_own_command_at_once(where: Path | str) -> None:
    # data_version changes for other connections' commits only: the source must still
    # deliver what it just wrote itself, without waiting for somebody else to commit.
    journal = new_run(where)
    source = JournalRun(open_at(journal.locator), "boss")
    assert len(source.poll()) == 1
    stored = source.submit(NoteAdded(actor="boss", at=at(2), text="mine", key="mine"))
    assert [e.seq for e in source.poll()] == [stored.seq]
    assert source.poll() == []


def test_an_unlisted_login_cannot_pass_for_a_people_key(tmp_path: Path) -> None:
    # The plan's "op" is the login someone-else. An OS user who happens to be called "op"
    # is somebody else again: read-only, and never the person "op".
    from cutover_tui.journal.identity import actor_for

    journal = new_run(tmp_path)
    assert actor_for(journal.plan, "someone-else") == "op"
    impostor = actor_for(journal.plan, "op")
    assert impostor == "@op"
    with pytest.raises(Refused, match=r"@op \[not in the plan's people, so read-only\]"):
        journal.append(StepStarted(actor=impostor, at=at(1), step="slow", key=key()))
    assert journal.verify()[2] == 1


def test_a_rehearsal_is_commanded_by_its_unlisted_starter(tmp_path: Path) -> None:
    from cutover_tui.engine.events import RunStarted
    from cutover_tui.journal.identity import actor_for
    from cutover_tui.plan import parse_plan
    from tests.journal_support import plan_text

    loaded = parse_plan(plan_text(steps=1, commander_login="the-real-boss"))
    journal = Journal.create(tmp_path, loaded, rehearsal=True, created_by="trainee")
    starter = actor_for(journal.plan, "trainee")
    journal.append(RunStarted(actor=starter, at=at(0), plan_id="jt", mode="rehearsal", key=key()))
    journal.append(StepStarted(actor=starter, at=at(1), step="s0", key=key()))
    with pytest.raises(Refused, match="may not"):  # another unlisted login only watches
        journal.append(StepStarted(actor="@visitor", at=at(1), step="slow", key=key()))


def test_open_for_the_current_user(tmp_path: Path) -> None:
    from cutover_tui.clocks import RealClock

    journal = new_run(tmp_path)
    source = JournalRun.open(journal.run_id, tmp_path)
    assert source.actor == "boss"  # journal_support's plan names this OS login as boss
    assert isinstance(source.clock, RealClock)
    assert [e.type for e in source.poll()] == ["run-started"]
    with pytest.raises(JournalError, match="no run"):
        JournalRun.open("nope", tmp_path)


def test_refusals_through_the_source_say_who_you_are(tmp_path: Path) -> None:
    from cutover_tui.journal.identity import os_login

    journal = new_run(tmp_path)
    source = JournalRun.open(journal.path, tmp_path)
    source.submit(StepStarted(actor="boss", at=at(1), step="s0", key=key()))
    source.submit(StepCompleted(actor="boss", at=at(2), step="s0", key=key()))
    with pytest.raises(Refused) as refused:
        source.submit(StepCompleted(actor="boss", at=at(3), step="s0", key=key()))
    assert "already completed by The Boss (boss) at 22:02" in str(refused.value)
    assert f"you are {os_login()}: The Boss (boss), commander" in str(refused.value)


def test_two_runs_started_in_the_same_second_are_two_runs(tmp_path: Path) -> None:
    from cutover_tui.plan import parse_plan
    from tests.journal_support import plan_text

    loaded = parse_plan(plan_text(steps=1))
    runs = [Journal.create(tmp_path, loaded, rehearsal=False, created_by="me") for _ in range(3)]
    assert len({r.run_id for r in runs}) == 3
    assert [Journal(r.path).run_id for r in runs] == [r.run_id for r in runs]
    assert sorted(p.name for p in tmp_path.glob("*.db")) == sorted(f"{r.run_id}.db" for r in runs)
    assert not list(tmp_path.glob(".*"))  # nothing left half-made


def test_list_runs_says_where_each_stands(tmp_path: Path) -> None:
    journal = new_run(tmp_path, steps=3)
    journal.append(StepStarted(actor="boss", at=at(1), step="s0", key=key()))
    journal.append(StepCompleted(actor="boss", at=at(9), step="s0", key=key()))
    (info,) = list_runs(tmp_path)
    assert (info.run_id, info.plan_id, info.title) == (journal.run_id, "jt", "Journal test")
    assert info.rehearsal is False and info.created_by
    assert info.summary == "running, 1/5 steps closed"


def test_opening_folds_the_log_to_the_state_the_writer_built(tmp_path: Path) -> None:
    # The writer's state is built one append at a time; a process opening the run folds the
    # whole log at once. Both must be the same state, and both carry each event's seq.
    journal = new_run(tmp_path, steps=5)
    for i in range(5):
        journal.append(StepStarted(actor="boss", at=at(i), step=f"s{i}", key=f"a{i}"))
    for i in range(3):
        journal.append(StepCompleted(actor="boss", at=at(10 + i), step=f"s{i}", key=f"b{i}"))
    journal.append(NoteAdded(actor="boss", at=at(20), text="x", key="n"))
    opened = Journal(journal.path)
    mine, theirs = journal.state(), opened.state()
    assert (theirs.last_seq, theirs.event_count, theirs.keys) == (
        mine.last_seq,
        mine.event_count,
        mine.keys,
    )
    assert {k: v.status for k, v in theirs.status.items()} == {
        k: v.status for k, v in mine.status.items()
    }
    assert [e.seq for e in opened.events()] == list(range(1, 11))
    assert opened.events() == journal.events()


def test_a_state_held_before_the_first_event_stays_live(tmp_path: Path) -> None:
    from cutover_tui.engine.events import RunStarted
    from cutover_tui.plan import parse_plan
    from tests.journal_support import plan_text

    writer = Journal.create(
        tmp_path, parse_plan(plan_text(steps=1)), rehearsal=False, created_by="me"
    )
    reader = Journal(writer.path)
    held = reader.state()
    writer.append(RunStarted(actor="boss", at=at(0), plan_id="jt", key=key()))
    assert reader.state() is held and held.phase == "running" and held.last_seq == 1


def test_a_damaged_file_is_reported_in_words(tmp_path: Path) -> None:
    journal = new_run(tmp_path)
    for i in range(300):
        journal.append(NoteAdded(actor="boss", at=at(1), text=f"note {i} " * 20, key=f"n{i}"))
    journal.close()
    data = bytearray(journal.path.read_bytes())
    page = 4096
    assert len(data) > 20 * page
    data[10 * page : 12 * page] = b"\xff" * (2 * page)  # two pages in the middle scribbled over
    journal.path.write_bytes(bytes(data))
    problems, _, _ = Journal(journal.path).verify()
    assert problems and all(isinstance(p, str) for p in problems)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 500)
    with pytest.raises(JournalError, match="cannot be read as a cutover run"):
        Journal(garbage)
    (listed,) = list_runs(tmp_path)  # the garbage is no run; the damaged run is one
    assert listed.run_id == journal.run_id and listed.summary.startswith("DAMAGED")
