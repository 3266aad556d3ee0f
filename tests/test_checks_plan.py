"""The bundled plans/shop-smoke-checks.toml, its night's checks run for real against the fake
shop (plans/fake_shop.py) on loopback by the real conductor; `cutover validate` lists them."""

from __future__ import annotations

import importlib.util
import threading
import uuid
from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import RunStarted, StepCompleted, StepStarted
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.journal_support import at

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "shop-smoke-checks.toml"


def fake_shop():
    spec = importlib.util.spec_from_file_location("fake_shop", ROOT / "plans" / "fake_shop.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = module.make_server(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_validate_lists_every_command_the_plan_will_run(capsys) -> None:
    assert main(["validate", str(PLAN)]) == 0
    out = capsys.readouterr().out
    assert "checks: 7 run by the conductor; as the OS user that started the run" in out
    assert "checkpoint orders-migrated: run python3 -c" in out
    assert "probe shop every 15s: GET http://127.0.0.1:8765/health" in out


def test_the_nights_checks_pass_against_the_fake_shop_and_the_probe_fires_when_it_stops(
    tmp_path: Path,
) -> None:
    server = fake_shop()
    port = server.server_address[1]
    text = (
        PLAN.read_text()
        .replace("127.0.0.1:8765", f"127.0.0.1:{port}")
        .replace("port = 8765", f"port = {port}")
    )
    # The plan names no commander login: whoever starts it commands (here, this OS user).
    loaded = parse_plan(text, name="shop-smoke-checks.toml")
    journal = Journal.create(tmp_path, loaded, rehearsal=True, created_by=os_login())
    # The starter commands; as the OS login it is (`@login`: the plan names no logins), for
    # the conductor runs checks only for a run its own login started.
    me = f"@{os_login()}"
    journal.append(
        RunStarted(actor=me, at=at(0), plan_id="shop-smoke-checks", mode="rehearsal", key="go")
    )
    clock = FixedClock(at(0))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    minute = 0.0
    try:
        for step in loaded.plan.step:
            minute += 1
            clock.set(at(minute))
            journal.append(StepStarted(actor=me, at=at(minute), step=step.id, key=uuid.uuid4().hex))
            conductor.tick()
            st = Journal(journal.path).state().status[step.id]
            if step.kind == "checkpoint":
                assert st.status == "done", (step.id, st.evidence)
                assert st.finished_by == "conductor" and "check passed" in st.evidence
            else:
                journal.append(
                    StepCompleted(actor=me, at=at(minute), step=step.id, key=uuid.uuid4().hex)
                )
        state = Journal(journal.path).state()
        assert state.checks.probes["shop"].ok
    finally:
        server.shutdown()
        server.server_close()
    for second in range(15, 300, 15):  # the shop is gone: red after 2 runs, fires 2m later
        clock.set(at(minute + second / 60))
        conductor.tick()
    state = Journal(journal.path).state()
    assert not state.checks.probes["shop"].ok
    assert "shop-down" in state.fired and state.fired["shop-down"].action == "rollback"


def test_a_simulated_night_draws_check_outcomes_and_says_so(tmp_path: Path) -> None:
    from cutover_tui.cli import main as cli

    assert (
        cli(
            [
                "simulate",
                str(PLAN),
                "--headless",
                "--seed",
                "3",
                "--speed",
                "3600",
                "--runs",
                str(tmp_path),
            ]
        )
        == 0
    )
    [db] = tmp_path.glob("*.db")
    events = Journal(db).events()
    results = [e for e in events if e.type.startswith("checkpoint-")]
    assert results and all(e.actor != "conductor" for e in results)  # none was run
    assert all("check outcome drawn, not run" in e.evidence for e in results)


def test_export_leaves_checks_and_probes_out_of_the_sheet_and_says_so(
    tmp_path: Path, capsys
) -> None:
    book = tmp_path / "s.xlsx"
    assert main(["export", str(PLAN), "--xlsx", "--out", str(book)]) == 0
    out = capsys.readouterr().out
    assert "not in any sheet" in out and "6 checks, 1 probe, 1 probe-failing trigger" in out
    assert main(["import", str(book), "--out", str(tmp_path / "again.toml")]) == 0


def test_export_says_the_after_the_night_part_stays_in_the_plan(tmp_path: Path, capsys) -> None:
    """online-store has an [aftercare] part; no sheet holds it, so export names it (it was
    dropped silently)."""
    plan = PLAN.parent / "online-store.toml"
    assert main(["export", str(plan), "--csv", "--out", str(tmp_path / "s.csv")]) == 0
    out = capsys.readouterr().out
    assert "not in any sheet" in out and "[aftercare]" in out
