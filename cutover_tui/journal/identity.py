"""Who is at the keyboard: the OS login of this process (from its uid), never an env var.

A login listed in the plan's `[people]` (`user = "login"`) acts as that person, with their
roles. Any other login acts as `@login`: the `@` keeps it apart from every people key (keys
are `[a-z0-9][a-z0-9_-]*`), so an unlisted login that happens to spell a people key (the OS
user `fin` on a plan whose `[people.fin]` is `user = "gliu"`) cannot act as that person. Such
an actor has no roles (read-only), unless the plan names no commander login, or the run is a
rehearsal, and this login started the run: then it commands (see `RunState.roles_of`).
"""

from __future__ import annotations

import os
import pwd
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # hints only: `cutover do`'s fast path asks os_login without pydantic
    from ..engine.state import RunState
    from ..plan.model import Plan

UNLISTED_PREFIX = "@"
# A browser tab's viewer (`cutover web-watch`): nobody in particular. A browser has no OS
# identity, and the login of the process serving it is not the person looking. Neither a
# people key (`[a-z0-9][a-z0-9_-]*`) nor an `@login`: it holds no role, started no run and
# is handed none, and nobody's memory of what they saw (journal/seen.py) is its own.
BROWSER = "(browser)"
BROWSER_READ_ONLY = "the browser view is read-only: act from a terminal (cutover run, cutover do)"


def os_login() -> str:
    """The login name of this process's real uid."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid{os.getuid()}"


def actor_for(plan: Plan, login: str) -> str:
    """The people key of `login` in the plan; `@login` for a login the plan does not list."""
    return plan.person_for_user(login) or f"{UNLISTED_PREFIX}{login}"


def describe(state: RunState, login: str, said: str = "") -> str:
    """ "you are alice: Alice Ng (alice), commander": who this login is to the run, for
    refusals. The roles are the run's (a rehearsal's starter commands it). When the refusal
    `said` already names this person's roles (`@bob [not in the plan's people, so
    read-only] may not ...`), only who the login is: they are said once."""
    actor = actor_for(state.plan, login)
    held = ", ".join(sorted(state.roles_of(actor)))  # a rehearsal's starter commands it
    roles = held or state.roles_said(actor)
    named = f"[{state.roles_said(actor)}]" in said
    if actor.startswith(UNLISTED_PREFIX):  # in the refusals' words (RunState.roles_said), once
        if named:
            return f"you are {login}" + (", not in the plan's people" if held else "")
        return f"you are {login}, " + (f"not in the plan's people; {held}" if held else roles)
    who = f"you are {login}: {state.name(actor)}"
    return who if named else f"{who}, {roles}"
