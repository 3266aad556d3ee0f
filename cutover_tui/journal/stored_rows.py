"""Events from the rows a journal stores: (seq, body) pairs parsed in one validation call."""

from __future__ import annotations

from collections.abc import Sequence

from ..engine.event_adapters import parse_events_json
from ..engine.events import Event


def parse_rows(rows: Sequence[tuple[int, str]]) -> list[Event]:
    """Events from (seq, body) rows, each with its seq: one validation call for them all,
    the seq spliced into each body's JSON (dump_event leaves it out), not copied in after."""
    if not rows:
        return []
    events = parse_events_json(  # validators built for the types present only (issue 14)
        "[" + ",".join(f'{{"seq":{seq},{body[1:]}' for seq, body in rows) + "]"
    )
    if any(e.seq != seq for e, (seq, _) in zip(events, rows, strict=True)):
        raise ValueError("an event body carries a seq of its own")  # never written so
    return events
