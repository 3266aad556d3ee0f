"""Plans with checks and probes, and a real HTTP server on loopback for them to probe."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cutover_tui.engine.events import RunStarted, StepStarted
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.journal_support import T0, at

PY = sys.executable


def toml_list(args: list[str]) -> str:
    return "[" + ", ".join(json.dumps(a) for a in args) + "]"


def py_check(code: str, extra: str = "", python: str = PY) -> str:
    """The body of a `[step.check]` running `python -c code` (`python`: a fixed path where the
    check is only shown, never run, so a snapshot does not depend on where the venv lives)."""
    return f'type = "command"\nargv = {toml_list([python, "-c", code])}\n{extra}'


def checks_plan(
    checks: dict[str, str], probes: str = "", triggers: str = "", on_fail: str = "hold"
) -> str:
    """One checkpoint per entry of `checks` (id -> the body of its [step.check]), owned by
    the operator, after nothing; a task `go-live` for probe triggers to watch from."""
    out = [
        f"""format = 1
[plan]
id = "ck"
title = "Checks test"
timezone = "UTC"
[window]
start = {T0:%Y-%m-%dT%H:%M:%S}
end = {T0.replace(hour=23, minute=59):%Y-%m-%dT%H:%M:%S}
[people.boss]
name = "The Boss"
user = "{os_login()}"
roles = ["commander"]
[people.op]
name = "An Operator"
user = "someone-else"
roles = ["operator"]
[people.eve]
name = "A Watcher"
user = "nobody-here"
roles = ["watcher"]
[[step]]
id = "go-live"
title = "Go live"
owner = "boss"
duration = "10m"
"""
    ]
    for sid, body in checks.items():
        out.append(
            f'[[step]]\nid = "{sid}"\ntitle = "Check {sid}"\nkind = "checkpoint"\n'
            f'owner = "op"\nduration = "10m"\nverify = "the check passes"\n'
            f'on_fail = "{on_fail}"\n[step.check]\n{body}\n'
        )
    out.append(probes)
    out.append(triggers)
    return "\n".join(out)


def new_checks_run(directory: Path, text: str, *, checks: bool | None = None) -> Journal:
    loaded = parse_plan(text, name="ck.toml")
    journal = Journal.create(directory, loaded, rehearsal=False, created_by=os_login())
    journal.append(
        RunStarted(actor="boss", at=at(0), plan_id="ck", checks=checks, key=uuid.uuid4().hex)
    )
    return journal


def start(journal: Journal, sid: str, minutes: float = 1) -> None:
    journal.append(
        StepStarted(actor="boss", at=at(minutes), step=sid, key=f"start-{sid}-{minutes}")
    )


class Shop:
    """A tiny shop on loopback: /search, /cart, /checkout answer JSON; `broken` makes every
    page answer 503; `hang` makes every page wait that many seconds before answering."""

    def __init__(self) -> None:
        self.broken = False
        self.hang = 0.0
        self.closing = threading.Event()  # set on the way out: a hung page lets go at once
        self.hits = 0
        shop = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                shop.hits += 1
                if shop.hang:
                    shop.closing.wait(shop.hang)  # the server's own thread: a slow or hung shop
                if shop.broken:
                    self._send(503, {"error": "down"})
                elif self.path.startswith("/search"):
                    self._send(200, {"results": [{"sku": "mug"}], "count": 1})
                elif self.path.startswith("/cart"):
                    self._send(200, {"cart": {"items": 1}})
                elif self.path.startswith("/checkout"):
                    self._send(200, {"order": "ok"})
                else:
                    self._send(404, {"error": "no such page"})

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)  # a check that timed out has hung up: no noise

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[Shop]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.closing.set()
            self.server.shutdown()
            self.server.server_close()
