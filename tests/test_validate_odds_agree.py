"""`cutover validate` states the plan's odds as the war room opens with them.

Regression (user pass, 2026-12-02): validate's forecast line drew the bare three-point ranges
and said "100% inside the window" of the online store, of the 320-step ERP move and of the
logistics plan, while a run of each opened at 73 %, 87 % and 96 %. Up to 5,000 steps the
line is now the war room's own model before the night; above, the estimates alone, said so.
Real plan files, the real CLI, and the odds a real run opens with (`cutover status --json`).
"""

from __future__ import annotations

import shutil

import pytest

from tests.test_rehearsals_odds_agree import ROOT, said, stated, tolerance, war_room_odds


@pytest.mark.parametrize("name", ["online-store.toml", "logistics-dispatch.toml"])
def test_validates_odds_are_the_war_rooms(name: str, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / name
    shutil.copy(ROOT / "plans" / name, plan)
    line = said(capsys, "validate", str(plan))
    assert "as the war room reckons them before the night" in line, line
    opened = war_room_odds(capsys, plan)
    assert abs(stated(line, "forecast") - opened) <= tolerance(opened), (opened, line)
