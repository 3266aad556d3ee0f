"""What the locked-mode service answers: one handler per op of the protocol (protocol.py).

Each takes the service, the caller (known by SO_PEERCRED, see server.py) and the request, and
returns the reply; a refusal or a failure is raised and said in one line by `Service.reply`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import grp
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..clocks import boot_id
from ..engine.events import dump_event, parse_event
from ..engine.state import Refused
from ..journal.begin import begin_run
from ..journal.identity import actor_for
from ..journal.lease import lease_status
from ..journal.run_lookup import list_runs
from ..journal.store import Journal, JournalError
from ..journal.trust import Verification, guard, verify_run
from ..plan import parse_plan
from .files import RUN_FILE_MODE
from .protocol import MAX_WAIT_S, PAGE_EVENTS

if TYPE_CHECKING:
    from .server import Caller, ServedRun, Service

POLL_S = 0.25  # a waiting follower looks for the conductor's writes this often


async def _whoami(service: Service, caller: Caller, request: dict) -> dict:
    return {"ok": True, "login": caller.login, "uid": caller.uid}


async def _runs(service: Service, caller: Caller, request: dict) -> dict:
    member = _member(service, caller)
    infos = [
        dataclasses.asdict(info) | {"path": str(info.path)}
        for info in list_runs(service.directory)
        if member or _listed(service, caller, info.run_id)
    ]
    return {"ok": True, "runs": infos}


async def _open(service: Service, caller: Caller, request: dict) -> dict:
    served = readable(service, caller, request.get("run"))
    journal = served.journal
    return {
        "ok": True,
        "run_id": journal.run_id,
        "path": str(journal.path),
        "meta": journal.meta,
        "problem": guard(journal),  # why it is not trusted, said to every reader
    }


async def _head(service: Service, caller: Caller, request: dict) -> dict:
    served = readable(service, caller, request.get("run"))
    if not request.get("hash"):
        return {"ok": True, "head": served.head()}  # the cheap poll
    seq, digest = served.journal.head
    return {"ok": True, "head": seq, "hash": digest}


async def _events(service: Service, caller: Caller, request: dict) -> dict:
    """Events after seq `after`; with `wait`, held until there are some or the wait is up."""
    served = readable(service, caller, request.get("run"))
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
    served = readable(service, caller, request.get("run"))
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
    if not _member(service, caller):
        group = service.directory.stat().st_gid
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
    service.adopt(journal)
    service.log(f"{caller.login} (uid {caller.uid}) started {journal.run_id}")
    return {"ok": True, "run_id": journal.run_id}


async def _verify(service: Service, caller: Caller, request: dict) -> dict:
    """`cutover verify` for those who cannot open the file: the whole check (a replay of
    every event) on a connection of its own in a thread, so nobody else waits for it."""
    path = readable(service, caller, request.get("run")).journal.path
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
    served = readable(service, caller, request.get("run"))
    return {"ok": True, "status": "service, " + lease_status(served.journal, time.time())}


def readable(service: Service, caller: Caller, ref: object) -> ServedRun:
    """The run `ref`, if the caller may read it: a member of the runs directory's group (as
    in shared-file mode), or a person in the run's plan (a watcher outside the group). Anyone
    else on the host learns nothing, not even which runs exist."""
    member = _member(service, caller)
    try:
        served = service.run(ref)
    except JournalError:
        if member:
            raise
        raise JournalError(f"no run {ref!r} that {caller.login} may read") from None
    if member or served.journal.plan.person_for_user(caller.login):
        return served
    raise JournalError(f"no run {ref!r} that {caller.login} may read")


def _listed(service: Service, caller: Caller, run_id: str) -> bool:
    try:
        return service.run(run_id).journal.plan.person_for_user(caller.login) is not None
    except JournalError:
        return False


def _member(service: Service, caller: Caller) -> bool:
    group = service.directory.stat().st_gid
    return caller.uid == os.geteuid() or group in _groups_of(caller)


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
