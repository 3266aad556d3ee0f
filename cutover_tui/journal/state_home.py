"""Where this user's own state lives (the `seen` heads, facts, plan cache, the command
server's socket): a module of its own so that `cutover do`'s client (cli/do_server_place.py)
finds the folder without importing journal/seen.py's sqlite3 and datetime (issue 14)."""

from __future__ import annotations

import os
from pathlib import Path

STATE_ENV = "CUTOVER_STATE"  # tests point it at a temporary directory


def state_dir() -> Path:
    """$CUTOVER_STATE, else $XDG_STATE_HOME/cutover, else ~/.local/state/cutover. A relative
    path in either variable is ignored, as the XDG spec says: it would put this user's
    private state wherever the command is typed, and in the shared runs directory (where
    docs/jump-host.md has operators `cd`) any group member may move it away and back, and
    with it this user's memory of the heads seen."""
    chosen = os.environ.get(STATE_ENV)
    if chosen and os.path.isabs(chosen):
        return Path(chosen)
    base = os.environ.get("XDG_STATE_HOME")
    if not base or not os.path.isabs(base):
        base = str(Path.home() / ".local" / "state")
    return Path(base) / "cutover"
