"""After the night: the plan's [aftercare] validated with located errors; its events checked
(permissions, tolerance, repeats) and recordable after the run ended, nothing else is; the
deadlines from go-live, overdue items, and `cutover do` / `cutover aftercare` end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.engine import events as ev
from cutover_tui.engine.aftercare_status import rows, summary
from cutover_tui.engine.state import Refused, check
from cutover_tui.plan import PlanError, parse_plan
from cutover_tui.plan.aftercare import ValidationCheck
from tests.report_support import (
    after_the_night,
    hm,
    late_night,
    new_journal,
    play,
    shop_plan,
)

ROOT = Path(__file__).resolve().parents[1]


def test_the_shop_plan_loads_its_aftercare() -> None:
    after = parse_plan(shop_plan()).plan.aftercare
    assert after is not None
    assert [c.area for c in after.check] == ["functionality", "performance", "security", "data"]
    assert after.check[1].target() == "800 ms ±20% (lower is better)"
    assert after.handover.hypercare == timedelta(days=14)
    assert after.runbook.within == timedelta(hours=72)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('owner = "sup"\n\n[[aftercare.check]]', 'owner = "supp"\n\n[[aftercare.check]]'),
            "aftercare.check[0].owner: 'supp' is not in [people] (did you mean 'sup'?)",
        ),
        (
            ('area = "security"', 'area = "safety"'),
            "aftercare.check[2].area: 'safety' is not allowed here; expected 'functionality', "
            "'performance', 'security' or 'data'",
        ),
        (
            ('baseline = 800\nunit = "ms"\n', 'unit = "ms"\n'),
            "aftercare.check[1]: a tolerance needs the baseline it is measured against",
        ),
        (
            ('tolerance = "20%"', 'tolerance = "twenty"'),
            "aftercare.check[1].tolerance: 'twenty' is not a percentage; write it like \"25%\"",
        ),
        (
            ('opened_by = "boss"', 'opened_by = "bos"'),
            "aftercare.access[1].opened_by: 'bos' is not in [people] (did you mean 'boss'?)",
        ),
        (
            ('id = "break-glass"', 'id = "vendor-vpn"'),
            "aftercare.access[1].id: duplicate id 'vendor-vpn', already used by aftercare.access[0]",
        ),
        (
            ('close_within = "4h"', 'close_within = "0m"'),
            "aftercare.access[1].close_within: duration '0m' is zero; a deadline must be after go-live",
        ),
        (
            ('team = "Shop support"', 'team = "Shop support"\nteem = "x"'),
            "aftercare.handover.teem: unknown key",
        ),
    ],
)
def test_located_errors(change: tuple[str, str], expected: str) -> None:
    text = shop_plan().replace(*change)
    assert text != shop_plan()
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "shop.toml")
    messages = [str(p) for p in caught.value.problems if p.severity == "error"]
    assert len(messages) == 1, messages
    assert messages[0].startswith("shop.toml:") and messages[0].split(":")[1].isdigit()
    assert messages[0].split(": ", 1)[1].startswith(expected), messages[0]


@given(
    baseline=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    percent=st.integers(min_value=0, max_value=99),
    value=st.floats(min_value=-1e7, max_value=1e7, allow_nan=False),
)
def test_tolerance_is_symmetric_unless_a_direction_is_better(baseline, percent, value) -> None:
    both = ValidationCheck(id="m", area="performance", item="m", owner="o", baseline=baseline,
                           tolerance=f"{percent}%")  # fmt: skip
    lower = both.model_copy(update={"better": "lower"})
    allowance = abs(baseline) * percent / 100
    assert both.within_tolerance(value) == (baseline - allowance <= value <= baseline + allowance)
    assert lower.within_tolerance(value) == (value <= baseline + allowance)
    if both.within_tolerance(value):
        assert lower.within_tolerance(value)  # a direction only ever forgives


# -- the events in a real journal ----------------------------------------------------------


@pytest.fixture
def ended(tmp_path: Path):
    journal = new_journal(tmp_path)
    play(journal, late_night())
    yield journal
    journal.close()


def refusal(journal, event: ev.EventBase) -> str:
    with pytest.raises(Refused) as caught:
        journal.append(event.model_copy(update={"key": "x"}))
    return str(caught.value)


def test_after_the_end_only_the_aftercare_and_remarks_are_taken(ended) -> None:
    assert "the run ended (completed) at 00:41" in refusal(
        ended, ev.StepStarted(actor="boss", at=hm("01:00"), step="backup")
    )
    play(ended, after_the_night())
    state = ended.state()
    assert state.aftercare.handover.actor == "sup"
    assert set(state.aftercare.access) == {"vendor-vpn"}


def test_a_measure_out_of_tolerance_is_a_failure_and_can_be_measured_again(ended) -> None:
    play(
        ended,
        [ev.ValidationRecorded(actor="dba", at=hm("01:00"), check="checkout-p95", value=1100)],
    )
    row = next(r for r in rows(ended.state(), hm("01:30")) if r.id == "checkout-p95")
    assert row.status == "failed"
    assert row.detail.startswith("1100 ms, OUT OF TOLERANCE: 800 ms ±20% (lower is better)")
    play(
        ended, [ev.ValidationRecorded(actor="dba", at=hm("02:00"), check="checkout-p95", value=700)]
    )
    row = next(r for r in rows(ended.state(), hm("02:30")) if r.id == "checkout-p95")
    assert row.status == "passed" and row.detail.startswith("700 ms, within 800 ms")
    again = ev.ValidationRecorded(actor="dba", at=hm("02:10"), check="checkout-p95", value=650)
    assert refusal(ended, again) == (
        "'checkout-p95' already passed, recorded by Dee Ay (dba) at 02:00"
    )


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            ev.ValidationRecorded(actor="sup", at=hm("01:00"), check="checkout-p95", value=1),
            "Sue Port (sup) may not record validation item 'checkout-p95': only the commander "
            "(Bea Boss (boss)) or Dee Ay (dba) may",
        ),
        (
            ev.HandoverAccepted(actor="boss", at=hm("01:00")),
            "Bea Boss (boss) may not accept the handover: only its receiving owner, "
            "Sue Port (sup), may",
        ),
        (
            ev.AccessClosed(actor="wat", at=hm("01:00"), access="vendor-vpn"),
            "Walt Watcher (wat) may not close access 'vendor-vpn': only the commander "
            "(Bea Boss (boss)) or "
            "Dee Ay (dba) may",
        ),
        (
            ev.ValidationRecorded(actor="dba", at=hm("01:00"), check="checkout-p95"),
            "'checkout-p95' is a measure: give the value measured (--value), against 800 ms "
            "±20% (lower is better)",
        ),
        (
            ev.ValidationRecorded(actor="sup", at=hm("01:00"), check="login-works", value=3),
            "'login-works' is pass/fail, not a measure: record it without --value",
        ),
        (
            ev.ValidationRecorded(actor="sup", at=hm("01:00"), check="login-works", passed=False),
            "a failed 'login-works' needs a note saying what was seen (--note)",
        ),
        (
            ev.AccessClosed(actor="boss", at=hm("01:00"), access="vendor-vnp"),
            "there is no temporary access 'vendor-vnp'; did you mean 'vendor-vpn'?",
        ),
        (
            ev.RunbookUpdated(actor="dba", at=hm("01:00"), note=" "),
            "say what changed in the runbook and where it lives (--note)",
        ),
        (
            ev.NoteAdded(actor="boss", at=hm("01:00"), kind="info", text="x", remark="went-well"),
            "the run ended (completed) at 00:41; it takes only review "
            "remarks (cutover do RUN note --kind review --note ...), what is done after the night "
            "(cutover do RUN validated|close-access|accept-handover|runbook-updated ...), the open "
            "incidents' updates and resolution, and a rehearsal's exclusion",
        ),
    ],
)
def test_refusals_name_who_and_why(ended, event, expected) -> None:
    assert refusal(ended, event) == expected


def test_repeats_name_who_did_it_first(ended) -> None:
    play(ended, after_the_night())
    assert refusal(ended, ev.AccessClosed(actor="boss", at=hm("05:30"), access="vendor-vpn")) == (
        "'vendor-vpn' was already closed by Dee Ay (dba) at 02:30"
    )
    assert refusal(ended, ev.HandoverAccepted(actor="sup", at=hm("05:30"))) == (
        "the handover was already accepted by Sue Port (sup) at 03:00"
    )


def test_a_rolled_back_run_hands_nothing_over(tmp_path: Path) -> None:
    from tests.report_support import rolled_back_night

    journal = new_journal(tmp_path)
    play(journal, rolled_back_night())
    assert refusal(journal, ev.HandoverAccepted(actor="sup", at=hm("02:00"))) == (
        "the run did not go live (rolled back or aborted): there is nothing to hand over"
    )
    play(journal, [ev.AccessClosed(actor="boss", at=hm("02:00"), access="break-glass")])
    journal.close()


def test_a_plan_without_aftercare_says_so(tmp_path: Path) -> None:
    journal = new_journal(tmp_path, shop_plan(extra=""))
    play(journal, late_night())
    assert refusal(journal, ev.AccessClosed(actor="boss", at=hm("01:00"), access="vpn")) == (
        "this plan has no [aftercare] part: nothing is tracked after the night"
    )
    assert summary(journal.state(), hm("09:00")) is None
    journal.close()


def test_deadlines_start_at_go_live_and_an_open_access_turns_the_summary_red(ended) -> None:
    play(ended, after_the_night())
    state = ended.state()
    early = summary(state, hm("04:00"))
    assert early == ("after the night: 6/8 done", False)
    text, red = summary(state, hm("04:42"))  # break-glass: 4h after 00:41
    assert red and text == "after the night: 6/8 done, 1 OVERDUE (break-glass)"
    late = {r.id: r for r in rows(state, hm("04:42"))}
    assert late["break-glass"].overdue and not late["vendor-vpn"].overdue
    assert late["admin-mfa"].due == hm("00:41") + timedelta(hours=24)
    assert late["runbook"].status == "updated"


def test_before_the_end_nothing_is_due(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    play(journal, late_night()[:4])
    assert summary(journal.state(), hm("23:00")) == (
        "after the night: 0/8 done (deadlines start at go-live)",
        False,
    )
    journal.close()


def test_validation_and_the_handover_wait_for_go_live(tmp_path: Path) -> None:
    # Regression (user pass, 2026-12-02): a validation "passed" mid-night stood in for the real
    # result after go-live (refused then as "already passed"), and a handover accepted
    # mid-night stayed accepted after the night rolled back.
    journal = new_journal(tmp_path)
    play(journal, late_night()[:4])  # under way
    said = "is recorded after go-live, once the run has ended; during the night a check is"
    early = ev.ValidationRecorded(actor="dba", at=hm("23:00"), check="checkout-p95", value=700)
    assert refusal(journal, early) == f"validation item 'checkout-p95' {said} a checkpoint"
    handover = ev.HandoverAccepted(actor="sup", at=hm("23:00"), note="rota briefed")
    assert refusal(journal, handover) == f"the handover {said} a checkpoint"
    # Closing a temporary access and the runbook are not tied to go-live.
    journal.append(ev.AccessClosed(actor="boss", at=hm("23:00"), access="vendor-vpn", key="a"))
    journal.close()


# -- the CLI, as a person types it ---------------------------------------------------------


def cutover(*args: str, runs: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "CUTOVER_RUNS": str(runs)},
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def test_cutover_do_and_aftercare_end_to_end(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)  # the test's login is boss, the commander
    play(journal, late_night())
    run = journal.run_id
    journal.close()
    failed = cutover("do", run, "validated", "checkout-p95", "--value", "1200", runs=tmp_path)
    assert failed.returncode == 0, failed.stderr
    closed = cutover("do", run, "close-access", "break-glass", "--note", "disabled", runs=tmp_path)
    assert closed.returncode == 0, closed.stderr
    again = cutover("do", run, "close-access", "break-glass", runs=tmp_path)
    assert again.returncode == 1
    assert "'break-glass' was already closed by Bea Boss (boss) at" in again.stderr
    handover = cutover("do", run, "accept-handover", runs=tmp_path)
    assert "may not accept the handover: only its receiving owner, Sue Port (sup), may" in (
        handover.stderr
    )
    bad = cutover("do", run, "validated", "checkout-p95", "--value", "fast", runs=tmp_path)
    assert bad.returncode == 2 and "invalid number value: 'fast'" in bad.stderr
    listing = cutover("aftercare", run, runs=tmp_path)  # days after the night: all overdue
    assert listing.returncode == 1, listing.stdout
    lines = listing.stdout.splitlines()
    assert lines[0].startswith(
        f"{run}: after the night: 1/8 done, 1 failed (checkout-p95), 7 OVERDUE"
    )
    p95 = next(line for line in lines[1:] if "checkout-p95" in line)
    assert "failed" in p95 and "1200 ms, OUT OF TOLERANCE: 800 ms ±20%" in p95 and "OVERDUE" in p95
    assert "OVERDUE" not in next(line for line in lines[1:] if "break-glass" in line)
    status = cutover("status", run, runs=tmp_path)
    assert "  ■ after the night: 1/8 done, 1 failed (checkout-p95), 7 OVERDUE" in status.stdout


def test_validate_summarises_the_aftercare(tmp_path: Path, capsys) -> None:
    from cutover_tui.cli import main

    path = tmp_path / "shop.toml"
    path.write_text(shop_plan(), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert (
        "  after      4 checks (functionality, performance, security, data); 2 temporary "
        "accesses to close; handover to Shop support, 14 days of hypercare; runbook within 72 hours"
    ) in capsys.readouterr().out


_OWNERS = {
    "login-works": "sup",
    "checkout-p95": "dba",
    "admin-mfa": "boss",
    "order-counts": "dba",
    "vendor-vpn": "dba",
    "break-glass": "boss",
    "runbook": "dba",
    "handover": "sup",
    "no-such": "boss",
}


@st.composite
def after_events(draw) -> ev.EventBase:
    """Mostly what an owner would record (so passes, failures and repeats all happen), with
    strangers, watchers, wrong words and unknown ids among them."""
    kind = draw(st.sampled_from(["check", "check", "check", "access", "handover", "runbook"]))
    target = {
        "check": st.sampled_from(
            ["login-works", "checkout-p95", "order-counts", "admin-mfa", "no-such"]
        ),
        "access": st.sampled_from(["vendor-vpn", "break-glass", "no-such"]),
    }.get(kind, st.just(kind))
    item = draw(target)
    actor = draw(st.sampled_from([_OWNERS[item]] * 3 + ["boss", "wat", "stranger"]))
    at = hm("01:00") + timedelta(minutes=draw(st.integers(0, 600)))
    key = draw(st.uuids()).hex
    if kind == "check":
        measured = item in ("checkout-p95", "order-counts")
        near = st.sampled_from([700.0, 960.0, 1100.0, 10000.0, 9999.0])
        value = draw(near | st.floats(-1e4, 1e5, allow_nan=False) if measured else st.none())
        passed = None if measured else draw(st.sampled_from([True, True, False, None]))
        note = draw(st.sampled_from(["", "seen"]))
        return ev.ValidationRecorded(actor=actor, at=at, key=key, check=item, value=value,
                                     passed=passed, note=note)  # fmt: skip
    if kind == "access":
        return ev.AccessClosed(actor=actor, at=at, key=key, access=item)
    if kind == "handover":
        return ev.HandoverAccepted(actor=actor, at=at, key=key)
    return ev.RunbookUpdated(actor=actor, at=at, key=key, note=draw(st.sampled_from(["", "v2"])))


def _ended_state():
    from cutover_tui.engine.state import fold

    started = ev.RunStarted(actor="boss", at=hm("22:00"), plan_id="shop", key="go")
    events = [started, *late_night()]
    events = [e if e.key else e.model_copy(update={"key": f"k{n}"}) for n, e in enumerate(events)]
    return fold(parse_plan(shop_plan()).plan, events)


@settings(max_examples=80, deadline=None)
@given(st.lists(after_events(), max_size=30))
def test_any_sequence_after_the_night_keeps_its_invariants(events) -> None:
    from cutover_tui.engine.state import apply

    state = _ended_state()
    for event in sorted(events, key=lambda e: e.at):
        passed_before = {
            item: e
            for item, e in state.aftercare.checks.items()
            if rows_status(state, item) == "passed"
        }
        closed_before = dict(state.aftercare.access)
        reason = check(state, event)
        if reason is not None:
            assert reason.strip() and "\n" not in reason  # one line, naming why
            continue
        apply(state, event)
        target = getattr(event, "check", None) or getattr(event, "access", None)
        if event.type == "handover-accepted":
            assert event.actor == "sup"  # only the receiving owner
        else:
            assert event.actor in ("boss", _OWNERS[target or "runbook"])
        for item, earlier in passed_before.items():  # a passed item is never recorded again
            assert state.aftercare.checks[item] is earlier, f"{item} re-recorded after it passed"
        for access, first in closed_before.items():
            assert state.aftercare.access[access] is first  # closed once, by the first
    all_rows = rows(state, hm("00:41") + timedelta(days=4))  # past every deadline
    assert len(all_rows) == 8 and all(r.overdue == (not r.done) for r in all_rows)


def rows_status(state, item: str) -> str:
    return next(r.status for r in rows(state, hm("02:00")) if r.id == item)
