"""The war room's key table (tui/keys.py): every key runs an action the app has, every action
a family defines (tui/actions/) has a key, ids are unique, and the help reads keys as typed."""

from __future__ import annotations

import inspect

from cutover_tui.tui import actions
from cutover_tui.tui.actions import amend, decisions, night, steps, views
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.keys import KEYS, bindings, help_rows, key_label, who_may


def _name(action: str) -> str:
    return action.split("(")[0]


def test_every_key_runs_an_action_the_app_has() -> None:
    for binding in bindings():
        assert callable(getattr(WarRoomApp, f"action_{_name(binding.action)}", None)), binding


def test_every_family_action_has_a_key() -> None:
    bound = {_name(b.action) for b in bindings()}
    for module in (steps, decisions, amend, night, views):
        for _, member in inspect.getmembers(module):
            if inspect.isclass(member) and member.__module__ == module.__name__:
                for attr in vars(member):
                    if attr.startswith("action_"):
                        assert attr.removeprefix("action_") in bound, (module.__name__, attr)
    assert actions.__doc__  # the package says why the families are mixins


def test_binding_ids_are_named_for_the_action() -> None:
    # One id per action: zoom in and out share `warroom.zoom` (a keymap remaps both).
    by_id = {}
    for b in bindings():
        assert by_id.setdefault(b.id, _name(b.action)) == _name(b.action), b
    assert {k.id for k in KEYS} >= {"warroom.start", "warroom.zoom", "warroom.pan"}


def test_help_reads_keys_as_typed_and_who_may() -> None:
    rows = {key: who for key, _, who in help_rows()}
    assert rows["+"] == "everyone" and rows["["] == "everyone" and rows["1-4"] == "everyone"
    assert key_label("question_mark") == "?" and key_label("A") == "A"
    assert who_may("skip") == "commander" and who_may("pane") == "everyone"
