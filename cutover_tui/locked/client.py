"""The client side of locked mode: a run reached through `cutover service`'s socket.

`open_journal(ref, runs_option)` is the one place that decides: the host's runs directory on
a locked host gives a `LockedJournal` (requests to the service), anything else the run's
database itself. A `LockedJournal` offers what the CLI and the war room use of a `Journal`
(plan, run_id, meta, path, state(), events(), events_after(), data_version(), append(),
last_written), so `cutover do/status` and `JournalRun` work on either unchanged.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.events import Event, dump_event
from ..engine.state import Refused, RunState, apply, fold, initial_state
from ..journal.hostconfig import config_path, locked_socket
from ..journal.run import JournalRun
from ..journal.run_files import may_list  # its home: `cutover runs` asks it without this module
from ..journal.run_lookup import list_runs, open_run
from ..journal.store import Journal, JournalError, RunInfo, parse_rows, stored_plan
from ..journal.trust import Verification
from .protocol import MAX_WAIT_S, ProtocolError, decode, encode

if TYPE_CHECKING:
    from ..plan import LoadedPlan  # hints only: loading is imported when used


class LockedClient:
    """One connection to the service; each request is answered by one line, in order.

    A connection the service dropped (it was restarted) is made again and the request sent
    once more: safe for an append too, whose idempotency key makes a second copy of a
    command that did reach the journal return the one stored."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._sock: socket.socket | None = None
        self._file = None
        self._connect()

    def _connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(MAX_WAIT_S + 30)
        try:
            sock.connect(str(self.path))
        except OSError as exc:
            sock.close()
            raise JournalError(
                f"cannot reach the cutover service at {self.path}: {exc.strerror or exc} "
                f"({config_path()} says this host's runs are locked; "
                "is `systemctl status cutover` running?)"
            ) from None
        self._sock, self._file = sock, sock.makefile("rwb")

    def _exchange(self, message: dict) -> bytes:
        if self._file is None:
            self._connect()
        try:
            self._file.write(encode(message))
            self._file.flush()
            line = self._file.readline()
        except OSError:
            line = b""
        if not line:  # dropped: the next request connects afresh
            self.close()
        return line

    def request(self, op: str, **fields: object) -> dict:
        """The service's reply; Refused when the rules refused, JournalError otherwise."""
        line = self._exchange({"op": op, **fields})
        if not line:
            line = self._exchange({"op": op, **fields})  # once more, on a new connection
        if not line:
            raise JournalError(f"the cutover service at {self.path} closed the connection")
        try:
            reply = decode(line)
        except ProtocolError as exc:
            raise JournalError(f"the cutover service at {self.path}: {exc}") from None
        if reply.get("ok"):
            return reply
        if reply.get("refused"):
            raise Refused(str(reply.get("error")))
        raise JournalError(str(reply.get("error")))

    def close(self) -> None:
        for part in (self._file, self._sock):
            if part is not None:
                with contextlib.suppress(OSError):
                    part.close()
        self._sock, self._file = None, None


class LockedJournal:
    """A run served by `cutover service`, with the reading and appending side of `Journal`."""

    def __init__(self, client: LockedClient, ref: str) -> None:
        self.client = client
        opened = client.request("open", run=ref)
        self.run_id: str = opened["run_id"]
        self.path = Path(opened["path"])  # the service's file, for messages
        self.meta: dict[str, str] = opened["meta"]
        self.problem: str | None = opened.get("problem")  # the service's guard, on opening
        self.plan, self.shift = stored_plan(self.meta, self.path)
        self._state: RunState = initial_state(self.plan)
        self._events: list[Event] = []
        self.last_written = 0

    @property
    def rehearsal(self) -> bool:
        return self.meta.get("mode") == "rehearsal"

    def data_version(self) -> int:
        """The last seq the service holds: it changes exactly when something was appended."""
        return int(self.client.request("head", run=self.run_id)["head"])

    @property
    def head(self) -> tuple[int, str]:
        """(seq, hash) of the last event, as the service holds it: what status publishes."""
        reply = self.client.request("head", run=self.run_id, hash=True)
        return int(reply["head"]), str(reply["hash"])

    def events_after(self, seq: int, *, wait: float = 0.0) -> list[Event]:
        """Events after `seq`; with `wait`, the service holds the reply until there are some
        (or `wait` seconds passed): a follower's way to wait for news."""
        out: list[Event] = []
        while True:
            reply = self.client.request("events", run=self.run_id, after=seq, wait=wait)
            rows = [(int(s), str(body)) for s, body in reply["events"]]
            try:
                out.extend(parse_rows(rows))
            except ValueError as exc:
                raise JournalError(f"{self.run_id}: an event cannot be read: {exc}") from None
            if not reply.get("more") or not rows:
                return out
            seq, wait = rows[-1][0], 0.0

    def read_after(self, seq: int) -> list[Event]:
        """`Journal.read_after` for a follower: here the service reads the file and checks its
        links (and refuses appends on a journal that fails them); what it sends is taken."""
        return self.events_after(seq)

    def state(self) -> RunState:
        self._catch_up()
        return self._state

    def events(self) -> list[Event]:
        self._catch_up()
        return list(self._events)

    def _catch_up(self) -> None:
        events = self.events_after(self._state.last_seq)
        if not events:
            return
        if not self._events:
            vars(self._state).update(vars(fold(self.plan, events)))
        else:
            for event in events:
                apply(self._state, event)
        self._events.extend(events)

    def append(self, event: Event, *, now: Callable[[], datetime] | None = None) -> Event:
        """Sent to the service, which checks and appends it as the caller's uid (the actor
        and recording time here are ignored there). Refused with the service's reason."""
        reply = self.client.request("append", run=self.run_id, event=dump_event(event))
        (stored,) = parse_rows([(int(reply["seq"]), str(reply["body"]))])
        self.last_written = stored.seq
        return stored

    def conductor_status(self) -> str:
        return str(self.client.request("conductor", run=self.run_id)["status"])

    def verify_run(self, expect: str | None = None) -> Verification:
        """`journal.trust.verify_run`, done by the service on the file."""
        reply = self.client.request("verify", run=self.run_id, expect=expect)
        seq, digest = reply["head"]
        return Verification(
            list(reply["problems"]), list(reply["notes"]), (int(seq), str(digest)), reply["count"]
        )

    def close(self) -> None:
        self.client.close()


class LockedRun(JournalRun):
    """The war room's RunSource on a locked run: the service conducts, and says how. While
    the service is away (restarting) the screen stays up: nothing new, a status that says
    so, commands refused with the reason; it catches up when the service is back."""

    def poll(self) -> list[Event]:
        try:
            return super().poll()
        except JournalError:
            self._version = None  # ask afresh next time: nothing read may be skipped
            return []

    def submit(self, event: Event) -> Event:
        try:
            return super().submit(event)
        except JournalError as exc:
            raise Refused(f"not recorded: {exc}") from None

    def conductor_status(self) -> str:
        assert isinstance(self.journal, LockedJournal)
        try:
            return self.journal.conductor_status()
        except JournalError:
            return "SERVICE UNREACHABLE: retrying"


# -- the one place that chooses ----------------------------------------------------------


def open_journal(ref: str, directory: Path) -> Journal | LockedJournal:
    """The run `ref` in `directory`: through the service when `directory` is a locked host's
    runs directory and `ref` is an id; the database itself otherwise (a path to a .db file is
    always the file: the service account's own `verify`, or a backup copy)."""
    path = locked_socket(directory)
    if path is None or "/" in ref:
        return open_run(ref, directory)
    return LockedJournal(LockedClient(path), ref)


def runs_in(directory: Path) -> list[RunInfo]:
    """`list_runs`, through the service on a locked host."""
    path = locked_socket(directory)
    if path is None:
        may_list(directory)
        return list_runs(directory)
    client = LockedClient(path)
    try:
        infos = client.request("runs")["runs"]
    finally:
        client.close()
    return [RunInfo(**(info | {"path": Path(info["path"])})) for info in infos]


def latest_open(directory: Path, plan_id: str, mode: str | None = None) -> RunInfo | None:
    """The most recent live-clock run of `plan_id` not ended (as `store.latest_open_run`);
    of that `mode` ("live", "rehearsal") when given."""
    runs = [
        r
        for r in runs_in(directory)
        if r.plan_id == plan_id
        and r.phase not in ("ended", "damaged")
        and r.speed == 1.0
        and mode in (None, r.mode)
    ]
    return max(runs, key=lambda r: r.made, default=None)


def start_locked(directory: Path, loaded: LoadedPlan, *, rehearsal: bool) -> str | None:
    """On a locked host, have the service start a run of `loaded` (as this caller): its id.
    None when `directory` is not locked (start it on the files)."""
    path = locked_socket(directory)
    if path is None:
        return None
    client = LockedClient(path)
    try:
        reply = client.request(
            "start", plan_text=loaded.text, plan_name=str(loaded.path), rehearsal=rehearsal
        )
    finally:
        client.close()
    return str(reply["run_id"])
