"""Validators of stored events built only for the event types a text holds (issue 14).

A validator of the whole union builds the schema of all ~40 event types, which costs a short
command (`cutover do` on a run of a few kinds of event) more than everything it reads. The
types a JSON text can hold are the `"type":"..."` members in it (a quote inside a string is
escaped, so the pattern only matches a member name): the union of those types validates it
exactly as the whole union would, since the discriminator sends each event to its own type
either way. A text naming a type no event has, or none, gets the whole union; and a text the
smaller union refuses is validated again by the whole one, so that what is accepted and what
is said about a bad row are what they always were.
"""

from __future__ import annotations

import contextlib
import functools
import re
from typing import Annotated, Any, Union

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError

from .events import EVENT_ADAPTER, EVENT_TYPES, Event

_TYPE_MEMBER = re.compile(r'"type"\s*:\s*"([^"\\]*)"')
_LAZY = ConfigDict(defer_build=True)
_EVENT_LIST: TypeAdapter[list[Event]] = TypeAdapter(list[Event], config=_LAZY)
_WHOLE = {"always": False}  # use_whole_union(): the whole union for every text from then on


def use_whole_union() -> None:
    """Build the whole union's validators now and use them for every text from here on: for
    a process whose forks each read for one command (cli/do_server.py), which would otherwise
    build a smaller union per command. What is accepted and said is the same either way."""
    _EVENT_LIST.validate_json("[]")
    with contextlib.suppress(ValidationError):  # built, which is all this asked
        EVENT_ADAPTER.validate_json("{}")
    _WHOLE["always"] = True


def types_in(text: str) -> frozenset[str] | None:
    """The event types named in `text`, or None when one is not an event type (or none is)."""
    named = frozenset(_TYPE_MEMBER.findall(text))
    return named if named and named <= EVENT_TYPES.keys() else None


@functools.lru_cache(maxsize=64)
def _union(types: frozenset[str]) -> Any:
    # Always a union by the discriminator, of two types at least: one event class alone would
    # take a body without a "type" (the field has a default) that the whole union refuses.
    # A second real type changes nothing else: each body still goes to its own type.
    if len(types) == 1:
        types = types | {"run-ended" if "run-started" in types else "run-started"}
    classes = tuple(EVENT_TYPES[name] for name in sorted(types))
    return Annotated[Union[classes], Field(discriminator="type")]  # noqa: UP007 - built at run time


@functools.lru_cache(maxsize=64)
def _list_adapter(types: frozenset[str]) -> TypeAdapter[list[Event]]:
    return TypeAdapter(list[_union(types)])


@functools.lru_cache(maxsize=64)
def _one_adapter(types: frozenset[str]) -> TypeAdapter[Event]:
    return TypeAdapter(_union(types))


def parse_events_json(text: str) -> list[Event]:
    """The events of the JSON list `text` (ValidationError as the whole union says it)."""
    adapter = _list_adapter_for(text)
    if adapter is not _EVENT_LIST:
        try:
            return adapter.validate_json(text)
        except ValidationError:
            pass  # said by the whole union, below, exactly as before
    return _EVENT_LIST.validate_json(text)


def parse_event_json(data: str | bytes) -> Event:
    """One event from its JSON `data` (ValidationError as the whole union says it)."""
    adapter = _one_adapter_for(data)
    if adapter is not EVENT_ADAPTER:
        try:
            return adapter.validate_json(data)
        except ValidationError:
            pass
    return EVENT_ADAPTER.validate_json(data)


def _list_adapter_for(text: str) -> TypeAdapter[list[Event]]:
    types = None if _WHOLE["always"] else types_in(text)
    if types is None or len(types) == len(EVENT_TYPES):
        return _EVENT_LIST
    return _list_adapter(types)


def _one_adapter_for(data: str | bytes) -> TypeAdapter[Event]:
    types = types_in(data) if isinstance(data, str) and not _WHOLE["always"] else None
    if types is None or len(types) == len(EVENT_TYPES):
        return EVENT_ADAPTER
    return _one_adapter(types)
