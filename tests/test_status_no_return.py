"""`cutover status` past the last safe rollback start says so, as the war room does.

Found beside a war room showing "NO RETURN since 04:45": `cutover status` printed "last safe
rollback start 04:45 (in -3d15h12m)", a countdown gone negative.
"""

from __future__ import annotations

from cutover_tui.cli import main
from tests.test_cli_run import begun_last_night, last_night


def test_status_past_the_last_safe_rollback_start_says_no_return(tmp_path, capsys) -> None:
    run, runs = begun_last_night(tmp_path)  # its last safe rollback start is 01:40
    assert main(["do", run, "start", "s0", "--at", last_night(0), "--runs", str(runs)]) == 0
    capsys.readouterr()
    assert main(["status", run, "--at", last_night(230), "--runs", str(runs)]) == 0
    out = capsys.readouterr().out
    assert "(in -" not in out, out
    assert "last safe rollback start 01:40 (passed 10m ago: NO RETURN)" in out, out


def test_status_before_it_still_counts_down(tmp_path, capsys) -> None:
    run, runs = begun_last_night(tmp_path)
    assert main(["do", run, "start", "s0", "--at", last_night(0), "--runs", str(runs)]) == 0
    capsys.readouterr()
    assert main(["status", run, "--at", last_night(200), "--runs", str(runs)]) == 0
    assert "last safe rollback start 01:40 (in 20m)" in capsys.readouterr().out
