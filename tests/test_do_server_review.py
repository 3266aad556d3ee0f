"""The command server's hostile review (issue 14), each finding with real processes, sockets
and OS users: a server serves only a peer with all of its own credentials and never root,
only `do` requests, never records a command whose client died, ends as a fresh process
ends when its stdout's reader has gone, notices new dependencies, and a stale server never
removes a newer server's socket."""

from __future__ import annotations

import fcntl
import os
import signal
from pathlib import Path

import pytest

from cutover_tui.cli import do_server, do_server_place
from tests.do_server_support import (
    CAPS,
    as_user,
    children_of,
    closed_stdout,
    cutover,
    cutover_env,
    hand_client,
    recorded,
    served_run,
    server_pid,
    servers_of,
    servers_stopped,
    sockets,
    stop,
    until,
    wait_gone,
    waiting_note,
)
from tests.journal_support import new_run

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root to run commands as other users and credentials"
)


IN_ADM = as_user(groups="--groups=65534,4")  # nobody's group and adm


def served_lines(report: Path) -> int:
    return len(report.read_text().split()) if report.exists() else 0


def server_started_by(user: list[str], tmp_path: Path) -> tuple[str, Path, dict, Path, int]:
    """A server started by a command of `user` (setpriv options): the run's id, its folder,
    the environment (its served commands append their CPU to `report`), report, pid."""
    run_id, a, _b = served_run(tmp_path)
    state, report = tmp_path / "state", tmp_path / "cpu"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a), CUTOVER_DO_SERVER_CPU_FILE=str(report))
    code, _out, err = cutover(
        ["do", run_id, "note", "--note", "s", "--reason", "r"], env, tmp_path, user
    )
    assert code == 0, err
    return run_id, a, env, report, until(lambda: server_pid(state), "a server listening")


@needs_root
def test_root_is_never_served_and_starts_no_server(tmp_path: Path) -> None:
    journal = new_run(tmp_path / "runs", steps=4)  # root commands this one
    run_id, a = journal.run_id, tmp_path / "runs"
    journal.close()
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    with servers_stopped(state):
        for n in range(2):
            argv = ["do", run_id, "note", "--note", f"root{n}", "--reason", "r"]
            code, _out, err = cutover(argv, env, tmp_path, user=[])  # as root itself
            assert (code, err) == (0, "")
            # The client spawns its server before it exits: none means none was started.
            assert servers_of(state, uid=0) == []
        assert sockets(state) == []


@needs_root
def test_a_peer_whose_groups_changed_is_declined(tmp_path: Path) -> None:
    """The server started while its user was in group adm (4); her requests after her
    removal (a hand-written client: her fingerprint changed too) are closed unanswered."""
    with servers_stopped(tmp_path / "state"):
        run_id, _a, env, _report, server = server_started_by(IN_ADM, tmp_path)
        (where,) = sockets(tmp_path / "state")
        request = note_request(run_id, env, "after-removal")
        assert hand_client(where, request, tmp_path, go=False)["first"] is None
        kept = hand_client(where, request, tmp_path, go=False, user=IN_ADM)
        assert kept["first"] is not None  # the same groups: served (no go: nothing ran)
        until(lambda: children_of(server) == [], "the child reaped")


def note_request(run_id: str, env: dict, text: str, argv: list[str] | None = None) -> dict:
    return {
        "argv": argv or ["do", run_id, "note", "--note", text, "--reason", "r"],
        "sys_argv": ["cutover"],
        "orig_argv": ["cutover"],
        "env": env,
        "umask": 0o022,
        "streams": [{}, {}, {}],
    }


@needs_root
@pytest.mark.parametrize(
    ("server_user", "client_user"),
    [
        ([*as_user(caps=f"{CAPS},+fowner")], as_user()),  # capabilities dropped since
        (as_user(), [*as_user(), "--no-new-privs"]),
        (as_user(), [*as_user(), "--bounding-set=-sys_admin"]),
    ],
    ids=["capabilities", "no-new-privs", "bounding-set"],
)
def test_a_client_with_fewer_privileges_runs_its_own_command(
    tmp_path: Path, server_user: list[str], client_user: list[str]
) -> None:
    """The normal client (same uid, groups and fingerprint): declined, it runs the command
    itself (with its own privileges) and records it once; one alike is served."""
    with servers_stopped(tmp_path / "state"):
        run_id, a, env, report, _server = server_started_by(server_user, tmp_path)
        (path,) = a.glob("*.db")
        argv = ["do", run_id, "note", "--note", "fewer", "--reason", "r"]
        code, _out, err = cutover(argv, env, tmp_path, client_user)
        assert (code, err, served_lines(report)) == (0, "", 0)
        assert recorded(path, "fewer") == 1
        argv = ["do", run_id, "note", "--note", "alike", "--reason", "r"]
        assert cutover(argv, env, tmp_path, server_user)[0] == 0
        assert served_lines(report) == 1  # the control: a peer alike is served


@needs_root
def test_only_do_commands_are_served(tmp_path: Path) -> None:
    with servers_stopped(tmp_path / "state"):
        run_id, _a, env, _report, _server = server_started_by(as_user(), tmp_path)
        (where,) = sockets(tmp_path / "state")
        status = note_request(run_id, env, "", argv=["status", run_id])
        assert hand_client(where, status, tmp_path, go=False)["first"] is None
        refresh = note_request(run_id, env, "", argv=["/nowhere.db"]) | {"kind": "facts-refresh"}
        assert hand_client(where, refresh, tmp_path, go=False)["first"] is not None


def signals_pending(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("ShdPnd:"):
            return int(line.split()[1], 16)
    return 0


def stopped(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"


@needs_root
def test_a_client_killed_by_sigkill_takes_its_command_with_it(tmp_path: Path) -> None:
    """The child held stopped (it cannot end by itself): only the server, seeing the
    client's socket hang up, ends it; nothing is recorded once the lock is free."""
    with servers_stopped(tmp_path / "state"), waiting_note(tmp_path, "killed") as w:
        os.kill(w.child, signal.SIGSTOP)
        until(lambda: stopped(w.child), "the w.child stopped")
        try:
            w.client.kill()
            w.client.communicate(timeout=120)
            wait_gone(w.child)
        finally:
            stop(w.child, signal.SIGKILL)
    assert recorded(w.path, "killed") == 0


@needs_root
@pytest.mark.parametrize(
    "sig", [signal.SIGUSR1, signal.SIGALRM, signal.SIGQUIT], ids=["USR1", "ALRM", "QUIT"]
)
def test_every_ending_signal_is_forwarded(tmp_path: Path, sig: int) -> None:
    """The child held stopped: the signal reaches it (pending) while the client waits for
    its end; let go, it dies of it, so does the client, and nothing is recorded."""
    with servers_stopped(tmp_path / "state"), waiting_note(tmp_path, "signalled") as w:
        os.kill(w.child, signal.SIGSTOP)
        until(lambda: stopped(w.child), "the w.child stopped")
        try:
            w.client.send_signal(sig)
            until(lambda: signals_pending(w.child) & (1 << (sig - 1)), "the signal forwarded")
            os.kill(w.child, signal.SIGCONT)
            out, err = w.client.communicate(timeout=120)
        finally:
            stop(w.child, signal.SIGKILL)
    assert (w.client.returncode, out, err) == (-sig, "", "")
    assert recorded(w.path, "signalled") == 0


@needs_root
def test_a_closed_reader_ends_a_served_command_as_one_run_here(tmp_path: Path) -> None:
    """`cutover do ... | (exec 0<&-; true)`: served, the same exit code as run here."""
    run_id, _a, _b = served_run(tmp_path)
    report = tmp_path / "cpu"
    served = cutover_env(tmp_path / "s", True, CUTOVER_DO_SERVER_CPU_FILE=str(report))
    here = cutover_env(tmp_path / "h", False)
    codes = []
    with servers_stopped(tmp_path / "s"):
        argv = ["do", run_id, "note", "--note", "first", "--reason", "r", "--runs", "a"]
        assert cutover(argv, served, tmp_path)[0] == 0
        until(lambda: server_pid(tmp_path / "s"), "a server listening")
        for env, runs in ((served, "a"), (here, "b")):
            argv = ["do", run_id, "estimate", "s1", "--duration", "5m", "--reason", "r"]
            argv += ["--runs", runs]
            codes.append(closed_stdout(argv, env, tmp_path)[0])  # its reader gone before it writes
        assert served_lines(report) == 1, (report.read_text(), codes)  # the first was served
    assert codes[0] == codes[1] == 0


def test_the_code_digest_covers_the_installed_distributions(tmp_path: Path) -> None:
    """An upgraded dependency (its dist-info renamed) or a reinstalled one (a new mtime)."""
    site = tmp_path / "lib" / "site-packages"
    (site / "pydantic-2.0.dist-info").mkdir(parents=True)
    root = tmp_path / "pkg"
    root.mkdir()
    digests = [do_server_place.code_digest(root, [str(site)])]
    (site / "pydantic-2.0.dist-info").rename(site / "pydantic-2.1.dist-info")
    digests.append(do_server_place.code_digest(root, [str(site)]))
    os.utime(site / "pydantic-2.1.dist-info", ns=(1, 1))
    digests.append(do_server_place.code_digest(root, [str(site)]))
    (site / "notes.txt").write_text("not a distribution")
    digests.append(do_server_place.code_digest(root, [str(site)]))
    assert len(set(digests[:3])) == 3 and digests[3] == digests[2]


@needs_root
def test_a_stale_server_leaves_a_newer_servers_socket(tmp_path: Path) -> None:
    """`rm do-server/*` under a live server: a newer one binds the name; the stale one,
    stopped, must not remove it."""
    with servers_stopped(tmp_path / "state"):
        run_id, _a, env, _report, stale = server_started_by(as_user(), tmp_path)
        for leftover in (tmp_path / "state" / "do-server").iterdir():
            leftover.unlink()
        argv = ["do", run_id, "note", "--note", "again", "--reason", "r"]
        assert cutover(argv, env, tmp_path)[0] == 0
        newer = until(lambda: server_pid(tmp_path / "state"), "the newer server listening")
        assert newer != stale
        stop(stale)
        assert len(sockets(tmp_path / "state")) == 1
        assert server_pid(tmp_path / "state") == newer


def test_a_lock_file_replaced_before_the_flock_is_not_held(tmp_path: Path, monkeypatch) -> None:
    """A prune removed the lock file between this server's open and its flock (and another
    made a new one): the lock taken is on a file no longer at the name, so not held."""
    folder = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    real_flock = fcntl.flock

    def raced(fd: int, how: int) -> None:
        os.unlink("x.lock", dir_fd=folder)
        os.close(os.open("x.lock", os.O_CREAT | os.O_WRONLY, 0o600, dir_fd=folder))
        real_flock(fd, how)

    try:
        monkeypatch.setattr(do_server.fcntl, "flock", raced)
        assert do_server.take_lock(folder, "x.lock") is None
        monkeypatch.setattr(do_server.fcntl, "flock", real_flock)
        held = do_server.take_lock(folder, "x.lock")
        assert held is not None
        os.close(held)
    finally:
        os.close(folder)
