"""Who is at the keyboard: the OS login of this process (from its uid), never an env var."""

from __future__ import annotations

import os
import pwd

from ..plan.model import Plan


def os_login() -> str:
    """The login name of this process's real uid."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid{os.getuid()}"


def actor_for(plan: Plan, login: str) -> str:
    """The people key of `login` in the plan; an unlisted login acts as itself (read-only,
    unless the plan names no commander login and this login started the run)."""
    return plan.person_for_user(login) or login
