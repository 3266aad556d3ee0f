"""The checkpoint pane's mark for a checkpoint that checks itself (plan/probes.py).

`⚙ http` (dim) before its check has run; `⚙ passed` / `⚙ FAILED` once the conductor recorded
its outcome; `⚙ by hand` when a person recorded the result (checks off, or an override);
`⚙ off` on a run started with --no-checks; `⚙ drawn` on a simulated night, whose outcomes
are drawn, never run. The pane shows the first line of a check's evidence (its summary): the
output beneath it is in the log and on the health screen (H).
"""

from __future__ import annotations

from rich.text import Text

from ...engine.checks import check_of, checks_of
from ...engine.events import CONDUCTOR
from ...engine.state import RunState
from .quote import quoted


def check_mark(state: RunState, sid: str) -> Text | None:
    """The mark for checkpoint `sid`, or None when the plan gives it no check."""
    check = check_of(state, sid)
    if check is None:
        return None
    st = state.status[sid]
    finished = st.status in ("done", "failed")
    if finished and st.finished_by == CONDUCTOR:
        word, style = ("passed", "green") if st.status == "done" else ("FAILED", "bold red")
    elif state.simulated:
        word, style = "drawn", "dim"
    elif finished:
        word, style = "by hand", "dim"
    elif not checks_of(state).enabled:
        word, style = "off", "dim"
    else:
        word, style = check.type, "dim"
    return Text.assemble(("  ⚙ ", "dim"), (word, style))


def shown_evidence(state: RunState, sid: str) -> str:
    """What the pane quotes: a check's one-line summary, a person's evidence on one line;
    either clipped (quote.py: pasted output filled the pane)."""
    st = state.status[sid]
    if st.finished_by == CONDUCTOR:
        return quoted(st.evidence.split("\n", 1)[0])
    return quoted(st.evidence)
