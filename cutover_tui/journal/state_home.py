"""Where this user's own state lives (the `seen` heads, facts, plan cache, the command
server's socket): a module of its own so that `cutover do`'s client (cli/do_server_place.py)
finds the folder without importing journal/seen.py's sqlite3 and datetime (issue 14)."""

from __future__ import annotations

import os
from pathlib import Path

STATE_ENV = "CUTOVER_STATE"  # tests point it at a temporary directory


def state_dir() -> Path:
    """$CUTOVER_STATE, else $XDG_STATE_HOME/cutover, else ~/.local/state/cutover."""
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV])
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "cutover"
