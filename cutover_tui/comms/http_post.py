"""A webhook POST with a deadline for the whole request, not for each read.

urllib's `timeout` bounds one socket operation: a receiver that trickles its status line a
byte every 5 s never trips a 10 s timeout, and held the conductor's delivery (the rollback
announcement with it) for as long as it trickled. Here, as the HTTP checks do it
(clock/probing.py `_http`): at the deadline the socket is shut, so a blocked read returns at
once; the request runs in a daemon thread joined with the deadline, so a name lookup
(getaddrinfo has no timeout of its own) cannot hold the caller either.

urllib stays underneath for what it brings: the proxy settings of the environment, TLS with
the system's CAs, and no redirect followed (a POST is never turned into a GET).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import http.client
    import urllib.request

GRACE_S = 1.0  # after the deadline, for the request's thread to see its socket shut


class PostTimedOut(Exception):
    """No whole answer within the deadline."""


@dataclass
class _Watch:
    """The connections of one request, shut together when its deadline passes."""

    cut: threading.Event
    lock: threading.Lock
    conns: list[http.client.HTTPConnection]

    def add(self, conn: http.client.HTTPConnection) -> None:
        with self.lock:
            self.conns.append(conn)
            late = self.cut.is_set()
        if late:  # connected after the deadline: shut at once
            _shut(conn)

    def hang_up(self) -> None:
        with self.lock:
            self.cut.set()
            conns = list(self.conns)
        for conn in conns:
            _shut(conn)


def _shut(conn: http.client.HTTPConnection) -> None:
    with contextlib.suppress(OSError, AttributeError):
        conn.sock.shutdown(socket.SHUT_RDWR)


def post(url: str, body: bytes, headers: dict[str, str], deadline: float) -> int:
    """POST `body` to `url`; the HTTP status (any, 3xx to 5xx included as urllib's
    HTTPError). Raises PostTimedOut past `deadline` seconds, or what urllib raises."""
    import urllib.request

    watch = _Watch(threading.Event(), threading.Lock(), [])
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    found: list[Any] = []

    def work() -> None:
        try:
            with _opener(watch).open(request, timeout=deadline) as answer:
                found.append(answer.status)
        except BaseException as exc:  # handed to the caller's thread
            found.append(exc)

    worker = threading.Thread(target=work, name="webhook-post", daemon=True)
    worker.start()
    worker.join(deadline)
    if worker.is_alive():
        watch.hang_up()
        worker.join(GRACE_S)
        raise PostTimedOut(f"no whole answer within {deadline:g} s")
    if not found:
        raise PostTimedOut(f"no answer within {deadline:g} s")
    if isinstance(found[0], BaseException):
        raise found[0]
    return int(found[0])


def _opener(watch: _Watch) -> urllib.request.OpenerDirector:
    """urllib's opener with connections the watch can shut, and no redirects."""
    import http.client
    import urllib.request

    def watched(cls: type[http.client.HTTPConnection]) -> Any:
        class Watched(cls):  # type: ignore[valid-type,misc]
            def connect(self) -> None:
                super().connect()
                watch.add(self)

        return Watched

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(watched(http.client.HTTPConnection), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req):
            cls = watched(http.client.HTTPSConnection)
            return self.do_open(
                cls, req, context=self._context, check_hostname=self._check_hostname
            )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # a POST is never turned into a GET
            return None

    return urllib.request.build_opener(Http, Https, NoRedirect)
