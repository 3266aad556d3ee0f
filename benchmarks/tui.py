"""War room cost on a jump host: first paint, memory, and bytes sent to an idle terminal.

    python benchmarks/tui.py [--plan plans/erp-datacentre.toml] [--idle 60] [--size 160x48]

Each figure is measured for the war room on a 320-step plan, mid-run (half the night played
by the scripted scene driver, the clock then running in real time from there), and for a
bare Textual app with a clock label ticking each second, in the same way, on the same
machine, one after the other; the ratio is what to compare between machines.

Both apps run as child processes on a pseudo-terminal of the given size:
- first paint: from spawn to the first screenful on the terminal (the bare app's title, the
  war room's status line);
- resident memory: VmRSS of the child once the first paint is done and it has settled;
- idle output: bytes the child writes to the terminal per second over `--idle` seconds with
  nobody touching it (every byte of this crosses the SSH link);
- idle CPU: the child's user and system time over the same seconds, as a share of one core.

Targets (issue 5): first paint < 1.5 s, RSS < 90 MB, idle output < 3 KB/s at 160x48.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# -- the child processes ---------------------------------------------------------------------


def bare_app() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("READY", id="clock")
            yield Footer()

        def on_mount(self) -> None:
            self.set_interval(1, self.tick)

        def tick(self) -> None:
            self.query_one("#clock", Static).update(f"READY {datetime.now():%H:%M:%S}")

    Bare().run()


def war_room(plan_path: str) -> None:
    from cutover_tui.clocks import AcceleratedClock
    from cutover_tui.plan import load_plan
    from cutover_tui.tui.app import WarRoomApp
    from cutover_tui.tui.scenes import Script, script_night
    from cutover_tui.tui.source import MemoryRun

    plan = load_plan(plan_path).plan
    half = (plan.window.end - plan.window.start) / 2 / timedelta(minutes=1)
    events, now = script_night(plan, Script(until_minutes=half))
    commander = plan.people_with_role("commander")[0]
    # Real time moved to the scene's moment: the night goes on from where it was left.
    WarRoomApp(MemoryRun(plan, commander, events), AcceleratedClock(now, 1.0)).run()


# -- the measurement -------------------------------------------------------------------------


@dataclass
class Figures:
    first_paint_s: float
    rss_mb: float
    idle_bytes_per_s: float
    idle_cpu: float  # share of one core while idle


def measure(
    args: list[str], marker: bytes, size: tuple[int, int], idle: float, patience: float = 30.0
) -> Figures:
    cols, rows = size
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of the given size, then the app
        os.environ["TERM"] = "xterm-256color"
        os.environ["COLORTERM"] = "truecolor"
        os.execv(sys.executable, [sys.executable, *args])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    seen = b""
    first_paint = None
    try:
        while first_paint is None:
            seen += _read(fd, 5.0)
            if marker in seen:
                first_paint = time.perf_counter() - started
            elif time.perf_counter() - started > patience:
                raise RuntimeError(f"no first paint within {patience:g} s: {seen[-400:]!r}")
        settle_until = time.perf_counter() + 2.0
        while time.perf_counter() < settle_until:
            _read(fd, 0.1)
        rss = _rss_mb(pid)
        sent = 0
        cpu_before, idle_began = _cpu_s(pid), time.perf_counter()
        idle_until = idle_began + idle
        while time.perf_counter() < idle_until:
            sent += len(_read(fd, 0.2))
        cpu = (_cpu_s(pid) - cpu_before) / (time.perf_counter() - idle_began)
        return Figures(first_paint, rss, sent / idle, cpu)
    finally:
        os.kill(pid, signal.SIGTERM)
        try:
            while _read(fd, 0.2):
                pass
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)


def _read(fd: int, timeout: float) -> bytes:
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:
        return b""


def _cpu_s(pid: int) -> float:
    """User plus system CPU seconds the process has used so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default=str(ROOT / "plans" / "erp-datacentre.toml"))
    parser.add_argument(
        "--idle",
        type=float,
        default=60.0,
        help="seconds of idle to measure (a minute at least: some figures change once a minute)",
    )
    parser.add_argument("--size", default="160x48")
    parser.add_argument(
        "--patience", type=float, default=30.0, help="seconds to wait for the first paint"
    )
    parser.add_argument("--child", choices=["bare", "warroom"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "bare":
        bare_app()
        return 0
    if args.child == "warroom":
        war_room(args.plan)
        return 0
    cols, rows = (int(n) for n in args.size.split("x"))
    me = str(Path(__file__).resolve())
    bare = measure([me, "--child", "bare"], b"READY", (cols, rows), args.idle)
    ours = measure(
        [me, "--child", "warroom", "--plan", args.plan],
        b"conductor",
        (cols, rows),
        args.idle,
        args.patience,
    )
    print(f"terminal {cols}x{rows}, idle measured over {args.idle:g} s, plan {args.plan}")
    print(f"{'':24}{'war room':>12}{'bare app':>12}{'ratio':>8}   target")
    rows_out = [
        ("first paint (s)", ours.first_paint_s, bare.first_paint_s, "< 1.5 s"),
        ("resident memory (MB)", ours.rss_mb, bare.rss_mb, "< 90 MB"),
        ("idle output (bytes/s)", ours.idle_bytes_per_s, bare.idle_bytes_per_s, "< 3072"),
        ("idle CPU (% of a core)", ours.idle_cpu * 100, bare.idle_cpu * 100, ""),
    ]
    for name, mine, base, target in rows_out:
        ratio = mine / base if base else float("inf")
        print(f"{name:24}{mine:12.2f}{base:12.2f}{ratio:8.2f}   {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
