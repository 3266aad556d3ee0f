"""A plan that never met its buffer rule is not "slipping" at +0m.

Regression: `cutover status` (and the war room) on a rehearsal of a calibrated plan whose
critical path no longer left the buffer rule's share free said, seconds after the start, AT RISK
"the plan finishes at 04:40 (+0m against the baseline 04:40) ...: slipping": the level counted
any delta above zero, the words round it to whole minutes. Real run file, the real CLI.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.journal.run_lookup import open_run
from tests.test_rehearse_gate_phases import plan_text


def said(capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_seconds_after_the_start_are_not_a_slip(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "tight.toml"
    # 1h30m of critical path in a 4h window: 2h30m free, the 70 % rule wants 2h48m.
    plan.write_text(plan_text().replace("[people.lead]", 'buffer = "70%"\n[people.lead]'))
    run_id = said(capsys, "start", str(plan), "--rehearsal").strip()
    started = open_run(run_id, tmp_path / "runs").state().started_at
    assert started is not None

    def status(seconds: int) -> dict:
        moment = (started + timedelta(seconds=seconds)).isoformat()
        return json.loads(said(capsys, "status", run_id, "--at", moment, "--json"))

    early = status(20)
    [record] = [r for r in early["verdict"]["rules"] if "baseline" in r["text"]]
    assert "(+0m against the baseline" in record["text"]
    assert early["level"] == "on-track" and "slipping" not in record["text"]

    late = status(150)  # two and a half minutes in, nothing started: it has slipped
    [record] = [r for r in late["verdict"]["rules"] if "baseline" in r["text"]]
    assert late["level"] == "at-risk" and "(+2m against the baseline" in record["text"]
    assert record["text"].endswith("slipping, with less than the buffer rule's 2h48m left")
