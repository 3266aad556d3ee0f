"""The conductor's health as line one of the war room says it (the sketch and the frame).

Its own module: the boot sketch may not import the widgets (they load the engine)."""

from __future__ import annotations

from ..inert import inert_line


def conductor_health(conductor: str) -> tuple[bool, str]:
    """Whether the run is conducted, and the word a narrow status line says of it. In locked
    mode the service puts "service, " before its lease's health: judge what follows (it was
    read as a warning, and a stale service lease said "SERVICE," like a live one)."""
    lease = conductor.removeprefix("service, ")
    if lease.startswith("ok"):
        return True, "ok"
    first = lease.split(":")[0].split()
    return False, inert_line(first[0] if first else "?", 12).upper()
