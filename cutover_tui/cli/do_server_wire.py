"""The command server's few messages (cli/do_server.py, cli/do_server_client.py).

server -> client  b"R": accepted, the peer's credentials checked; only then does the client
                  send descriptors (one sent to a server that never reads them, stopped
                  with SIGSTOP, say, would hold the client's stdout open, and a `| cat`
                  after it would wait for the server: hostile review of 2026-12-02)
client -> server  the request: a 4-byte length, then JSON {argv, sys_argv, orig_argv, env,
                  umask, streams}, with four descriptors attached (SCM_RIGHTS): the working
                  directory, stdin, stdout, stderr
server -> client  {"pid": N}\\n once the child is forked (it waits for the go)
client -> child   b"G": the go; from here the client never runs the command itself
server -> client  {"status": wait status, "cpu": seconds}\\n when the child has ended; the
                  child writes the same line itself before it exits with a code (a copy of
                  the socket), so the client reads the first of the two
"""

from __future__ import annotations

import json
import socket
import struct

from .do_server_place import close_quietly

FDS = 4  # cwd, stdin, stdout, stderr
MAX_REQUEST = 4 << 20  # an environment and argv beyond 4 MiB is not a `cutover do`
GO = b"G"
READY = b"R"


class WireError(Exception):
    """A message that is not one of ours, or a peer that went away mid-message."""


def send_request(sock: socket.socket, request: dict, fds: list[int]) -> None:
    """The request and its descriptors, once the server said it is ready (READY); the
    socket's timeout bounds the wait (TimeoutError), WireError if it said anything else."""
    if sock.recv(1) != READY:
        raise WireError("the server did not say it was ready")
    body = json.dumps(request).encode()
    data = struct.pack(">I", len(body)) + body
    sent = socket.send_fds(sock, [data], fds)
    if sent < len(data):
        sock.sendall(data[sent:])


def recv_request(sock: socket.socket) -> tuple[dict, list[int]]:
    """The request and its descriptors; WireError (the descriptors closed) if malformed."""
    data, fds, _flags, _addr = socket.recv_fds(sock, 65536, FDS)
    try:
        if len(fds) != FDS or len(data) < 4:
            raise WireError("not a request")
        size = struct.unpack(">I", data[:4])[0]
        if size > MAX_REQUEST:
            raise WireError("too long")
        body = bytearray(data[4:])
        while len(body) < size:
            more = sock.recv(min(65536, size - len(body)))
            if not more:
                raise WireError("cut short")
            body += more
        request = json.loads(bytes(body[:size]))
        if not isinstance(request, dict) or not _well_formed(request):
            raise WireError("not a request")
        return request, fds
    except (WireError, ValueError, OSError) as exc:
        for fd in fds:
            close_quietly(fd)
        raise WireError(str(exc)) from None


def _well_formed(request: dict) -> bool:
    strings = all(isinstance(a, str) for a in request.get("argv", [None]))
    env = request.get("env")
    plain_env = isinstance(env, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in env.items()
    )
    return strings and plain_env and isinstance(request.get("umask"), int)


def send_line(sock: socket.socket, message: dict) -> None:
    sock.sendall(json.dumps(message).encode() + b"\n")


def read_line(reader) -> dict | None:
    """The next message from `reader` (a binary file of the socket), None at its end."""
    line = reader.readline(65536)
    if not line.endswith(b"\n"):
        return None
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None
