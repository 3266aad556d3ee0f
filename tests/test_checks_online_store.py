"""The bundled online-store plan's smoke tests check themselves: its checks run for real
against plans/fake_shop.py on loopback, by the real conductor, in a run started with
`cutover start --var shop=...` as the commander's OS user."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import CheckpointFailed, RunStarted
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan
from cutover_tui.rehearse.simulate import SimulatedNight
from cutover_tui.rehearse.simulate_drive import play_until
from tests.shop_support import PLAN, SMOKE, NightDriver, commanded_by_me, fake_shop, start_run


def test_validate_lists_the_smoke_checks_at_the_shops_address(capsys) -> None:
    assert main(["validate", str(PLAN)]) == 0
    out = capsys.readouterr().out
    assert "checks: 3 run by the conductor, 2 when asked (cutover check); as the OS user" in out
    assert (
        "after the night sku-count (when asked): GET https://www.example-shop.co.uk/catalogue/stats"
        in out
    )
    assert "checkpoint smoke-search: GET https://shop.newplatform.example/search?q=mug" in out
    assert "checkpoint smoke-add-to-cart: GET https://shop.newplatform.example/cart/add" in out
    assert "checkpoint smoke-checkout: GET https://shop.newplatform.example/checkout" in out


def test_the_nights_smoke_checks_pass_against_the_fake_shop(tmp_path: Path) -> None:
    with fake_shop() as shop:
        base = f"http://127.0.0.1:{shop.server_address[1]}"
        journal = start_run(tmp_path, "--var", f"shop={base}")
        assert f'shop = "{base}"  # set at run start' in journal.meta["plan_text"]
        night = NightDriver(journal)
        night.ready()
        night.play_until("smoke-search")
        for sid in SMOKE:
            night.start_step(sid)
            st = night.state().status[sid]
            assert st.status == "done", (sid, st.evidence)
            assert st.finished_by == "conductor" and "check passed" in st.evidence
            assert "HTTP 200" in st.evidence  # the fake shop answered, on loopback
    assert not night.state().fired


def test_a_failing_checkout_fails_its_checkpoint_and_arms_the_trigger_as_by_hand(
    tmp_path: Path,
) -> None:
    with fake_shop(failing=frozenset({"/checkout"})) as shop:
        base = f"http://127.0.0.1:{shop.server_address[1]}"
        night = NightDriver(start_run(tmp_path, "--var", f"shop={base}"))
        night.ready()
        night.play_until("smoke-search")
        for sid in SMOKE:
            night.start_step(sid)
        night.tick()
    state = night.state()
    st = state.status["smoke-checkout"]
    assert st.status == "failed" and st.finished_by == "conductor"
    assert "503" in st.evidence
    assert state.fired["checkout-failed"].action == "alert"
    by_conductor = state.fired["checkout-failed"]

    # The same failure recorded by hand (QA, at the same minute) arms the same trigger.
    hand = NightDriver(start_run(tmp_path / "by-hand", "--no-checks"))  # QA records it
    hand.ready()
    hand.play_until("smoke-search")
    for sid in SMOKE[:2]:
        hand.start_step(sid)
        hand.finish_by_hand(sid)
    hand.start_step("smoke-checkout")
    hand.append(CheckpointFailed(actor="qa", at=hand.now(), step="smoke-checkout", evidence="503"))
    hand.tick()
    by_hand = hand.state().fired["checkout-failed"]
    assert (by_hand.action, by_hand.trigger) == (by_conductor.action, by_conductor.trigger)


def test_an_unreachable_shop_fails_each_check_with_the_reason(tmp_path: Path) -> None:
    with fake_shop() as shop:  # a port that was a shop a moment ago: nothing listens now
        base = f"http://127.0.0.1:{shop.server_address[1]}"
    night = NightDriver(start_run(tmp_path, "--var", f"shop={base}"))
    night.ready()
    night.play_until("smoke-search")
    night.start_step("smoke-search")
    st = night.state().status["smoke-search"]
    assert st.status == "failed" and st.finished_by == "conductor"
    assert "check FAILED" in st.evidence and "refused" in st.evidence.lower()


def test_no_checks_runs_none_and_the_smoke_tests_wait_for_a_person(tmp_path: Path) -> None:
    night = NightDriver(start_run(tmp_path, "--no-checks"))  # the shop's real address
    night.ready()
    night.play_until("smoke-search")
    night.start_step("smoke-search")
    night.tick()
    assert night.state().status["smoke-search"].status == "running"


def test_a_var_the_plan_lacks_is_refused_in_one_line(tmp_path: Path, capsys) -> None:
    runs = tmp_path / "runs"
    code = main(["start", str(PLAN), "--rehearsal", "--runs", str(runs), "--var", "shp=x"])
    err = capsys.readouterr().err
    assert code != 0 and "shp" in err and len(err.strip().splitlines()) == 1
    assert not list(runs.glob("*.db"))


def test_a_simulated_night_draws_the_smoke_checks_outcomes_and_runs_none(tmp_path: Path) -> None:
    """Even with a conductor whose login started the run (the one that would run checks), a
    simulated night draws each smoke check's outcome as it draws durations: nothing is sent
    to the shop's real address, and the evidence says so."""
    loaded = load_plan(commanded_by_me(tmp_path))
    journal = Journal.create(tmp_path, loaded, rehearsal=True, created_by=os_login())
    start = loaded.plan.window.start
    journal.append(
        RunStarted(
            actor="alice",
            at=start,
            plan_id="online-store",
            mode="rehearsal",
            simulated=True,
            key="go",
        ),
        now=lambda: start,
    )
    clock = FixedClock(start)
    conductor = Conductor(Journal(journal.path), clock, holder="test")
    night = SimulatedNight(journal.plan, seed=5)
    now = start
    while journal.state().phase != "ended" and now < start + timedelta(hours=20):
        now += timedelta(minutes=10)  # a clock advanced by hand: nothing sleeps
        clock.set(now)
        play_until(journal, night, "alice", now)
        conductor.tick()
    results = [e for e in journal.events() if getattr(e, "step", None) in SMOKE]
    results = [e for e in results if e.type.startswith("checkpoint-")]
    assert results and all(e.actor != "conductor" for e in results)
    for event in results:
        assert (
            "check outcome drawn, not run (GET https://shop.newplatform.example/" in event.evidence
        )


def test_cutover_simulate_says_the_checks_are_drawn(tmp_path: Path, capsys) -> None:
    args = ["simulate", str(PLAN), "--headless", "--seed", "3", "--speed", "1000000"]
    assert main([*args, "--runs", str(tmp_path)]) == 0
    first = capsys.readouterr().err.splitlines()[0]
    assert "3 checks' outcomes drawn, nothing run against the real systems" in first


def test_cutover_run_says_a_bad_var_in_one_line_and_starts_nothing(tmp_path: Path, capsys) -> None:
    runs = tmp_path / "runs"
    args = ["run", str(PLAN), "--rehearsal", "--var", "shp=x", "--runs", str(runs)]
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "cutover run: --var shp: the plan's [vars] has no 'shp' (it has: live, shop); "
        "did you mean 'shop'?"
    )
    assert not list(runs.glob("*.db"))
