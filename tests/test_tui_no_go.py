"""The war room's status line and toasts after a NO GO at a gate (engine/verdict_nogo.py).

Regression (hostile user pass, 2026-12-02): after a no-go the status line kept
"● ON TRACK · likely … · 87% in window" and nothing on screen said anything of the gate.
"""

from __future__ import annotations

from cutover_tui.engine.events import CheckpointPassed, GateDecided, ReadinessMarked
from tests.warroom_support import at, notices, settle, through_backup, war_room

SIZE = (160, 48)


def status(app) -> str:
    return app.query_one("StatusBar").plain


async def test_a_no_go_turns_the_status_line_to_no_go_and_says_so_once() -> None:
    events = [
        *through_backup(),
        CheckpointPassed(actor="dba", at=at(44), step="backup-ok", evidence="ok"),
        ReadinessMarked(actor="carol", at=at(30), item="staff-ready", status="met"),
    ]
    app = war_room("alice", events, at(45))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "ON TRACK" in status(app))
        no_go = GateDecided(
            actor="alice",
            at=at(46),
            step="go",
            approver="alice",
            decision="no-go",
            reason="backup set incomplete",
            key="ng",
        )
        app.source.submit(no_go)
        app.clock.set(at(47))
        app.poll_journal()
        await settle(pilot, lambda: "NO GO · go" in status(app))
        line = status(app)
        assert "ON TRACK" not in line and "in window" not in line, line
        assert "rollback now: back 23:27" in line and "buffer" not in line, line
        await settle(pilot, lambda: any(n.startswith("NO GO at") for n in notices(app)))
        said = [n for n in notices(app) if n.startswith("NO GO at Go / no-go")]
        assert len(said) == 1 and said[0].endswith("roll back or end the run"), notices(app)
        titles = [n.title for n in app._notifications]
        assert "NO GO" in titles and "Window breach likely" not in titles, titles
