"""Stored events validated by a union of only the types a text names (engine/event_adapters.py,
issue 14) read exactly as the whole union reads them: the same events, the same refusals."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from cutover_tui.engine import event_adapters
from cutover_tui.engine.events import EVENT_ADAPTER, EVENT_TYPES, parse_event

AT = "2026-11-27T22:00:00Z"
BODIES = [
    {"type": "run-started", "actor": "boss", "at": AT, "plan_id": "jt", "key": "go"},
    {"type": "step-started", "actor": "boss", "at": AT, "step": "a", "key": "k1"},
    {"type": "step-completed", "actor": "boss", "at": AT, "step": "a", "note": "x"},
    {"type": "step-failed", "actor": "op", "at": AT, "step": "b", "reason": "disk"},
    {"type": "note-added", "actor": "op", "at": AT, "text": 'say "type":"run-ended"'},
    {"type": "run-ended", "actor": "boss", "at": AT, "outcome": "completed"},
    {"type": "step-failed", "actor": "op", "at": AT, "step": "b"},  # no reason: refused
    {"type": "no-such-event", "actor": "op", "at": AT},
    {"actor": "op", "at": AT, "step": "a"},  # no type at all
    {"type": "step-started", "actor": "op", "at": "not a time", "step": "a"},
    {"type": "step-started", "actor": "op", "at": AT, "step": "a", "extra": 1},
]


def whole(text: str):
    """The whole union's answer: the events, or its errors."""
    try:
        return event_adapters._EVENT_LIST.validate_json(text)
    except ValidationError as exc:
        return exc.errors(include_url=False)


def subset(text: str):
    try:
        return event_adapters.parse_events_json(text)
    except ValidationError as exc:
        return exc.errors(include_url=False)


def as_list(bodies: list[dict], spaced: bool) -> str:
    separators = (", ", ": ") if spaced else (",", ":")
    rows = [json.dumps({"seq": n, **b}, separators=separators) for n, b in enumerate(bodies, 1)]
    return "[" + ",".join(rows) + "]"


@given(st.lists(st.sampled_from(BODIES), max_size=8), st.booleans())
def test_a_list_reads_as_the_whole_union_reads_it(bodies: list[dict], spaced: bool) -> None:
    text = as_list(bodies, spaced)
    assert subset(text) == whole(text)


@given(st.sampled_from(BODIES))
def test_one_event_reads_as_the_whole_union_reads_it(body: dict) -> None:
    text = json.dumps(body, separators=(",", ":"))
    try:
        expected = EVENT_ADAPTER.validate_json(text)
    except ValidationError as exc:
        with pytest.raises(ValidationError) as got:
            parse_event(text)
        assert got.value.errors(include_url=False) == exc.errors(include_url=False)
    else:
        assert parse_event(text) == expected


def test_an_escaped_member_name_still_reads() -> None:
    """`"typ\\u0065"` is the member `type` to JSON, though the pattern cannot see it."""
    text = as_list([BODIES[1]], False).replace('"type"', '"typ\\u0065"')
    text = text[:-1] + "," + as_list([BODIES[2]], False)[1:]
    assert subset(text) == whole(text)
    assert len(subset(text)) == 2


def test_only_the_named_types_are_built() -> None:
    assert event_adapters.types_in('{"type":"step-started"}') == {"step-started"}
    assert event_adapters.types_in('{"type":"nothing-of-ours"}') is None
    assert event_adapters.types_in('{"actor":"x"}') is None
    text = as_list([BODIES[1], BODIES[2]], False)
    assert event_adapters._list_adapter_for(text) is not event_adapters._EVENT_LIST
    every = [{"type": name} for name in EVENT_TYPES]
    assert event_adapters._list_adapter_for(json.dumps(every)) is event_adapters._EVENT_LIST


def test_a_row_without_a_type_beside_one_type_is_refused_as_before() -> None:
    """Found by hypothesis: one event class alone took a body with no "type" (its field has a
    default); the whole union refuses it for want of a tag, and so must the smaller one."""
    text = as_list([BODIES[1], BODIES[8]], False)  # step-started, then no type at all
    assert isinstance(whole(text), list) and isinstance(whole(text)[0], dict)  # errors
    assert subset(text) == whole(text)
    assert whole(text)[0]["type"] == "union_tag_not_found"
