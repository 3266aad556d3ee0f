"""Whether `cutover do` may use a command server at all (cli/do_server.py): a module of its
own so that a command that may not (root; CUTOVER_DO_SERVER=0) imports none of the
client's modules before its fast path (issue 14)."""

from __future__ import annotations

import os

ENV_SWITCH = "CUTOVER_DO_SERVER"  # "0": never served, no server started


def enabled() -> bool:
    """Off by CUTOVER_DO_SERVER=0, and always for root (euid 0): a server's child acts with
    the server's credentials, and root's are too much to keep in a resident process."""
    return os.environ.get(ENV_SWITCH, "1") != "0" and os.geteuid() != 0
