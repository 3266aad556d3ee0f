"""Where the time goes between spawn and the odds, through the boot and the usual path.

    .venv/bin/python benchmarks/boot_trace.py --case 20000 --pairs 2 --keep /tmp/boot-trace

Issue 14: through the first-frame boot (tui/boot.py) the odds of a 20,000-step run came
later than through the usual path. This runs both war rooms as benchmarks/app_real.py does
(a pty, the real journal and conductor, the clock mid-night), interleaved, and has each child
stamp the wall time, the process's CPU and the thread at the steps that lead to the odds:
the war room's imports, the run opened, the takeover, on_mount, the source's fold, the first
schedule, the prior, the odds worker, the frames. The stamps come from wrappers this script
puts round those functions in the child (nothing in the package changes); `--keep DIR`
keeps the written run for the next invocation (writing a 20,000-step run takes a while).

Always stamped, `--wrap` or not: the UI thread's stalls (a probe on the App's event loop,
started by the first App's on_mount, says each time the loop woke it more than 50 ms late),
and printed, the longest from the first mount to the war room's first whole frame (the open,
the takeover, the first schedule and frame) and from then to the odds (the conductor's
start, the odds' first ask): while the loop is stalled the clock stands still, a key waits.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import app_real  # noqa: E402  (benchmarks/app_real.py: the child and the pty)

TRACED = {
    "app_real": ["_war_room_parts"],
    "cutover_tui.tui.boot": ["take_over"],
    "cutover_tui.tui.app:WarRoomApp": [
        "on_mount",
        "_first_frame",
        "_first_scheduled",
        "refresh_run",
        "_odds_landed",
        "_start_conductor",
        "_ask_odds",
    ],
    "cutover_tui.journal.run:JournalRun": ["opening", "poll"],
    "cutover_tui.tui.odds:OddsKeeper": ["work", "ask"],
    "cutover_tui.engine.schedule": ["schedule"],
    "cutover_tui.cli.prior": ["rehearsal_prior"],
    "cutover_tui.clock.conductor:Conductor": ["start", "tick"],
}


def stamp(out, name: str, what: str, t0: float) -> None:
    out.write(
        f"{time.perf_counter() - t0:8.3f} {time.process_time():7.2f} {time.thread_time():7.2f} "
        f"{threading.current_thread().name[:12]:12} {what:5} {name}\n"
    )
    out.flush()


def traced(fn, name: str, out, t0: float):
    import inspect

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def wrapper_async(*args, **kwargs):
            stamp(out, name, "start", t0)
            try:
                return await fn(*args, **kwargs)
            finally:
                stamp(out, name, "end", t0)

        return wrapper_async

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        stamp(out, name, "start", t0)
        try:
            return fn(*args, **kwargs)
        finally:
            stamp(out, name, "end", t0)

    return wrapper


def install(out, t0: float) -> None:
    """Wrap TRACED's functions (importing their modules: on the boot path that is done after
    the boot's own stamps would want them, so only the callables the child reaches later)."""
    import importlib

    for target, names in TRACED.items():
        module_name, _, cls = target.partition(":")
        module = sys.modules["app_real"] if module_name == "app_real" else None
        module = module or importlib.import_module(module_name)
        owner = getattr(module, cls) if cls else module
        for name in names:
            fn = getattr(owner, name)
            if name == "schedule":  # the engine's schedule is imported by name elsewhere
                wrapped = traced(fn, "schedule", out, t0)
                for mod in list(sys.modules.values()):
                    if getattr(mod, "schedule", None) is fn:
                        mod.schedule = wrapped
                continue
            setattr(owner, name, traced(fn, f"{cls or module_name.split('.')[-1]}.{name}", out, t0))


STALL_S = 0.05  # a pause of the UI thread's event loop longer than this is stamped
PROBE_S = 0.01  # how often the probe asks the loop to wake it


async def probe_stalls(out, t0: float, app) -> None:
    """On the App's event loop: each time it woke the probe more than STALL_S late, a
    `stall` line (the UI thread was busy: the sketch's clock stood still, keys waited), and
    a `whole` line when the war room's first whole frame is made (`app.frame`)."""
    import asyncio

    whole = False
    while True:
        began = time.perf_counter()
        await asyncio.sleep(PROBE_S)
        late = time.perf_counter() - began - PROBE_S
        if late > STALL_S:
            out.write(f"{time.perf_counter() - t0:8.3f} stall {late:.3f}\n")
        if not whole and getattr(app, "frame", None) is not None:
            whole = True
            out.write(f"{time.perf_counter() - t0:8.3f} whole frame\n")
        out.flush()


def install_probe(out, t0: float, usual: bool) -> None:
    """The stall probe started from the first App's on_mount (the boot's, or the war room's
    on the usual path), for the App's life."""
    import asyncio

    if usual:
        from cutover_tui.tui.app import WarRoomApp as first
    else:
        from cutover_tui.tui.boot import WarRoomBoot as first  # textual only, as the boot
    mount = first.on_mount
    tasks = []

    async def on_mount(self):
        if not tasks:  # once: the war room's own on_mount runs on the same App after a boot
            tasks.append(asyncio.get_running_loop().create_task(probe_stalls(out, t0, self)))
        result = mount(self)
        if asyncio.iscoroutine(result):
            await result

    first.on_mount = on_mount


def stalls(trace: Path, until: float) -> tuple[float, float]:
    """The UI thread's longest stall stamped in `trace` up to the first whole frame (the
    open, the takeover, the first schedule and frame), and from then to `until`."""
    before, after, whole = [0.0], [0.0], False
    for line in trace.read_text().splitlines():
        parts = line.split()
        if parts[1:] == ["whole", "frame"]:
            whole = True
        elif len(parts) == 3 and parts[1] == "stall" and float(parts[0]) <= until:
            (after if whole else before).append(float(parts[2]))
    return max(before), max(after)


def child(run: str, moment: str, usual: bool, trace: str) -> None:
    t0 = float(os.environ["BOOT_TRACE_T0"])
    out = open(trace, "w")  # noqa: SIM115  (open for the child's life)
    stamp(out, "child", "begin", t0)
    install_probe(out, t0, usual)
    if os.environ.get("BOOT_TRACE_WRAP") == "1":
        if usual:  # it imports everything before its first frame anyway
            install(out, t0)
        else:  # the rest once the boot's worker has imported it, not before the sketch
            from cutover_tui.cli import warroom_boot

            imports = warroom_boot.import_war_room

            def import_then_install() -> None:
                stamp(out, "import_war_room", "start", t0)
                imports()
                install(out, t0)
                stamp(out, "import_war_room", "end", t0)

            warroom_boot.import_war_room = import_then_install
    app_real.war_room(run, moment, usual)


def measure(run: Path, moment: str, usual: bool, size: tuple[int, int], trace: Path) -> dict:
    os.environ["BOOT_TRACE_T0"] = "0"
    args = [str(Path(__file__)), "--child", "--run", str(run), "--at", moment]
    args += ["--trace", str(trace)] + (["--usual"] if usual else [])
    kid = app_real.Child(args, size)
    try:
        kid.wait_for(b"conductor", 180)
        paint = time.perf_counter() - kid.started
        paint_cpu = app_real._cpu_s(kid.pid)
        kid.wait_for(b"in window", 180, keep=True)
        odds = time.perf_counter() - kid.started
        odds_cpu = app_real._cpu_s(kid.pid)
        opening, later = stalls(trace, kid.started + odds)
        return {"paint": paint, "paint_cpu": paint_cpu, "odds": odds, "odds_cpu": odds_cpu,
                "stall": opening, "later": later}  # fmt: skip
    finally:
        kid.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="20000")
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--keep", help="a folder to keep the run in between invocations")
    parser.add_argument("--wrap", action="store_true", help="stamp inside the child too")
    parser.add_argument("--size", default="160x48")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--at", help=argparse.SUPPRESS)
    parser.add_argument("--trace", help=argparse.SUPPRESS)
    parser.add_argument("--usual", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        child(opts.run, opts.at, opts.usual, opts.trace)
        return 0
    app_real.compiled()
    keep = Path(opts.keep or tempfile.mkdtemp(prefix="cutover-boot-trace-"))
    directory = keep / opts.case
    marker = directory / "run.txt"
    if marker.exists():
        run_text, moment = marker.read_text().split()
        run = Path(run_text)
    else:
        directory.mkdir(parents=True, exist_ok=True)
        run, when, _ = app_real.write_run(opts.case, directory)
        moment = when.isoformat()
        marker.write_text(f"{run} {moment}")
    size = tuple(int(n) for n in opts.size.split("x"))
    os.environ["BOOT_TRACE_WRAP"] = "1" if opts.wrap else "0"
    rows = []
    for pair in range(opts.pairs):
        for usual in (False, True):
            name = "usual" if usual else "boot"
            trace = keep / f"trace-{opts.case}-{name}-{pair}.txt"
            load = os.getloadavg()[0]
            got = measure(run, moment, usual, size, trace)  # type: ignore[arg-type]
            rows.append((name, got, load))
            print(
                f"{opts.case} {name:5} paint {got['paint']:5.2f} s ({got['paint_cpu']:5.2f} CPU)"
                f"  odds {got['odds']:6.2f} s ({got['odds_cpu']:6.2f} CPU)"
                f"  longest UI stall {got['stall']:4.2f} s to the whole frame,"
                f" {got['later']:4.2f} s after  load {load:.2f}"
                f"  trace {trace}",
                flush=True,
            )
    for name in ("boot", "usual"):
        odds = sorted(g["odds"] for n, g, _ in rows if n == name)
        cpu = sorted(g["odds_cpu"] for n, g, _ in rows if n == name)
        stall = sorted(g["stall"] for n, g, _ in rows if n == name)
        later = sorted(g["later"] for n, g, _ in rows if n == name)
        print(
            f"{name:5} odds {odds[0]:.2f}-{odds[-1]:.2f} s, CPU by then {cpu[0]:.2f}-{cpu[-1]:.2f}"
            f"; the UI thread's longest stall {stall[0]:.2f}-{stall[-1]:.2f} s to the whole"
            f" first frame, {later[0]:.2f}-{later[-1]:.2f} s after it (to the odds)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
