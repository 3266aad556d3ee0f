"""Clock faces in a zone, never ambiguous: a time in the repeated hour of a clock change says
which one it is (01:30 BST, 01:30 GMT); other times are plain HH:MM, as the war room speaks."""

from __future__ import annotations

from datetime import datetime, tzinfo


def ambiguous(local: datetime) -> bool:
    """Is this local time one that the wall clock shows twice (the hour repeated in autumn)?"""
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset()


def hm(moment: datetime | None, zone: tzinfo, *, seconds: bool = False, none: str = "--:--") -> str:
    """`moment` on the wall clock of `zone`, with the zone's abbreviation when ambiguous."""
    if moment is None:
        return none
    local = moment.astimezone(zone)
    text = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{text} {local.strftime('%Z')}" if ambiguous(local) else text
