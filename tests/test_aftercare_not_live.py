"""After a night that did not go live, the handover is not owed, so it never falls overdue.

Found ending a rolled-back run: the journal refuses the handover ("the run did not go live
(rolled back or aborted): there is nothing to hand over"), yet the checklist kept it open with
a deadline, so a day later it was OVERDUE, the run's summary red and `cutover aftercare`
exiting 1, with nothing anyone was allowed to do about it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cutover_tui.engine import events as ev
from cutover_tui.engine.aftercare_status import due_words, overdue, rows, summary
from cutover_tui.engine.state import Refused
from tests.report_support import hm, new_journal, play, rolled_back_night


def test_a_rolled_back_run_owes_no_handover(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    play(journal, rolled_back_night())
    with pytest.raises(Refused, match="did not go live"):
        journal.append(ev.HandoverAccepted(actor="sup", at=hm("02:00"), key="h"))
    state = journal.state()
    journal.close()
    weeks_later = hm("01:06") + timedelta(days=30)
    handover = next(r for r in rows(state, weeks_later) if r.kind == "handover")
    assert not handover.overdue and handover.due is None
    assert "did not go live" in handover.detail
    assert "handover" not in [r.id for r in overdue(state, weeks_later)]
    said = summary(state, weeks_later)
    assert said is not None and "handover" not in said[0]


def test_a_handover_not_owed_is_due_never_not_at_go_live(tmp_path: Path) -> None:
    """Review: the not-owed row still said it was due "at go-live" (screen and CLI), for a
    night that never went live."""
    journal = new_journal(tmp_path)
    play(journal, rolled_back_night())
    state = journal.state()
    journal.close()
    later = hm("01:06") + timedelta(days=1)
    handover = next(r for r in rows(state, later) if r.kind == "handover")
    assert handover.status == "not owed" and due_words(state, handover) == "—"
    access = next(r for r in rows(state, later) if r.kind == "access")
    assert due_words(state, access) != "—"  # an access opened is closed, live or not


def test_the_listing_keeps_not_owed_in_its_column(tmp_path: Path, capsys) -> None:
    # User pass, 2026-12-02: "not owed due     —": the status filled its column.
    from cutover_tui.cli import main

    journal = new_journal(tmp_path)
    play(journal, rolled_back_night())
    run_id, runs = journal.run_id, journal.path.parent
    journal.close()
    main(["aftercare", run_id, "--runs", str(runs), "--at", "2026-11-28T02:00:00+00:00"])
    line = next(x for x in capsys.readouterr().out.splitlines() if "not owed" in x)
    assert "not owed  due" in line, line


def test_a_run_that_did_not_go_live_owes_no_validation_but_still_closes_access(
    tmp_path: Path,
) -> None:
    """User pass (2026-12-02): an aborted run still owed the never-launched platform's
    validation ("checkout-works" due at 21:02, falling overdue), beside the handover it
    rightly did not owe. A temporary access is still closed: it was opened either way."""
    journal = new_journal(tmp_path)
    play(journal, rolled_back_night())
    state = journal.state()
    journal.close()
    weeks_later = hm("01:06") + timedelta(days=30)
    listed = rows(state, weeks_later)
    checks = [r for r in listed if r.kind == "check"]
    assert checks and all(r.status == "not owed" and not r.overdue for r in checks)
    assert all("nothing to validate" in r.detail for r in checks)
    access = [r for r in listed if r.kind == "access"]
    assert access and all(r.status == "open" and r.overdue for r in access)
    late = {r.id for r in overdue(state, weeks_later)}
    assert {r.id for r in access} <= late and not {r.id for r in checks} & late
    assert "runbook" in late  # what the night taught is written down, live or not


def test_the_runbook_of_a_night_not_live_is_due_from_the_runs_end(tmp_path: Path) -> None:
    """User pass (rehearsals, 2026-12-02): an aborted night's runbook row said "within 3 days
    of go-live" for a night that never went live; its deadline counts from the run's end."""
    journal = new_journal(tmp_path)
    play(journal, rolled_back_night())
    state = journal.state()
    journal.close()
    [runbook] = [r for r in rows(state, hm("02:00")) if r.kind == "runbook"]
    assert "of the run's end" in runbook.detail and "go-live" not in runbook.detail, runbook
    assert runbook.due is not None and runbook.status == "open"
