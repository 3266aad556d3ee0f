"""Hostile receivers for the comms tests: a webhook receiver that trickles its answer a byte
at a time (the hostile user pass of 2026-12-02), and an SMTP mailbox that keeps the bytes as
they came over the wire."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

from tests.comms_support import Mailbox

HTTP_TRICKLE = b"HTTP/1.1 200 OK\r\nX: " + b"a" * 10_000
SMTP_TRICKLE = (b"220-" + b"a" * 70 + b"\r\n") * 150  # a greeting that never ends


class Trickler:
    """A receiver on 127.0.0.1 that reads what comes, then answers one byte every `pace`
    seconds (10,000 bytes: hours); `on_request` runs first. An HTTP status line by default;
    `greets` (SMTP: the server speaks first) answers before reading anything."""

    def __init__(
        self, pace: float = 0.25, answer: bytes = HTTP_TRICKLE, greets: bool = False
    ) -> None:
        self.pace, self.answer, self.greets = pace, answer, greets
        self.requests: list[bytes] = []
        self.on_request: Callable[[], None] | None = None
        self.stopping = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:  # the accept timeout: look at `stopping` again
                continue
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            if not self.greets:
                self.requests.append(conn.recv(65536))
            if self.on_request is not None:
                self.on_request()
            for byte in self.answer:
                conn.sendall(bytes([byte]))
                if self.stopping.wait(self.pace):
                    return

    def close(self) -> None:
        self.stopping.set()
        self.sock.close()
        self.thread.join(5)


class RawMailbox(Mailbox):
    """A Mailbox that also keeps each message's bytes as received (line ends and all)."""

    def __init__(self) -> None:
        super().__init__()
        self.raw: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.raw.append(envelope.original_content or b"")
        return await super().handle_DATA(server, session, envelope)
