"""What a check costs over doing the same thing bare, and what the conductor's tick pays.

    python benchmarks/checks.py [--rounds 20]

- command: `run_command` of `python3 -c "print('rows=1')"` with an `expect` (new session,
  minimal environment, selector loop, group kill, inert evidence) beside `subprocess.run` of
  the same argv capturing its output; median of `rounds`.
- http: `run_http` of a loopback JSON page with a json_path beside `urllib.request.urlopen`
  of the same URL and `json.loads`; median of `rounds`.
- tick: `ConductorChecks.tick` on the bundled plan's started night with no checkpoint running
  and its probe not due (what every 1 s heartbeat pays when nothing is due); median of 200.
No timing here is a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cutover_tui.clock.checking import ConductorChecks, _ProbeRun  # noqa: E402
from cutover_tui.clock.network_checks import run_http  # noqa: E402
from cutover_tui.clock.probing import run_command  # noqa: E402
from cutover_tui.clocks import FixedClock  # noqa: E402
from cutover_tui.engine.events import RunStarted  # noqa: E402
from cutover_tui.engine.state import apply, initial_state  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402
from cutover_tui.plan.probes import CommandCheck, HttpCheck  # noqa: E402


def median_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    argv = [sys.executable, "-c", "print('rows=1')"]
    check = CommandCheck(type="command", argv=argv, expect="rows == 1")
    ours = median_ms(lambda: run_command(check), rounds)
    bare = median_ms(lambda: subprocess.run(argv, capture_output=True, check=True), rounds)
    print(f"command: {ours:.1f} ms vs subprocess.run {bare:.1f} ms ({ours / bare:.2f}x)")

    sys.path.insert(0, str(ROOT / "plans"))
    import fake_shop

    server = fake_shop.make_server(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/search?q=mug"
    http = HttpCheck(type="http", url=url, json_path="count", expect="value >= 1")
    ours = median_ms(lambda: run_http(http), rounds)

    def bare_get() -> None:
        with urllib.request.urlopen(url, timeout=10) as response:
            json.loads(response.read())

    bare = median_ms(bare_get, rounds)
    print(f"http: {ours:.2f} ms vs urllib {bare:.2f} ms ({ours / bare:.2f}x)")
    server.shutdown()

    loaded = parse_plan((ROOT / "plans" / "shop-smoke-checks.toml").read_text(), "p.toml")
    state = initial_state(loaded.plan)
    start = loaded.plan.window.start
    apply(state, RunStarted(actor="alice", at=start, plan_id="shop-smoke-checks", seq=1))
    clock = FixedClock(start)
    checks = ConductorChecks(clock)  # nothing is due, so nothing runs
    checks._probes["shop"] = _ProbeRun(next_at=start + timedelta(hours=1))
    tick = median_ms(lambda: checks.tick(state, start, threaded=True), 200)
    print(f"tick with nothing due: {tick * 1000:.0f} us")


if __name__ == "__main__":
    main()
