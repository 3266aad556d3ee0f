"""The incident message says where the run is heading, true at every stage.

Regression (user pass, 2026-12-02): the built-in incident template read "likely finish
[no likely_finish yet] (P80 [no p80 yet]), [no p_in_window yet] chance …" whenever there
were no odds: before the first ones, and after the run had ended, when they never come. Now
it says `{outlook}`: the odds; before them, the plan of record; after the end, how it ended.
"""

from __future__ import annotations

from pathlib import Path

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.comms.templates import render
from cutover_tui.comms.values import About, live_values
from cutover_tui.engine.events import IncidentRaised, RollbackInvoked, RunEnded, StepStarted
from cutover_tui.engine.state import fold
from cutover_tui.engine.verdict import forecaster_for
from cutover_tui.journal.store import Journal
from tests.incident_support import hm, new_bridge_run
from tests.warroom_support import PLAN, at, through_load


def test_an_incident_paged_after_the_end_says_how_the_run_ended(
    tmp_path: Path, mail, monkeypatch
) -> None:
    from tests.comms_support import use_comms_config

    use_comms_config(monkeypatch, tmp_path, mail.port)
    journal = new_bridge_run(tmp_path)
    journal.append(StepStarted(actor="op", at=hm("00:05"), step="load", key="s"))
    journal.append(
        IncidentRaised(actor="op", at=hm("00:38"), severity="sev1", title="orders 500s", key="r")
    )
    journal.append(RunEnded(actor="cmdr", at=hm("00:40"), outcome="aborted", key="end"))
    # Its owner paged after the end (the conductor's first look at it).
    Conductor(Journal(journal.path), FixedClock(hm("00:41")), holder="A").tick()
    [(to, message)] = mail.messages
    body = message.get_content()
    assert to == ["rita@example.com"] and "[no " not in body, body
    assert "The run is ENDED; ended aborted at 00:40, before the 06:00 deadline;" in body, body
    # No "last safe rollback start" offered after the end.
    assert "the run has ended; no rollback is open." in body and "possible" not in body, body


def _incident(events, now, forecaster=None) -> str:
    state = fold(PLAN, events)
    about = About(reason="payments down", raised_at=now)
    body = render(PLAN, "incident", live_values(state, now, about, forecaster)).body
    assert "[no " not in body, body
    return body


def test_an_incident_before_the_first_odds_says_the_plan_of_record() -> None:
    # No odds (none worked out yet, or the forecast failed): the plan of record, labelled.
    said = _incident(through_load(), at(60))
    assert (
        "no odds yet at tonight's pace; the plan of record for the cutover finishes at 00:25"
    ) in said and "against the 02:00 deadline; a rollback is possible until 01:20." in said, said
    assert "not started: the plan finishes at " in _incident([], at(-30))


def test_an_incident_with_odds_and_under_roll_back() -> None:
    said = _incident(through_load(), at(60), forecaster_for("outlook"))
    assert "the cutover will likely finish at " in said, said
    assert "the chance of finishing by the 02:00 deadline is " in said, said
    called = _incident(through_load(), at(150), forecaster_for("outlook"))
    assert (
        "The run is ROLL BACK; finish: none while the rollback call stands; deadline 02:00;"
        " a rollback is possible until 01:20." in called
    ), called


def test_the_figures_after_a_completed_run_are_its_finish() -> None:
    state = fold(PLAN, [*through_load(), RunEnded(actor="alice", at=at(100), outcome="completed")])
    values = live_values(state, at(130))
    assert f"{values['likely_finish']:%H:%M}" == f"{values['p80']:%H:%M}"
    assert values["p_in_window"] in ("100%", "0%")
    assert values["outlook"].startswith("completed at ")


def test_the_rollback_clause_is_true_at_every_stage() -> None:
    """{rollback}: "Last safe rollback start 01:20" went out after the end and while the
    rollback ran (review of the built-in templates, 2026-12-02)."""

    def clause(events, now) -> str:
        return str(live_values(fold(PLAN, events), now)["rollback"])

    assert clause(through_load(), at(60)) == "a rollback is possible until 01:20"
    rolling = [*through_load(), RollbackInvoked(actor="alice", at=at(70), reason="r")]
    assert clause(rolling, at(75)) == "the rollback has been under way since 23:10"
    ended = [*through_load(), RunEnded(actor="alice", at=at(100), outcome="aborted")]
    assert clause(ended, at(130)) == "the run has ended; no rollback is open"
    # Past the last safe rollback start (01:20): said, not offered.
    late = clause(through_load(), at(205))
    assert late == "the last safe rollback start (01:20) has passed: a rollback no longer fits"
