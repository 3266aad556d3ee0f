"""The war room as people run it: a real journal, its conductor, a terminal, beside a bare app.

    .venv/bin/python benchmarks/app_real.py            # a minute of idle each (issue 14)
    .venv/bin/python benchmarks/app_real.py --quick    # 10 s of idle, for a quick look
    .venv/bin/python benchmarks/app_real.py --only 320,5000 --quick

For each case a run is written to a SQLite journal in a temporary runs folder: the plan, then
the first half of its night as the scripted scene driver plays it (`tui/scenes.py`), bulk-
written with its hash chain intact. The cases: the 320-step plan (plans/erp-datacentre.toml),
the same plan at 5,000 and 20,000 steps (`make_large_plan.py`), and the 320-step run with some
100,000 notes in its log. Each war room is the app `cutover run` opens (JournalRun, its own
Conductor on a second connection, the rehearsal prior), with the clock set to the middle of
the night and running in real time from there (`cutover run` would take the host's clock,
which is weeks away from the plan's window). A bare Textual app (a header, a label with a 1 Hz
clock, a footer) is measured in the same way in the same run; the ratio is what to compare
between machines.

Every app runs as a child process on a pseudo-terminal (160x48 by default):
- first paint: from spawn to the status line on the terminal (the bare app's label), and the
  CPU the child had used by then (a loaded machine inflates it less than the wall time): on a
  large plan that line may say it is still working out the schedule or the odds
  (`tui/first_paint.py`, `tui/odds.py`), so the time until the odds are on the status line
  ("NN% in window": the whole frame, worked out) is reported beside it;
- resident memory: VmRSS once settled, and VmHWM (the peak);
- idle CPU and bytes written: over `--idle` seconds with nobody touching it, after `--settle`
  seconds (the first odds of a large plan are worked out in that time);
- key answered: from a key (the war room: + zooms the timeline; the bare app: a label) to the
  app's next output, pressed just after the clock's write, median of 3; and from `?` to the
  help screen on the terminal (a modal: the whole screen is composed again; its first row,
  the list is longer than the screen), median of 3;
- notice: from a note appended to the journal by another process's code path (the journal
  API `cutover do` uses, in this process) to the note's text on the terminal, median of 3.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = ("320", "5000", "20000", "100k-events")
TARGETS = {
    "320": {"paint": "<= 1.5x bare", "cpu": "< 2 %"},
    "5000": {"paint": "< 3 s", "cpu": "< 5 %", "notice": "< 0.5 s"},
    "20000": {"paint": "< 8 s", "cpu": "< 10 %", "notice": "< 1 s", "key": "< 100 ms"},
    "100k-events": {"paint": "< 5 s", "rss": "< 300 MB"},
}


# -- the children ------------------------------------------------------------------------------


def bare_app() -> None:
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.widgets import Footer, Header, Static

    class Bare(App[None]):
        BINDINGS = [Binding("question_mark", "key", "key")]
        presses = 0

        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("READY", id="clock")
            yield Static("", id="key")
            yield Footer()

        def on_mount(self) -> None:
            self.set_interval(1, self.tick)

        def tick(self) -> None:
            self.query_one("#clock", Static).update(f"READY {datetime.now():%H:%M:%S}")

        def action_key(self) -> None:
            self.presses += 1
            self.query_one("#key", Static).update(f"this list {self.presses}")

    Bare().run()


def war_room(run: str, moment: str, usual: bool = False) -> None:
    """What `cutover run RUN` opens (cli/warroom_commands.war_room_parts), on a clock set to
    the middle of the night: its first frame from the file's facts before the heavy imports
    (cli/warroom_boot.py, tui/boot.py); `usual`: the war room made before its first frame,
    as when those facts cannot be read (and as every run was opened before)."""
    from cutover_tui.cli.pydantic_plugins import skip_plugin_discovery

    skip_plugin_discovery()  # as `cutover`'s main does first: no entry-point scan
    from cutover_tui.cli.warroom_commands import keep_do_facts
    from cutover_tui.clocks import AcceleratedClock
    from cutover_tui.journal.first_facts import read_first_facts

    keep_do_facts(Path(run))  # as `cutover run` on a terminal: its look at the head each second
    clock = AcceleratedClock(datetime.fromisoformat(moment), 1.0)
    facts = None if usual else read_first_facts(Path(run), time.time())
    if facts is None:
        parts = _war_room_parts(run, clock)
        app = parts.app_class(parts.source, parts.clock, **parts.options)
        app.catch_up_later = parts.catch_up_later  # as cli/warroom_commands._war_room
        app.run()
        return
    from cutover_tui.cli.warroom_boot import prepare_war_room
    from cutover_tui.journal.identity import os_login
    from cutover_tui.tui.boot import WarRoomBoot

    boot = WarRoomBoot(
        facts,
        lambda: _war_room_parts(run, clock),
        prepare=lambda: prepare_war_room(Path(run)),  # as cli/warroom_boot.py's
        login=os_login(),
        now=clock.now,
    )
    boot.run()


def _war_room_parts(run: str, clock):
    """The war room's parts as `cutover run` makes them, with the commander looking."""
    from cutover_tui.cli.catch_up import last_seen
    from cutover_tui.cli.catch_up_later import catch_up_later
    from cutover_tui.cli.trust_commands import broken_line
    from cutover_tui.cli.warroom_commands import rehearsal_prior
    from cutover_tui.clock.conductor import Conductor
    from cutover_tui.journal.fold_ahead import adopt_folded
    from cutover_tui.journal.run import JournalRun
    from cutover_tui.journal.store import Journal
    from cutover_tui.tui.app import WarRoomApp
    from cutover_tui.tui.boot import Refusal, WarRoomParts

    journal = Journal(Path(run))
    adopt_folded(journal)  # as war_room_parts: the boot's worker folded the log already
    since = last_seen(journal)  # a login that looked before gets its catch-up, as there
    broken = broken_line(journal, "run", journal.run_id)  # as `cutover run` does first
    if broken is not None:
        return Refusal(broken)
    actor = journal.plan.people_with_role("commander")[0]
    source = JournalRun(journal, actor, now=clock.now, monotonic=clock.monotonic)
    conductor = Conductor(journal.reopen(), clock)  # as war_room_parts: it shares the fold
    options = {"conductor": conductor, "prior": rehearsal_prior(journal)}
    # Worked out in the war room's daemon thread (benchmarks/catch_up_stall.py measures it).
    return WarRoomParts(WarRoomApp, source, clock, options, [], catch_up_later(journal, since))


# -- the runs ---------------------------------------------------------------------------------


def plan_file(case: str, directory: Path) -> Path:
    if case in ("320", "100k-events"):
        return ROOT / "plans" / "erp-datacentre.toml"
    out = directory / f"erp-{case}.toml"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "make_large_plan.py"), "--steps", case,
         "--out", str(out)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return out


def write_run(case: str, directory: Path) -> tuple[Path, datetime, int]:
    """A run of the case's plan, half its night played: (journal path, that moment, events)."""
    from cutover_tui.engine.events import NoteAdded, dump_event
    from cutover_tui.journal.store import Journal, _immediate, chain
    from cutover_tui.plan import load_plan
    from cutover_tui.tui.scenes import Script, script_night

    loaded = load_plan(plan_file(case, directory))
    journal = Journal.create(directory / "runs", loaded, rehearsal=False, created_by="bench")
    plan = journal.plan
    half = (plan.window.end - plan.window.start) / 2
    events, moment = script_night(plan, Script(until_minutes=half / timedelta(minutes=1)))
    first = events[0]  # RunStarted: appended, so the journal seals it with the plan
    journal.append(first, now=lambda: first.at)
    rest = events[1:]
    if case == "100k-events":
        commander = plan.people_with_role("commander")[0]
        count = 100_000 - len(events)
        notes = [
            NoteAdded(
                actor=commander,
                at=plan.window.start + half * (i + 1) / (count + 1),
                text=f"status {i}: all streams nominal",
                key=f"note-{i}",
            )
            for i in range(count)
        ]
        rest = sorted([*rest, *notes], key=lambda e: e.at)
    head = journal.head[1]
    with _immediate(journal.db):
        for i, event in enumerate(rest):
            event = event.model_copy(update={"key": f"bench-{i}"})
            body = dump_event(event)
            digest = chain(head, body)
            journal.db.execute(
                "INSERT INTO events (key, type, actor, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
                (event.key, event.type, event.actor, body, head, digest),
            )
            head = digest
    journal.close()
    _index(journal.path)
    return journal.path, moment, 1 + len(rest)


def _index(path: Path) -> None:
    """The run's index row, as Journal.append keeps it (journal/runindex.py): the events above
    were written past append, and a run without its row opens the usual way, never as the
    first frame of a run people start with `cutover run` (cli/warroom_boot.py)."""
    from cutover_tui.journal import runindex
    from cutover_tui.journal.store import Journal, _immediate

    journal = Journal(path)
    state = journal.state()
    with _immediate(journal.db):
        runindex.record(journal.db, state, journal.head[1])
    journal.close()


# -- the measurement -----------------------------------------------------------------------------


@dataclass
class Figures:
    first_paint_s: float
    paint_cpu_s: float  # the child's CPU until then: what a loaded machine inflates least
    odds_s: float | None  # from spawn to the odds on the status line: the whole frame
    rss_mb: float
    peak_mb: float
    idle_cpu: float  # share of one core
    idle_bytes_per_s: float
    key_s: float  # first output after a key (the war room: + zooms the timeline)
    help_s: float | None  # `?` until the help screen is on the terminal
    notice_s: float | None


class Child:
    """An app on a pseudo-terminal, and what it has written so far."""

    def __init__(self, args: list[str], size: tuple[int, int]) -> None:
        cols, rows = size
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["TERM"] = "xterm-256color"
            os.environ["COLORTERM"] = "truecolor"
            os.execv(sys.executable, [sys.executable, *args])
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.seen = b""

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 1 << 20)
        except OSError:
            return b""
        self.seen = (self.seen + data)[-(1 << 20) :]
        return data

    def wait_for(self, marker: bytes, patience: float, keep: bool = False) -> float:
        """Seconds until `marker` is written (from now), reading everything meanwhile.
        `keep`: what was read before counts (the marker may have come with an earlier one)."""
        began = time.perf_counter()
        if not keep:
            self.seen = b""
        while marker not in self.seen:
            if time.perf_counter() - began > patience:
                raise RuntimeError(f"{marker!r} not seen in {patience:g} s: {self.seen[-300:]!r}")
            self.read(0.05)
        return time.perf_counter() - began

    def drain(self, seconds: float) -> int:
        until, count = time.perf_counter() + seconds, 0
        while time.perf_counter() < until:
            count += len(self.read(0.1))
        return count

    def press(self, key: bytes, marker: bytes, patience: float) -> float:
        self.seen = b""
        began = time.perf_counter()
        os.write(self.fd, key)
        while marker not in self.seen:
            if time.perf_counter() - began > patience:
                raise RuntimeError(f"no answer to {key!r} in {patience:g} s")
            self.read(0.01)
        return time.perf_counter() - began

    def answer(self, key: bytes, patience: float) -> float:
        """Seconds from writing `key` to the app's next output, pressed just after the clock's
        write (both apps write once a second), in a quiet moment: the first output after it
        is the answer to the key."""
        self.read(1.5)
        while self.read(0.03):
            pass
        began = time.perf_counter()
        os.write(self.fd, key)
        while not self.read(0.005):
            if time.perf_counter() - began > patience:
                raise RuntimeError(f"no answer to {key!r} in {patience:g} s")
        return time.perf_counter() - began

    def stop(self) -> None:
        os.kill(self.pid, signal.SIGTERM)
        try:
            while self.read(0.2):
                pass
        except OSError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def measure(
    args: list[str],
    paint_marker: bytes,
    opts: argparse.Namespace,
    key: bytes,
    help_marker: bytes | None = None,
    notify=None,
    odds_marker: bytes | None = None,
) -> Figures:
    size = tuple(int(n) for n in opts.size.split("x"))
    child = Child(args, size)  # type: ignore[arg-type]
    try:
        child.wait_for(paint_marker, opts.patience)
        first_paint = time.perf_counter() - child.started
        paint_cpu = _cpu_s(child.pid)
        odds = None
        if odds_marker is not None:
            child.wait_for(odds_marker, opts.patience, keep=True)
            odds = time.perf_counter() - child.started
        child.drain(opts.settle)
        rss, peak = _memory_mb(child.pid)
        cpu0, t0 = _cpu_s(child.pid), time.perf_counter()
        written = child.drain(opts.idle)
        elapsed = time.perf_counter() - t0
        cpu = (_cpu_s(child.pid) - cpu0) / elapsed
        keys = [child.answer(key, opts.patience) for _ in range(3)]
        helps = []
        if help_marker:
            for _ in range(3):
                helps.append(child.press(b"?", help_marker, opts.patience))
                os.write(child.fd, b"\x1b")  # the help screen closes
                child.drain(1.0)
        notices = []
        if notify is not None:
            for i in range(3):
                marker = f"ping {i} from the bench to {child.pid}".encode()  # a key per note
                child.seen = b""
                began = notify(marker.decode())
                while marker not in child.seen:
                    if time.perf_counter() - began > opts.patience:
                        raise RuntimeError("the note never showed")
                    child.read(0.01)
                notices.append(time.perf_counter() - began)
                child.drain(1.0)
        _, peak = _memory_mb(child.pid)
        return Figures(
            first_paint,
            paint_cpu,
            odds,
            rss,
            peak,
            cpu,
            written / elapsed,
            statistics.median(keys),
            statistics.median(helps) if helps else None,
            statistics.median(notices) if notices else None,
        )
    finally:
        child.stop()


def notifier(run: Path, moment: datetime, began: float):
    """Append a note as `cutover do RUN note` would, at the war room's clock; returns when."""
    from cutover_tui.engine.events import NoteAdded
    from cutover_tui.journal.store import Journal

    journal = Journal(run)
    commander = journal.plan.people_with_role("commander")[0]

    def notify(text: str) -> float:
        now = moment + timedelta(seconds=time.perf_counter() - began)
        journal.append(NoteAdded(actor=commander, at=now, text=text, key=text), now=lambda: now)
        return time.perf_counter()

    return notify


def compiled() -> None:
    """Byte-compile the package first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set
    (as on the build machines) an editable checkout would be compiled from source in every
    child, some 0.6 s of CPU the bare app (its Textual compiled at install) never pays."""
    import compileall

    compileall.compile_dir(ROOT / "cutover_tui", quiet=1)


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _memory_mb(pid: int) -> tuple[float, float]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            found[line.split(":")[0]] = int(line.split()[1]) / 1024
    return found.get("VmRSS", float("nan")), found.get("VmHWM", float("nan"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 s of idle instead of 60")
    parser.add_argument("--idle", type=float, help="seconds of idle measured (default 60)")
    parser.add_argument("--settle", type=float, help="seconds after the first paint (10)")
    parser.add_argument("--size", default="160x48")
    parser.add_argument("--patience", type=float, default=120.0)
    parser.add_argument("--only", help="comma-separated cases: " + ",".join(CASES))
    parser.add_argument("--child", choices=["bare", "warroom"], help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--at", help=argparse.SUPPRESS)
    parser.add_argument(
        "--usual",
        action="store_true",
        help="also measure each war room made before its first frame (no boot sketch), as "
        "runs whose facts cannot be read cheaply open (and as every run did before)",
    )
    opts = parser.parse_args()
    if opts.child == "bare":
        bare_app()
        return 0
    if opts.child == "warroom":
        war_room(opts.run, opts.at, opts.usual)
        return 0
    opts.idle = opts.idle or (10.0 if opts.quick else 60.0)
    opts.settle = opts.settle or (5.0 if opts.quick else 10.0)
    cases = opts.only.split(",") if opts.only else list(CASES)
    me = str(Path(__file__).resolve())
    compiled()
    results: dict[str, tuple[Figures, int]] = {}
    bare = measure([me, "--child", "bare"], b"READY", opts, key=b"?")
    with tempfile.TemporaryDirectory(prefix="cutover-app-real-") as tmp:
        os.environ["CUTOVER_STATE"] = str(Path(tmp) / "state")  # the war rooms' facts, caches
        for case in cases:
            directory = Path(tmp) / case
            directory.mkdir()
            run, moment, count = write_run(case, directory)
            for usual in (False, True) if opts.usual else (False,):
                began = time.perf_counter()
                child = [me, "--child", "warroom", "--run", str(run), "--at", moment.isoformat()]
                results[case + (" usual" if usual else "")] = (
                    measure(
                        child + (["--usual"] if usual else []),
                        b"conductor",
                        opts,
                        key=b"+",  # zoom the timeline in: it is drawn again
                        help_marker=b"start the highlighted step",  # its first row
                        notify=notifier(run, moment, began),
                        odds_marker=b"in window",
                    ),
                    count,
                )
    _report(opts, bare, results)
    return 0


def _report(opts, bare: Figures, results: dict[str, tuple[Figures, int]]) -> None:
    print(
        f"terminal {opts.size}; idle over {opts.idle:g} s after {opts.settle:g} s settling; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    head = f"{'':22}{'bare':>10}" + "".join(f"{case:>14}" for case in results)
    print(head)

    def row(name, get, fmt, vs_bare=False):
        line = f"{name:22}{'-' if get(bare) is None else fmt(get(bare)):>10}"
        for figures, _ in results.values():
            value = get(figures)
            text = "-" if value is None else fmt(value)
            if vs_bare and value is not None and get(bare):
                text += f" {value / get(bare):.1f}x"
            line += f"{text:>14}"
        print(line)

    print(f"{'events':22}{'':>10}" + "".join(f"{n:>14,}" for _, n in results.values()))
    row("first paint (s)", lambda f: f.first_paint_s, lambda v: f"{v:.2f}", vs_bare=True)
    row("CPU to paint (s)", lambda f: f.paint_cpu_s, lambda v: f"{v:.2f}", vs_bare=True)
    row("odds on screen (s)", lambda f: f.odds_s, lambda v: f"{v:.2f}")
    row("idle CPU (%)", lambda f: f.idle_cpu * 100, lambda v: f"{v:.1f}", vs_bare=True)
    row("resident (MB)", lambda f: f.rss_mb, lambda v: f"{v:.0f}")
    row("peak resident (MB)", lambda f: f.peak_mb, lambda v: f"{v:.0f}")
    row("idle bytes/s", lambda f: f.idle_bytes_per_s, lambda v: f"{v:.0f}")
    row("key answered (ms)", lambda f: f.key_s * 1000, lambda v: f"{v:.0f}", vs_bare=True)
    row("help screen (ms)", lambda f: f.help_s and f.help_s * 1000, lambda v: f"{v:.0f}")
    row("notice (s)", lambda f: f.notice_s, lambda v: f"{v:.2f}")
    print("targets (issue 14):")
    for case, targets in TARGETS.items():
        if case in results:
            print(f"  {case}: " + ", ".join(f"{k} {v}" for k, v in targets.items()))


if __name__ == "__main__":
    raise SystemExit(main())
