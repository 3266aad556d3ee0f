"""Health probes against a real HTTP server on loopback: red, a trigger fired, recovered;
HTTP checks on checkpoints; a hung URL; recording compactly."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clock.network_checks import run_dns, run_http, run_tcp
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.schedule import schedule
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.checks_support import Shop, checks_plan, new_checks_run, start
from tests.journal_support import at


def probe_plan(url: str, limit: str = "2m") -> str:
    probes = f"""
[[probe]]
id = "shop"
title = "The shop answers"
interval = "30s"
fail_after = 2
record_every = "5m"
[probe.check]
type = "http"
url = "{url}/search?q=mug"
json_path = "count"
json_value = 1
timeout = "2s"
"""
    trigger = f"""
[[trigger]]
id = "shop-down"
step = "go-live"
condition = "probe-failing"
probe = "shop"
limit = "{limit}"
action = "rollback"
"""
    return checks_plan({}, probes=probes, triggers=trigger)


def samples(journal: Journal) -> list[tuple[bool, int, int]]:
    state = Journal(journal.path).state()
    return [(s.ok, s.runs, s.failures) for s in state.checks.probes["shop"].history]


def test_a_probe_goes_red_fires_its_trigger_and_recovers(tmp_path: Path) -> None:
    with Shop().running() as shop:
        journal = new_checks_run(tmp_path, probe_plan(shop.url))
        start(journal, "go-live")
        clock = FixedClock(at(1))
        conductor = Conductor(Journal(journal.path), clock, holder="A")
        assert [e.type for e in conductor.tick()] == ["probe-sampled"]  # the first: green
        for second in range(30, 300, 30):  # green for 5 minutes: no sample until record_every
            clock.set(at(1) + timedelta(seconds=second))
            assert conductor.tick() == []
        clock.set(at(6))
        assert [e.type for e in conductor.tick()] == ["probe-sampled"]  # every 5 minutes
        shop.broken = True
        clock.set(at(6.5))
        assert conductor.tick() == []  # one failure: fail_after = 2, not red yet
        clock.set(at(7))
        [red] = conductor.tick()
        assert (red.ok, red.failures) == (False, 2) and "HTTP 503" in red.detail
        state = Journal(journal.path).state()
        armed = [a for a in schedule(state, at(8)).armed if a.trigger == "shop-down"]
        assert armed and armed[0].fires_at == at(9)  # red at 7 + 2m limit
        for minute in (7.5, 8, 8.5, 9, 9.5):
            clock.set(at(minute))
            fired = [e for e in conductor.tick() if e.type == "trigger-fired"]
            if fired:
                break
        assert fired and fired[0].trigger == "shop-down" and fired[0].at == at(9)
        assert "probe 'shop' red since" in fired[0].reason
        shop.broken = False
        clock.set(at(10))
        # (The trigger's incident is opened at this tick too: engine/escalation.py.)
        [green] = [e for e in conductor.tick() if e.type == "probe-sampled"]
        # Green again: the sample counts the red runs since the last record (compact).
        assert (green.ok, green.runs, green.failures) == (True, 6, 5)
        assert samples(journal) == [(True, 1, 0), (True, 10, 0), (False, 2, 2), (True, 6, 5)]
        state = Journal(journal.path).state()
        assert not [a for a in schedule(state, at(10)).armed if a.fires_at is not None]


def test_a_probe_red_for_less_than_its_limit_fires_nothing(tmp_path: Path) -> None:
    with Shop().running() as shop:
        journal = new_checks_run(tmp_path, probe_plan(shop.url, limit="10m"))
        start(journal, "go-live")
        clock = FixedClock(at(1))
        conductor = Conductor(Journal(journal.path), clock, holder="A")
        shop.broken = True
        for minute in (1, 1.5, 2, 5, 8):
            clock.set(at(minute))
            conductor.tick()
        shop.broken = False
        clock.set(at(9))
        conductor.tick()
        state = Journal(journal.path).state()
        assert "shop-down" not in state.fired
        assert state.checks.probes["shop"].ok


def test_http_checks_on_checkpoints_against_the_shop(tmp_path: Path) -> None:
    with Shop().running() as shop:
        checks = {
            "search": f'type = "http"\nurl = "{shop.url}/search?q=mug"\njson_path = "results.0.sku"\njson_value = "mug"',
            "cart": f'type = "http"\nurl = "{shop.url}/cart"\njson_path = "cart.items"\nexpect = "value >= 1"',
            "gone": f'type = "http"\nurl = "{shop.url}/nothing"',
        }
        journal = new_checks_run(tmp_path, checks_plan(checks))
        for sid in checks:
            start(journal, sid)
        conductor = Conductor(Journal(journal.path), FixedClock(at(2)), holder="A")
        written = {e.step: e for e in conductor.tick()}
        assert written["search"].type == "checkpoint-passed"
        assert 'results.0.sku = "mug"' in written["search"].evidence
        assert written["cart"].type == "checkpoint-passed"
        assert written["gone"].type == "checkpoint-failed"
        assert "HTTP 404" in written["gone"].evidence and "expected 200" in written["gone"].evidence


def test_a_url_that_hangs_fails_within_its_timeout() -> None:
    with Shop().running() as shop:
        shop.hang = 600  # held until the shop closes: only the 1 s timeout ends the check
        body = f'type = "http"\nurl = "{shop.url}/search"\ntimeout = "1s"'
        plan = parse_plan(checks_plan({"h": body}), name="p.toml")
        outcome = run_http(plan.plan.step_by_id["h"].check)  # the shop holds it until the end
        assert not outcome.ok and "timed out" in outcome.summary


def test_a_latency_limit_fails_a_slow_answer() -> None:
    with Shop().running() as shop:
        shop.hang = 0.3
        body = f'type = "http"\nurl = "{shop.url}/search"\nlatency_ms = 100'
        plan = parse_plan(checks_plan({"h": body}), name="p.toml")
        outcome = run_http(plan.plan.step_by_id["h"].check)
        assert not outcome.ok and "over the 100 ms limit" in outcome.summary


def test_tcp_and_dns_checks() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    checks = {
        "up": f'type = "tcp"\nhost = "127.0.0.1"\nport = {port}',
        "dns": 'type = "dns"\nname = "localhost"\naddress = "127.0.0.1"',
        "nodns": 'type = "dns"\nname = "no-such-host.invalid"',
    }
    plan = parse_plan(checks_plan(checks), name="p.toml").plan
    with listener:
        assert run_tcp(plan.step_by_id["up"].check).ok
    closed = run_tcp(plan.step_by_id["up"].check)
    assert not closed.ok and "failed" in closed.summary
    assert run_dns(plan.step_by_id["dns"].check).ok
    assert not run_dns(plan.step_by_id["nodns"].check).ok


@contextlib.contextmanager
def _answering(body: bytes):
    """A loopback HTTP server answering every GET with 200 and `body`."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "body",
    [b"[" * 200_000 + b"]" * 200_000, b'{"status": "\x1b"}', b"<html>"],
    ids=["nested-deep", "raw-escape", "html"],
)
def test_a_body_json_cannot_read_fails_in_words_not_as_a_timeout(body: bytes) -> None:
    """User pass (2026-12-02): a body nested 200,000 deep raised RecursionError in the
    check's thread, a traceback on every run, and the check failed as "timed out (the name
    lookup did not answer)" for 127.0.0.1."""
    with _answering(body) as url:
        text = f'type = "http"\nurl = "{url}/"\njson_path = "status"\ntimeout = "20s"'
        plan = parse_plan(checks_plan({"h": text}), name="p.toml")
        outcome = run_http(plan.plan.step_by_id["h"].check)
    assert not outcome.ok
    assert outcome.summary.endswith("; the body is not JSON it can read"), outcome.summary


def test_a_check_whose_work_raises_says_so_not_timed_out(monkeypatch) -> None:
    from cutover_tui.clock import network_checks

    def broken(check) -> None:
        raise MemoryError("the body")

    monkeypatch.setattr(network_checks, "_http", broken)
    plan = parse_plan(checks_plan({"h": 'type = "http"\nurl = "http://127.0.0.1:9/"'}), name="p")
    outcome = network_checks.run_http(plan.plan.step_by_id["h"].check)
    assert not outcome.ok and outcome.summary == "GET failed: MemoryError: the body"
