"""A gate decided at once is no timing in the night's pace: `cutover status` through main().

Regression (close note 13): the warroom plan's gate `go` (5m, approvers alice and sponsor)
decided by both live, seconds apart, was timed by the span between the two decisions, and
`cutover status` said "'go' ran 0.0x its budget, set aside as an outlier". A step started and
completed at one moment is ticked off, not timed (engine/timings.py); so is such a gate now.
"""

from __future__ import annotations

import json
from pathlib import Path

from cutover_tui.cli import main
from tests.test_status_no_go import TO_THE_CHECKPOINT, rehearsal_by_cli

PASSED = ("pass", "backup-ok", 44, "--evidence", "row counts equal")


def test_a_gate_decided_at_once_is_not_a_pace_outlier(tmp_path: Path, capsys) -> None:
    moves = [*TO_THE_CHECKPOINT, PASSED, ("met", "staff-ready", 45)]
    run, runs = rehearsal_by_cli(tmp_path, moves)
    r = ["--runs", str(runs)]
    # Both approvers' go recorded as it happened (no --at), a moment apart.
    assert main(["do", run, "go", "go", *r]) == 0
    assert main(["do", run, "go", "go", "--approver", "sponsor", *r]) == 0
    capsys.readouterr()

    assert main(["status", run, *r]) == 0
    out = capsys.readouterr().out
    [odds] = [line for line in out.splitlines() if " odds: " in line]
    assert "outlier" not in odds and "'go' ran" not in odds, odds
    assert "the 3 steps finished so far" in odds, odds  # freeze, backup, backup-ok

    assert main(["status", run, "--json", *r]) == 0
    [rule] = [
        x for x in json.loads(capsys.readouterr().out)["verdict"]["rules"] if x["rule"] == "odds"
    ]
    assert "outlier" not in rule["text"], rule
