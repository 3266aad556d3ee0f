"""A title longer than the terminal is cut with an ellipsis on the status line, in the boot's
sketch and in the war room (tui/boot.py Line, tui/widgets/status.py Cell).

Regression (issue 14, the boot's hostile review): at 80 columns a 10,000-character title
vanished whole, "cutover · LIVE ·" and then nothing: the cell wrapped the one long word onto
a second line that its height of 1 hides.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from cutover_tui.engine.events import RunStarted
from cutover_tui.journal.backend import create_at
from cutover_tui.journal.first_facts import read_first_facts
from cutover_tui.journal.identity import os_login
from cutover_tui.plan import parse_plan
from cutover_tui.tui.boot import WarRoomBoot
from tests.boot_support import taken_over
from tests.journal_support import at, plan_text
from tests.warroom_support import settle

TITLE = "L" * 9_997 + "END"


def long_titled_run(directory: Path) -> Path:
    text = plan_text(150).replace('title = "Journal test"', f'title = "{TITLE}"', 1)
    journal = create_at(directory, parse_plan(text, name="jt.toml"), rehearsal=False,
                        created_by=os_login())  # fmt: skip
    journal.append(RunStarted(actor="boss", at=at(0), plan_id="jt", key=uuid.uuid4().hex))
    journal.close()
    return journal.path


def _row(app, y: int) -> str:
    strips = app.screen._compositor.render_strips()
    return "".join(segment.text for segment in strips[y])


async def test_a_long_title_is_cut_not_hidden_at_80_columns(tmp_path: Path) -> None:
    from cutover_tui.cli.warroom_boot import prepare_war_room
    from cutover_tui.cli.warroom_commands import war_room_parts

    path = long_titled_run(tmp_path)
    facts = read_first_facts(path, time.time())
    assert facts is not None and facts.title == TITLE

    def open_war_room():
        from cutover_tui.journal.store import Journal

        return war_room_parts(Journal(path), read_only=False)

    app = WarRoomBoot(facts, open_war_room, prepare=lambda: prepare_war_room(path),
                      login="tester")  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: "LLLL" in _row(app, 0) or taken_over(app))
        if not taken_over(app):  # the sketch, seen before the war room took over
            assert "LLLL…" in _row(app, 0), _row(app, 0)
        await settle(pilot, lambda: taken_over(app))
        await settle(pilot, lambda: "LLLL" in _row(app, 0))
        assert "LLLL…" in _row(app, 0), _row(app, 0)
