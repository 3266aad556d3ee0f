"""What the journal proves (issue 12, findings 3 to 5): each attack as it was made, in a real
run file, edited as someone with write access to it would (sqlite3, triggers dropped)."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.cli.trust_commands import head_text
from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import (
    NoteAdded,
    RollbackInvoked,
    RunEnded,
    RunStarted,
    StepCompleted,
    StepStarted,
    dump_event,
)
from cutover_tui.engine.state import Refused
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.lease import acquire_or_renew
from cutover_tui.journal.run_lookup import event_rows
from cutover_tui.journal.seal import (
    EVENT_TRIGGERS,
    HIGH_WATER,
    META_TRIGGERS,
    digest,
    unpack_plan,
)
from cutover_tui.journal.store import ChainBroken, Journal, chain
from cutover_tui.journal.trust import parse_head, verify_run
from cutover_tui.plan import parse_plan
from tests.journal_support import at, plan_text

ROOT = Path(__file__).resolve().parents[1]
WATCHER = '[people.wat]\nname = "A Watcher"\nuser = "watcher-login"\nroles = ["watcher"]\n'


def cutover(*args: str, runs: Path, state: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CUTOVER_RUNS": str(runs)}
    if state is not None:  # another user's memory of heads (a fresh one: none)
        env["CUTOVER_STATE"] = str(state)
    result = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def run_of(directory: Path, text: str | None = None) -> Journal:
    """A live run started at T0 by boss (this OS user commands it), recorded as it happened."""
    loaded = parse_plan(text or plan_text(steps=3), name="jt.toml")
    journal = Journal.create(directory, loaded, rehearsal=False, created_by=os_login())
    journal.append(RunStarted(actor="boss", at=at(0), plan_id="jt", key="k0"), now=lambda: at(0))
    return journal


def attacker(path: Path) -> sqlite3.Connection:
    """The file opened as someone in the group would: every trigger dropped first."""
    db = sqlite3.connect(path, isolation_level=None)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    return db


def forge(db: sqlite3.Connection, event) -> None:
    """Append `event` with a correct link and hash, no rules asked."""
    prev = db.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    body = dump_event(event.model_copy(update={"recorded_at": event.at}))
    db.execute(
        "INSERT INTO events (key, type, actor, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
        (event.key, event.type, event.actor, body, prev, chain(prev, body)),
    )


def rewrite(db: sqlite3.Connection, seq: int, change) -> None:
    """Change the body of event `seq` and those after it, and recompute every hash: a chain
    that holds (a careful forger keeps the rules too)."""
    rows = db.execute("SELECT seq, key, type, actor, body FROM events ORDER BY seq").fetchall()
    db.execute("DELETE FROM events")
    prev = "0" * 64
    for n, key, kind, actor, body in rows:
        body = change(body) if n >= seq else body
        digest_ = chain(prev, body)
        db.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
            (n, key, kind, actor, body, prev, digest_),
        )
        prev = digest_


def count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM events").fetchone()[0]


# -- finding 3: the plan in the chain, meta sealed, the rules replayed -----------------------


def test_the_first_event_seals_the_plan_and_meta_is_immutable(tmp_path: Path) -> None:
    journal = run_of(tmp_path)
    start = journal.events()[0]
    assert isinstance(start, RunStarted)
    assert start.plan_sha256 == digest(journal.meta["plan_text"])
    assert unpack_plan(start.plan_copy or "") == journal.meta["plan_text"]
    db = sqlite3.connect(journal.path, isolation_level=None)
    for sql in (
        "UPDATE meta SET value = 'x' WHERE key = 'plan_text'",
        "UPDATE meta SET value = 'x' WHERE key = 'run_id'",
        "DELETE FROM meta WHERE key = 'created_at'",
        "INSERT OR REPLACE INTO meta VALUES ('plan_text', 'x')",
        "INSERT OR REPLACE INTO events (seq, key, type, actor, body, prev, hash) "
        "VALUES (1, 'k', 't', 'a', '{}', '', '')",
    ):
        with pytest.raises(sqlite3.IntegrityError, match=r"sealed|append-only"):
            db.execute(sql)
    # The lease is the row that legitimately changes: in its own table, still written.
    assert acquire_or_renew(journal, "A", 1000.0) and acquire_or_renew(journal, "A", 1001.0)
    ok = cutover("verify", str(journal.path), runs=tmp_path)
    assert ok.returncode == 0 and "every event allowed by the rules" in ok.stdout
    assert "plan sealed in the chain" in ok.stdout


def test_a_watcher_who_made_itself_commander_is_named_by_verify(tmp_path: Path) -> None:
    # Issue 12 finding 3: a watcher rewrote meta.plan_text to make itself commander, invoked
    # rollback and ended the run; `verify` said "chain intact". Now it names the plan, every
    # event the rules refuse (seq, actor, what, why), and exits non-zero, whether or not the
    # plan is put back afterwards.
    original = plan_text(steps=3).replace("[[step]]", WATCHER + "[[step]]", 1)
    journal = run_of(tmp_path, original)
    journal.append(StepStarted(actor="boss", at=at(1), step="s0", key="k1"), now=lambda: at(1))
    journal.close()
    db = attacker(journal.path)
    forged = original.replace('roles = ["watcher"]', 'roles = ["commander"]')
    db.execute("UPDATE meta SET value = ? WHERE key = 'plan_text'", (forged,))
    forge(db, RollbackInvoked(actor="wat", at=at(5), reason="mine now", key="x1"))
    forge(db, RunEnded(actor="wat", at=at(6), outcome="rolled-back", key="x2"))

    result = cutover("verify", str(journal.path), runs=tmp_path)
    assert result.returncode == 1
    err = result.stderr
    assert "the stored plan is not the plan the run started with" in err
    assert "event 3 rollback-invoked by wat at 2026-11-27 22:05:00Z: the rules refuse it" in err
    assert "may not invoke rollback" in err
    assert "event 4 run-ended by wat" in err and "may not end the run" in err
    assert "append-only triggers were removed" in err

    db.execute("UPDATE meta SET value = ? WHERE key = 'plan_text'", (original,))
    reverted = cutover("verify", str(journal.path), runs=tmp_path)
    assert reverted.returncode == 1
    assert "the stored plan is not" not in reverted.stderr
    assert "event 3 rollback-invoked by wat" in reverted.stderr


def test_do_refuses_a_run_whose_plan_was_rewritten(tmp_path: Path) -> None:
    original = plan_text(steps=3).replace("[[step]]", WATCHER + "[[step]]", 1)
    journal = run_of(tmp_path, original)
    journal.close()
    db = attacker(journal.path)
    forged = original.replace('roles = ["watcher"]', 'roles = ["commander"]')
    db.execute("UPDATE meta SET value = ? WHERE key = 'plan_text'", (forged,))
    done = cutover("do", str(journal.path), "note", "--note", "hello", runs=tmp_path)
    assert done.returncode == 1 and count(journal.path) == 1
    assert "JOURNAL NOT TRUSTED" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "NOT TRUSTED (cutover verify)" in cutover("runs", runs=tmp_path).stdout


def test_a_run_made_before_the_seal_is_said_so_not_failed(tmp_path: Path) -> None:
    journal = run_of(tmp_path)
    journal.close()
    db = attacker(journal.path)  # as the old schema made it: a RunStarted with no seal
    rows = db.execute("SELECT body FROM events WHERE seq = 1").fetchone()
    old = json.loads(rows[0])
    for field in ("plan_sha256", "meta_sha256", "plan_copy"):
        del old[field]
    rewrite(db, 1, lambda _: json.dumps(old, separators=(",", ":")))
    stripped = cutover("verify", str(journal.path), runs=tmp_path, state=tmp_path / "fresh")
    assert stripped.returncode == 1  # a sealed run with its seal taken off
    assert "the first event carries no seal, though the run was made with one" in stripped.stderr
    db.executescript("DROP TABLE high_water; PRAGMA user_version = 1")  # the old schema
    result = cutover("verify", str(journal.path), runs=tmp_path, state=tmp_path / "fresh")
    assert result.returncode == 0, result.stderr
    assert "plan not covered by the chain (made before" in result.stdout
    old_run = Journal(journal.path)  # keys were unique across such a run: said, not stored
    with pytest.raises(Refused, match=re.escape("'k0' is already taken by The Boss (boss) (#1)")):
        old_run.append(NoteAdded(actor="op", at=at(1), text="x", key="k0"), now=lambda: at(1))


# -- finding 4: idempotency keys after permission, scoped to their author -----------------------


def test_an_operator_cannot_pre_claim_the_conductors_key(tmp_path: Path) -> None:
    # Issue 12 finding 4: an operator recorded a note under the conductor's predictable key;
    # the rollback trigger's event was never recorded while the conductor believed it was.
    journal = run_of(tmp_path)
    journal.append(StepStarted(actor="op", at=at(0), step="slow", key="s"), now=lambda: at(0))
    claim = NoteAdded(actor="op", at=at(2), text="mine", key="trigger:slow-stuck")
    assert journal.append(claim, now=lambda: at(2)).actor == "op"
    conductor = Conductor(Journal(journal.path), FixedClock(at(31)), holder="A")
    written = conductor.tick()
    fired = [e for e in written if e.type == "trigger-fired"]
    assert [(e.key, e.actor) for e in fired] == [("trigger:slow-stuck", "conductor")]
    assert "slow-stuck" in Journal(journal.path).state().fired
    assert [r["type"] for r in event_rows(journal) if r["key"] == "trigger:slow-stuck"] == [
        "note-added",
        "trigger-fired",
    ]
    again = Conductor(Journal(journal.path), FixedClock(at(32)), holder="A")
    assert [e for e in again.tick() if e.type == "trigger-fired"] == []  # still once


def test_a_replay_of_anothers_key_by_someone_outside_the_plan_is_refused(tmp_path: Path) -> None:
    # Issue 12 finding 4: a user not in the plan replaying another event's key got exit 0 and
    # "#2 step-started by @relnobody" although nothing was written.
    text = plan_text(steps=3, commander_login="somebody-else-entirely")
    journal = run_of(tmp_path, text)
    journal.append(StepStarted(actor="boss", at=at(1), step="s0", key="k-s0"), now=lambda: at(1))
    journal.close()
    for target in ("s0", "s1"):
        replay = cutover("do", str(journal.path), "start", target, "--key", "k-s0", runs=tmp_path)
        assert replay.returncode == 1, replay.stdout
        assert "#2" not in replay.stdout and "refused" in replay.stderr
        assert f"@{os_login()}" in replay.stderr or "not in the plan" in replay.stderr
    assert count(journal.path) == 2


def test_a_key_repeated_by_its_author_is_answered_once(tmp_path: Path) -> None:
    journal = run_of(tmp_path)
    first = journal.append(StepStarted(actor="boss", at=at(1), step="s0", key="mine"))
    again = journal.append(StepStarted(actor="boss", at=at(1), step="s0", key="mine"))
    assert first.seq == again.seq == 2 and count(journal.path) == 2
    with pytest.raises(
        Refused, match=r"key .mine. was used at .* for step-started s0 #2; use a new key"
    ):
        journal.append(StepCompleted(actor="boss", at=at(2), step="s0", key="mine"))
    # Someone else's command under that key is their own command, judged as such.
    with pytest.raises(Refused, match="may not start 's0'"):
        journal.append(StepStarted(actor="op", at=at(1), step="s0", key="mine"))


# -- finding 5: truncation, a lost -wal, a rewrite; the head published and checked -------------


def cli_run(tmp_path: Path) -> tuple[str, Path, Path]:
    plan = tmp_path / "jt.toml"
    from datetime import UTC, datetime

    plan.write_text(plan_text(steps=3, window_start=datetime.now(UTC).replace(second=0)))
    runs = tmp_path / "runs"
    started = cutover("start", str(plan), runs=runs)
    assert started.returncode == 0, started.stderr
    run = started.stdout.strip()
    assert cutover("do", run, "start", "s0", runs=runs).returncode == 0
    assert cutover("do", run, "complete", "s0", runs=runs).returncode == 0
    return run, runs, runs / f"{run}.db"


def test_status_publishes_the_head_and_verify_expect_checks_it(tmp_path: Path) -> None:
    run, runs, _ = cli_run(tmp_path)
    report = json.loads(cutover("status", run, "--json", runs=runs).stdout)
    head = report["head"]
    assert head["seq"] == 3 and len(head["hash"]) == 64
    text = cutover("status", run, runs=runs).stdout
    assert f"journal head {head['seq']}:{head['hash'][:16]}" in text
    short = f"{head['seq']}:{head['hash'][:16]}"
    held = cutover("verify", run, "--expect", short, runs=runs)
    assert held.returncode == 0 and "holds the expected head" in held.stdout
    assert cutover("verify", run, "--expect", head["hash"], runs=runs).returncode == 0
    bad = cutover("verify", run, "--expect", "three", runs=runs)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_a_full_rewrite_with_recomputed_hashes(tmp_path: Path) -> None:
    run, runs, path = cli_run(tmp_path)
    head = json.loads(cutover("status", run, "--json", runs=runs).stdout)["head"]
    db = attacker(path)
    rewrite(db, 2, lambda body: body.replace('"step":"s0"', '"step":"s1"'))  # s1, not s0
    db.executescript(EVENT_TRIGGERS + META_TRIGGERS + HIGH_WATER)  # and covers their tracks
    db.close()
    stranger = tmp_path / "stranger"  # never read the run: the chain alone holds
    assert cutover("verify", run, runs=runs, state=stranger).returncode == 0
    expected = cutover(
        "verify", run, "--expect", f"3:{head['hash'][:16]}", runs=runs, state=stranger
    )
    assert expected.returncode == 1 and "diverges from the expected head" in expected.stderr
    longer = cutover("verify", run, "--expect", f"9:{head['hash'][:16]}", runs=runs, state=stranger)
    assert "shorter than the expected head" in longer.stderr
    mine = cutover("verify", run, runs=runs)  # this user read it: their memory says so
    assert mine.returncode == 1 and "the journal was rewritten: event 3" in mine.stderr


def test_deleting_the_last_rows_is_detected(tmp_path: Path) -> None:
    run, runs, path = cli_run(tmp_path)
    assert cutover("status", run, runs=runs).returncode == 0  # this user has seen 3 events
    db = attacker(path)
    db.execute("DELETE FROM events WHERE seq = 3")
    db.close()
    status = cutover("status", run, runs=runs)
    assert status.returncode == 1 and "JOURNAL NOT TRUSTED" in status.stderr
    assert "shorter than when you last read it: it had 3 events" in status.stderr
    done = cutover("do", run, "note", "--note", "x", runs=runs)
    assert done.returncode == 1 and count(path) == 2
    assert "shorter" in cutover("verify", run, runs=runs).stderr


def test_the_conductors_high_water_mark_detects_truncation_for_anyone(tmp_path: Path) -> None:
    journal = run_of(tmp_path)
    journal.append(NoteAdded(actor="boss", at=at(1), text="a", key="n1"), now=lambda: at(1))
    assert acquire_or_renew(journal, "A", 1000.0)  # its heartbeat saw event 2
    journal.close()
    db = attacker(journal.path)
    db.execute("DELETE FROM events WHERE seq = 2")
    result = cutover("verify", str(journal.path), runs=tmp_path, state=tmp_path / "fresh")
    assert result.returncode == 1
    assert "shorter than the conductor saw: it had 2 events" in result.stderr


_WRITER = """
import sys
from pathlib import Path
from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal.store import Journal
from tests.journal_support import at
journal = Journal(Path(sys.argv[1]))
for i in range(20):
    journal.append(NoteAdded(actor="boss", at=at(1), text=f"n{i}", key=f"w{i}"), now=lambda: at(1))
print("ready", flush=True)
sys.stdin.read()
"""


def test_a_wal_deleted_under_its_writers_is_detected(tmp_path: Path) -> None:
    # Issue 12 finding 5: the -wal deleted while writers held it lost 140 acknowledged events,
    # then verify said ok. Whoever read them remembers: verify and do now say so.
    journal = run_of(tmp_path)
    journal.close()
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(journal.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        seen = cutover("status", str(journal.path), "--json", runs=tmp_path)
        assert json.loads(seen.stdout)["head"]["seq"] == 21
        for suffix in ("-wal", "-shm"):
            Path(f"{journal.path}{suffix}").unlink()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert count(journal.path) == 1  # the 20 acknowledged notes are gone
    result = cutover("verify", str(journal.path), runs=tmp_path)
    assert result.returncode == 1
    assert "shorter than when you last read it: it had 21 events" in result.stderr
    assert cutover("do", str(journal.path), "note", "--note", "x", runs=tmp_path).returncode == 1


# -- a broken chain: shown loudly, never appended to, listed as damaged ----------------------


def test_a_broken_chain_is_refused_by_every_command_and_listed(tmp_path: Path) -> None:
    run, runs, path = cli_run(tmp_path)
    db = attacker(path)
    db.execute("UPDATE events SET body = replace(body, 's0', 's1') WHERE seq = 2")
    db.close()
    done = cutover("do", run, "note", "--note", "x", runs=runs)
    assert done.returncode == 1 and count(path) == 3
    assert done.stderr.count("\n") == 1 and "hash chain is broken: event 2" in done.stderr
    status = cutover("status", run, runs=runs)
    assert status.returncode == 1 and "JOURNAL NOT TRUSTED" in status.stderr
    for command in ("follow", "run"):  # refused before the war room takes the screen
        room = cutover(command, run, runs=runs)
        assert room.returncode == 1 and "JOURNAL NOT TRUSTED" in room.stderr
    with pytest.raises(ChainBroken):
        Journal(path).append(NoteAdded(actor="boss", at=at(1), text="x", key=uuid.uuid4().hex))
    (runs / "junk.db").write_bytes(b"this is not a database" * 100)
    listed = cutover("runs", runs=runs).stdout
    assert f"{run}" in listed and "DAMAGED" in listed
    assert "junk" in listed and "UNREADABLE" in listed and "no runs" not in listed


def test_runs_lists_an_unreadable_file_instead_of_no_runs(tmp_path: Path) -> None:
    (tmp_path / "broken.db").write_bytes(b"\0" * 4096)
    listed = cutover("runs", runs=tmp_path)
    assert listed.returncode == 0 and "no runs" not in listed.stdout
    assert "broken" in listed.stdout and "UNREADABLE" in listed.stdout


def test_a_completed_night_replays_clean(tmp_path: Path) -> None:
    journal = run_of(tmp_path)
    for i, sid in enumerate(("s0", "s1", "s2")):
        journal.append(
            StepStarted(actor="boss", at=at(i), step=sid, key=f"a{i}"), now=lambda: at(9)
        )
        journal.append(
            StepCompleted(actor="boss", at=at(9), step=sid, key=f"b{i}"), now=lambda: at(9)
        )
    result = verify_run(journal)
    assert result.ok, result.problems
    assert result.head == (7, journal.head[1])


# -- properties: verify's replay agrees with the check made at append time -------------------

ACTORS = ["boss", "op", "wat", "@nobody"]
KINDS = ["start", "complete", "fail", "note", "rollback"]


def command(kind: str, actor: str, sid: str, moment, key: str):
    if kind == "start":
        return StepStarted(actor=actor, at=moment, step=sid, key=key)
    if kind == "complete":
        return StepCompleted(actor=actor, at=moment, step=sid, key=key)
    if kind == "fail":
        from cutover_tui.engine.events import StepFailed

        return StepFailed(actor=actor, at=moment, step=sid, reason="broke", key=key)
    if kind == "rollback":
        return RollbackInvoked(actor=actor, at=moment, reason="why not", key=key)
    return NoteAdded(actor=actor, at=moment, text="n", key=key)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_verify_refuses_exactly_what_append_refused(tmp_path_factory, data) -> None:
    directory = tmp_path_factory.mktemp("night")
    text = plan_text(steps=3).replace("[[step]]", WATCHER + "[[step]]", 1)
    journal = run_of(directory, text)
    refused = []
    minute = 0
    for n in range(data.draw(st.integers(min_value=1, max_value=25), label="commands")):
        minute += data.draw(st.sampled_from([0, 1, 7]), label="wait")
        event = command(
            data.draw(st.sampled_from(KINDS), label="kind"),
            data.draw(st.sampled_from(ACTORS), label="actor"),
            data.draw(st.sampled_from(["s0", "s1", "s2", "slow", "rb"]), label="step"),
            at(minute),
            # Keys repeat across authors on purpose: each author's are their own.
            data.draw(st.sampled_from([f"k{n}", "shared", "k0"]), label="key"),
        )
        try:
            journal.append(event, now=lambda m=minute: at(m))
        except Refused:
            refused.append(event.model_copy(update={"recorded_at": at(minute)}))
    result = verify_run(journal)
    assert result.ok, result.problems
    from cutover_tui.engine.state import check_rules

    # A refused command the rules still refuse at the end, forged into the chain as someone
    # with write access would: verify names it.
    still = [e for e in refused if check_rules(journal.state(), e)]
    if still:
        journal.close()
        db = attacker(journal.path)
        forge(db, still[-1].model_copy(update={"key": "forged"}))  # its key may be taken
        db.close()
        seq = count(journal.path)
        problems = verify_run(Journal(journal.path)).problems
        assert any(p.startswith(f"event {seq} {still[-1].type} by ") for p in problems), problems


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=10**9), st.binary(min_size=32, max_size=32))
def test_a_published_head_reads_back(seq: int, raw: bytes) -> None:
    full = raw.hex()
    assert parse_head(head_text((seq, full))) == (seq, full[:16])
    assert parse_head(full) == (None, full)


@settings(deadline=None)
@given(st.text(max_size=80))
def test_any_expect_text_parses_or_is_one_clear_error(text: str) -> None:
    try:
        seq, prefix = parse_head(text)
    except ValueError as exc:
        assert "--expect" in str(exc)
    else:
        assert len(prefix) >= 8 and (seq is not None or len(prefix) == 64)


def test_the_engine_checks_permission_before_the_key() -> None:
    # Issue 12 finding 4: `check` answered a known key before asking who was acting.
    from cutover_tui.engine.state import check, fold

    plan = parse_plan(plan_text(steps=3), name="jt.toml").plan
    state = fold(plan, [RunStarted(actor="boss", at=at(0), plan_id="jt", key="k0", seq=1)])
    replay = StepStarted(actor="@nobody", at=at(1), step="s0", key="k0")
    assert "may not start 's0'" in (check(state, replay) or "")


def test_a_follower_notices_the_journal_going_backwards_and_stops_writing(tmp_path: Path) -> None:
    from cutover_tui.journal.run import JournalRun

    journal = run_of(tmp_path)
    journal.append(NoteAdded(actor="boss", at=at(1), text="a", key="n1"), now=lambda: at(1))
    follower = JournalRun(Journal(journal.path), "boss", now=lambda: at(2))
    assert [e.seq for e in follower.poll()] == [1, 2]
    db = attacker(journal.path)
    db.execute("DELETE FROM events WHERE seq = 2")
    db.close()
    assert follower.poll() == []
    assert "went backwards: event 2" in (follower.journal.broken or "")
    with pytest.raises(Refused, match="JOURNAL NOT TRUSTED"):
        follower.submit(NoteAdded(actor="boss", at=at(2), text="b", key="n2"))
    assert count(journal.path) == 1


def test_a_follower_notices_a_forged_link(tmp_path: Path) -> None:
    from cutover_tui.journal.run import JournalRun

    journal = run_of(tmp_path)
    follower = JournalRun(Journal(journal.path), "boss", now=lambda: at(2))
    follower.poll()
    db = attacker(journal.path)
    body = dump_event(NoteAdded(actor="boss", at=at(1), text="x", key="f", recorded_at=at(1)))
    db.execute(
        "INSERT INTO events (key, type, actor, body, prev, hash) VALUES ('f', 'note-added', "
        "'boss', ?, ?, ?)",
        (body, "0" * 64, chain("0" * 64, body)),
    )
    db.close()
    assert [e.seq for e in follower.poll()] == [2]  # shown, and marked
    assert "event 2 does not follow" in (follower.journal.broken or "")


def test_a_damaged_page_is_one_line_and_nothing_is_appended(tmp_path: Path) -> None:
    journal = run_of(tmp_path)
    for i in range(300):  # a few pages of events
        journal.append(NoteAdded(actor="boss", at=at(1), text=f"n{i}" * 20, key=f"n{i}"))
    journal.close()
    with sqlite3.connect(journal.path) as db:
        page = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    raw = bytearray(journal.path.read_bytes())
    middle = page * (pages // 2)
    raw[middle + 8 : middle + page] = b"\xa5" * (page - 8)  # a page's cells overwritten
    journal.path.write_bytes(bytes(raw))
    for args in (("status", str(journal.path)), ("follow", str(journal.path))):
        result = cutover(*args, runs=tmp_path)
        assert result.returncode == 1, result.stdout
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    done = cutover("do", str(journal.path), "note", "--note", "x", runs=tmp_path)
    assert done.returncode == 1
    listed = cutover("runs", runs=tmp_path).stdout
    assert "DAMAGED" in listed or "UNREADABLE" in listed


def test_a_simulation_dated_at_its_future_window_is_recorded_and_verifies(tmp_path: Path) -> None:
    # The journal stamps `recorded_at` before it checks (verify replays the same check): a
    # simulation's RunStarted, dated at a window next week and recorded now to anchor its
    # clock, was refused as "later than now", and `cutover simulate` failed on such plans.
    from datetime import UTC, datetime, timedelta

    window = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=6)
    loaded = parse_plan(plan_text(steps=2, window_start=window), name="jt.toml")
    journal = Journal.create(tmp_path, loaded, rehearsal=True, created_by=os_login(), speed=60)
    start = RunStarted(
        actor="boss", at=window, plan_id="jt", mode="rehearsal", key="go", simulated=True
    )
    assert journal.append(start, now=lambda: datetime.now(UTC)).seq == 1
    assert verify_run(journal).ok
    with pytest.raises(Refused, match="later than now"):  # not so for anything else
        journal.append(NoteAdded(actor="boss", at=window, text="x", key="n"))


def test_an_event_for_a_step_nobody_has_is_named_not_raised(tmp_path: Path) -> None:
    # Written past the rules, it could not even be folded: every reader raised KeyError.
    journal = run_of(tmp_path)
    journal.close()
    db = attacker(journal.path)
    forge(db, StepStarted(actor="boss", at=at(1), step="ghost", key="g1"))
    db.close()
    for args in (("status",), ("do", "note", "--note", "x"), ("follow",)):
        result = cutover(args[0], str(journal.path), *args[1:], runs=tmp_path)
        assert result.returncode == 1
        assert "event 2 cannot be folded" in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    verified = cutover("verify", str(journal.path), runs=tmp_path)
    assert "event 2 step-started by boss" in verified.stderr
    assert "there is no step 'ghost'" in verified.stderr
    assert count(journal.path) == 2


def test_a_war_room_remembers_the_head_it_followed(tmp_path: Path) -> None:
    from cutover_tui.journal import seen
    from cutover_tui.journal.run import JournalRun

    journal = run_of(tmp_path)
    journal.append(NoteAdded(actor="boss", at=at(1), text="a", key="n1"), now=lambda: at(1))
    follower = JournalRun(Journal(journal.path), "boss", now=lambda: at(2))
    follower.poll()
    known = seen.recall(journal.run_id, journal.path)
    assert known is not None and (known.seq, known.hash) == journal.head
    # The -wal lost (or rows deleted) after the war room saw them: the next command says so.
    db = attacker(journal.path)
    db.execute("DELETE FROM events WHERE seq = 2")
    db.close()
    result = cutover("status", str(journal.path), runs=tmp_path)
    assert result.returncode == 1 and "shorter than when you last read it" in result.stderr


def test_the_in_memory_run_scopes_keys_as_the_journal_does() -> None:
    from cutover_tui.tui.source import MemoryRun

    plan = parse_plan(plan_text(steps=3), name="jt.toml").plan
    run = MemoryRun(plan, "boss", [RunStarted(actor="boss", at=at(0), plan_id="jt", key="k0")])
    mine = run.submit(StepStarted(actor="boss", at=at(1), step="s0", key="k1"))
    assert run.submit(StepStarted(actor="boss", at=at(1), step="s0", key="k1")) == mine
    with pytest.raises(Refused, match="may not start 's0'"):  # not "recorded" as #2
        run.submit(StepStarted(actor="@nobody", at=at(1), step="s0", key="k1"))
    theirs = run.submit(StepStarted(actor="op", at=at(1), step="slow", key="k1"))
    assert theirs.seq == 3  # the same key, another author: their own command
