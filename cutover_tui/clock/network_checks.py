"""The network checks: an HTTP request, a TCP connection, a DNS lookup (clock/probing.py
runs commands and dispatches every check here or there; its safety rules hold for these too).

- an HTTP body is read up to MAX_BODY within the timeout, which bounds the whole request,
  headers included (a watchdog shuts the socket at the deadline: a server that trickles its
  status line or headers a byte at a time is cut off);
- DNS, and the name lookup before an HTTP or TCP connection, run in a daemon thread joined
  with the timeout (getaddrinfo has none of its own).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from urllib.parse import urlsplit

from ..inert import inert
from ..plan.expect import evaluate
from ..plan.probes import DnsCheck, HttpCheck, TcpCheck
from .probing import MAX_EVIDENCE, Outcome, trim

MAX_BODY = 1024 * 1024
LOOKUP_GRACE_S = 1.0  # past an HTTP or TCP check's timeout, before it is given up


def _json_at(data: object, path: str) -> object:
    for part in path.split("."):
        if isinstance(data, list) and part.lstrip("-").isdigit():
            data = data[int(part)]
        elif isinstance(data, dict):
            data = data[part]
        else:
            raise KeyError(part)
    return data


def _http(check: HttpCheck) -> Outcome:
    import http.client  # with ssl: only when an HTTP check runs
    import ssl

    parts = urlsplit(check.url)
    limit = check.timeout.total_seconds()
    began = time.monotonic()
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    kwargs = {"context": ssl.create_default_context()} if parts.scheme == "https" else {}
    conn = cls(parts.hostname or "", parts.port, timeout=limit, **kwargs)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    cut = threading.Event()

    def hang_up() -> None:  # the timeout bounds the whole request, headers included
        cut.set()
        with contextlib.suppress(OSError, AttributeError):
            conn.sock.shutdown(socket.SHUT_RDWR)  # a blocked read returns at once

    watchdog = threading.Timer(limit, hang_up)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request(check.method, target, headers={"User-Agent": "cutover-check"})
        response = conn.getresponse()
        body = bytearray()
        while len(body) <= MAX_BODY:
            if time.monotonic() - began > limit:
                raise TimeoutError(f"the body took longer than {limit:g} s")
            chunk = response.read1(65536) if check.method == "GET" else b""
            if not chunk:
                break
            body += chunk
        if cut.is_set():
            raise TimeoutError(f"no whole answer within {limit:g} s")
    except (OSError, http.client.HTTPException) as exc:
        seconds = time.monotonic() - began
        timed_out = cut.is_set() or isinstance(exc, TimeoutError | socket.timeout)
        what = "timed out" if timed_out else "failed"
        return Outcome(
            False,
            f"{check.method} {what} after {seconds:.2f} s: {inert(str(exc) or type(exc).__name__, 200)}",
        )
    finally:
        watchdog.cancel()
        conn.close()
    ms = (time.monotonic() - began) * 1000
    output = trim(bytes(body[: MAX_EVIDENCE * 4]))
    said = f"HTTP {response.status} in {ms:.0f} ms"
    if response.status != check.status:
        return Outcome(False, f"{said}, expected {check.status}", output, ms)
    if check.latency_ms is not None and ms > check.latency_ms:
        return Outcome(False, f"{said}, over the {check.latency_ms} ms limit", output, ms)
    values = {"value": ms, "latency_ms": ms}
    if check.json_path is not None:
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, or nested past what it can read
            return Outcome(False, f"{said}; the body is not JSON it can read", output, ms)
        try:
            found = _json_at(data, check.json_path)
        except (KeyError, IndexError, TypeError, ValueError):
            return Outcome(False, f"{said}; no JSON value at {check.json_path!r}", output, ms)
        if isinstance(found, int | float) and not isinstance(found, bool):
            values["value"] = float(found)
        said += f"; {check.json_path} = {inert(json.dumps(found), 80)}"
        if check.json_value is not None and found != check.json_value:
            return Outcome(
                False, f"{said}, expected {check.json_value!r}", output, ms, values=values
            )
    if check.expect is not None:
        ok, line = evaluate(check.expect, values)
        return Outcome(ok, f"{said}; {line}", output, ms, values.get("value"), values)
    return Outcome(True, said, output, ms, values.get("value"), values)


def _tcp(check: TcpCheck) -> Outcome:
    began = time.monotonic()
    try:
        with socket.create_connection(
            (check.host, check.port), timeout=check.timeout.total_seconds()
        ):
            pass
    except OSError as exc:
        seconds = time.monotonic() - began
        return Outcome(
            False,
            f"connect to {check.host}:{check.port} failed after {seconds:.2f} s: {inert(str(exc), 200)}",
        )
    ms = (time.monotonic() - began) * 1000
    return Outcome(
        True, f"connected to {check.host}:{check.port} in {ms:.0f} ms", latency_ms=ms, value=ms
    )


def _within(work, check: HttpCheck | TcpCheck, what: str) -> Outcome:
    """`work(check)` in a daemon thread, given up at the check's timeout (and a moment): the
    name lookup before a connection (getaddrinfo) has no timeout of its own, and a probe
    whose resolver hangs would otherwise never finish, so never turn red."""
    limit = check.timeout.total_seconds()
    done: list[Outcome] = []

    def attempt() -> None:
        try:
            done.append(work(check))
        except Exception as exc:  # a failure in words, not a dead thread read as a timeout
            done.append(
                Outcome(False, f"{what} failed: {inert(f'{type(exc).__name__}: {exc}', 200)}")
            )

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(limit + LOOKUP_GRACE_S)
    if done:
        return done[0]
    return Outcome(False, f"{what} timed out after {limit:g} s (the name lookup did not answer)")


def run_http(check: HttpCheck) -> Outcome:
    return _within(_http, check, check.method)


def run_tcp(check: TcpCheck) -> Outcome:
    return _within(_tcp, check, f"connect to {check.host}:{check.port}")


def run_dns(check: DnsCheck) -> Outcome:
    found: list[str] = []
    error: list[str] = []

    def lookup() -> None:
        try:
            found.extend(sorted({a[4][0] for a in socket.getaddrinfo(check.name, None)}))
        except OSError as exc:
            error.append(str(exc))

    began = time.monotonic()
    worker = threading.Thread(target=lookup, name="dns-check", daemon=True)
    worker.start()
    worker.join(check.timeout.total_seconds())  # getaddrinfo has no timeout of its own
    ms = (time.monotonic() - began) * 1000
    if worker.is_alive():
        return Outcome(
            False, f"resolving {check.name} took longer than {check.timeout.total_seconds():g} s"
        )
    if error or not found:
        return Outcome(
            False,
            f"{check.name} does not resolve: {inert(error[0] if error else 'no address', 200)}",
        )
    addresses = ", ".join(found[:8])
    if check.address is not None and check.address not in found:
        return Outcome(
            False, f"{check.name} resolves to {addresses}, not {check.address}", latency_ms=ms
        )
    return Outcome(
        True, f"{check.name} resolves to {addresses} in {ms:.0f} ms", latency_ms=ms, value=ms
    )
