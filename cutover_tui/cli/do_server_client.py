"""`cutover do`'s side of the command server (cli/do_server.py): hand the command to a
server of this user that has the full path imported, or run it here and start one.

Tried first, before the fast paths (cli/do_fast.py, cli/do_fast_moves.py): a served
command costs about what a fast path that takes it costs, and less than one that declines
(a step action on facts made stale by someone's move), so while a server listens every
command goes to it; the fast paths serve when none does. Before the server has accepted
(its child's pid received and the go sent) any doubt (no server, a stale socket, a refusal,
a timeout, a closed descriptor among 0-2, a start-up variable a fork cannot reproduce)
means the fast paths, then the full path here, exactly as without a server; the server's
child waits for the go, so a child the client gave up on never runs. After the go the
client never runs the command: it forwards every catchable signal that would end it
(FORWARDED) to the child, and ends as the child ended (its exit code, or the same signal);
should the client die anyway (SIGKILL), the server kills the child once the client's
socket hangs up. The child says its own exit status on a copy of the socket before it
ends (the server says it too, after wait4: the first line counts), so a server that dies
meanwhile loses nothing; only a child that died of a signal with its server gone leaves
the client (waiting on a pidfd) to say in one line that the status was lost and how to look.

Imports neither pydantic nor the engine (tests/test_do_server.py checks sys.modules).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import sys
from collections.abc import Callable, Iterator

from . import do_server_place as place
from .do_server_wire import GO, WireError, read_line, send_request
from .own_python import python_command, search_path

# Seconds for the server to answer with its child's pid (it forks and answers in
# milliseconds): one that does not (stopped, swamped) is marked and passed by for a
# minute (place.STUCK), since every command now asks it first.
ACCEPT_TIMEOUT = 3.0
ACCEPT_ENV = "CUTOVER_DO_SERVER_ACCEPT_S"  # another wait (the test suite's, on a busy machine)
# Every signal whose default action ends a process, sent to the client (kill, timeout,
# a terminal's Ctrl-\\), is sent on to the child as the same signal: a fresh `cutover do`
# would have died of it. Not the faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS,
# SIGABRT: a handler cannot return from a real one), nor SIGPIPE and SIGXFSZ (a fresh
# Python ignores them). SIGKILL cannot be caught: the server sees the client's socket hang
# up and kills the child (cli/do_server.py, Server.hung_up), as it does after any death.
FORWARDED = (
    signal.SIGINT,
    signal.SIGTERM,
    signal.SIGHUP,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGALRM,
    signal.SIGVTALRM,
    signal.SIGPROF,
    signal.SIGXCPU,
    signal.SIGIO,
    signal.SIGPWR,
    signal.SIGSTKFLT,
    *range(signal.SIGRTMIN, signal.SIGRTMAX + 1),
)
# Signals a fresh `cutover do` dies of (the client dies of the same); others: 128 + n.
RAISED_AGAIN = (*FORWARDED, signal.SIGPIPE, signal.SIGKILL)
CPU_FILE = "CUTOVER_DO_SERVER_CPU_FILE"  # benchmarks: the served child's CPU seconds, appended
# What the server's own start reads of the environment: where the state lives, the locale
# it decides its encodings by; the commands' own environment comes with each request.
SERVER_ENV = ("HOME", "XDG_STATE_HOME", "PATH", "TZ", *place.LOCALE_VARS)


def serve_first(
    argv: list[str], fast: Callable[[], int | None], full_path: Callable[[], int]
) -> int:
    """`cutover do` with `argv` by this user's server when one listens (every command about
    the same cost, stale facts or not); else by `fast()` (the fast paths: None when they
    stand aside), else `full_path()`, here, and a server started in the background for the
    next command if none was there."""
    if not place.enabled() or not place.servable_env(dict(os.environ)):
        done = fast()
        return full_path() if done is None else done
    try:
        print_ = place.fingerprint(dict(os.environ), search_path(), code := place.code_digest())
    except OSError:  # no working directory left, say
        done = fast()
        return full_path() if done is None else done
    try:
        answer = _try_server(argv, print_)
    except KeyboardInterrupt:  # before the go: nothing ran, as a fresh one stopped early
        return 130
    if isinstance(answer, int):
        return answer
    try:
        done = fast()
        return full_path() if done is None else done
    finally:  # after a fast command too: the next may be one the fast paths cannot take
        if answer == "none":
            start_server(print_, code)


def accept_timeout() -> float:
    """ACCEPT_TIMEOUT, or the seconds CUTOVER_DO_SERVER_ACCEPT_S says, from 0.1 to 120 (a
    wait of a microsecond would mark a healthy server stuck for every session a minute)."""
    try:
        chosen = float(os.environ.get(ACCEPT_ENV, ACCEPT_TIMEOUT))
    except ValueError:
        return ACCEPT_TIMEOUT
    return chosen if 0.1 <= chosen <= 120 else ACCEPT_TIMEOUT


def _try_server(argv: list[str], print_: str) -> int | str:
    """The command's exit code, or "none" (no server listens) / "declined"."""
    sock = place.connect(print_, accept_timeout())
    if isinstance(sock, str):
        return sock
    with sock:
        return _hand_over(sock, argv, print_)


def _hand_over(sock: socket.socket, argv: list[str], print_: str) -> int | str:
    reader = sock.makefile("rb")
    try:
        try:
            pid = _asked(sock, reader, argv)
        except TimeoutError:
            place.mark(print_, place.STUCK)
            return "declined"
        if pid is None:
            return "declined"
        with _pidfd(pid) as pidfd, _forwarding(pidfd):
            try:
                sock.sendall(GO)  # from here on the command is the child's
            except OSError:  # nobody to read it: the child is gone, it never ran
                return "declined"
            sock.settimeout(None)
            return _ended(read_line(reader), argv, pid, pidfd)
    finally:
        reader.close()


def _asked(sock: socket.socket, reader, argv: list[str]) -> int | None:
    """The child's pid once the request is sent and answered; None: not accepted (a child,
    if forked, never runs: it sees the socket close without the go)."""
    fds: list[int] = []
    try:
        fds = [os.open(".", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)]
        streams = [_stream(s) for s in (sys.__stdin__, sys.__stdout__, sys.__stderr__)]
        for fd in (0, 1, 2):
            os.fstat(fd)  # a closed standard descriptor: the full path says what it says
        send_request(sock, _request(argv, streams), [*fds, 0, 1, 2])
        message = read_line(reader)
        pid = message.get("pid") if message else None
        return pid if isinstance(pid, int) and pid > 0 else None
    except TimeoutError:  # no answer in time: the caller marks the server
        raise
    except (OSError, ValueError, WireError, AttributeError):
        return None
    finally:
        for fd in fds:
            place.close_quietly(fd)


def _stream(stream: io.TextIOWrapper | None) -> dict:
    """How this fresh interpreter set up one of its standard streams, for the child's copy."""
    if stream is None:
        raise ValueError("no stream")
    return {
        "encoding": stream.encoding,
        "errors": stream.errors,
        "line_buffering": stream.line_buffering,
        "write_through": stream.write_through,
        "buffered": not isinstance(stream.buffer, io.RawIOBase),
    }


def _request(argv: list[str], streams: list[dict]) -> dict:
    mask = os.umask(0o022)
    os.umask(mask)
    return {
        "argv": argv,
        "sys_argv": list(sys.argv),
        "orig_argv": list(getattr(sys, "orig_argv", sys.argv)),
        "env": dict(os.environ),
        "umask": mask,
        "streams": streams,
        "ignored": ignored_at_start(),
    }


@contextlib.contextmanager
def _pidfd(pid: int) -> Iterator[int | None]:
    try:
        fd = os.pidfd_open(pid)
    except OSError:  # ended already (and reaped), or no pidfds here
        fd = None
    try:
        yield fd
    finally:
        place.close_quietly(fd)


@contextlib.contextmanager
def _forwarding(pidfd: int | None) -> Iterator[None]:
    """Ctrl-C, a hang-up or a kill of the client reach the child, as they would reach a
    `cutover do` run here."""

    def forward(signum: int, _frame) -> None:
        with contextlib.suppress(OSError):
            if pidfd is not None:
                signal.pidfd_send_signal(pidfd, signum)

    # One ignored at the start (`nohup`, a background job's SIGINT) stays ignored here, as
    # in the child (cli/do_server_child.fresh_signals) and in a fresh `cutover do`.
    ignored = set(ignored_at_start())
    before = {sig: signal.signal(sig, forward) for sig in FORWARDED if sig not in ignored}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def ignored_at_start() -> list[int]:
    """The signals this process ignores (it is a fresh interpreter that changed none: those
    came ignored from whoever started it)."""
    return sorted(
        int(sig) for sig in signal.valid_signals() if signal.getsignal(sig) == signal.SIG_IGN
    )


def _ended(message: dict | None, argv: list[str], pid: int, pidfd: int | None) -> int:
    status = message.get("status") if message else None
    if not isinstance(status, int):
        return _lost(argv, pid, pidfd)
    _report_cpu(message.get("cpu"))
    code = os.waitstatus_to_exitcode(status)
    if code >= 0:
        return code
    return _die_as(-code)


def _lost(argv: list[str], pid: int, pidfd: int | None) -> int:
    """The server went away mid-command: wait for the child, then one line."""
    if pidfd is not None:
        import select

        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        while not poller.poll():
            pass
    run = argv[1] if len(argv) > 1 and not argv[1].startswith("-") else "RUN"
    print(
        f"cutover do: the command server stopped while it ran this command (pid {pid}); "
        f"its exit status is lost: `cutover status {run}` shows whether it was recorded",
        file=sys.stderr,
    )
    return 1


def _die_as(signum: int) -> int:
    """The child died of a signal: so does this process, as a fresh one would have."""
    if signum not in RAISED_AGAIN:
        return 128 + signum
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    if signum != signal.SIGKILL:  # its action cannot be set (EINVAL): it is the default
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signum])
    os.kill(os.getpid(), signum)
    return 128 + signum  # not reached but for a blocked signal


def _report_cpu(cpu: object) -> None:
    where = os.environ.get(CPU_FILE)
    if where and isinstance(cpu, int | float):
        with contextlib.suppress(OSError), open(where, "a", encoding="utf-8") as out:
            out.write(f"{cpu}\n")


def start_server(print_: str, code: str, hold: int | None = None) -> bool:
    """A server for this fingerprint, detached (as cli/facts_refresh.py starts a refresh):
    this package's code in an isolated Python in `/`, a session of its own, /dev/null for
    its streams, none of this process's other descriptors, the same interpreter flags;
    `hold`, a login's pidfd, handed over for it to stay while that process lives
    (cli/do_server_hold.py). False when another start is under way or the spawn failed."""
    from .facts_refresh import inherited

    if not _first_to_start(print_):
        return False
    quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    env = {k: v for k, v in os.environ.items() if k in SERVER_ENV or k.startswith("CUTOVER_")}
    env |= {k: v for k, v in os.environ.items() if k.startswith("LC_")}
    try:
        actions = quiet + [(os.POSIX_SPAWN_CLOSE, fd) for fd in inherited()]
        words = [print_, code]
        if hold is not None:
            from .do_server_hold import spawn_actions

            held, word = spawn_actions(hold)
            actions, words = actions + held, words + word
        argv = python_command("cutover_tui.cli.do_server", words, cwd="/")
        argv[1:1] = place.server_flags()
        os.posix_spawn(sys.executable, argv, env, file_actions=actions, setsid=True)
    except Exception:  # never fail a command that has run: the next one tries again
        return False
    return True


def _first_to_start(print_: str) -> bool:
    """False when a start of this fingerprint's server began less than place.STARTING's
    seconds ago (a burst of commands finding none starts one, not one each); else the start
    marked as this one's."""
    folder = place.open_folder(create=True)
    if folder is None:
        return True  # the server's own checks decide
    try:
        if place.marked(folder, print_, place.STARTING):
            return False
        place.mark_in(folder, print_, place.STARTING)
        return True
    finally:
        place.close_quietly(folder)
