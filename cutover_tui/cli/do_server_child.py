"""A command server's child (cli/do_server.py): made to look like a fresh `cutover do` of
its client, then running the full path, then gone.

A fresh interpreter would have: the client's environment (and so its TZ and locale for
LC_CTYPE), umask, working directory, argv, the signal dispositions Python sets at start
(SIGINT raises KeyboardInterrupt, SIGPIPE and SIGXFSZ ignored, the rest default, none
blocked), and standard streams on the client's descriptors with the encoding, errors and
buffering the client's own interpreter chose for them (the client sends those: it *is*
such a fresh interpreter, on the same descriptors, with the same environment). What a
child inherits instead (the interpreter, the code, the search path, the ids, the start-up
variables and flags, and since the hostile review of 2026-12-02 the namespaces, root, nice
value, resource limits, audit identity and cgroup: cli/do_server_context.py) is in the
server's fingerprint (cli/do_server_place.py), so a command is served only by a server
that has the same. Not carried over: the hash seed (the server's), and job control (Ctrl-Z
stops the client only).
"""

from __future__ import annotations

import atexit
import contextlib
import io
import locale
import os
import select
import signal
import socket
import sys
import time
import traceback

from .do_server_wire import GO

FRESH_IGNORED = (signal.SIGPIPE, signal.SIGXFSZ)
NAMES = ("<stdin>", "<stdout>", "<stderr>")


def become(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """Never returns: the command's exit code ends the process."""
    if wait_for_go(conn.fileno()) != GO:
        os._exit(0)  # the client gave up before the go: it runs the command itself
    fresh_signals(request.get("ignored", []))  # after the go: one before it is the server's
    refresh = request.get("kind") == "facts-refresh"  # cli/do_server_refresh.py
    # A copy of the client's socket (close-on-exec), for the command's own exit status: a
    # server killed meanwhile would otherwise leave the client unable to say how it ended.
    said = None if refresh else os.dup(conn.fileno())
    place_fds(fds, said)  # conn and every other server descriptor closed here
    fresh_process(request)
    if refresh:
        from .do_server_refresh import run_refresh

        os._exit(run_refresh(request["argv"]))
    os._exit(run(request["argv"], said))


def wait_for_go(fd: int) -> bytes:
    """The client's one byte, b"" if it closed or failed. Polls, never relying on the
    socket's blocking flag: it lives on the open file description this child shares with
    its server, which may set O_NONBLOCK at any moment (a recv then raised EAGAIN, read as
    the client's giving up, and a command it had sent the go for never ran: the hostile
    review of 2026-12-02)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    while True:
        try:
            poller.poll()
            return os.read(fd, 1)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            return b""


def fresh_signals(ignored: list = ()) -> None:
    """The dispositions a fresh interpreter of the client would have: Python's own, and
    SIG_IGN for those the client found ignored at its start (`nohup`, a background job's
    SIGINT): a fresh one keeps those ignored."""
    signal.set_wakeup_fd(-1)
    kept = {s for s in ignored if isinstance(s, int)}
    for sig in signal.valid_signals():
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        fresh = signal.SIG_IGN if sig in FRESH_IGNORED else signal.SIG_DFL
        if sig == signal.SIGINT:
            fresh = signal.default_int_handler
        if sig in kept:
            fresh = signal.SIG_IGN
        try:
            if signal.getsignal(sig) is not fresh:
                signal.signal(sig, fresh)
        except (OSError, ValueError, RuntimeError):
            continue
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def place_fds(fds: list[int], keep: int | None = None) -> None:
    """The client's working directory and its descriptors 0-2; nothing else open but
    `keep` (above 2: a dup of a descriptor the server had open)."""
    cwd, *streams = fds
    os.fchdir(cwd)
    for target, fd in enumerate(streams):
        os.dup2(fd, target, inheritable=True)
    top = os.sysconf("SC_OPEN_MAX")
    if keep is None:
        os.closerange(3, top)
    else:
        os.closerange(3, keep)
        os.closerange(keep + 1, top)


def fresh_process(request: dict) -> None:
    os.umask(request["umask"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    with contextlib.suppress(locale.Error):
        locale.setlocale(locale.LC_CTYPE, "")  # as Python does at start
    sys.argv[:] = request["sys_argv"]
    sys.orig_argv[:] = request["orig_argv"]
    streams = request["streams"]
    made = [open_stream(fd, spec, NAMES[fd]) for fd, spec in enumerate(streams)]
    sys.stdin, sys.stdout, sys.stderr = made
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = made


def open_stream(fd: int, spec: dict, name: str) -> io.TextIOWrapper:
    """A standard stream on `fd` set up as the client's interpreter set up its own."""
    reading = fd == 0
    raw = io.FileIO(fd, "rb" if reading else "wb", closefd=False)
    raw.name = name
    buffer = raw
    if spec.get("buffered", True) or reading:
        kind = io.BufferedReader if reading else io.BufferedWriter
        buffer = kind(raw, _buffer_size(fd))
    stream = io.TextIOWrapper(
        buffer,
        encoding=spec.get("encoding"),
        errors=spec.get("errors"),
        newline="\n",
        line_buffering=bool(spec.get("line_buffering")),
        write_through=bool(spec.get("write_through")),
    )
    stream.mode = "r" if reading else "w"
    return stream


def _buffer_size(fd: int) -> int:
    """As io.open sizes a buffer: the descriptor's st_blksize (4096 on a pipe), else 8192."""
    try:
        size = os.fstat(fd).st_blksize
    except OSError:
        size = 0
    return size if size > 1 else io.DEFAULT_BUFFER_SIZE


def run(argv: list[str], said: int | None = None) -> int:
    """The full path of `cutover do` (the client tried the fast one), ended as the
    interpreter ends: SystemExit's code, a traceback and 1 for anything uncaught (death by
    SIGINT for an uncaught KeyboardInterrupt), 120 when the streams cannot be flushed."""
    from . import full_path

    try:
        code = full_path(argv)
    except SystemExit as exc:
        code = exit_code(exc.code)
    except KeyboardInterrupt:  # uncaught: Python prints it and dies of SIGINT
        traceback.print_exc()
        code = -signal.SIGINT
    except BaseException:
        traceback.print_exc()
        code = 1
    with contextlib.suppress(BaseException):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.closed:  # as CPython's shutdown: `| head` closed it
            continue
        try:
            stream.flush()
        except Exception as exc:  # as CPython's shutdown says it, then 120
            code = 120 if code >= 0 else code
            _ignored(stream, exc)
    if code >= 0 and said is not None:
        say_status(said, code)
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


def _ignored(stream: io.TextIOWrapper, exc: Exception) -> None:
    """CPython's "Exception ignored in: <stream>" lines for a flush failed at exit, on
    stderr (itself flushed at once; nothing if it is the stream that failed)."""
    if stream is sys.stderr or sys.stderr is None or sys.stderr.closed:
        return
    with contextlib.suppress(Exception):
        sys.stderr.write(f"Exception ignored in: {stream!r}\n{type(exc).__name__}: {exc}\n")
        sys.stderr.flush()


def say_status(fd: int, code: int) -> None:
    """The exit status as the server would report it (its line, do_server_wire), written by
    the child itself: the client reads the first status line, this one or the server's."""
    import json
    import resource

    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(u.ru_utime + u.ru_stime for u in usage)
    status = (code & 0xFF) << 8  # as wait(2) reports an exit with that code
    line = json.dumps({"status": status, "cpu": cpu})
    with contextlib.suppress(OSError):
        os.write(fd, line.encode() + b"\n")


def exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1
