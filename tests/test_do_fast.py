"""`cutover do RUN note` without pydantic (cli/do_fast.py): the very row today's path writes,
or the full path.

The property test runs today's path (`Journal.append` of the event `build_event` makes, as
`cmd_do` stamps it) and the fast path on two copies of one run, over notes, kinds, steps,
keys, people, times and what happened before, and compares the rows byte for byte (and the
index row, and the facts one event on against the engine's own). Where today's path refuses,
the fast path must have stood aside. The other tests make the fast path stand aside (no
facts, someone appended since, a damaged chain, a repeat, another code) and check that the
command then behaves as it always did.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cutover_tui.cli import build_parser, main
from cutover_tui.cli.do_commands import build_event
from cutover_tui.cli.do_fast import _append, _parser, current, fast_do, judged, new_key
from cutover_tui.engine.events import NoteAdded, RunEnded, StepCompleted, StepStarted
from cutover_tui.engine.state import Refused
from cutover_tui.journal import do_facts, raw_chain
from cutover_tui.journal.identity import actor_for, os_login
from cutover_tui.journal.sqlite_io import sqlite_connect
from cutover_tui.journal.store import Journal
from tests.journal_support import at, new_run

ROWS = "SELECT seq, key, type, actor, body, prev, hash FROM events ORDER BY seq"
INDEX = "SELECT * FROM run_index"
LOGINS = (os_login(), "someone-else", "a-stranger")  # boss (commander), op, nobody
BEFORE = {  # what may have happened before the note, each by the commander
    "start-s0": lambda: StepStarted(actor="boss", at=at(1), step="s0", key="b1"),
    "complete-s0": lambda: StepCompleted(actor="boss", at=at(2), step="s0", key="b2"),
    "end": lambda: RunEnded(actor="boss", at=at(3), outcome="aborted", key="b3"),
}


def copies(base: Path, into: Path) -> tuple[Path, Path]:
    """Two copies of the closed run file `base`: one per path."""
    a, b = into / "a" / base.name, into / "b" / base.name
    for path in (a, b):
        path.parent.mkdir()
        shutil.copy(base, path)
    return a, b


def rows(path: Path) -> tuple[list, list]:
    db = sqlite3.connect(path)
    try:
        return db.execute(ROWS).fetchall(), db.execute(INDEX).fetchall()
    finally:
        db.close()


def do_args(text: str, kind: str, step: str | None, key: str) -> list[str]:
    return ["RUN", "note", *([step] if step else []), "--note", text, "--kind", kind, "--key", key]


def today(path: Path, argv: list[str], login: str, now, mono: float, boot: str) -> str | None:
    """`cmd_do`'s steps for a note: its event, stamped as it stamps it, appended; the refusal
    when the rules say no."""
    journal = Journal(path)
    try:
        args = build_parser("do").parse_args(["do", *argv])
        actor = actor_for(journal.plan, login)
        event = build_event(args, journal.plan, actor, now)
        event = event.model_copy(update={"mono": mono, "boot": boot})
        event = event.model_copy(update={"recorded_at": now})
        journal.append(event, now=lambda: now)
        return None
    except (Refused, ValueError) as refusal:  # ValueError: `cutover do` says it, exit 2
        return str(refusal)
    finally:
        journal.close()


def facts_of(path: Path, login: str, now) -> do_facts.Facts | None:
    """The facts a full `cutover do` keeps, taken of the run at `path` as it stands."""
    journal = Journal(path)
    try:
        return do_facts.take(journal, login, now)
    finally:
        journal.close()


def fast(path: Path, argv: list[str], facts, now, mono: float, boot: str):
    """The fast path's steps on the same words, from `facts`: the guard and the facts at the
    head, the body and the append; the facts one event on, or None when it stands aside."""
    if facts is None:
        return None
    args = _parser().parse_args(argv)
    db = sqlite_connect(path)
    try:
        meta = dict(db.execute("SELECT key, value FROM meta"))
        facts = current(db, meta, path, facts)
        if facts is None:
            return None
        ready = judged(facts, args, now, mono, boot)
        if ready is None:
            return None
        _, key, body = ready
        return facts.advanced(*_append(db, facts, key, body))
    finally:
        db.close()


OTHERS = {  # what others may append after the facts were kept: notes fold nothing, a start does
    "note": lambda n: NoteAdded(actor="op", at=at(1), text=f"other {n}", key=f"o{n}"),
    "start": lambda n: StepStarted(actor="op", at=at(1), step="slow", key=f"o{n}"),
}


def others_append(paths: tuple[Path, ...], kind: str, count: int) -> None:
    """`count` events by the operator on each copy, each through the full path."""
    for path in paths:
        journal = Journal(path)
        try:
            for n in range(count):
                journal.append(OTHERS[kind](n), now=lambda: at(1))
        except Refused:
            pass  # an ended run, a step started twice: whatever the rules let through
        finally:
            journal.close()


@pytest.fixture(scope="module")
def base_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], Path]:
    """A started run for each history the property draws, made once."""
    out: dict[tuple[str, ...], Path] = {}
    folder = tmp_path_factory.mktemp("do-fast-")
    for history in [(), ("start-s0",), ("start-s0", "complete-s0"), ("end",)]:
        journal = new_run(folder / "-".join(history or ("started",)), steps=3)
        for name in history:
            journal.append(BEFORE[name]())
        out[history] = journal.path
        journal.close()
    return out


TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "   ", "\u2028\x7f\x00\x1b[31m", 'é😀"\\/', "x" * 5001, "y" * 4000]),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    history=st.sampled_from([(), ("start-s0",), ("start-s0", "complete-s0"), ("end",)]),
    login=st.sampled_from(LOGINS[:2] * 3 + LOGINS[2:]),
    text=TEXT,
    kind=st.sampled_from(["info", "decision", "deviation"]),
    step=st.sampled_from([None, "s0", "s1", "contested", "rb", "no-such-step"]),
    key=st.text(min_size=1, max_size=30).filter(lambda k: not k.startswith("-")),
    minutes=st.floats(min_value=-5, max_value=600),
    mono=st.floats(min_value=0, max_value=1e7, allow_nan=False),
    boot=st.sampled_from(["0f5c-boot", "unknown"]),
    others=st.sampled_from(["note", "start"]),
    count=st.integers(min_value=0, max_value=2),
)
def test_the_fast_path_writes_the_row_todays_path_writes_or_stands_aside(
    base_runs, history, login, text, kind, step, key, minutes, mono, boot, others, count
) -> None:
    argv = do_args(text, kind, step, key)
    try:
        _parser().parse_args(argv)
    except Exception:  # words argparse itself refuses (a key like "--x"): not this test's
        return
    now = at(0) + timedelta(minutes=minutes)
    with tempfile.TemporaryDirectory() as work:
        a, b = copies(base_runs[history], Path(work))
        kept = facts_of(b, login, now)  # by this user's last full `cutover do`
        others_append((a, b), others, count)  # then others write
        refused = today(a, argv, login, now, mono, boot)
        advanced = fast(b, argv, kept, now, mono, boot)
        event("refused" if refused else "stood aside" if advanced is None else "fast")
        if refused is not None:
            assert advanced is None, f"today's path refused ({refused}); the fast one wrote"
            return
        if advanced is None:
            return  # stood aside: the full path decides (its row is today's by definition)
        assert rows(a) == rows(b)  # the events, every byte and hash, and the index row
        again = Journal(a)
        try:
            engine = do_facts.take(again, login, now)  # one event on, as the engine sees it
            assert advanced._replace(path=str(a.resolve())) == engine
        finally:
            again.close()


def test_the_fast_path_writes_todays_row_for_a_plain_note(tmp_path: Path) -> None:
    """The property's ordinary case, pinned: a commander's note on a running run, after two
    notes by others, is written by the fast path, and equals today's."""
    journal = new_run(tmp_path / "runs", steps=3)
    journal.close()
    now = at(30)
    a, b = copies(journal.path, tmp_path)
    argv = do_args("all quiet", "info", "s1", "k-1")
    kept = facts_of(b, os_login(), now)
    others_append((a, b), "note", 2)  # the operator's notes since: read from their columns
    assert today(a, argv, os_login(), now, 1234.5, "boot") is None
    assert fast(b, argv, kept, now, 1234.5, "boot") is not None
    assert rows(a) == rows(b)


# -- the command itself ---------------------------------------------------------------------


def cutover(runs: Path, *argv: str, capsys) -> tuple[int, str, str]:
    code = main([*argv, "--runs", str(runs)])
    out = capsys.readouterr()
    return code, out.out, out.err


def started(tmp_path: Path) -> tuple[Path, str]:
    journal = new_run(tmp_path / "runs", steps=3)
    journal.close()
    return tmp_path / "runs", journal.run_id


def note(runs: Path, run_id: str, text: str, *more: str) -> list[str]:
    return ["do", run_id, "note", "--note", text, *more, "--runs", str(runs)]


def test_a_note_after_a_full_one_takes_the_fast_path(tmp_path: Path, capsys) -> None:
    runs, run_id = started(tmp_path)
    assert fast_do(note(runs, run_id, "first")[1:]) is None  # no facts yet: the full path
    assert cutover(runs, *note(runs, run_id, "first")[:-2], capsys=capsys)[:2] == (
        0,
        "#2 note-added by boss\n",
    )
    assert fast_do(note(runs, run_id, "second")[1:]) == 0  # the facts the full path kept
    argv = ["do", run_id, "note", "s1", "--note", "third", "--runs", str(runs)]
    assert fast_do(argv[1:]) == 0  # and with those it moved on
    assert capsys.readouterr().out == "#3 note-added by boss\n#4 note-added s1 by boss\n"
    code, out, _ = cutover(runs, "verify", run_id, capsys=capsys)
    assert code == 0 and "ok, 4 events, chain intact" in out


def test_someone_elses_append_sends_the_next_note_the_full_way(tmp_path: Path, capsys) -> None:
    runs, run_id = started(tmp_path)
    assert main(note(runs, run_id, "first")) == 0
    journal = Journal(runs / f"{run_id}.db")
    journal.append(StepStarted(actor="boss", at=at(5), step="s0", key="elsewhere"))
    journal.close()
    assert fast_do(note(runs, run_id, "second")[1:]) is None  # the head moved on
    assert main(note(runs, run_id, "second")) == 0  # the full path, which keeps new facts
    assert fast_do(note(runs, run_id, "third")[1:]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "#5 note-added by boss"


def test_others_notes_since_leave_the_next_note_fast(tmp_path: Path, capsys) -> None:
    runs, run_id = started(tmp_path)
    assert main(note(runs, run_id, "first")) == 0
    others_append((runs / f"{run_id}.db",), "note", 2)  # by the operator, since
    assert fast_do(note(runs, run_id, "second")[1:]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "#5 note-added by boss"
    code, out, _ = cutover(runs, "verify", run_id, capsys=capsys)
    assert code == 0 and "ok, 5 events" in out


def test_a_damaged_chain_is_said_as_before(tmp_path: Path, capsys) -> None:
    runs, run_id = started(tmp_path)
    assert main(note(runs, run_id, "first")) == 0
    db = sqlite3.connect(runs / f"{run_id}.db")
    db.execute("DROP TRIGGER events_no_update")
    db.execute("UPDATE events SET body = replace(body, 'first', 'FIRST') WHERE seq = 2")
    db.commit()
    db.close()
    assert raw_chain.walk(sqlite_connect(runs / f"{run_id}.db")).broken
    assert fast_do(note(runs, run_id, "second")[1:]) is None
    capsys.readouterr()
    assert main(note(runs, run_id, "second")) == 1
    assert "JOURNAL NOT TRUSTED" in capsys.readouterr().err


def test_a_removed_trigger_alone_sends_the_note_the_full_way(tmp_path: Path, capsys) -> None:
    runs, run_id = started(tmp_path)
    assert main(note(runs, run_id, "first")) == 0
    db = sqlite3.connect(runs / f"{run_id}.db")
    db.execute("DROP TRIGGER events_no_delete")  # the chain holds; the guard's evidence not
    db.commit()
    db.close()
    assert fast_do(note(runs, run_id, "second")[1:]) is None
    capsys.readouterr()
    assert main(note(runs, run_id, "second")) == 1
    assert "append-only triggers were removed" in capsys.readouterr().err


@pytest.mark.parametrize(
    "more",
    [
        ("--kind", "review"),  # a review remark: the full path's
        ("--at", "22:30"),  # a late note
        ("--reason", "x"),  # a word a note does not take here
        ("--journal", "postgresql://x@y/z"),
    ],
)
def test_words_beyond_a_plain_note_take_the_full_path(tmp_path: Path, more) -> None:
    runs, run_id = started(tmp_path)
    assert main(note(runs, run_id, "first")) == 0
    assert fast_do(note(runs, run_id, "second", *more)[1:]) is None
    assert fast_do(note(runs, run_id, "third")[1:]) == 0  # the same note without them


def test_an_abbreviated_option_is_the_full_parsers(tmp_path: Path) -> None:
    runs, run_id = started(tmp_path)
    assert main(note(runs, run_id, "first")) == 0
    argv = ["do", run_id, "note", "--no", "abbreviated", "--runs", str(runs)]
    assert fast_do(argv[1:]) is None
    assert main(argv) == 0  # argparse reads --no as --note, as ever


def test_a_note_with_no_action_after_two_dashes_is_not_taken(tmp_path: Path, capsys) -> None:
    """`--note hi RUN -- --`: argparse gives the action [] and checks no choices; the full
    parser refuses it, so the fast path must not add a note (cli/do_route.py kept it away,
    but the fast path is the gate, not the router)."""
    runs, run_id = started(tmp_path)
    assert main(note(runs, run_id, "first")) == 0
    capsys.readouterr()
    assert fast_do(["--note", "hi", "--runs", str(runs), run_id, "--", "--"]) is None
    assert main(["do", run_id, "note", "--note", "after", "--runs", str(runs)]) == 0
    assert capsys.readouterr().out == "#3 note-added by boss\n"  # nothing written between


def test_a_repeated_key_is_answered_by_the_full_path(tmp_path: Path, capsys) -> None:
    runs, run_id = started(tmp_path)
    assert main(note(runs, run_id, "first", "--key", "once")) == 0
    assert fast_do(note(runs, run_id, "first", "--key", "once")[1:]) is None
    assert main(note(runs, run_id, "first", "--key", "once")) == 0  # the stored event again
    assert capsys.readouterr().out.splitlines() == ["#2 note-added by boss"] * 2


def test_an_empty_note_is_refused_in_the_full_paths_words(tmp_path: Path, capsys) -> None:
    runs, run_id = started(tmp_path)
    assert main(note(runs, run_id, "first")) == 0
    assert fast_do(note(runs, run_id, "   ")[1:]) is None
    capsys.readouterr()
    assert main(note(runs, run_id, "   ")) == 1
    assert "a note needs text" in capsys.readouterr().err


def test_facts_of_other_code_or_another_login_are_not_used(tmp_path: Path, monkeypatch) -> None:
    runs, run_id = started(tmp_path)
    assert main(note(runs, run_id, "first")) == 0
    path = (runs / f"{run_id}.db").resolve()
    assert do_facts.recall(run_id, path, os_login()) is not None
    assert do_facts.recall(run_id, path, "someone-else") is None
    monkeypatch.setattr(do_facts, "code_print", lambda: "another build")
    assert do_facts.recall(run_id, path, os_login()) is None
    assert fast_do(note(runs, run_id, "second")[1:]) is None


def test_edited_facts_are_not_used(tmp_path: Path) -> None:
    runs, run_id = started(tmp_path)
    assert main(note(runs, run_id, "first")) == 0
    path = (runs / f"{run_id}.db").resolve()
    state = Path(do_facts.seen.state_dir()) / do_facts.FOLDER
    kept = state / do_facts.file_name(run_id, path)
    raw = kept.read_bytes()
    facts = json.loads(raw[64:])
    assert facts["may_note"] is True
    kept.write_bytes(raw[:64] + raw[64:].replace(b'"may_note":true', b'"may_note":false'))
    assert do_facts.recall(run_id, path, os_login()) is None  # its digest no longer holds


def test_an_ended_run_takes_the_full_path(tmp_path: Path, capsys) -> None:
    runs, run_id = started(tmp_path)
    journal = Journal(runs / f"{run_id}.db")
    journal.append(RunEnded(actor="boss", at=at(5), outcome="aborted", key="end"))
    journal.close()
    assert main(note(runs, run_id, "went well", "--kind", "review")) == 0  # facts kept
    facts = do_facts.recall(run_id, (runs / f"{run_id}.db").resolve(), os_login())
    assert facts is not None and not facts.may_note  # the engine said: not a plain note
    assert fast_do(note(runs, run_id, "after the end")[1:]) is None
    capsys.readouterr()
    assert main(note(runs, run_id, "after the end")) == 1
    assert "ended" in capsys.readouterr().err


def test_a_stranger_takes_the_full_path(tmp_path: Path) -> None:
    runs, run_id = started(tmp_path)
    journal = Journal(runs / f"{run_id}.db")
    facts = do_facts.take(journal, "a-stranger", at(30))
    journal.close()
    assert facts is not None and facts.actor == "@a-stranger" and not facts.may_note


def test_a_fresh_key_is_a_uuid4() -> None:
    import uuid

    key = new_key()
    assert len(key) == 32 and uuid.UUID(key).version == 4
    assert uuid.UUID(key).variant == uuid.RFC_4122


def test_the_raw_walk_finds_what_the_journal_finds(tmp_path: Path) -> None:
    journal = new_run(tmp_path / "runs", steps=3)
    for n, step in enumerate(["s0", "s1", "s2", "contested", "slow"]):
        journal.append(StepStarted(actor="boss", at=at(1 + n), step=step, key=f"k{n}"))
    walked = raw_chain.walk(journal.db)
    assert (walked.seq, walked.head, walked.broken) == (*journal.head, None)
    path = journal.path
    journal.close()
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER events_no_delete")
    db.execute("DELETE FROM events WHERE seq = 2")
    db.commit()
    assert raw_chain.walk(db).broken == "event 3 does not follow from the one before it"
    reread = Journal(path)
    reread.state()
    assert reread.broken == "event 3 does not follow from the one before it"
    reread.close()
    db.close()


def test_a_row_numbered_below_one_is_out_of_sequence(tmp_path: Path) -> None:
    journal = new_run(tmp_path / "runs", steps=3)
    path = journal.path
    journal.close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO events VALUES (-1, 'k', 'note-added', 'boss', '{}', 'x', 'y')")
    db.commit()
    assert raw_chain.walk(db).broken == "1 event(s) out of sequence"
    db.close()


def test_facts_that_cannot_be_taken_never_fail_the_command(tmp_path: Path, monkeypatch) -> None:
    runs, run_id = started(tmp_path)

    def broken(*_args):
        raise ValueError("no facts today")

    monkeypatch.setattr(do_facts, "take", broken)
    assert main(note(runs, run_id, "first")) == 0  # recorded; the next note is the full path's
    assert fast_do(note(runs, run_id, "second")[1:]) is None


def test_only_the_newest_runs_facts_are_kept(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(do_facts, "KEEP", 2)
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    folder = tmp_path / "state" / do_facts.FOLDER
    folder.mkdir(parents=True, mode=0o700)
    (folder / "notes.txt").write_text("not ours")  # never pruned: not named as facts are
    made = []
    for n in range(3):
        runs, run_id = started(tmp_path / f"t{n}")
        assert main(note(runs, run_id, "first")) == 0
        made.append(do_facts.file_name(run_id, (runs / f"{run_id}.db").resolve()))
    assert sorted(p.name for p in folder.iterdir()) == sorted([*made[1:], "notes.txt"])


DAMAGE = {  # a hand edit of one row (the triggers dropped first), by column
    "body": "UPDATE events SET body = body || ' ' WHERE seq = ?",
    "prev": "UPDATE events SET prev = hash WHERE seq = ?",
    "hash": "UPDATE events SET hash = prev WHERE seq = ?",
    "delete": "DELETE FROM events WHERE seq = ?",
    "renumber": "UPDATE events SET seq = seq + 100 WHERE seq = ?",
}


@pytest.fixture(scope="module")
def walked_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("raw-walk-")
    journal = new_run(folder, steps=3)
    for n, step in enumerate(["s0", "s1", "s2", "contested"]):
        journal.append(StepStarted(actor="boss", at=at(1 + n), step=step, key=f"k{n}"))
    path = journal.path
    journal.close()
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(damage=st.sampled_from([None, *DAMAGE]), seq=st.integers(min_value=1, max_value=5))
def test_the_raw_walk_breaks_where_the_journal_does(walked_run: Path, damage, seq) -> None:
    """journal/raw_chain.py against Journal's own chain check, on hand-edited copies."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / walked_run.name
        shutil.copy(walked_run, path)
        if damage:
            db = sqlite3.connect(path)
            db.execute("DROP TRIGGER events_no_update")
            db.execute("DROP TRIGGER events_no_delete")
            db.execute(DAMAGE[damage], (seq,))
            db.commit()
            db.close()
        db = sqlite_connect(path)
        walked = raw_chain.walk(db)
        db.close()
        journal = Journal(path)
        with contextlib.suppress(ValueError):  # a row the fold cannot read: broken is said first
            journal.state()
        assert (walked.broken is None) == (journal.broken is None)
        if walked.broken and "out of sequence" not in walked.broken:
            assert walked.broken == journal.broken
        if not walked.broken:
            assert (walked.seq, walked.head) == journal.head
        journal.close()


class StillClock:
    """A real clock stopped at one moment, for both paths of one example."""

    moment = at(30)
    reading = 1234.5
    factor = 1.0

    def now(self):
        return self.moment

    def monotonic(self) -> float:
        return self.reading


def run_main(argv: list[str]) -> tuple[int, str, bool | None]:
    """`cutover do` through `main` on the still clock: its exit code, its output, and what
    the fast path answered (None: it stood aside; 0: it wrote)."""
    import contextlib as cl
    import io
    from unittest import mock

    from cutover_tui.cli import do_fast

    answered: list = []
    real = do_fast.fast_do

    def spied(args: list[str]):
        answered.append(real(args))
        return answered[-1]

    out = io.StringIO()
    with (
        mock.patch("cutover_tui.journal.run.RealClock", StillClock),
        mock.patch.object(do_fast, "RealClock", StillClock),
        mock.patch("cutover_tui.cli.do_fast.fast_do", spied),
        cl.redirect_stdout(out),
        cl.redirect_stderr(io.StringIO()),
    ):
        code = main(argv)
    return code, out.getvalue(), answered[0] if answered else None


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    history=st.sampled_from([(), ("start-s0",), ("start-s0", "complete-s0")]),
    text=TEXT,
    kind=st.sampled_from(["info", "decision", "deviation"]),
    step=st.sampled_from([None, "s0", "contested", "no-such-step"]),
    key=st.one_of(st.none(), st.text(min_size=1, max_size=20)),
    micros=st.integers(min_value=0, max_value=999_999),
    others=st.integers(min_value=0, max_value=2),
)
def test_the_command_writes_the_same_row_both_ways(
    base_runs, history, text, kind, step, key, micros, others
) -> None:
    """The real `cutover do` both ways on copies of one run, the clock stopped: today's
    (no facts of its copy) and the fast path's (facts kept by a full note on its copy)."""
    StillClock.moment = at(30) + timedelta(microseconds=micros)
    words = ["note", *([step] if step else []), "--note", text, "--kind", kind]
    words += ["--key", key or "fresh"]  # a fresh key each way would differ by design
    if (key and key.startswith("-")) or text.startswith("-"):
        return  # argparse reads it as an option both ways
    with tempfile.TemporaryDirectory() as work:
        a, b = copies(base_runs[history], Path(work))
        kept = facts_of(b, os_login(), StillClock.moment)
        assert kept is not None
        do_facts.keep(kept)
        others_append((a, b), "note", others)
        full = run_main(["do", str(a), *words])
        fast = run_main(["do", str(b), *words])
        assert full[2] is None  # no facts of its copy: today's path
        assert (full[0], full[1]) == (fast[0], fast[1])  # the same answer and line
        assert rows(a) == rows(b)
        event("fast" if fast[2] == 0 else "full both ways")


@pytest.mark.parametrize(
    "config, env",
    [
        ('mode = "locked"\nruns = "{runs}"\n', {}),  # the service owns the files
        ('journal = "postgresql://cutover@db/cutover"\n', {}),
        ("", {"CUTOVER_JOURNAL": "postgresql://cutover@db/cutover"}),
        ("runs = [\n", {}),  # a host config that does not read: the full path says it
    ],
)
def test_a_locked_host_or_postgresql_takes_the_full_path(
    tmp_path: Path, monkeypatch, config: str, env: dict
) -> None:
    runs, run_id = started(tmp_path)
    assert main(note(runs, run_id, "first")) == 0  # facts kept
    assert fast_do(note(runs, run_id, "second")[1:]) == 0  # fast on a plain host
    host = tmp_path / "cutover.toml"
    host.write_text(config.format(runs=runs))
    monkeypatch.setenv("CUTOVER_CONFIG", str(host))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert fast_do(note(runs, run_id, "third")[1:]) is None
