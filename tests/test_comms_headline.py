"""A message says the finish the status line says (one voice).

User pass (2026-12-02): the bundled online-store plan's status update told its audiences
"Projected finish 22:44" while every screen's headline said "likely 23:48 · P80 01:54 · 62%
in window": `{projected_finish}` is the plan of record, the figure that warns later. The
bundled plans and the built-in incident template now lead with the likely finish and its
odds, and name the plan of record as such where they quote it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cutover_tui.comms.builtin import BUILTIN
from cutover_tui.comms.templates import render
from cutover_tui.comms.values import live_values
from cutover_tui.engine.events import RunStarted, StepCompleted, StepStarted
from cutover_tui.engine.state import fold
from cutover_tui.engine.verdict import forecaster_for
from cutover_tui.plan import load_plan

PLANS = sorted((Path(__file__).resolve().parents[1] / "plans").glob("*.toml"))


def _templates(path: Path):
    plan = load_plan(path).plan
    return plan, [*plan.template, *BUILTIN.values()]


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.name)
def test_a_template_that_quotes_the_plan_of_record_leads_with_the_likely_finish(path) -> None:
    _plan, templates = _templates(path)
    for template in templates:
        body = template.body
        if "{projected_finish" not in body:
            continue
        assert "{likely_finish" in body, (template.id, body)
        assert re.search(r"[Pp]lan of record \{projected_finish", body), (template.id, body)


def test_the_online_store_status_update_says_the_headline_finish() -> None:
    plan = load_plan(PLANS[[p.name for p in PLANS].index("online-store.toml")]).plan
    start = plan.window.start
    first = plan.step[0]
    state = fold(
        plan,
        [
            RunStarted(actor="system", at=start, plan_id=plan.plan.id, key="r"),
            StepStarted(actor=first.owner, at=start, step=first.id, key="s"),
            StepCompleted(actor=first.owner, at=start + 3 * first.duration, step=first.id, key="c"),
        ],
    )
    now = start + 3 * first.duration
    values = live_values(state, now, forecaster=forecaster_for("headline"))
    out = render(plan, "status-update", values)
    assert values["likely_finish"] is not None
    assert f"Likely finish {values['likely_finish']:%H:%M}" in out.body
    assert f"Plan of record {values['projected_finish']:%H:%M}" in out.body
