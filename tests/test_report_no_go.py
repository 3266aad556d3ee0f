"""The review's odds history names a NO GO at the gate, at the minute it was said.

A no-go answered by a rollback two minutes later lasts less than a sample's interval: the
replay asks the verdict again at the no-go itself (report/odds_history.py), as it does at a
fired trigger, so the review says when the night was called off. A go adds no moment.
"""

from __future__ import annotations

from pathlib import Path

from cutover_tui.engine import events as ev
from cutover_tui.report.review import build_review
from tests.report_support import hm, new_journal, play, ran


def no_go_night(decision: str = "no-go") -> list[ev.EventBase]:
    return [
        *ran("backup", "22:00", "22:40"),
        *ran("freeze", "22:40", "22:55"),
        ev.GateDecided(
            actor="boss",
            at=hm("22:57"),
            step="go",
            approver="boss",
            decision=decision,
            reason="backup set incomplete",
        ),
        ev.RollbackInvoked(actor="boss", at=hm("22:59"), reason="no go at the gate"),
        *ran("restore", "22:59", "23:34"),
        *ran("verify-old", "23:34", "23:44", who="sup"),
        ev.RunEnded(actor="boss", at=hm("23:45"), outcome="rolled-back", reason="old shop back"),
    ]


def review_of(tmp_path: Path, script: list[ev.EventBase]):
    journal = new_journal(tmp_path)
    play(journal, script)
    review = build_review(journal.plan, journal.events(), journal.run_id, hm("06:00"), samples=20)
    journal.close()
    return review


def test_the_review_says_when_the_no_go_stopped_the_night(tmp_path: Path) -> None:
    r = review_of(tmp_path, no_go_night())
    began = r.odds.began
    assert ("no-go", hm("22:57")) in began, began
    stages = [stage for stage, _ in began]
    assert stages[-3:] == ["no-go", "rolling-back", "ended"], began
    at_no_go = next(p for p in r.odds.points if p.at == hm("22:57"))
    assert at_no_go.p_in_window is None  # no odds while the no-go stands


def test_a_go_adds_no_moment_to_the_history(tmp_path: Path) -> None:
    # The go at 22:57, reindex after it: samples every 5 minutes from 22:00 miss 22:57.
    r = review_of(tmp_path, [*no_go_night("go")[:5], *ran("reindex", "22:57", "23:17")])
    assert [p.at for p in r.odds.points if p.at == hm("22:57")] == [], r.odds.points
    assert "no-go" not in [stage for stage, _ in r.odds.began]
