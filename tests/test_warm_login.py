"""A login's first `cutover do` is served (cli/warm_command.py, cli/do_server_hold.py,
deploy/profile.d/cutover.sh): a real login shell of the served user, in an audit session of
its own as pam_loginuid makes one at an SSH login (when the tests run as root), sources the
profile hook; its server listens before the first command, that command is served, the
server outlives its idle time while the shell lives and leaves once the shell has gone."""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cutover_tui.cli.do_server_hold import HOLD_FD, Holds, is_pidfd
from tests.do_server_support import (
    as_user,
    cutover,
    cutover_env,
    python_as,
    served_run,
    served_uid,
    server_pid,
    servers_of,
    servers_stopped,
    sockets,
    stop,
    until,
    wait_gone,
)

HOOK = Path(__file__).resolve().parent.parent / "deploy" / "profile.d" / "cutover.sh"
NO_GROUP = "cutover-test-no-such-group"  # the hook's group, where none such exists
BIN = str(Path(sys.executable).parent)  # where `cutover` is installed beside this Python


def login_shell(env: dict[str, str], cwd: Path) -> subprocess.Popen:
    """An interactive `sh` of the served user reading its commands from a pipe: as root, in
    a new audit session (loginuid written before the user is taken, as pam_loginuid does)."""
    env = env | {"CUTOVER_LOGIN_GROUP": NO_GROUP}  # the hook for every user
    shell = [*as_user(), "sh", "-i", "-s"]
    if os.geteuid() == 0:
        login = f'echo {served_uid()} > /proc/self/loginuid && exec "$@"'
        shell = ["sh", "-c", login, "login", *shell]
    return subprocess.Popen(
        shell,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=cwd,
    )


def typed(shell: subprocess.Popen, line: str) -> str:
    """`line` run by the shell; its output and exit code (`... rc=N`)."""
    assert shell.stdin is not None and shell.stdout is not None
    shell.stdin.write(f"{line} 2>&1; echo rc=$?\n")
    shell.stdin.flush()
    said = []
    while not (out := shell.stdout.readline()).startswith("rc="):
        assert out, "the login shell ended"
        said.append(out)
    return "".join(said) + out


def session_of(pid: int) -> str:
    return Path(f"/proc/{pid}/sessionid").read_text()


def held_pids(server: int) -> list[int]:
    """The processes whose pidfds the server holds (its /proc fdinfo, as root sees it)."""
    held = []
    for fd in Path(f"/proc/{server}/fd").iterdir():
        try:
            if os.readlink(fd) != "anon_inode:[pidfd]":
                continue
            info = (Path(f"/proc/{server}/fdinfo") / fd.name).read_text()
        except OSError:
            continue
        held += [int(line.split()[1]) for line in info.splitlines() if line.startswith("Pid:")]
    return held


@contextlib.contextmanager
def logins(state: Path, count: int = 1) -> Iterator[list[subprocess.Popen]]:
    """`count` processes of the served user standing for login shells, and every server of
    `state` stopped, then those processes, when the block ends."""
    shells = [subprocess.Popen([*as_user(), "sleep", "600"]) for _ in range(count)]
    try:
        with servers_stopped(state):
            yield shells
    finally:
        for shell in shells:
            if shell.poll() is None:
                stop(shell.pid)


def test_a_login_hook_has_the_first_command_served_and_holds_the_server(tmp_path: Path) -> None:
    run_id, a, _b = served_run(tmp_path)
    state, cpu = tmp_path / "state", tmp_path / "cpu"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a), CUTOVER_DO_SERVER_CPU_FILE=str(cpu))
    env |= {"PATH": f"{BIN}:{env['PATH']}", "CUTOVER_DO_SERVER_IDLE": "0.05"}
    other = tmp_path / "other"
    with servers_stopped(state, other):
        shell = login_shell(env, tmp_path)
        try:
            assert typed(shell, f". {HOOK}").endswith("rc=0\n")
            server = until(lambda: server_pid(state), "the login's server listening")
            assert session_of(server) == session_of(shell.pid)  # the login's own session
            if os.geteuid() == 0:
                assert session_of(shell.pid) != session_of(os.getpid())  # a new login
            until(lambda: shell.pid in held_pids(server), "the login shell held")
            # The same idle time, unheld, in another state folder: once that server has
            # left, the held one has been idle longer than its idle time and is still here.
            code, _out, err = cutover(["warm"], env | {"CUTOVER_STATE": str(other)}, tmp_path)
            assert code == 0, err
            control = until(lambda: server_pid(other), "the unheld server listening")
            wait_gone(control)
            assert server_pid(state) == server
            said = typed(shell, f"cutover do {run_id} note --note first --reason r")
            assert said.startswith("#") and said.endswith("rc=0\n"), said
            assert cpu.read_text().strip(), "the login's first full-path command was not served"
        finally:
            shell.stdin.close()  # the login ends
            shell.wait(timeout=60)
        wait_gone(server)  # its hold gone and idle: it leaves
        assert servers_of(state) == []


def test_a_login_that_never_used_its_server_takes_it_away_at_logout(tmp_path: Path) -> None:
    """With the usual idle hour: watched through /proc and the socket's name only (a
    connection to it would count as use)."""
    state = tmp_path / "state"
    env = cutover_env(state, True) | {"PATH": f"{BIN}:{os.environ['PATH']}"}
    with servers_stopped(state):
        shell = login_shell(env, tmp_path)
        try:
            assert typed(shell, f". {HOOK}").endswith("rc=0\n")
            (server,) = until(lambda: servers_of(state), "the login's server started")
            until(lambda: shell.pid in held_pids(server) and sockets(state), "it listens, held")
        finally:
            shell.stdin.close()  # the login ends
            shell.wait(timeout=60)
        wait_gone(server)


def test_a_listening_server_takes_a_later_logins_hold(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = cutover_env(state, True)
    with logins(state) as (held,):
        code, out, err = cutover(["warm"], env, tmp_path)  # unheld: the idle hour
        assert (code, err) == (0, ""), err
        assert "starting" in out and "stays while" not in out
        server = until(lambda: server_pid(state), "a server listening")
        code, out, err = cutover(["warm", "--while", str(held.pid)], env, tmp_path)
        assert (code, err) == (0, "")
        assert out.strip().endswith(f"listening; it stays while process {held.pid} lives")
        assert held_pids(server) == [held.pid]
        held.kill()
        held.wait()
        until(lambda: held_pids(server) == [], "the hold let go once its process ended")
        assert server_pid(state) == server  # the idle hour still to run


def test_warm_says_in_one_line_why_it_does_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = cutover_env(state, True)
    code, _out, err = cutover(["warm", "--while", "1"], env, tmp_path)  # init: not the user's
    assert (code, err) == (
        2,
        "cutover warm: process 1 is not yours: a server is held only for your own login\n",
    )
    code, _out, err = cutover(["warm", "--while", "999999999"], env, tmp_path)
    assert (code, err) == (2, "cutover warm: no process 999999999 to hold the server for\n")
    code, _out, err = cutover(["warm"], env | {"CUTOVER_DO_SERVER": "0"}, tmp_path)
    assert (code, err) == (
        1,
        "cutover warm: the command server is off (CUTOVER_DO_SERVER=0); nothing started\n",
    )
    code, _out, err = cutover(["warm"], env | {"PYTHONHASHSEED": "1"}, tmp_path)
    assert code == 1 and "no server can copy; nothing started" in err
    assert servers_of(state) == []
    if os.geteuid() == 0:
        code, _out, err = cutover(["warm"], env, tmp_path, user=[])
        assert code == 1 and err.startswith("cutover warm: root's commands are never served")
        assert err.count("\n") == 1


def own_group() -> str:
    """The served user's primary group's name: a group it is a member of."""
    return grp.getgrgid(pwd.getpwuid(served_uid()).pw_gid).gr_name


@pytest.mark.parametrize(
    ("interactive", "group", "started"),
    [
        (True, NO_GROUP, True),  # no such group on the host: every user's login
        (False, NO_GROUP, False),  # a script's login shell (`bash -lc`) types no command
        (True, "root", False),  # the group exists and the user is not in it
        (True, "own", True),  # the group exists and the user is in it
    ],
)
def test_the_hook_starts_a_server_for_the_interactive_logins_it_is_for(
    tmp_path: Path, interactive: bool, group: str, started: bool
) -> None:
    """The shell and everything it started hold a pipe's write end: its EOF says they all
    have ended, so a server not among them was never started."""
    state = tmp_path / "state"
    env = cutover_env(state, True) | {"PATH": f"{BIN}:{os.environ['PATH']}"}
    env["CUTOVER_LOGIN_GROUP"] = own_group() if group == "own" else group
    read, write = os.pipe()
    flags = ["-i"] if interactive else []
    with servers_stopped(state):
        shell = subprocess.Popen(
            [*as_user(), "sh", *flags, "-c", f". {HOOK}"],
            env=env,
            cwd=tmp_path,
            pass_fds=(write,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read, "rb") as ended:
            assert ended.read() == b""  # the shell, its subshell and `cutover warm` have ended
        shell.wait(timeout=60)
        assert bool(servers_of(state)) is started


@pytest.mark.skipif(os.geteuid() != 0, reason="root's login is the case tried")
def test_the_hook_is_silent_and_never_fails_a_login(tmp_path: Path) -> None:
    """As root (never served) and with no `cutover` on PATH, sourcing it adds nothing to
    what an interactive `sh` says by itself."""

    def login(script: str, path: str) -> tuple[int, str, str]:
        done = subprocess.run(
            ["sh", "-i", "-c", script],
            env={"PATH": path, "CUTOVER_STATE": str(tmp_path / "state")},
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done.returncode, done.stdout, done.stderr

    for path in (f"{BIN}:/usr/bin:/bin", "/usr/bin:/bin"):
        bare = login("echo done", path)
        assert login(f". {HOOK}; echo done", path) == bare
        assert bare[:2] == (0, "done\n")


def test_only_a_pidfd_is_held(tmp_path: Path) -> None:
    registered: list[int] = []
    holds = Holds(registered.append, registered.remove)
    plain = os.open(tmp_path, os.O_RDONLY)
    assert not is_pidfd(plain) and not holds.add(plain)  # refused, and closed
    with pytest.raises(OSError):
        os.fstat(plain)
    login = subprocess.Popen(["sleep", "600"])  # a process of this user
    try:
        pidfd = os.pidfd_open(login.pid)
        assert is_pidfd(pidfd) and holds.add(pidfd) and holds and registered == [pidfd]
        holds.ended(pidfd)
        assert not holds and registered == []
    finally:
        stop(login.pid)


HOLD_PROBE = """
import os, sys
from cutover_tui.cli.do_server_hold import send_hold
print(send_hold(sys.argv[1], os.pidfd_open(int(sys.argv[2])), 30))
"""


@pytest.mark.parametrize("whose", ["the server's own", "init's"])
def test_a_server_holds_no_process_that_would_keep_it_forever(tmp_path: Path, whose: str) -> None:
    """A peer of the user (warm does not check what a listening server is sent) hands it a
    pidfd of the server itself, or of another user's process that lives as long as the
    host: refused, or the server would never leave."""
    state = tmp_path / "state"
    env = cutover_env(state, True)
    with servers_stopped(state):
        assert cutover(["warm"], env, tmp_path)[0] == 0
        server = until(lambda: server_pid(state), "a server listening")
        (sock,) = sockets(state)
        target = server if whose == "the server's own" else 1
        done = python_as(["-c", HOLD_PROBE, sock.stem, str(target)], env, tmp_path)
        assert done.stdout == "False\n", done.stderr
        assert held_pids(server) == []


def test_a_second_logins_hold_is_no_use_of_the_server(tmp_path: Path) -> None:
    """A `tmux` pane's login finds its session's server listening and adds its hold: that
    knock and hold are no command, so once both logins have ended, a server neither used
    leaves at once, not an idle hour later."""
    state = tmp_path / "state"
    env = cutover_env(state, True)
    with logins(state, 2) as shells:
        code, out, err = cutover(["warm", "--while", str(shells[0].pid)], env, tmp_path)
        assert (code, err) == (0, "") and "starting" in out
        (server,) = until(lambda: servers_of(state), "the first login's server started")
        until(lambda: held_pids(server) and sockets(state), "it listens, held")
        code, out, err = cutover(["warm", "--while", str(shells[1].pid)], env, tmp_path)
        assert (code, err) == (0, "") and "listening; it stays" in out
        until(lambda: sorted(held_pids(server)) == sorted(p.pid for p in shells), "both held")
        for login in shells:
            login.kill()
            login.wait()
        wait_gone(server)


def test_a_login_whose_server_loses_the_start_to_another_is_held_by_that_one(
    tmp_path: Path,
) -> None:
    """Two starts of one fingerprint (two logins of a session at once, or a new login while
    the last one's server is leaving): the one that finds the lock taken does not drop its
    login's hold, it hands it to the server that has the lock. Here that server is listening
    and the losing start is the one `warm` would spawn: its argv, the pidfd as HOLD_FD."""
    state = tmp_path / "state"
    env = cutover_env(state, True)
    with logins(state) as (login,):
        assert cutover(["warm"], env, tmp_path)[0] == 0
        server = until(lambda: server_pid(state), "a server listening")
        argv = Path(f"/proc/{server}/cmdline").read_text().split("\0")[:-1]
        pidfd = f"os.set_inheritable(os.dup2(os.pidfd_open(int(sys.argv[1])), {HOLD_FD}), True)"
        spawn = f"import os,sys; {pidfd}; os.execv(sys.argv[2], sys.argv[3:])"
        words = [str(login.pid), argv[0], *argv, str(HOLD_FD)]
        assert python_as(["-c", spawn, *words], env, tmp_path).returncode == 0
        until(lambda: held_pids(server) == [login.pid], "the login held by the listening one")
        assert servers_of(state) == [server]


def test_a_start_that_never_came_is_made_again_for_the_login(tmp_path: Path) -> None:
    """Another login's `warm` killed between marking its start and spawning the server (or
    a server dead before it listened) leaves a start marker for a few seconds: a login's
    `warm` meanwhile starts the server itself once the marker has lapsed, rather than wait
    for a server that never comes and hold nothing."""
    state = tmp_path / "state"
    env = cutover_env(state, True)
    with logins(state) as (login,):
        assert cutover(["warm"], env, tmp_path)[0] == 0
        stop(until(lambda: server_pid(state), "a first server listening"))
        (lock,) = (state / "do-server").glob("*.lock")
        marker = lock.with_suffix(".starting")
        marker.touch()  # the killed warm's mark: a start under way
        os.chown(marker, served_uid(), -1)
        code, out, err = cutover(["warm", "--while", str(login.pid)], env, tmp_path)
        assert (code, err) == (0, "") and "starting" in out, out
        server = until(lambda: server_pid(state), "the login's server listening")
        until(lambda: held_pids(server) == [login.pid], "the login held")


def test_a_look_is_use_of_the_server_where_a_hold_is_not(tmp_path: Path) -> None:
    """The war room's keeper (cli/do_server_keeper.py) keeps a server up by looking at it (a
    connection that asks nothing): each look still counts as use. Two unheld servers of the
    same idle time: the one looked at all along is there after the other has left."""
    state, other = tmp_path / "state", tmp_path / "other"
    env = cutover_env(state, True, CUTOVER_DO_SERVER_IDLE="5")
    with servers_stopped(state, other):
        for folder in (state, other):
            assert cutover(["warm"], env | {"CUTOVER_STATE": str(folder)}, tmp_path)[0] == 0
        server = until(lambda: server_pid(state), "the looked-at server listening")
        until(lambda: servers_of(other) and sockets(other), "the other one listening")
        # server_pid connects: a look, every poll, while the other one idles out.
        until(lambda: server_pid(state) == server and not servers_of(other), "the other gone")
