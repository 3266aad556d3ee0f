"""The review does not time a step ticked off without a timing, as `cutover rehearsals` does.

Regression (review of this stop's diff, 2026-12-02): a step started and completed at one
moment (the same `--at` twice) was "done, not timed" in `cutover rehearsals`, while the
review's step table said it ran 0m against its budget (-100 %) and counted it among the
variances. Real journal, the review's Markdown and HTML.
"""

from __future__ import annotations

from pathlib import Path

from cutover_tui.engine import events as ev
from cutover_tui.report.html import render_html
from cutover_tui.report.markdown import render_markdown
from cutover_tui.report.review import build_review
from tests.report_support import hm, new_journal, play


def test_a_step_done_at_one_moment_is_ticked_off_in_the_review(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    play(
        journal,
        [
            ev.StepStarted(actor="dba", at=hm("22:00"), step="backup"),
            ev.StepCompleted(actor="dba", at=hm("22:30"), step="backup"),
            ev.StepStarted(actor="dba", at=hm("22:40"), step="freeze"),
            ev.StepCompleted(actor="dba", at=hm("22:40"), step="freeze"),  # one moment
        ],
    )
    review = build_review(journal.plan, journal.events(), journal.run_id, hm("22:41"))
    journal.close()
    lines = {s.id: s for s in review.steps}
    assert lines["freeze"].ticked_off and lines["freeze"].actual is None
    assert lines["freeze"].variance is None and "freeze" not in [s.id for s in review.variances]
    assert not lines["backup"].ticked_off and lines["backup"].actual is not None
    [row] = [r for r in render_markdown(review).splitlines() if r.startswith("| freeze |")]
    assert "| ticked off |" in row and "-100" not in row and "0m |" not in row, row
    assert ">ticked off</td>" in render_html(review)
