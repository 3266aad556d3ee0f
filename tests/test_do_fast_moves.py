"""`cutover do RUN start|complete|fail|... STEP` without pydantic (cli/do_fast_moves.py): the
very row and index row today's path writes, or the full path.

The property runs today's path (`Journal.append` of the event `build_event` makes, stamped
as `cmd_do` stamps it) and the fast path, from the engine's answers kept at the head
(journal/do_moves.py), on two copies of one run file, over actions, targets, words, keys,
people, times and what happened before; where today's path refuses, the fast path must
have stood aside. The other tests pin the ordinary case end to end through the real CLI and
the background refresh, and check that the fast path loads no pydantic.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cutover_tui.cli import build_parser
from cutover_tui.cli.do_commands import build_event
from cutover_tui.cli.do_fast import NotFast, _append, current
from cutover_tui.cli.do_fast_moves import _parser, move_row
from cutover_tui.engine.actions import Words, event_for
from cutover_tui.engine.events import (
    CheckpointPassed,
    GateDecided,
    NoteAdded,
    ReadinessMarked,
    RoleHandedOver,
    RollbackInvoked,
    RunEnded,
    RunStarted,
    StepCompleted,
    StepStarted,
    StepSuspended,
)
from cutover_tui.engine.fold import fold
from cutover_tui.engine.state import Refused
from cutover_tui.journal import do_facts
from cutover_tui.journal.do_moves import MOVES, TARGET_MARK, _probe, template, with_moves
from cutover_tui.journal.identity import actor_for, os_login
from cutover_tui.journal.sqlite_io import sqlite_connect
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.journal_support import T0, at
from tests.waiting import until

ROOT = Path(__file__).resolve().parent.parent
ROWS = "SELECT seq, key, type, actor, body, prev, hash FROM events ORDER BY seq"
INDEX = "SELECT * FROM run_index"
LOGINS = (os_login(), "someone-else", "sponsor-login", "a-watcher", "a-stranger")
TAKEN = at(30)  # when the engine was asked, in the property


def plan_text() -> str:
    """Tasks, a checkpoint, a gate with two approvers and a criterion, readiness items,
    people of every kind."""
    return f"""format = 1
[plan]
id = "moves"
title = "Moves"
timezone = "UTC"
[window]
start = {T0:%Y-%m-%dT%H:%M:%S}
end = {T0 + timedelta(hours=6):%Y-%m-%dT%H:%M:%S}
[people.boss]
name = "The Boss"
user = "{os_login()}"
roles = ["commander"]
[people.op]
name = "An Operator"
user = "someone-else"
roles = ["operator"]
[people.sponsor]
name = "A Sponsor"
user = "sponsor-login"
roles = ["approver"]
[people.watch]
name = "A Watcher"
user = "a-watcher"
roles = ["watcher"]
[[readiness]]
id = "ready-1"
item = "Change approved"
stream = "governance"
owner = "sponsor"
[[readiness]]
id = "ready-2"
item = "Staff on site"
stream = "organisational"
owner = "op"
[[step]]
id = "a"
title = "First"
owner = "op"
duration = "10m"
[[step]]
id = "b"
title = "Second"
owner = "op"
duration = "10m"
after = ["a"]
[[step]]
id = "chk"
kind = "checkpoint"
title = "Verified"
verify = "The rows match"
owner = "boss"
duration = "5m"
after = ["a"]
[[step]]
id = "g"
kind = "gate"
title = "Go / no-go"
owner = "boss"
duration = "5m"
after = ["chk"]
criteria = ["ready-1"]
approvers = ["boss", "sponsor"]
[[step]]
id = "c"
title = "Later"
owner = "op"
duration = "10m"
after = ["g"]
[[step]]
id = "nb"
title = "Not before the engine was asked"
owner = "op"
duration = "10m"
not_before = {at(40):%Y-%m-%dT%H:%M:%S}
[[step]]
id = "nb0"
title = "Not before, just before the engine was asked"
owner = "op"
duration = "10m"
not_before = {at(27):%Y-%m-%dT%H:%M:%S}
[rollback]
owner = "boss"
rto = "1h"
[[rollback.step]]
id = "rb-1"
title = "Restore"
owner = "op"
duration = "10m"
[[rollback.step]]
id = "rb-2"
title = "Check the restore"
owner = "op"
duration = "10m"
after = ["rb-1"]
"""


BEFORE = {  # what happened before, each through the full path's append
    "a-start": lambda: StepStarted(actor="boss", at=at(1), step="a", key="b1"),
    "a-suspend": lambda: StepSuspended(actor="boss", at=at(2), step="a", reason="x", key="b2"),
    "a-done": lambda: StepCompleted(actor="boss", at=at(3), step="a", key="b3"),
    "chk-pass": lambda: CheckpointPassed(
        actor="boss", at=at(4), step="chk", evidence="ok", key="b4"
    ),
    "ready-1": lambda: ReadinessMarked(
        actor="sponsor", at=at(5), item="ready-1", status="met", key="b5"
    ),
    "sponsor-go": lambda: GateDecided(
        actor="sponsor", at=at(6), step="g", approver="sponsor", decision="go", key="b6"
    ),
    "end": lambda: RunEnded(actor="boss", at=at(7), outcome="aborted", key="b7"),
    "rollback": lambda: RollbackInvoked(actor="boss", at=at(8), reason="data lost", key="b8"),
    "rb-1-start": lambda: StepStarted(actor="boss", at=at(9), step="rb-1", key="b9"),
    "handover": lambda: RoleHandedOver(  # the commander role to the operator, for the night
        actor="boss",
        at=at(9),
        role="commander",
        giver="boss",
        taker="op",
        reason="shift",
        key="b10",
    ),
}
HISTORIES = [
    (),
    ("a-start",),
    ("a-start", "a-suspend"),
    ("a-start", "a-done"),
    ("a-start", "a-done", "chk-pass"),
    ("a-start", "a-done", "chk-pass", "ready-1"),
    ("a-start", "a-done", "chk-pass", "ready-1", "sponsor-go"),
    ("end",),
    ("rollback",),
    ("rollback", "rb-1-start"),
    ("handover",),
    ("a-start", "handover"),
]


def new_run(directory: Path, history: tuple[str, ...]) -> Path:
    loaded = parse_plan(plan_text(), name="moves.toml")
    journal = Journal.create(directory, loaded, rehearsal=False, created_by=os_login())
    journal.append(RunStarted(actor="boss", at=at(0), plan_id="moves", key="go"), now=lambda: at(0))
    for name in history:
        journal.append(BEFORE[name](), now=lambda: at(10))
    journal.close()
    return journal.path


@pytest.fixture(scope="module")
def base_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], Path]:
    folder = tmp_path_factory.mktemp("do-moves-")
    return {h: new_run(folder / ("-".join(h) or "started"), h) for h in HISTORIES}


@pytest.fixture(scope="module")
def kept_facts(base_runs) -> dict:
    """The facts with the moves, per history and login, as the refresh takes them."""
    out = {}
    for history, path in base_runs.items():
        journal = Journal(path)
        try:
            for login in LOGINS:
                facts = do_facts.take(journal, login, TAKEN)
                out[history, login] = with_moves(facts, journal.state(), TAKEN)
        finally:
            journal.close()
    return out


def rows(path: Path) -> tuple[list, list]:
    db = sqlite3.connect(path)
    try:
        return db.execute(ROWS).fetchall(), db.execute(INDEX).fetchall()
    finally:
        db.close()


def today(path: Path, argv: list[str], login: str, now, mono: float, boot: str) -> str | None:
    """`cmd_do`'s steps: the event, stamped as it stamps it, appended; the refusal if any."""
    journal = Journal(path)
    try:
        args = build_parser("do").parse_args(["do", *argv])
        actor = actor_for(journal.plan, login)
        made = build_event(args, journal.plan, actor, now)
        made = made.model_copy(update={"mono": mono, "boot": boot, "recorded_at": now})
        stored = journal.append(made, now=lambda: now)
        return None if stored.seq == journal.head[0] and stored.key == made.key else "repeat"
    except (Refused, ValueError) as refusal:
        return str(refusal)
    finally:
        journal.close()


def fast(path: Path, argv: list[str], facts, now, mono: float, boot: str) -> bool:
    """The fast path's steps from `facts`: True when it wrote, False when it stood aside."""
    try:
        args = _parser().parse_args(argv)
    except NotFast:
        return False
    db = sqlite_connect(path)
    try:
        meta = dict(db.execute("SELECT key, value FROM meta"))
        facts = current(db, meta, path, facts)
        ready = None if facts is None else move_row(facts, args, now, mono, boot)
        if ready is None:
            return False
        kind, key, body, after = ready
        try:
            _append(db, facts, key, body, kind, after)
        except NotFast:
            return False
        return True
    finally:
        db.close()


def notes_since(a: Path, b: Path, count: int) -> None:
    """The operator's notes on both copies, after the facts were taken."""
    for path in (a, b):
        journal = Journal(path)
        try:
            for n in range(count):
                note = NoteAdded(actor="op", at=at(20), text=f"other {n}", key=f"o{n}")
                journal.append(note, now=lambda: at(20))
        except Refused:
            pass  # an ended run: whatever the rules let through
        finally:
            journal.close()


WORD = st.sampled_from(
    ["", "disk full", "disk full", "   ", 'é😀"\\/', "x" * 5001, "\u2028\x1b[31m"]
)
LIKELY = [  # (action, target) pairs some history allows, drawn as often as any other
    ("start", "a"),
    ("complete", "a"),
    ("fail", "a"),
    ("suspend", "a"),
    ("resume", "a"),
    ("skip", "b"),
    ("skip", "c"),
    ("pass", "chk"),
    ("fail-check", "chk"),
    ("go", "g"),
    ("no-go", "g"),
    ("conditional-go", "g"),
    ("met", "ready-1"),
    ("waived", "ready-2"),
    ("start", "nb"),
    ("start", "nb0"),
    ("skip", "nb"),
    ("start", "rb-1"),
    ("complete", "rb-1"),
    ("start", "rb-2"),
]
NEEDS = {
    "fail": ["--reason", "disk full"],
    "skip": ["--reason", "not tonight"],
    "suspend": ["--reason", "waiting for the vendor"],
    "pass": ["--evidence", "rows match"],
    "fail-check": ["--evidence", "rows differ"],
    "no-go": ["--reason", "not ready"],
    "conditional-go": ["--risk", "no second DBA"],
    "waived": ["--note", "the CAB agreed"],
}
ANY = st.tuples(
    st.sampled_from(MOVES),
    st.sampled_from(
        ["a", "b", "chk", "g", "c", "nb", "nb0", "rb-1", "rb-2", "ready-1", "ready-2", "nope"]
    ),
)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    history=st.sampled_from(HISTORIES),
    login=st.sampled_from(LOGINS[:1] * 4 + LOGINS[1:]),
    move=st.one_of(st.sampled_from(LIKELY), ANY),
    plain=st.booleans(),
    reason=WORD,
    evidence=WORD,
    note=WORD,
    risks=st.lists(WORD, max_size=2),
    key=st.sampled_from([None, None, None, "k-new", "b1", "go"]),
    minutes=st.one_of(st.just(0.0), st.floats(min_value=-5, max_value=600)),
    mono=st.floats(min_value=0, max_value=1e7, allow_nan=False),
    others=st.integers(min_value=0, max_value=2),
)
def test_the_fast_path_writes_the_rows_todays_path_writes_or_stands_aside(
    base_runs,
    kept_facts,
    history,
    login,
    move,
    plain,
    reason,
    evidence,
    note,
    risks,
    key,
    minutes,
    mono,
    others,
) -> None:
    action, target = move
    argv = ["RUN", action, target]
    if plain:  # the word the action asks for, said plainly: the night's ordinary command
        argv += NEEDS.get(action, [])
    else:
        for name, value in (("--reason", reason), ("--evidence", evidence), ("--note", note)):
            argv += [name, value] if value else []
        for risk in risks:
            argv += ["--risk", risk]
    argv += ["--key", key or "fresh-key"]
    now = TAKEN + timedelta(minutes=minutes)
    with tempfile.TemporaryDirectory() as work:
        a, b = Path(work) / "a.db", Path(work) / "b.db"
        shutil.copy(base_runs[history], a)
        shutil.copy(base_runs[history], b)
        facts = kept_facts[history, login]._replace(path=str(b.resolve()))
        notes_since(a, b, others)  # read from their columns: the facts still hold
        refused = today(a, argv, login, now, mono, "boot-1")
        wrote = fast(b, argv, facts, now, mono, "boot-1")
        event(f"refused {refused[:50]}" if refused else "fast" if wrote else "stood aside")
        if refused is not None:
            assert not wrote, f"today's path refused ({refused}); the fast one wrote"
            return
        if wrote:
            assert rows(a) == rows(b)  # every byte and hash of the events, and the index row


def test_the_ordinary_moves_are_fast_and_equal_todays(tmp_path: Path) -> None:
    """The property's ordinary cases pinned: the commander starts and completes a step,
    passes the checkpoint, marks an item and records a go, each from facts refreshed after
    the one before, and the fast path writes each."""
    a = new_run(tmp_path / "a", ())
    b = tmp_path / "b.db"
    shutil.copy(a, b)
    moves = [
        ["RUN", "start", "a"],
        ["RUN", "complete", "a"],
        ["RUN", "pass", "chk", "--evidence", "rows match"],
        ["RUN", "met", "ready-1", "--note", "CAB said yes"],
        ["RUN", "go", "g"],
        ["RUN", "skip", "b", "--reason", "not tonight"],
    ]
    for n, argv in enumerate(moves):
        now = TAKEN + timedelta(minutes=n)
        journal = Journal(b)
        facts = with_moves(do_facts.take(journal, os_login(), now), journal.state(), now)
        journal.close()
        argv = [*argv, "--key", f"k{n}"]
        assert today(a, argv, os_login(), now, 10.0 + n, "boot") is None
        assert fast(b, argv, facts, now, 10.0 + n, "boot"), argv
        assert rows(a) == rows(b)


def test_stale_facts_send_the_next_move_the_full_way(tmp_path: Path) -> None:
    """After a move the state changed: the facts of the head before are not used again."""
    path = new_run(tmp_path, ())
    journal = Journal(path)
    facts = with_moves(do_facts.take(journal, os_login(), TAKEN), journal.state(), TAKEN)
    journal.close()
    assert fast(path, ["RUN", "start", "a", "--key", "k1"], facts, TAKEN, 1.0, "boot")
    assert not fast(path, ["RUN", "complete", "a", "--key", "k2"], facts, TAKEN, 2.0, "boot")
    assert not fast(path, ["RUN", "skip", "b", "--reason", "x"], facts, TAKEN, 2.0, "boot")


def test_a_moment_before_the_engine_was_asked_is_the_full_paths(tmp_path: Path) -> None:
    path = new_run(tmp_path, ())
    journal = Journal(path)
    facts = with_moves(do_facts.take(journal, os_login(), TAKEN), journal.state(), TAKEN)
    journal.close()
    earlier = TAKEN - timedelta(seconds=1)
    assert not fast(path, ["RUN", "start", "a"], facts, earlier, 1.0, "boot")
    assert fast(path, ["RUN", "start", "a"], facts, TAKEN, 1.0, "boot")


@pytest.mark.parametrize(
    "more",
    [["--at", "22:10"], ["--approver", "sponsor"], ["--reas", "x"], ["--eta", "23:00"]],
)
def test_words_the_fast_path_does_not_take_are_the_full_paths(more) -> None:
    with pytest.raises(NotFast):
        _parser().parse_args(["RUN", "start", "a", *more])


def test_the_target_is_placed_as_event_for_places_it() -> None:
    """take_moves copies one probe per action to each target: the same event `event_for`
    builds for that target."""
    loaded = parse_plan(plan_text(), name="moves.toml")
    state = fold(loaded.plan, [RunStarted(actor="boss", at=at(0), plan_id="moves", seq=1)])
    words = ("evidence", "note", "reason", "risks")
    for action in MOVES:
        probe = _probe(action, TARGET_MARK, "boss", TAKEN, words)
        field = next(name for name, slot, *_ in template(probe) if slot == "target")
        for target in [*state.steps, "ready-1"]:
            built = _probe(action, target, "boss", TAKEN, words)
            assert probe.model_copy(update={field: target}) == built
    assert event_for("start", "a", Words(), actor="boss", at=TAKEN, key="k").step == "a"


def test_taking_the_moves_leaves_the_state_as_it_was(base_runs) -> None:
    """The trial folds (journal/do_moves.py `_trial_copy`) never reach the state itself."""
    path = base_runs["a-start", "a-done", "chk-pass", "ready-1", "sponsor-go"]
    journal = Journal(path)
    try:
        state = journal.state()
        before = repr(state)
        facts = with_moves(do_facts.take(journal, os_login(), TAKEN), state, TAKEN)
        assert facts.moves["go"]["shapes"][""]["targets"] == {
            "g": ["running", None, 3, 7]
        }  # a, chk and g closed, of the 7 plan steps
        assert repr(state) == before
    finally:
        journal.close()


# -- the command itself, in real processes ---------------------------------------------------


def wait_for_moves(run_id: str, path: Path, seq: int, state: Path, deadline: float = 60) -> None:
    """Poll this user's facts until the refresh has written the moves at event `seq`."""
    env_state = os.environ.get("CUTOVER_STATE")
    os.environ["CUTOVER_STATE"] = str(state)

    def refreshed() -> bool:
        facts = do_facts.recall(run_id, path.resolve(), os_login())
        return facts is not None and facts.seq == seq and facts.moves is not None

    try:
        until(refreshed, "the refresh's moves", deadline)
        return
    except AssertionError:
        pass  # said below, with the event it waited for
    finally:
        if env_state is None:
            os.environ.pop("CUTOVER_STATE")
        else:
            os.environ["CUTOVER_STATE"] = env_state
    raise AssertionError(f"no facts with moves at event {seq} within {deadline} s")


PROBE = """
import sys, runpy
sys.argv = ["cutover", *sys.argv[1:]]
from cutover_tui.cli import main
code = main(sys.argv[1:])
loaded = [m for m in ("pydantic", "pydantic_core", "cutover_tui.engine.events") if m in sys.modules]
print("LOADED", ",".join(loaded) or "-", file=sys.stderr)
raise SystemExit(code)
"""


def test_a_real_complete_after_the_refresh_is_fast_and_loads_no_pydantic(tmp_path: Path) -> None:
    path = new_run(tmp_path / "runs", ())
    run_id = Journal(path).run_id
    env = dict(os.environ, CUTOVER_RUNS=str(tmp_path / "runs"), CUTOVER_STATE=str(tmp_path / "s"))
    env["CUTOVER_FACTS_REFRESH"] = "1"
    env["PYTHONPATH"] = str(ROOT)

    def cutover(*argv: str) -> tuple[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", PROBE, "do", run_id, *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip(), done.stderr.strip()

    out, err = cutover("start", "a")  # the full path (no facts yet): it forks the refresh
    assert out == "#2 step-started a by boss" and "LOADED pydantic,pydantic_core" in err
    wait_for_moves(run_id, path, 2, tmp_path / "s")
    out, err = cutover("complete", "a")  # fast, and it starts the refresh for the next
    assert out == "#3 step-completed a by boss" and err == "LOADED -"
    wait_for_moves(run_id, path, 3, tmp_path / "s")
    out, err = cutover("pass", "chk", "--evidence", "rows match")
    assert out == "#4 checkpoint-passed chk by boss" and err == "LOADED -"
    wait_for_moves(run_id, path, 4, tmp_path / "s")  # no refresh left running after the test
    journal = Journal(path)
    try:
        assert journal.state().status["chk"].status == "done"
        assert journal.broken is None
    finally:
        journal.close()


def test_facts_of_an_older_head_never_replace_newer_ones(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    path = new_run(tmp_path, ())
    journal = Journal(path)
    older = with_moves(do_facts.take(journal, os_login(), TAKEN), journal.state(), TAKEN)
    journal.append(StepStarted(actor="boss", at=at(1), step="a", key="n1"), now=lambda: TAKEN)
    newer = with_moves(do_facts.take(journal, os_login(), TAKEN), journal.state(), TAKEN)
    journal.close()
    do_facts.keep(newer)
    do_facts.keep(older)  # a slow refresh finishing last
    kept = do_facts.recall(journal.run_id, path.resolve(), os_login())
    assert kept is not None and kept.seq == newer.seq and kept.moves == newer.moves


def test_a_move_the_engine_refused_is_said_in_the_full_paths_words(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """With fresh facts, a move they do not hold (b has not started) writes nothing fast:
    the full path refuses it as it always did, exit 1, its own sentence."""
    from cutover_tui.cli import main
    from cutover_tui.cli.do_fast_moves import fast_move

    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    path = new_run(tmp_path / "runs", ())
    journal = Journal(path)
    now = datetime.now(UTC)
    do_facts.keep(with_moves(do_facts.take(journal, os_login(), now), journal.state(), now))
    run_id = journal.run_id
    journal.close()
    argv = ["do", run_id, "complete", "b", "--runs", str(tmp_path / "runs")]
    assert fast_move(argv[1:]) is None
    assert main(argv) == 1
    assert "'b' has not started; start it before you complete it" in capsys.readouterr().err
    capsys.readouterr()
    start = [run_id, "start", "a", "--runs", str(tmp_path / "runs")]
    assert fast_move(start) == 0  # the refusal wrote nothing: the facts still stand
    assert capsys.readouterr().out == "#2 step-started a by boss\n"
    assert fast_move(start) is None  # the facts are of the head before: the full path
    assert main(["do", *start]) == 1
    assert "'a' was already started by The Boss (boss)" in capsys.readouterr().err


def test_a_refresh_that_cannot_start_never_fails_the_command(monkeypatch) -> None:
    from cutover_tui.cli import facts_refresh

    monkeypatch.setenv("CUTOVER_FACTS_REFRESH", "1")
    monkeypatch.setattr(facts_refresh.sys, "executable", None)
    facts_refresh.spawn("/nowhere/run.db")  # returns quietly


def test_only_the_frontier_is_asked_about(monkeypatch) -> None:
    """Steps under way and steps whose predecessors are closed, at most MAX_ASKED: a skip
    far ahead is the full path's (and the asking stays proportionate at 20,000 steps)."""
    from cutover_tui.journal import do_moves

    loaded = parse_plan(plan_text(), name="moves.toml")
    state = fold(loaded.plan, [RunStarted(actor="boss", at=at(0), plan_id="moves", seq=1)])
    assert do_moves.frontier(state) == ["a", "nb", "nb0", "rb-1"]
    moves = do_moves.take_moves(state, "boss", TAKEN)
    assert list(moves["skip"]["shapes"]["reason"]["targets"]) == ["a", "nb", "nb0"]
    started = fold(
        loaded.plan,
        [
            RunStarted(actor="boss", at=at(0), plan_id="moves", seq=1),
            StepStarted(actor="boss", at=at(1), step="a", seq=2),
            StepCompleted(actor="boss", at=at(2), step="a", seq=3),
        ],
    )
    assert do_moves.frontier(started) == ["b", "chk", "nb", "nb0", "rb-1"]
    monkeypatch.setattr(do_moves, "MAX_ASKED", 1)
    assert do_moves.frontier(started) == ["b"]


@pytest.mark.parametrize(
    ("step", "asked", "now", "fast_writes"),
    [
        ("nb", TAKEN, at(45), False),  # refused when asked (before its start): the full path's
        ("nb", at(45), at(50), True),  # accepted when asked: still so later
        ("nb0", TAKEN, TAKEN + timedelta(minutes=1), True),  # its start passed before asking
    ],
)
def test_a_fixed_start_only_turns_a_refusal_into_an_acceptance(
    tmp_path: Path, step: str, asked, now, fast_writes: bool
) -> None:
    """An operator (not the commander) starting a step with `not_before`: the facts say
    what the engine said when asked, a later moment only lets more through, and the full
    path accepts every one of these."""
    path = new_run(tmp_path / "r", ())
    journal = Journal(path)
    facts = with_moves(do_facts.take(journal, "someone-else", asked), journal.state(), asked)
    journal.close()
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    shutil.copy(path, a)
    shutil.copy(path, b)
    argv = ["RUN", "start", step, "--key", "k1"]
    assert today(a, argv, "someone-else", now, 1.5, "boot") is None
    facts = facts._replace(path=str(b.resolve()))
    assert fast(b, argv, facts, now, 1.5, "boot") is fast_writes
    if fast_writes:
        assert rows(a) == rows(b)


def test_after_a_hand_over_the_facts_are_the_new_commanders(base_runs, kept_facts) -> None:
    """The commander role handed to the operator: the former commander's facts no longer
    let them skip; the operator's do."""
    former = kept_facts[("handover",), os_login()].moves["skip"]["shapes"]["reason"]["targets"]
    taker = kept_facts[("handover",), "someone-else"].moves["skip"]["shapes"]["reason"]["targets"]
    assert "a" not in former and "a" in taker
