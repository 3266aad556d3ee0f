"""A `clock-jumped` row written by hand (any group member may append to a shared run file)
whose seconds are no jump a host makes (NaN, 1e300, a million years): the fold counts none of
it, so `cutover status`, `verify` and `report` still read the run. Since the fold started
counting jumps against running steps, such a row made every command end in a traceback (NaN)
or 'a time out of range' (the rest), and the run could no longer be read at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from cutover_tui.engine.events import StepStarted
from cutover_tui.journal.store import Journal
from tests.journal_support import at
from tests.test_journal_fold_forged import forge
from tests.test_journal_trust import cutover, run_of

WHEN = at(2).isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("seconds", ["NaN", "Infinity", "1e300", "3.2e13"])
def test_a_forged_jump_out_of_all_reason_leaves_the_run_readable(
    tmp_path: Path, seconds: str
) -> None:
    journal = run_of(tmp_path)
    journal.append(StepStarted(actor="boss", at=at(1), step="slow", key="s"), now=lambda: at(1))
    path = journal.path
    journal.close()
    body = (
        f'{{"type":"clock-jumped","actor":"conductor","at":"{WHEN}","key":"j","seconds":{seconds}}}'
    )
    forge(path, "j", "clock-jumped", body)
    assert Journal(path).state().status["slow"].jumped.total_seconds() == 0
    status = cutover("status", str(path), runs=tmp_path)  # no traceback (asserted there)
    assert status.returncode == 0, status.stderr
    assert "out of range" not in status.stdout + status.stderr
    report = cutover("report", str(path), "--out", str(tmp_path), runs=tmp_path)
    assert "out of range" not in report.stdout + report.stderr
