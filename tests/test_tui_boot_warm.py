"""The boot's worker makes the run's plan and state template off the UI thread
(cli/warroom_boot.warm_war_room): the open that follows on the UI thread finds them made.

Regression (issue 14): at 20,000 steps the open on the UI thread parsed the stored plan and
built its template (about 1.3 s) while the sketch's clock stood still and keys were held.
"""

from __future__ import annotations

from pathlib import Path

from cutover_tui.cli.warroom_boot import prepare_war_room, warm_war_room
from cutover_tui.engine import compact
from cutover_tui.journal import stored_plan
from cutover_tui.journal.store import Journal
from tests.boot_support import run_file


def test_the_open_after_the_warm_up_parses_no_plan_and_builds_no_template(
    tmp_path: Path,
) -> None:
    path = run_file(tmp_path)
    stored_plan._stored_plan.cache_clear()
    prepare_war_room(path)  # what the boot's worker runs: the imports, then the warm-up
    warmed = stored_plan._stored_plan.cache_info()
    assert warmed.misses == 1 and warmed.currsize == 1
    journal = Journal(path)  # the open, as on the UI thread
    try:
        opened = stored_plan._stored_plan.cache_info()
        assert opened.misses == warmed.misses and opened.hits > warmed.hits
        assert id(journal.plan) in compact._TEMPLATES
    finally:
        journal.close()


def test_a_missing_or_damaged_file_is_left_to_the_open(tmp_path: Path) -> None:
    warm_war_room(tmp_path / "gone.db")
    assert not (tmp_path / "gone.db").exists(), "the warm-up creates nothing"
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database at all" * 100)
    warm_war_room(damaged)  # says nothing: the open says what is wrong
    assert damaged.read_bytes() == b"not a database at all" * 100
