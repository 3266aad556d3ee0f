"""Checkpoint checks run by the real conductor: real commands, real processes, real SQLite."""

from __future__ import annotations

import os
from pathlib import Path

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clock.probing import MAX_EVIDENCE, MAX_LINE, run_command
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import CheckRequested
from cutover_tui.engine.state import Refused
from cutover_tui.inert import has_unsafe
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.checks_support import checks_plan, new_checks_run, py_check, start
from tests.journal_support import at
from tests.waiting import until

COUNT = "print('source_rows=1000'); print('target_rows: 1000')"


def conducted(journal: Journal, minutes: float = 2) -> tuple[Conductor, FixedClock]:
    clock = FixedClock(at(minutes))
    return Conductor(Journal(journal.path), clock, holder="A"), clock


def results(journal: Journal) -> list[tuple[str, str, str]]:
    state = Journal(journal.path).state()
    return [
        (sid, st.status, st.finished_by or "") for sid, st in state.status.items() if st.evidence
    ]


def test_a_count_check_passes_by_itself(tmp_path: Path) -> None:
    plan = checks_plan({"count": py_check(COUNT, 'expect = "source_rows == target_rows"')})
    journal = new_checks_run(tmp_path, plan)
    start(journal, "count")
    conductor, _ = conducted(journal)
    written = conductor.tick()
    assert [(e.type, e.actor, e.key) for e in written] == [
        ("checkpoint-passed", "conductor", "check:count:1")
    ]
    assert "source_rows == target_rows: 1000 == 1000" in written[0].evidence
    assert "holds" in written[0].evidence
    assert conductor.tick() == []  # once per attempt


def test_a_count_check_fails_by_value_and_arms_the_rollback(tmp_path: Path) -> None:
    code = "print('source_rows=1000'); print('target_rows=998')"
    plan = checks_plan(
        {"count": py_check(code, 'expect = "source_rows == target_rows +- 0.1%"')},
        on_fail="rollback",
    )
    journal = new_checks_run(tmp_path, plan)
    start(journal, "count")
    conductor, _ = conducted(journal)
    written = conductor.tick()
    assert [e.type for e in written] == ["checkpoint-failed"]
    assert "1000 == 998 (+- 0.998) [source_rows=1000, target_rows=998] FAILS" in written[0].evidence
    state = Journal(journal.path).state()
    assert state.status["count"].status == "failed"
    # As a hand-recorded failure would: a rollback checkpoint calls for rollback.
    from cutover_tui.engine.schedule import schedule

    fired = schedule(state, at(3)).fired
    assert [(f.step, f.action) for f in fired] == [("count", "rollback")]


def test_a_check_that_never_exits_is_killed_and_recorded_failed(tmp_path: Path) -> None:
    plan = checks_plan(
        {
            "hang": py_check(
                "import signal; print('working', flush=True); signal.pause()", 'timeout = "1s"'
            )
        }
    )
    journal = new_checks_run(tmp_path, plan)
    start(journal, "hang")
    conductor, _ = conducted(journal)
    written = conductor.tick()  # returns: only the 1 s timeout can end a command that pauses
    assert [e.type for e in written] == ["checkpoint-failed"]
    assert "timed out after 1 s: process group killed" in written[0].evidence
    assert "working" in written[0].evidence


def test_a_child_that_ignores_sigterm_and_holds_the_pipe_is_killed(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    code = (
        "import os, signal\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"    open({str(pidfile)!r}, 'w').write(str(os.getpid()))\n"
        "    signal.pause()\n"
        "signal.pause()\n"
    )
    plan = parse_plan(checks_plan({"fork": py_check(code, 'timeout = "2s"')}), name="p.toml")
    check = plan.plan.step_by_id["fork"].check
    outcome = run_command(check)
    assert not outcome.ok and "timed out" in outcome.summary
    child = int(pidfile.read_text())
    until(lambda: not _alive(child), "the child that ignores SIGTERM is killed", timeout=5)


def test_a_child_left_behind_by_a_command_that_exits_does_not_hang_it(tmp_path: Path) -> None:
    # The child pauses for good; had the runner waited for it (its pipe), only the timeout would
    # end the check, and a timed-out check is not ok.
    code = "import os, signal\nif os.fork() == 0:\n    signal.pause()\nprint('rows=5')\n"
    plan = parse_plan(checks_plan({"f": py_check(code, 'expect = "rows == 5"')}), name="p.toml")
    outcome = run_command(plan.plan.step_by_id["f"].check)
    assert outcome.ok, outcome.summary


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (not yet reaped by init) counts as dead
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_a_command_printing_100_mb_is_cut_off(tmp_path: Path) -> None:
    code = "import sys\nfor _ in range(100): sys.stdout.write('x' * (1 << 20))\n"
    plan = parse_plan(checks_plan({"big": py_check(code)}), name="p.toml")
    outcome = run_command(plan.plan.step_by_id["big"].check)
    assert not outcome.ok and "more than 4 MiB" in outcome.summary
    assert len(outcome.evidence) < MAX_EVIDENCE + 200
    assert outcome.output == "x" * (MAX_LINE - 1) + "…"  # one line, clipped: no flood


def test_escape_sequences_in_output_are_recorded_inert(tmp_path: Path) -> None:
    code = "print('\\x1b[2J\\x1b]0;owned\\x07\\x9b31m rows=3')"
    plan = checks_plan({"esc": py_check(code, 'expect = "rows == 3"')})
    journal = new_checks_run(tmp_path, plan)
    start(journal, "esc")
    conductor, _ = conducted(journal)
    [event] = conductor.tick()
    assert event.type == "checkpoint-passed"
    assert not has_unsafe(event.evidence.replace("\n", ""))
    assert "␛[2J" in event.evidence and "\x1b" not in event.evidence


def test_a_shell_runs_only_when_the_plan_asks(tmp_path: Path) -> None:
    body = 'type = "command"\nshell = "echo rows=$((2+3))"\nexpect = "rows == 5"'
    plan = parse_plan(checks_plan({"sh": body}), name="p.toml")
    assert run_command(plan.plan.step_by_id["sh"].check).ok
    argv = py_check("print('$((2+3))')", 'expect = "value == 5"')  # no shell: printed as is
    plan = parse_plan(checks_plan({"nosh": argv}), name="p.toml")
    outcome = run_command(plan.plan.step_by_id["nosh"].check)
    assert not outcome.ok and "$((2+3))" in outcome.output


def test_no_checks_run_on_a_run_started_with_no_checks(tmp_path: Path) -> None:
    plan = checks_plan({"count": py_check(COUNT)})
    journal = new_checks_run(tmp_path, plan, checks=False)
    start(journal, "count")
    conductor, _ = conducted(journal)
    assert conductor.tick() == []
    ask = CheckRequested(actor="boss", at=at(2), step="count", key="ask")
    try:
        journal.append(ask)
    except Refused as exc:
        assert "--no-checks" in str(exc)
    else:
        raise AssertionError("a check was requested on a run with --no-checks")


def test_an_operator_asks_and_the_conductor_runs_a_manual_check(tmp_path: Path) -> None:
    plan = checks_plan({"manual": py_check(COUNT, "auto = false")})
    journal = new_checks_run(tmp_path, plan)
    start(journal, "manual")
    conductor, _ = conducted(journal)
    assert conductor.tick() == []  # auto = false: nothing by itself
    try:  # a watcher may not ask
        journal.append(CheckRequested(actor="eve", at=at(2), step="manual", key="w"))
    except Refused as exc:
        assert "may not run the check of 'manual'" in str(exc)
    else:
        raise AssertionError("a watcher ran a check")
    journal.append(CheckRequested(actor="op", at=at(2), step="manual", key="ask"))
    assert [e.type for e in conductor.tick()] == ["checkpoint-passed"]


def test_a_person_overrides_a_failed_check_with_a_reason(tmp_path: Path) -> None:
    plan = checks_plan({"count": py_check("print('rows=1')", 'expect = "rows > 5"')})
    journal = new_checks_run(tmp_path, plan)
    start(journal, "count")
    conductor, clock = conducted(journal)
    assert [e.type for e in conductor.tick()] == ["checkpoint-failed"]
    from cutover_tui.engine.events import CheckpointPassed

    try:  # no reason, no override
        journal.append(CheckpointPassed(actor="boss", at=at(3), step="count", key="no"))
    except Refused as exc:
        assert "say why the check is overridden" in str(exc)
    else:
        raise AssertionError("an override without a reason")

    journal.append(
        CheckpointPassed(
            actor="boss",
            at=at(3),
            step="count",
            evidence="override: rows counted by hand",
            key="ov",
        )
    )
    clock.set(at(4))
    # The person's result stands; the check is not run over it. (The check's failure at 22:02
    # opened an incident, engine/escalation.py: the conductor's only write.)
    written = conductor.tick()
    assert [(e.type, e.cause) for e in written] == [("incident-raised", "checkpoint:count")]
    state = Journal(journal.path).state()
    assert state.status["count"].status == "done"
    assert state.status["count"].finished_by == "boss"


def _conduct(path: str, stop) -> None:
    """A conductor process: it ticks at its heartbeat until told to stop."""
    conductor = Conductor(Journal(Path(path)), FixedClock(at(2)), expiry_s=1.0)
    while True:
        conductor.tick()
        if stop.wait(0.05):  # the heartbeat's wait ends at once on stop
            return


def test_a_conductor_killed_mid_check_is_followed_by_one_that_runs_it_again_once(
    tmp_path: Path,
) -> None:
    """SIGKILL while the check runs: nothing was recorded, so the successor runs the check
    again (checks are read-only by rule) and its result is recorded once (key check:STEP:1)."""
    import multiprocessing
    import signal

    marks = tmp_path / "runs.txt"
    code = (
        "import os, signal\n"
        f"first = not os.path.exists({str(marks)!r})\n"
        f"open({str(marks)!r}, 'a').write(str(os.getpid()) + '\\n')\n"
        "if first:\n    signal.pause()  # until its conductor dies and takes it along\n"
        "print('rows=7')\n"
    )
    body = py_check(code, 'expect = "rows == 7"\ntimeout = "2m"')
    journal = new_checks_run(tmp_path, checks_plan({"cp": body}))
    start(journal, "cp")
    ctx = multiprocessing.get_context("spawn")
    never = ctx.Event()  # kept referenced: the child opens it by name; never set (SIGKILL)
    first = ctx.Process(target=_conduct, args=(str(journal.path), never))
    first.start()
    until(lambda: marks.exists() and marks.read_text(), "the first conductor's check began")
    os.kill(first.pid, signal.SIGKILL)
    first.join()
    orphan = int(marks.read_text().split()[0])
    # The killed conductor's check dies with it (PDEATHSIG), not at its own 2m timeout.
    until(lambda: not _alive(orphan), "the orphaned check is killed", timeout=5)
    stop = ctx.Event()
    second = ctx.Process(target=_conduct, args=(str(journal.path), stop))
    second.start()
    until(
        lambda: Journal(journal.path).state().status["cp"].status != "running",
        "the successor records the check",
    )
    stop.set()
    second.join(timeout=60)
    assert second.exitcode == 0
    state = Journal(journal.path).state()
    assert state.status["cp"].status == "done" and state.status["cp"].finished_by == "conductor"
    rows = [e for e in Journal(journal.path).events() if e.type.startswith("checkpoint-")]
    assert [(e.type, e.key) for e in rows] == [("checkpoint-passed", "check:cp:1")]
    assert len(marks.read_text().split()) == 2  # run again, recorded once


def test_cutover_check_runs_it_under_the_conductors_rules(tmp_path: Path, capsys) -> None:
    from cutover_tui.cli import main

    plan = checks_plan(
        {
            "manual": py_check("print('\\x1b[31mrows=4')", 'expect = "rows == 4"\nauto = false'),
            "idle": py_check("print(1)"),
        }
    )
    journal = new_checks_run(tmp_path, plan)
    start(journal, "manual")
    assert main(["check", journal.run_id, "manual", "--runs", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "manual: done by conductor" in out and "rows == 4: 4 == 4" in out
    assert "\x1b" not in out
    # Not running: refused in one line, nothing run.
    assert main(["check", journal.run_id, "idle", "--runs", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "refused: 'idle' is not running; start it first" in err
    assert len(err.strip().splitlines()) == 1


async def test_on_an_event_loop_the_check_runs_in_a_thread_and_wakes_the_conductor(
    tmp_path: Path,
) -> None:
    """The war room's and `cutover conduct`'s way: the heartbeat goes on while a check runs."""
    from cutover_tui.clocks import AcceleratedClock
    from tests.waiting import until_async

    # The check reads a FIFO that only this test writes, after tick() has returned: had tick()
    # run the check itself, it could not have returned (the 2m timeout would fail the check).
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    code = f"open({str(gate)!r}).read(); print('rows=9')"
    journal = new_checks_run(
        tmp_path,
        checks_plan({"slow": py_check(code, 'expect = "rows == 9"\ntimeout = "2m"')}),
    )
    start(journal, "slow")
    conductor = Conductor(Journal(journal.path), AcceleratedClock(at(2), factor=1), holder="A")
    await conductor.start()
    try:
        conductor.tick()  # returns at once: the check runs in its thread
        assert Journal(journal.path).state().status["slow"].status == "running"
        writer = await until_async(lambda: _open_writer(gate), "the check opens its gate")
        os.write(writer, b"go")
        os.close(writer)
        await until_async(
            lambda: Journal(journal.path).state().status["slow"].status == "done",
            "the threaded check is recorded",
        )
    finally:
        conductor.stop()
    [passed] = [e for e in Journal(journal.path).events() if e.type == "checkpoint-passed"]
    assert passed.actor == "conductor" and "rows == 9: 9 == 9" in passed.evidence


def _open_writer(fifo: Path) -> int | None:
    """The FIFO's write end once its reader has opened it (ENXIO until then)."""
    try:
        return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return None
