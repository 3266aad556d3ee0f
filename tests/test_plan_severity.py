"""The severity scale, escalation chains and `[incidents]`: loaded, defaulted, validated with
located errors, and the chain an incident follows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.plan import PlanError, parse_plan
from cutover_tui.plan.severity import chain_for, severities

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
roles = ["resolver"]
team = "dba"
escalates_to = "carol"
[people.carol]
name = "Carol"
roles = ["resolver"]
team = "dba"
[people.dan]
name = "Dan"
roles = ["resolver"]
team = "net"
[[step]]
id = "a"
title = "A"
owner = "bob"
duration = "10m"
"""

SCALE = """
[[severity]]
id = "sev1"
name = "Critical"
respond = "5m"
update = "15m"
chain = ["dan"]
[[severity]]
id = "sev2"
name = "Major"
respond = "15m"
update = "30m"
[[escalation]]
team = "net"
chain = ["dan", "bob"]
[incidents]
rollback_trigger = "sev1"
alert_trigger = "sev2"
failed_checkpoint = "sev2"
"""


def test_defaults_are_sev1_to_sev4() -> None:
    plan = parse_plan(BASE).plan
    assert [(s.label, s.name, s.respond, s.update) for s in severities(plan)] == [
        ("SEV1", "Critical", timedelta(minutes=5), timedelta(minutes=15)),
        ("SEV2", "Major", timedelta(minutes=15), timedelta(minutes=30)),
        ("SEV3", "Minor", timedelta(minutes=30), timedelta(hours=1)),
        ("SEV4", "Low", timedelta(hours=1), timedelta(hours=2)),
    ]


def test_a_written_scale_replaces_the_defaults_and_chains_follow_it() -> None:
    plan = parse_plan(BASE + SCALE).plan
    assert [s.label for s in severities(plan)] == ["SEV1", "SEV2"]
    # the severity's chain first; then the team's; then escalates_to links; the commander last
    assert chain_for(plan, "carol", "sev1", "alice") == ["carol", "dan", "alice"]
    assert chain_for(plan, "dan", "sev2", "alice") == ["dan", "bob", "alice"]
    assert chain_for(plan, "bob", "sev2", "alice") == ["bob", "carol", "alice"]
    assert chain_for(plan, None, "sev2", "alice") == ["alice"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('chain = ["dan"]', 'chain = ["dann"]'),
            "severity[0].chain[0]: 'dann' is not in [people] (did you mean 'dan'?)",
        ),
        (
            ('team = "net"\nchain', 'team = "nett"\nchain'),
            "escalation[0].team: no person is in team 'nett' (did you mean 'net'?)",
        ),
        (
            ('chain = ["dan", "bob"]', 'chain = ["dan", "rob"]'),
            "escalation[0].chain[1]: 'rob' is not in [people] (did you mean 'bob'?)",
        ),
        (
            ('alert_trigger = "sev2"', 'alert_trigger = "sev3"'),
            "incidents.alert_trigger: unknown severity 'sev3' (the plan's levels: sev1, sev2) "
            "(did you mean 'sev2'?)",
        ),
        (
            (
                "[[escalation]]",
                '[[severity]]\nid = "sev2"\nname = "Again"\nrespond = "1m"\nupdate = "1m"\n[[escalation]]',
            ),
            "severity[2].id: duplicate severity 'sev2', already severity[1]",
        ),
        (
            ('respond = "5m"', 'respond = "0m"'),
            "severity[0].respond: duration '0m' is zero; an SLA must be positive",
        ),
        (
            ('update = "30m"', 'update = "2d"'),
            "severity[1].update: duration '2d' is longer than a day, the longest an SLA may be",
        ),
    ],
)
def test_located_errors(change: tuple[str, str], expected: str) -> None:
    text = (BASE + SCALE).replace(*change, 1)
    assert text != BASE + SCALE
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "p.toml")
    messages = [str(p) for p in caught.value.problems if p.severity == "error"]
    assert len(messages) == 1, messages
    assert messages[0].split(": ", 1)[1] == expected
    assert messages[0].startswith("p.toml:") and messages[0].split(":")[1].isdigit()


NAMES = st.sampled_from(["alice", "bob", "carol", "dan", None])


@settings(max_examples=200, deadline=None)
@given(NAMES, st.sampled_from(["sev1", "sev2", "sev9"]), NAMES)
def test_a_chain_starts_with_the_owner_ends_with_the_commander_and_repeats_nobody(
    owner, severity, commander
) -> None:
    plan = parse_plan(BASE + SCALE).plan
    chain = chain_for(plan, owner, severity, commander)
    assert len(chain) == len(set(chain))
    if owner:
        assert chain[0] == owner
    if commander:
        assert chain[-1] == commander or commander == owner


def test_export_says_the_incident_tables_stay_in_the_plan(tmp_path, capsys) -> None:
    """No sheet holds [[severity]], [[escalation]] or [incidents]: export names them."""
    from cutover_tui.cli import main

    path = tmp_path / "p.toml"
    path.write_text(BASE + SCALE)
    assert main(["export", str(path), "--csv", "--out", str(tmp_path / "s.csv")]) == 0
    out = capsys.readouterr().out
    assert "not in any sheet" in out
    assert "2 severity levels, 1 escalation chain, [incidents]" in out
