"""Signal dispositions for the processes tests send signals to."""

from __future__ import annotations

import signal

FOREGROUND = (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP)


def as_foreground() -> None:
    """In a child before its exec: the dispositions a command typed at a terminal starts
    with. A suite started in the background (`.ci/run &` in a script, or under nohup) hands
    every process SIGINT and SIGQUIT (and SIGHUP) ignored, and a fresh Python keeps them
    ignored, as a served `cutover do` now does too: the Ctrl-C tests failed so."""
    for sig in FOREGROUND:
        signal.signal(sig, signal.SIG_DFL)
