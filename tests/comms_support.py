"""A plan with audiences on email and webhook, and local receivers: a real SMTP server
(aiosmtpd) and a real HTTP server on 127.0.0.1, for the comms tests."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cutover_tui.engine.events import MessageQueued, RunStarted
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan

T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def comms_plan(
    hook_url: str = "http://127.0.0.1:9/hook", *, extra: str = "", start: datetime = T0
) -> str:
    login = os_login()
    return f"""format = 1
[plan]
id = "ct"
title = "Comms test"
timezone = "UTC"
[window]
start = {start:%Y-%m-%dT%H:%M:%S}
end = {start + timedelta(hours=4):%Y-%m-%dT%H:%M:%S}
[people.boss]
name = "Bea Boss"
user = "{login}"
roles = ["commander"]
email = "bea@example.com"
[people.res]
name = "Rex Resolver"
user = "rex-nobody"
roles = ["resolver"]
email = "rex@example.com"
[people.com]
name = "Cora Comms"
user = "cora-nobody"
roles = ["communicator"]
email = "cora@example.com"
[people.op]
name = "Otto Operator"
user = "otto-nobody"
roles = ["operator"]
[[step]]
id = "migrate"
title = "Migrate the data"
owner = "boss"
duration = "30m"
[[step]]
id = "slow"
title = "Verify the ledgers"
owner = "boss"
duration = "20m"
[[step]]
id = "announce"
kind = "comms"
title = "Tell the executives"
owner = "com"
duration = "5m"
after = ["migrate"]
template = "status-update"
to = ["execs", "desk"]
[rollback]
owner = "boss"
rto = "1h"
[[rollback.step]]
id = "rb"
title = "Put it back"
owner = "boss"
duration = "20m"
[[rollback.step]]
id = "rb-announce"
kind = "comms"
title = "Announce the rollback"
owner = "com"
duration = "5m"
after = ["rb"]
template = "rollback-announcement"
to = ["execs", "desk"]
[[trigger]]
id = "slow-stuck"
step = "slow"
condition = "running-over"
limit = "30m"
action = "alert"
[[audience]]
id = "execs"
name = "Executives"
email = ["ceo@example.com", "cfo@example.com"]
[[audience]]
id = "desk"
name = "Service desk"
email = ["desk@example.com"]
webhook = "{hook_url}"
{extra}
"""


def new_run(
    directory: Path,
    text: str,
    *,
    start: bool = True,
    started: datetime | None = None,
    rehearsal: bool = False,
) -> Journal:
    loaded = parse_plan(text, name="ct.toml")
    journal = Journal.create(directory, loaded, rehearsal=rehearsal, created_by=os_login())
    if start:
        moment = started or at(0)
        mode = "rehearsal" if rehearsal else "live"
        journal.append(
            RunStarted(actor="boss", at=moment, plan_id="ct", key=uuid.uuid4().hex, mode=mode)
        )
    return journal


def queued(message: str, **fields) -> MessageQueued:
    """A message queued by hand, its audience and route read from its id
    (`prefix.audience.route`): by default the boss's status update at +5m, to the chief
    executive when it goes by email."""
    _, audience, route = message.rsplit(".", 2)
    defaults = {
        "actor": "boss",
        "at": at(5),
        "key": "q",
        "to": ["ceo@example.com"] if route == "email" else [],
        "template": "status-update",
        "subject": "s",
        "body": "b",
    }
    return MessageQueued(message=message, audience=audience, route=route, **defaults | fields)


# -- receivers ---------------------------------------------------------------------------------


class Mailbox:
    """What a local aiosmtpd server received; `on_data` may answer with an error or act."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.lock = threading.Lock()
        self.on_data: Callable[[Message], str | None] | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook
        parsed = message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        if self.on_data is not None:
            answer = self.on_data(parsed)
            if answer:
                return answer
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK queued as Q" + uuid.uuid4().hex[:8]

    def keys(self) -> list[str]:
        with self.lock:
            return [m["X-Cutover-Key"] for _, m in self.messages]


def smtp_server(mailbox: Mailbox, port: int = 0, **kwargs):
    """A started aiosmtpd Controller on 127.0.0.1 (its .port is the real one)."""
    from aiosmtpd.controller import Controller

    if port == 0:
        port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hooks:
    """A local HTTP receiver: each POST's path, headers and JSON body; answers from `codes`."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        self.codes: list[int] = []  # answered in turn; 200 once empty
        self.on_post: Callable[[dict[str, str]], None] | None = None  # sees each POST first
        self.lock = threading.Lock()
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if hooks.on_post is not None:
                    hooks.on_post(dict(self.headers))
                with hooks.lock:
                    code = hooks.codes.pop(0) if hooks.codes else 200
                    if code == 200:
                        hooks.posts.append((self.path, dict(self.headers), body))
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok" if code == 200 else b"no")

            def log_message(self, *args) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def bodies(self) -> list[dict]:
        with self.lock:
            return [json.loads(b) for _, _, b in self.posts]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def comms_config(path: Path, smtp_port: int, *, extra: str = "") -> Path:
    path.write_text(
        f"""[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
sender = "cutover@example.com"
timeout = 2
[delivery]
attempts = 4
backoff = "10s"
rehearsals = "send"
{extra}
"""
    )
    return path


def use_comms_config(monkeypatch, directory: Path, smtp_port: int) -> Path:
    """`comms_config` written to DIRECTORY/comms.toml and named by CUTOVER_COMMS_CONFIG."""
    config = comms_config(directory / "comms.toml", smtp_port)
    monkeypatch.setenv("CUTOVER_COMMS_CONFIG", str(config))
    return config
