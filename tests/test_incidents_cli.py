"""`cutover do RUN raise|ack|update|assign|severity|resolve|handover` and `cutover incidents RUN
[--json]`, and the incidents in `cutover status`, through the real CLI as the OS user (the
plan's commander) on a real run file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.engine.events import IncidentEscalated
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from tests.incident_support import new_bridge_run


@pytest.fixture
def run(tmp_path: Path, monkeypatch) -> Journal:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path))
    return new_bridge_run(tmp_path)


def do(capsys, run: Journal, *words: str) -> tuple[int, str, str]:
    code = main(["do", run.run_id, *words])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_incident_from_raise_to_resolve(run: Journal, capsys) -> None:
    code, out, _ = do(capsys, run, "raise", "load", "--severity", "SEV1", "--title", "500s")
    assert code == 0
    assert out.splitlines()[1] == "INC-1 SEV1 owned by Rita Resolver (res): acknowledge within 5m"
    assert do(capsys, run, "ack", "INC-1")[0] == 0
    assert do(capsys, run, "update", "1", "--note", "failing over the primary")[0] == 0
    code, out, _ = do(capsys, run, "assign", "inc-1", "--owner", "lead", "--reason", "db")
    assert code == 0 and "INC-1 SEV1 owned by Leo Lead (lead)" in out
    assert do(capsys, run, "severity", "1", "--severity", "sev2", "--reason", "contained")[0] == 0
    assert do(capsys, run, "resolve", "1", "--note", "restarted the pool")[0] == 0
    code, _, err = do(capsys, run, "ack", "1")
    assert code == 1
    assert err.startswith("cutover do: refused: INC-1 was resolved by Cora Commander (cmdr) at ")
    assert main(["incidents", run.run_id, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    [inc] = report["incidents"]
    assert (inc["id"], inc["severity"], inc["owner"], inc["status"]) == (
        "INC-1",
        "sev2",
        "lead",
        "resolved",
    )
    assert inc["resolution"] == "restarted the pool" and inc["ack_sla_met"] is True
    assert (
        inc["time_to_acknowledge_s"] >= 0
        and inc["time_to_resolve_s"] >= inc["time_to_acknowledge_s"]
    )
    assert report["bridge"]["commander"] == ["cmdr"]
    assert main(["verify", run.run_id]) == 0  # every incident event replays through the rules
    assert "OK" in capsys.readouterr().out.upper()


def test_bad_words_are_one_line(run: Journal, capsys) -> None:
    code, _, err = do(capsys, run, "raise", "--title", "500s")
    assert (code, err) == (2, "cutover do: raise needs --severity (sev1 is the worst)\n")
    code, _, err = do(capsys, run, "ack", "first")
    assert (code, err) == (2, "cutover do: 'first' is not an incident: write INC-3 or 3\n")
    code, _, err = do(capsys, run, "raise", "lod", "--severity", "sev1", "--title", "x")
    assert code == 1 and "there is no step 'lod'; did you mean 'load'?" in err
    code, _, err = do(capsys, run, "ack", "7")
    assert code == 1 and "there is no incident INC-7; the run has 0" in err


def test_handing_the_command_over_takes_the_permissions_away(run: Journal, capsys) -> None:
    code, out, _ = do(capsys, run, "handover", "commander", "--owner", "lead", "--reason", "shift")
    assert code == 0 and "role-handed-over" in out
    code, _, err = do(capsys, run, "raise", "--severity", "sev1", "--title", "x")
    assert code == 1
    # cmdr still owns steps, which stay theirs to tick off: not "read-only" (user pass,
    # 2026-12-02), and the "you are" tail says the same as the refusal.
    assert "Cora Commander (cmdr) [no role tonight] may not raise an incident" in err
    # "[no role tonight]" said in the refusal, once: the tail says only who the login is
    assert err.endswith(f"(you are {os_login()}: Cora Commander (cmdr))\n")
    assert "read-only" not in err
    code, _, err = do(capsys, run, "handover", "resolver", "--owner", "op", "--reason", "r")
    assert (code, err) == (2, "cutover do: handover needs --from (who hands it over)\n")
    code, _, err = do(
        capsys, run, "handover", "resolver", "--from", "res", "--owner", "op", "--reason", "r"
    )
    assert (
        code == 1
        and "may not hand the resolver role over: only the commander (Leo Lead (lead)) may" in err
    )
    # Every refusal says the same of a person of the plan with no role left (user pass,
    # 2026-12-02: a note and the end called the outgoing commander "not in the plan's people").
    for words in (("note", "--note", "handed over"), ("end", "--outcome", "aborted")):
        code, _, err = do(capsys, run, *words)
        assert code == 1 and "Cora Commander (cmdr) [no role tonight]" in err, err
        assert "not in the plan's people" not in err


def test_incidents_and_status_show_the_open_ones(run: Journal, capsys) -> None:
    do(capsys, run, "raise", "--severity", "sev1", "--title", "orders \x1b[31m down")
    state = run.state()
    incident = state.incidents.incidents[1]
    run.append(  # the conductor's escalation, as if the SLA had passed
        IncidentEscalated(
            actor="conductor", at=incident.raised.at, incident=1, level=1, to="lead", key="e"
        )
    )
    assert main(["incidents", run.run_id]) == 0
    out = capsys.readouterr().out
    assert "commander Cora Commander (cmdr); communicator Cal Comms (comms)" in out
    line = next(line for line in out.splitlines() if "INC-1" in line)
    assert "SEV1" in line and "Rita Resolver (res)" in line and "escalated to lead" in line
    assert "\x1b" not in out and "orders ␛[31m down" in line  # text from a person made inert
    assert main(["status", run.run_id]) == 0
    assert "INC-1" in capsys.readouterr().out
    assert main(["status", run.run_id, "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert [i["id"] for i in status["incidents"]["incidents"]] == ["INC-1"]


def test_an_event_without_a_target_is_said_without_a_double_space(run: Journal, capsys) -> None:
    """Regression: `#2 incident-raised  by cmdr` had two spaces where the step would stand."""
    code, out, _ = do(capsys, run, "raise", "--severity", "SEV3", "--title", "slow search")
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("#") and " incident-raised by " in first and "  " not in first


def test_a_long_title_is_cut_with_a_mark_in_the_listing(run: Journal, capsys) -> None:
    # User pass, 2026-12-02: titles were cut at 60 characters with no sign of the cut.
    title = "check FAILED: HTTP 503 in the checkout service behind the load balancer, twice"
    assert do(capsys, run, "raise", "--severity", "sev3", "--title", title)[0] == 0
    assert main(["incidents", run.run_id]) == 0
    out = capsys.readouterr().out
    assert title[:59] + "…" in out and title not in out


def test_an_unlisted_login_is_said_not_in_the_people_once() -> None:
    """Review (2026-12-02): "you are mallory, not in the plan's [people]; not in the plan's
    people, so read-only"."""
    from cutover_tui.engine.events import RunStarted
    from cutover_tui.engine.state import fold
    from cutover_tui.journal.identity import describe
    from tests.warroom_support import PLAN, T0

    state = fold(PLAN, [RunStarted(actor="alice", at=T0, plan_id="warroom", key="s")])
    said = describe(state, "mallory")
    assert said == "you are mallory, not in the plan's people, so read-only", said
