"""A webhook POST with a deadline for the whole request, not for each read (comms/deadline.py
says why: a receiver trickling its status line held every message behind it).

urllib stays underneath for what it brings: the proxy settings of the environment, TLS with
the system's CAs, and no redirect followed (a POST is never turned into a GET). Its
connections register their sockets with the deadline's watch as they connect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .deadline import Watch, within

if TYPE_CHECKING:
    import http.client
    import urllib.request


def post(url: str, body: bytes, headers: dict[str, str], deadline: float) -> int:
    """POST `body` to `url`; the HTTP status (3xx to 5xx raise urllib's HTTPError). Raises
    deadline.TimedOut past `deadline` seconds, or what urllib raises."""
    import urllib.request

    request = urllib.request.Request(url, data=body, headers=headers, method="POST")

    def work(watch: Watch) -> int:
        with _opener(watch).open(request, timeout=deadline) as answer:
            return int(answer.status)

    return within(deadline, work, "webhook-post")


def _opener(watch: Watch) -> urllib.request.OpenerDirector:
    """urllib's opener with connections the watch can shut, and no redirects."""
    import http.client
    import urllib.request

    def watched(cls: type[http.client.HTTPConnection]) -> Any:
        class Watched(cls):  # type: ignore[valid-type,misc]
            def connect(self) -> None:
                super().connect()
                watch.add(self.sock)

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
