"""`cutover service`: the locked-mode service, the only writer of the host's run files.

It runs as a service account (`cutover-svc`), owns every run file (mode 0640: operators may
read, never write), and listens on a Unix socket. Each connection's caller is known by
SO_PEERCRED, the uid the kernel gives for the process at the other end, mapped to a login
with `pwd.getpwuid`; nothing the caller sends (its USER, an `actor` field) counts. A command
is then checked and appended exactly as in shared-file mode: `Journal.append`, the rules and
the append in one write transaction, with the event's actor, recording time and monotonic
reading set here, never taken from the caller.

It also conducts every run that has not ended (war rooms cannot take the lease: they cannot
write), and serves reads to anyone who may connect, so a watcher outside the group follows.

Every request gets one reply line; a failure is one line of words (see protocol.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import signal
import socket
import sqlite3
import stat
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..clock.conductor import Conductor
from ..clocks import Clock
from ..engine.state import Refused
from ..journal.run import run_clock
from ..journal.run_files import ref_problem, run_files
from ..journal.run_lookup import no_such_run
from ..journal.store import Journal, JournalError
from ..plan import PlanError
from .files import RUNS_DIR_MODE, lock_down
from .ops import HANDLERS
from .protocol import (
    MAX_CLIENTS,
    MAX_CLIENTS_PER_UID,
    MAX_REQUEST_BYTES,
    PAGE_EVENTS,
    ProtocolError,
    decode,
    encode,
    error,
)

SOCKET_MODE = 0o666  # anyone on the host may ask; what they may do is the plan's say
SERVICE_UMASK = 0o027
SCAN_S = 2.0  # how often new runs are looked for (to conduct them)


class ServiceError(Exception):
    """The service cannot start: one line."""


@dataclass(frozen=True)
class Caller:
    pid: int
    uid: int
    gid: int
    login: str


def peer_of(sock: socket.socket) -> Caller:
    """Who is at the other end of a Unix socket, by the kernel's SO_PEERCRED."""
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", raw)
    try:
        login = pwd.getpwuid(uid).pw_name
    except KeyError:
        login = f"uid{uid}"
    return Caller(pid, uid, gid, login)


class ServedRun:
    """One run as the service holds it: a connection for requests, one for its conductor."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.clock: Clock = run_clock(journal)
        self.conductor: Conductor | None = None
        self.changed = asyncio.Event()  # set, then replaced, on each append made here

    def appended(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    def head(self) -> int:
        return self.journal.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]

    def rows_after(self, seq: int) -> list[tuple[int, str]]:
        """The stored bodies as written (what the chain hashes), a page at a time."""
        return self.journal.db.execute(
            "SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (seq, PAGE_EVENTS)
        ).fetchall()


class Service:
    """The runs of one directory, served over one socket."""

    def __init__(self, directory: Path, log: Callable[[str], None] | None = None) -> None:
        self.directory = directory
        self.runs: dict[str, ServedRun] = {}
        self.done: set[str] = set()  # runs that ended, or cannot be opened: not conducted
        self.clients = 0
        self.per_uid: dict[int, int] = {}  # one user cannot take every connection
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))

    # -- runs --------------------------------------------------------------------------------
    def run(self, ref: object) -> ServedRun:
        """The run named `ref`: an id in the directory, never a path (nothing outside it)."""
        if not isinstance(ref, str) or not ref or "/" in ref or ref.startswith("."):
            raise JournalError(f"{ref!r} is not a run id (locked mode names runs by id)")
        if ref_problem(ref):  # too long for a file's name: said, not the OS's error
            raise JournalError(ref_problem(ref))
        run_id = ref.removesuffix(".db")
        if run_id in self.runs:
            return self.runs[run_id]
        path = self.directory / f"{run_id}.db"
        if not path.is_file():
            raise no_such_run(run_id, self.directory)
        lock_down(path)
        served = ServedRun(Journal(path))
        self.runs[run_id] = served
        return served

    def adopt(self, journal: Journal) -> ServedRun:
        """A run this service has just made: served from now on (and conducted next scan)."""
        served = ServedRun(journal)
        self.runs[journal.run_id] = served
        return served

    async def conduct(self, stopping: asyncio.Event) -> None:
        """Conduct every run that has not ended, looking for new ones every SCAN_S."""
        while not stopping.is_set():
            for path in run_files(self.directory):
                if path.stem not in self.done:
                    await self._conduct(path.stem)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), SCAN_S)

    async def _conduct(self, run_id: str) -> None:
        try:
            served = self.run(run_id)
            if served.conductor is None:
                if served.journal.state().phase == "ended":
                    self.done.add(run_id)
                    return
                served.conductor = Conductor(Journal(served.journal.path), served.clock)
                await served.conductor.start()
                self.log(f"conducting {run_id}")
            elif served.conductor.ended:
                served.conductor.stop()
                served.conductor = None
                self.done.add(run_id)
                self.log(f"{run_id} has ended: no longer conducted")
        except (JournalError, sqlite3.Error, ValueError) as exc:
            self.done.add(run_id)
            self.log(f"{run_id}: not conducted: {exc}")

    def stop(self) -> None:
        for served in self.runs.values():
            if served.conductor is not None:
                served.conductor.stop()  # hands the lease back: a restart takes it at once

    # -- connections -----------------------------------------------------------------------
    async def client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            caller = peer_of(writer.get_extra_info("socket"))
        except OSError as exc:
            writer.write(encode(error(f"cannot tell who you are: {exc}")))
            writer.close()
            return
        mine = self.per_uid.get(caller.uid, 0)
        if self.clients >= MAX_CLIENTS or mine >= MAX_CLIENTS_PER_UID:
            busy = f"too many connections ({MAX_CLIENTS}, {MAX_CLIENTS_PER_UID} per user)"
            writer.write(encode(error(f"{busy}; try again")))
            writer.close()
            return
        self.clients += 1
        self.per_uid[caller.uid] = mine + 1
        try:
            await self._serve(caller, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away: nothing of theirs is half-done
        finally:
            self.clients -= 1
            self.per_uid[caller.uid] -= 1
            writer.close()

    async def _serve(
        self, caller: Caller, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                line = await reader.readline()
            except ValueError:  # longer than the stream's limit: the rest cannot be framed
                writer.write(encode(error(f"request longer than {MAX_REQUEST_BYTES} bytes")))
                await writer.drain()
                return
            if not line:
                return
            writer.write(encode(await self.reply(caller, line)))
            await writer.drain()

    async def reply(self, caller: Caller, line: bytes) -> dict:
        try:
            request = decode(line)
            handler = HANDLERS.get(str(request.get("op")))
            if handler is None:
                raise ProtocolError(f"unknown op {request.get('op')!r}")
            return await handler(self, caller, request)
        except Refused as refusal:
            return error(str(refusal), refused=True)
        except (ProtocolError, JournalError, PlanError) as exc:
            return error(str(exc))
        except sqlite3.Error as exc:
            return error(f"the run's database: {exc}")
        except (ValueError, TypeError, KeyError) as exc:
            return error(f"bad request: {str(exc)[:300]}")
        except Exception as exc:  # one line to the client, the rest to the log
            self.log(f"internal error for {caller.login}: {exc!r}")
            return error(f"internal error in the service: {type(exc).__name__}")


# -- files and the socket -----------------------------------------------------------------


def _prepare_socket(path: Path) -> None:
    """Remove a socket left by a killed service; refuse to start beside a live one."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise ServiceError(f"{path} exists and is not a socket")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
    except OSError:
        path.unlink()  # nobody listens: stale
        return
    finally:
        probe.close()
    raise ServiceError(f"another cutover service already listens on {path}")


async def serve(
    directory: Path, socket_path: Path, *, ready: Callable[[], None] | None = None
) -> None:
    """Serve `directory` on `socket_path` until SIGTERM or SIGINT."""
    if not hasattr(socket, "SO_PEERCRED"):
        raise ServiceError("locked mode needs Linux: this system has no SO_PEERCRED")
    os.umask(SERVICE_UMASK)
    if not directory.is_dir():
        directory.mkdir(parents=True)
        directory.chmod(RUNS_DIR_MODE)
    for path in run_files(directory):
        lock_down(path)
    _prepare_socket(socket_path)
    service = Service(directory)
    server = await asyncio.start_unix_server(
        service.client, path=str(socket_path), limit=MAX_REQUEST_BYTES + 1
    )
    socket_path.chmod(SOCKET_MODE)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    service.log(f"cutover service: {directory} on {socket_path} (pid {os.getpid()})")
    if ready is not None:
        ready()
    try:
        await service.conduct(stopping)
    finally:
        server.close()
        service.stop()
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()
        service.log("cutover service: stopped")
