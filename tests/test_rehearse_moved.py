"""A rehearsal whose file says it moved to PostgreSQL (`cutover migrate`, journal/moved.py) is
left out of the plan's rehearsal history, and said: its file stopped at the move, so it is not
the whole rehearsal. Stop note (2026-12-03): `cutover rehearsals`, calibrate and the war
room's prior counted the stale file as if it were. A real migrate, to the tests' own
PostgreSQL server; the real CLI in this process (tests/test_rehearse_history.py's `cli`)."""

from __future__ import annotations

from pathlib import Path

from cutover_tui.rehearse.prior_history import counted_summaries
from tests.fitted_text import joined
from tests.test_moved_readers import migrated
from tests.test_rehearse_history import STEPS, cli, plan_file, rehearsal_file  # noqa: F401


def test_a_moved_rehearsal_is_left_out_of_the_history_and_said(
    postgres_url: str,
    tmp_path: Path,
    cli,  # noqa: F811
) -> None:
    plan = plan_file(tmp_path)
    runs = tmp_path / "runs"
    good = rehearsal_file(runs, plan, dict.fromkeys(STEPS, 12.0))
    half = rehearsal_file(runs, plan, {"s0": 45.0})  # moved after its first step
    # Counted while it is here, and so remembered by this user's memo: not after the move.
    assert [s.run_id for s in counted_summaries(runs, "jt")] == [good.run_id, half.run_id]
    good.close()
    migrated(tmp_path, postgres_url, half)
    for _ in range(2):  # folded, then from the memo
        assert [s.run_id for s in counted_summaries(runs, "jt")] == [good.run_id]
    report, _ = cli("rehearsals", str(plan))
    assert "1 rehearsal(s)" in report
    (line,) = [x for x in joined(report).splitlines() if half.run_id in x]  # fitted to 80
    assert line.startswith(f"left out: {half.run_id} MOVED to postgresql://"), line
    assert line.endswith("its file is not the whole rehearsal"), line
    shown, _ = cli("calibrate", str(plan), "--out", str(tmp_path / "cal.toml"))
    assert "1 rehearsal(s) counted" in shown
    row = next(x for x in shown.splitlines() if x.strip().startswith("s0"))
    assert row.split()[3] == "12m"  # what the good rehearsal took, not the moved one's 45
