"""The process between the conductor and a check's command: it outlives nothing it started.

`python -I -S reaper.py ARGV...` (clock/probing.py starts it; run as a script, it imports
only the standard library). It makes itself a child subreaper (Linux `PR_SET_CHILD_SUBREAPER`),
so every process the command leaves behind, even one that made its own session with
`setsid` (and so escaped the process group the conductor kills), is re-parented to it instead
of to init. It runs the command, waits for it, then kills every descendant it still has, again
and again until none is left, and exits as the command did. Told to stop (SIGTERM: the
conductor's timeout or output limit, or the conductor's death through PDEATHSIG) it does the
same at once. A SIGKILL of the reaper itself leaves its descendants to the conductor's
process-group kill, as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
CANNOT_EXEC = 127


def _children(me: int) -> list[int]:
    """Processes whose parent is `me` (read from /proc: no CONFIG_PROC_CHILDREN needed)."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me:
            out.append(int(name))
    return out


def kill_descendants() -> None:
    """SIGKILL every child, reap it, and again: the orphans of the killed come to us."""
    me = os.getpid()
    while True:
        children = _children(me)
        if not children:
            break
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for _ in children:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break


def _exec(argv: list[str]) -> None:
    """Become the command; if it cannot be run, say why on its output and exit 127."""
    try:
        os.execvp(argv[0], argv)
    except OSError as exc:
        print(f"cannot run {argv[0]!r}: {exc.strerror or exc}", flush=True)
    os._exit(CANNOT_EXEC)


def main(argv: list[str]) -> int:
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        prctl = None
    if prctl is None or prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        _exec(argv)  # not Linux: the command itself, killed by its process group as before

    def stop(signum: int, frame: object) -> None:
        kill_descendants()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)  # the conductor died: stop
    if os.getppid() == 1:  # it died before the line above
        return CANNOT_EXEC
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        _exec(argv)
    # The output is the command's: the reaper keeps no end of the pipe open.
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    _, status = os.waitpid(pid, 0)
    kill_descendants()
    if os.WIFSIGNALED(status):
        die_of(os.WTERMSIG(status))
        return 128 + os.WTERMSIG(status)  # still here: a signal that does not end a process
    return os.waitstatus_to_exitcode(status)


def die_of(sig: int) -> None:
    """End as the command ended: of the same signal. SIGKILL has no handler to reset (its
    `signal.signal` raised OSError, and the reaper exited 1: a check killed by the OOM
    killer passed as "exit 1", user pass 2026-12-02); a signal whose default is to be
    ignored returns, and the caller exits 128 + n as a shell would say it."""
    with contextlib.suppress(OSError, ValueError):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
    os.kill(os.getpid(), sig)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
