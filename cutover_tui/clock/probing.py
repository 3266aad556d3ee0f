"""Running one check: a command here, an HTTP request, a TCP connection or a DNS lookup in
clock/network_checks.py.

The conductor's I/O for checks and probes (the engine only folds what is found here). Each
`run_check` returns an Outcome: passed or not, a one-line summary, the evidence to record
(made inert and trimmed) and the numbers found. It never raises for what the checked thing
does; the safety rules (README, "Checks that run themselves") are enforced here:

- a command is an argv list run without a shell (`/bin/sh -c` only for a plan's `shell`),
  stdin from /dev/null, a minimal environment, in `/` (not the directory the conductor was
  started in, where anyone may have left a `./check`), in a new session (its own group);
- it has a timeout: when it passes, the whole process group gets SIGKILL (a child that
  ignores SIGTERM or forks goes with it), and the check fails saying so; the group is also
  killed when the command exits, so a forked child left holding the pipe cannot hang us;
- it runs under a reaper (clock/reaper.py, a child subreaper): a grandchild that left the
  group with `setsid` is re-parented to the reaper and killed with the rest;
- output is read up to MAX_READ bytes; a command printing more is killed and fails; what is
  kept for evidence is the last MAX_EVIDENCE characters, made inert (escape sequences shown,
  never interpreted) before anything records or prints it;
- an HTTP body, a connection and a lookup are bounded by the check's timeout
  (clock/network_checks.py says how).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..inert import inert
from ..plan.expect import evaluate
from ..plan.probes import AnyCheck, CommandCheck, HttpCheck, TcpCheck
from ..plan.readings import read_output

MAX_READ = 4 * 1024 * 1024  # a check's output beyond this is a runaway: killed, failed
MAX_KEEP = 64 * 1024  # the tail kept to find values in
MAX_EVIDENCE = 2_000  # characters of output kept as evidence, at most
MAX_LINES = 20  # the last lines of output kept
MAX_LINE = 200  # characters of one line kept
SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "HOME", "TZ")
PR_SET_PDEATHSIG = 1
REAPER = Path(__file__).with_name("reaper.py")  # between us and the command (clock/reaper.py)
REAPER_GRACE_S = 5.0  # for the reaper to kill what the command started, before the group kill

# prctl through ctypes, looked up by the first command check (ctypes, HTTP and TLS are
# imported when a check needs them, not by every war room that imports the conductor: issue
# 14, first paint). None: not on this platform; False: not looked up yet.
_PRCTL: Any = False


def _resolve_prctl() -> None:
    """Resolved before any fork: in the child, between fork and exec, only the call is made."""
    global _PRCTL
    if _PRCTL is not False:
        return
    try:
        import ctypes

        linux = sys.platform.startswith("linux")
        _PRCTL = ctypes.CDLL(None, use_errno=True).prctl if linux else None
    except (OSError, AttributeError, TypeError):
        _PRCTL = None


def _die_with_the_conductor() -> None:
    """In the child (the reaper), before exec: SIGKILL it if the thread that started it dies
    (a conductor SIGKILLed mid-check leaves no check running on; Linux only). The reaper
    turns this into SIGTERM for itself, to kill what the command started first."""
    if _PRCTL:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    summary: str  # one line: "exit 0 in 0.04 s; rows == 1000 holds"
    output: str = ""  # the trimmed, inert output (or body)
    latency_ms: float | None = None
    value: float | None = None
    values: dict[str, float] = field(default_factory=dict)

    @property
    def evidence(self) -> str:
        head = f"check {'passed' if self.ok else 'FAILED'}: {self.summary}"
        return f"{head}\n{self.output}" if self.output else head


def run_check(check: AnyCheck) -> Outcome:
    try:
        if isinstance(check, CommandCheck):
            return run_command(check)
        # Imported here: clock/network_checks.py builds its Outcomes from this module.
        from .network_checks import run_dns, run_http, run_tcp

        if isinstance(check, HttpCheck):
            return run_http(check)
        if isinstance(check, TcpCheck):
            return run_tcp(check)
        return run_dns(check)
    except Exception as exc:  # a check's failure is an outcome, never a crashed conductor
        return Outcome(
            False, f"could not run the check: {type(exc).__name__}: {inert(str(exc), 300)}"
        )


def trim(raw: bytes) -> str:
    """The tail of an output as inert text: at most MAX_LINES lines of at most MAX_LINE
    characters, MAX_EVIDENCE in all (a 100 MB line must not flood every pane it is shown in)."""
    text = raw.decode("utf-8", errors="replace").strip("\n")
    lines = text.split("\n")
    shown = [line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…" for line in lines]
    if len(shown) > MAX_LINES:
        shown = [f"… ({len(shown) - MAX_LINES} lines before)", *shown[-MAX_LINES:]]
    text = "\n".join(shown)
    if len(text) > MAX_EVIDENCE:
        text = "…" + text[-(MAX_EVIDENCE - 1) :]
    return inert(text)


def _env() -> dict[str, str]:
    env = {k: os.environ[k] for k in SAFE_ENV_KEYS if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    return env


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(proc.pid, signal.SIGKILL)


def _stop(proc: subprocess.Popen[bytes], *, early: bool) -> None:
    """Let the reaper kill everything the command started (a setsid grandchild too): at
    once when we stop `early` (SIGTERM), else as the command ends. Then kill the group:
    what the reaper could not reach (it was killed itself) goes with it."""
    if early:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(REAPER_GRACE_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(REAPER_GRACE_S)
    _kill_group(proc)


def run_command(check: CommandCheck) -> Outcome:
    limit = check.timeout.total_seconds()
    began = time.monotonic()
    _resolve_prctl()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", str(REAPER), *check.args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=_env(),
            cwd="/",  # not wherever the conductor was started: the same for every conductor
            start_new_session=True,  # its own process group, killed as one
            close_fds=True,
            preexec_fn=_die_with_the_conductor,
        )
    except OSError as exc:
        return Outcome(False, f"cannot run {check.args[0]!r}: {exc.strerror or exc}")
    assert proc.stdout is not None
    kept, total, why = bytearray(), 0, ""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    exited_at: float | None = None
    try:
        while True:
            now = time.monotonic()
            if now - began > limit:
                why = f"timed out after {limit:g} s: process group killed"
                break
            if exited_at is None and proc.poll() is not None:
                exited_at = now  # the reaper killed what the command left behind
                _kill_group(proc)  # its children too: a fork holding the pipe must not hang us
            if exited_at is not None and now - exited_at > 1.0:
                break
            if not sel.select(timeout=0.05):
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            total += len(chunk)
            kept += chunk
            if len(kept) > MAX_KEEP:
                del kept[: len(kept) - MAX_KEEP]
            if total > MAX_READ:
                why = f"printed more than {MAX_READ // (1024 * 1024)} MiB: process group killed"
                break
    finally:
        sel.close()
        _stop(proc, early=bool(why))
        proc.stdout.close()
        code = proc.wait()
    seconds = time.monotonic() - began
    output = trim(bytes(kept))
    if why:
        return Outcome(False, why, output, latency_ms=seconds * 1000)
    text = bytes(kept).decode("utf-8", errors="replace")
    readings = read_output(text)
    values = readings.values
    said = f"exit {code} in {seconds:.2f} s"
    if code < 0:  # never a pass, whatever exit code the check expects
        said = f"killed by {_signal_name(-code)} in {seconds:.2f} s"
    if code != check.exit_code:
        return Outcome(
            False, f"{said}, expected exit {check.exit_code}", output, seconds * 1000, values=values
        )
    if check.expect is not None:
        ok, line = evaluate(check.expect, values, readings.unreadable)
        return Outcome(ok, f"{said}; {line}", output, seconds * 1000, values.get("value"), values)
    return Outcome(True, said, output, seconds * 1000, values.get("value"), values)


def _signal_name(number: int) -> str:
    try:
        return f"{signal.Signals(number).name} ({number})"
    except ValueError:
        return f"signal {number}"
