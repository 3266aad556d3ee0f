"""The command palette's commands: every key the person may use, then each open step's likely
next action (`Complete db-backup`, `Decide go-live`), so a step is acted on by name.

Textual asks `App.get_system_commands`; the app hands its own (theme, quit...) here and this
module adds ours. Plain functions over the app rather than a `Provider`: the palette stays
Textual's system commands, fed by the same key table (`tui/keys.py`) as the bindings, the
footer and the help screen. Textual reads a command's title and help as markup, so every
title and help is made inert and escaped here: `[link=...]` in a step title shows as typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from ..inert import inert_markup
from .actions.incidents import incident_commands
from .keys import KEYS

if TYPE_CHECKING:
    from .app import WarRoomApp

# Keys the palette does not offer: it is open already, or they have a key of their own.
NOT_OFFERED = ("command_palette", "quit", "help")


def palette(app: WarRoomApp, textual_commands: Iterable[SystemCommand]) -> Iterable[SystemCommand]:
    """Textual's commands, then ours, every title and help inert."""
    for command in _commands(app, textual_commands):
        yield command._replace(
            title=inert_markup(command.title, 200), help=inert_markup(command.help, 200)
        )


def _commands(
    app: WarRoomApp, textual_commands: Iterable[SystemCommand]
) -> Iterable[SystemCommand]:
    yield from textual_commands
    yield from _key_commands(app)
    yield from incident_commands(app)  # i, I and each open incident (tui/actions/incidents.py)
    if app.frame is None or not app.offers("start"):
        return
    yield from _step_commands(app)


def _key_commands(app: WarRoomApp) -> Iterable[SystemCommand]:
    for key in KEYS:
        if not key.label or key.action in NOT_OFFERED:
            continue
        if not app.offers(key.action):
            continue  # a watcher is not offered what only others may do
        yield SystemCommand(
            f"{key.label.rstrip('…').capitalize()} ({key.key})",
            f"{key.help} · {key.who}",
            lambda action=key.action: app.run_action(action),
        )


def _step_commands(app: WarRoomApp) -> Iterable[SystemCommand]:
    """What each running, ready or open step most likely needs next."""
    assert app.frame is not None
    state, sched = app.state, app.frame.sched
    for sid in sched.running:
        title = state.steps[sid].title
        yield SystemCommand(f"Complete {sid}", title, lambda sid=sid: app.action_complete(sid))
        yield SystemCommand(f"Fail {sid}", title, lambda sid=sid: app.action_fail(sid))
        yield SystemCommand(
            f"Suspend or resume {sid}", title, lambda sid=sid: app.action_suspend(sid)
        )
    for sid in sched.ready:
        step = state.steps[sid]
        if step.kind == "gate":
            yield SystemCommand(f"Decide {sid}", step.title, lambda sid=sid: app.action_decide(sid))
        else:
            yield SystemCommand(f"Start {sid}", step.title, lambda sid=sid: app.action_start(sid))
    for sid in state.active_ids():
        if not state.status[sid].closed:
            title = state.steps[sid].title
            yield SystemCommand(f"Skip {sid}", title, lambda sid=sid: app.action_skip(sid))
            yield SystemCommand(
                f"Change estimate of {sid}", title, lambda sid=sid: app.action_amend(sid)
            )
