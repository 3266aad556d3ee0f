"""Write the review's files: `review-RUN.md` and `review-RUN.html` in a directory."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..engine.events import Event
from ..engine.pace import PacePrior
from ..engine.state import RunState
from ..plan.model import Plan
from .review import build_review


def write_review(
    plan: Plan,
    events: list[Event],
    run_id: str,
    now: datetime,
    out: Path,
    *,
    markdown: bool = True,
    html: bool = True,
    rehearsals: list[tuple[str, RunState]] = (),  # type: ignore[assignment]
    prior: PacePrior | None = None,
    calibration: list[tuple[str, str]] | None = None,  # the odds' reliability table's rows
) -> list[Path]:
    """The review of `run_id` at `now`, written to `out`; the paths written."""
    review = build_review(plan, events, run_id, now, rehearsals=list(rehearsals), prior=prior)
    review.calibration = calibration
    written = []
    if markdown:
        from .markdown import render_markdown

        path = out / f"review-{run_id}.md"
        path.write_text(render_markdown(review), encoding="utf-8")
        written.append(path)
    if html:
        from .html import render_html

        path = out / f"review-{run_id}.html"
        path.write_text(render_html(review), encoding="utf-8")
        written.append(path)
    return written
