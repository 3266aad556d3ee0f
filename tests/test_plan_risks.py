"""The risk register ([[risk]]) and RACI per step: validated with located errors, summarised."""

from __future__ import annotations

from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.plan import PlanError, parse_plan

BASE = """format = 1
[plan]
id = "p"
title = "P"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T06:00:00
[people.alice]
name = "Alice"
roles = ["commander"]
[people.bob]
name = "Bob"
[[audience]]
id = "managers"
name = "Managers"
email = ["m@example.com"]
[[step]]
id = "a"
title = "A"
owner = "alice"
duration = "10m"
accountable = "bob"
consulted = ["bob"]
informed = ["managers", "alice"]
[[step]]
id = "b"
title = "B"
owner = "bob"
duration = "10m"
after = ["a"]
[[trigger]]
id = "b-stuck"
step = "b"
condition = "running-over"
limit = "20m"
"""

RISK = """
[[risk]]
id = "slow"
risk = "B runs slow"
likelihood = "medium"
impact = "high"
owner = "alice"
mitigation = "a second loader"
steps = ["b"]
triggers = ["b-stuck"]
"""


def test_risk_and_raci_load() -> None:
    plan = parse_plan(BASE + RISK).plan
    assert plan.risk[0].triggers == ["b-stuck"] and plan.risk[0].status == "open"
    assert plan.step[0].accountable == "bob" and plan.step[0].informed == ["managers", "alice"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('owner = "alice"\nmitigation', 'owner = "alicia"\nmitigation'),
            "risk[0].owner: risk 'slow' is owned by 'alicia', who is not in [people] (did you mean 'alice'?)",
        ),
        (
            ('steps = ["b"]', 'steps = ["bb"]'),
            "risk[0].steps[0]: unknown step 'bb' (did you mean 'b'?)",
        ),
        (
            ('triggers = ["b-stuck"]', 'triggers = ["b-stuk"]'),
            "risk[0].triggers[0]: unknown trigger 'b-stuk' (did you mean 'b-stuck'?)",
        ),
        (
            ('likelihood = "medium"', 'likelihood = "likely"'),
            "risk[0].likelihood: 'likely' is not allowed here; expected 'low', 'medium' or 'high'",
        ),
        (
            ('accountable = "bob"', 'accountable = "rob"'),
            "step[0].accountable: 'rob' (accountable for 'a') is not in [people] (did you mean 'bob'?)",
        ),
        (
            ('consulted = ["bob"]', 'consulted = ["bobby"]'),
            "step[0].consulted[0]: 'bobby' (consulted on 'a') is not in [people] (did you mean 'bob'?)",
        ),
        (
            ('informed = ["managers", "alice"]', 'informed = ["manager", "alice"]'),
            "step[0].informed[0]: 'manager' (informed of 'a') is neither in [people] nor an audience (did you mean 'managers'?)",
        ),
    ],
)
def test_located_errors(change: tuple[str, str], expected: str) -> None:
    text = (BASE + RISK).replace(*change)
    assert text != BASE + RISK
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "p.toml")
    messages = [str(p) for p in caught.value.problems if p.severity == "error"]
    assert len(messages) == 1, messages
    assert messages[0].split(": ", 1)[1] == expected
    assert messages[0].startswith("p.toml:") and messages[0].split(":")[1].isdigit()


def test_high_impact_without_mitigation_is_a_warning() -> None:
    loaded = parse_plan(BASE + RISK.replace('mitigation = "a second loader"\n', ""))
    assert [w.message for w in loaded.warnings] == [
        "risk 'slow' is open with a high impact and no mitigation"
    ]


def test_validate_shows_the_register(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.toml"
    path.write_text(BASE + RISK, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert (
        "  risks      1 in the register, 1 open; worst slow (medium likelihood, high impact); "
        "arming triggers b-stuck"
    ) in out


def test_risks_by_trigger_lists_the_live_risks_arming_each() -> None:
    from cutover_tui.plan.risks import risks_by_trigger

    closed = RISK.replace('id = "slow"', 'id = "old"') + 'status = "closed"\n'
    plan = parse_plan(BASE + RISK + closed).plan
    assert {k: [r.id for r in v] for k, v in risks_by_trigger(plan).items()} == {
        "b-stuck": ["slow"]
    }
