"""`cutover serve`: the locked-mode service, the only writer of the host's run files.

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
import dataclasses
import difflib
import grp
import os
import pwd
import signal
import socket
import sqlite3
import stat
import struct
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from ..clock.clocks import Clock, boot_id
from ..clock.conductor import Conductor
from ..engine.events import dump_event, parse_event
from ..engine.state import Refused
from ..journal.begin import begin_run
from ..journal.identity import actor_for
from ..journal.lease import lease_status
from ..journal.run import run_clock
from ..journal.store import Journal, JournalError, list_runs
from ..journal.trust import Verification, guard, verify_run
from ..plan import PlanError, parse_plan
from .protocol import (
    MAX_CLIENTS,
    MAX_CLIENTS_PER_UID,
    MAX_REQUEST_BYTES,
    MAX_WAIT_S,
    PAGE_EVENTS,
    ProtocolError,
    decode,
    encode,
    error,
)

RUN_FILE_MODE = 0o640  # the service writes; the group may read (backups); others nothing
RUNS_DIR_MODE = 0o2750
SOCKET_MODE = 0o666  # anyone on the host may ask; what they may do is the plan's say
SERVICE_UMASK = 0o027
SCAN_S = 2.0  # how often new runs are looked for (to conduct them)
POLL_S = 0.25  # a waiting follower looks for the conductor's writes this often


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
        run_id = ref.removesuffix(".db")
        if run_id in self.runs:
            return self.runs[run_id]
        path = self.directory / f"{run_id}.db"
        if not path.is_file():
            known = [p.stem for p in self.directory.glob("*.db")]
            hint = difflib.get_close_matches(run_id, known, n=1, cutoff=0.6)
            raise JournalError(
                f"no run {run_id!r} in {self.directory}/"
                + (f"; did you mean {hint[0]!r}?" if hint else "")
            )
        lock_down(path)
        served = ServedRun(Journal(path))
        self.runs[run_id] = served
        return served

    async def conduct(self, stopping: asyncio.Event) -> None:
        """Conduct every run that has not ended, looking for new ones every SCAN_S."""
        while not stopping.is_set():
            for path in sorted(self.directory.glob("*.db")):
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


# -- the ops ------------------------------------------------------------------------------


async def _whoami(service: Service, caller: Caller, request: dict) -> dict:
    return {"ok": True, "login": caller.login, "uid": caller.uid}


async def _runs(service: Service, caller: Caller, request: dict) -> dict:
    infos = [
        dataclasses.asdict(info) | {"path": str(info.path)} for info in list_runs(service.directory)
    ]
    return {"ok": True, "runs": infos}


async def _open(service: Service, caller: Caller, request: dict) -> dict:
    served = service.run(request.get("run"))
    journal = served.journal
    return {
        "ok": True,
        "run_id": journal.run_id,
        "path": str(journal.path),
        "meta": journal.meta,
        "problem": guard(journal),  # why it is not trusted, said to every reader
    }


async def _head(service: Service, caller: Caller, request: dict) -> dict:
    served = service.run(request.get("run"))
    if not request.get("hash"):
        return {"ok": True, "head": served.head()}  # the cheap poll
    seq, digest = served.journal.head
    return {"ok": True, "head": seq, "hash": digest}


async def _events(service: Service, caller: Caller, request: dict) -> dict:
    """Events after seq `after`; with `wait`, held until there are some or the wait is up."""
    served = service.run(request.get("run"))
    after = int(request.get("after", 0))
    wait = min(max(float(request.get("wait", 0)), 0.0), MAX_WAIT_S)
    deadline = time.monotonic() + wait
    rows = served.rows_after(after)
    while not rows and time.monotonic() < deadline:
        with contextlib.suppress(TimeoutError):  # own appends wake it; the conductor's, POLL_S
            await asyncio.wait_for(served.changed.wait(), POLL_S)
        rows = served.rows_after(after)
    return {"ok": True, "events": rows, "more": len(rows) == PAGE_EVENTS}


async def _append(service: Service, caller: Caller, request: dict) -> dict:
    served = service.run(request.get("run"))
    event = parse_event(str(request["event"]))
    journal = served.journal
    problem = guard(journal)  # its chain, seal and evidence, as `cutover do` checks on files
    if problem:
        raise JournalError(f"JOURNAL NOT TRUSTED, nothing will be recorded on it: {problem}")
    # Who, when recorded and the monotonic reading are the service's to say, not the caller's.
    update: dict[str, object] = {"actor": actor_for(journal.plan, caller.login), "seq": 0}
    update["recorded_at"] = None
    if event.mono is not None:
        update |= {"mono": served.clock.monotonic(), "boot": boot_id()}
    try:
        stored = journal.append(event.model_copy(update=update), now=served.clock.now)
    except Refused as refusal:
        who = f"{caller.login} (uid {caller.uid})"
        service.log(f"{who} {event.type} on {journal.run_id}: refused: {refusal}")
        raise refusal from None
    served.appended()
    service.log(f"{caller.login} (uid {caller.uid}) #{stored.seq} {stored.type} {journal.run_id}")
    return {"ok": True, "seq": stored.seq, "body": dump_event(stored)}


async def _start(service: Service, caller: Caller, request: dict) -> dict:
    # Making files is for the runs directory's group, as in shared-file mode: anyone may
    # follow, but an outsider must not fill the disk with rehearsals.
    group = service.directory.stat().st_gid
    if caller.uid != os.geteuid() and group not in _groups_of(caller):
        raise Refused(
            f"{caller.login} is not in the group {_group_name(group)}: only its members start runs"
        )
    name = Path(str(request.get("plan_name") or "plan.toml")).name
    loaded = parse_plan(str(request["plan_text"]), name=name)
    journal = begin_run(
        service.directory,
        loaded,
        rehearsal=bool(request.get("rehearsal")),
        login=caller.login,
        file_mode=RUN_FILE_MODE,  # never group-writable, not even before lock_down
    )
    service.runs[journal.run_id] = ServedRun(journal)
    service.log(f"{caller.login} (uid {caller.uid}) started {journal.run_id}")
    return {"ok": True, "run_id": journal.run_id}


async def _verify(service: Service, caller: Caller, request: dict) -> dict:
    """`cutover verify` for those who cannot open the file: the whole check (a replay of
    every event) on a connection of its own in a thread, so nobody else waits for it."""
    path = service.run(request.get("run")).journal.path
    expect = request.get("expect")
    result = await asyncio.to_thread(_verified, path, None if expect is None else str(expect))
    return {"ok": True, **dataclasses.asdict(result)}


def _verified(path: Path, expect: str | None) -> Verification:
    journal = Journal(path)
    try:
        return verify_run(journal, expect)
    finally:
        journal.close()


async def _conductor(service: Service, caller: Caller, request: dict) -> dict:
    served = service.run(request.get("run"))
    return {"ok": True, "status": "service, " + lease_status(served.journal, time.time())}


def _groups_of(caller: Caller) -> list[int]:
    try:
        return os.getgrouplist(caller.login, caller.gid)
    except OSError:  # a uid with no entry in the user database
        return [caller.gid]


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


HANDLERS: dict[str, Callable[[Service, Caller, dict], Awaitable[dict]]] = {
    "whoami": _whoami,
    "runs": _runs,
    "open": _open,
    "head": _head,
    "events": _events,
    "append": _append,
    "start": _start,
    "conductor": _conductor,
    "verify": _verify,
}


# -- files and the socket -----------------------------------------------------------------


def lock_down(path: Path) -> None:
    """The run's files, ours and nobody else's to write (a run made in shared mode, 0660,
    is locked as soon as the service opens it)."""
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            if part.stat().st_uid == os.geteuid():
                part.chmod(RUN_FILE_MODE)


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
    raise ServiceError(f"another cutover serve already listens on {path}")


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
    for path in directory.glob("*.db"):
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
    service.log(f"cutover serve: {directory} on {socket_path} (pid {os.getpid()})")
    if ready is not None:
        ready()
    try:
        await service.conduct(stopping)
    finally:
        server.close()
        service.stop()
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()
        service.log("cutover serve: stopped")
