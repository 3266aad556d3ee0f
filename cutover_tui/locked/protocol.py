"""The wire format between `cutover service` and its clients: one JSON object per line.

A request is `{"op": ..., ...}` on one line of at most MAX_REQUEST_BYTES; the reply is
`{"ok": true, ...}` or `{"ok": false, "error": "one line", "refused": bool}` on one line.
`refused` marks a command the rules refused (the client raises Refused), as opposed to a
request that could not be served (the client raises a JournalError).

Ops (see server.py for each): whoami, runs, open, head, events, append, start, conductor,
verify.
"""

from __future__ import annotations

import json

MAX_REQUEST_BYTES = 4 * 1024 * 1024  # a `start` carries a whole plan; nothing else comes near
PAGE_EVENTS = 2000  # events per `events` reply: a long night comes in pages
MAX_WAIT_S = 25.0  # a follower's long poll; it asks again after
MAX_CLIENTS = 256
MAX_CLIENTS_PER_UID = 32


class ProtocolError(ValueError):
    """A request that is not one line of a JSON object with a known op."""


def encode(message: dict) -> bytes:
    # ensure_ascii: any control or odd character travels escaped, and a line is one line.
    return json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> dict:
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):
        raise ProtocolError("not a line of JSON") from None
    if not isinstance(message, dict):
        raise ProtocolError("not a JSON object")
    return message


def error(text: str, *, refused: bool = False) -> dict:
    return {"ok": False, "error": " ".join(str(text).split()), "refused": refused}
