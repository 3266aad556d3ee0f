"""A hostile or careless user against checks: what they try, and that it does not work.

Real commands, real SQLite files, a real loopback server; waits on conditions, never sleeps.
"""

from __future__ import annotations

from pathlib import Path

from cutover_tui.clock.probing import run_command
from cutover_tui.plan import parse_plan
from tests.checks_support import checks_plan, py_check
from tests.waiting import until


def _alive(pid: int) -> bool:
    try:  # a zombie counts as dead
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _escaper(pidfile: Path, then: str) -> str:
    """A command whose grandchild leaves the process group (setsid) and sleeps on, holding
    nothing; the command then does `then`."""
    return (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        open({str(pidfile)!r} + '.tmp', 'w').write(str(os.getpid()))\n"
        f"        os.rename({str(pidfile)!r} + '.tmp', {str(pidfile)!r})\n"
        "        time.sleep(600)\n"
        "    os._exit(0)\n"
        "os.wait()\n"
        f"while not os.path.exists({str(pidfile)!r}): time.sleep(0.01)\n" + then
    )


def _check(code: str, extra: str = ""):
    plan = parse_plan(checks_plan({"c": py_check(code, extra)}), name="p.toml")
    return plan.plan.step_by_id["c"].check


def test_a_grandchild_that_made_its_own_session_dies_when_the_check_ends(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild"
    outcome = run_command(_check(_escaper(pidfile, "print('rows=5')\n"), 'expect = "rows == 5"'))
    assert outcome.ok, outcome.summary
    grandchild = int(pidfile.read_text())
    until(lambda: not _alive(grandchild), "the setsid grandchild is killed", timeout=20)


def test_a_grandchild_that_made_its_own_session_dies_at_the_timeout(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild"
    code = _escaper(pidfile, "time.sleep(600)\n")
    outcome = run_command(_check(code, 'timeout = "3s"'))
    assert not outcome.ok and "timed out" in outcome.summary
    grandchild = int(pidfile.read_text())
    until(lambda: not _alive(grandchild), "the setsid grandchild is killed", timeout=20)


def test_a_program_that_does_not_exist_fails_the_check_saying_so(tmp_path: Path) -> None:
    check = (
        parse_plan(
            checks_plan({"c": 'type = "command"\nargv = ["/nonexistent/prog"]'}), name="p.toml"
        )
        .plan.step_by_id["c"]
        .check
    )
    outcome = run_command(check)
    assert not outcome.ok
    assert "cannot run '/nonexistent/prog'" in outcome.evidence
