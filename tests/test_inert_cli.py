"""No text from a plan or a person reaches the terminal raw through a `cutover` printer
(issue 12, finding 1), and ids made during the night follow the plan's grammar.

Hostile text goes into the plan (title, step, phase and readiness titles, verify text, people's
names) and into every field `cutover do` takes from a person (note, reason, evidence, risk,
added step title); then every printer runs (`do` confirmations and refusals, `status`, `runs`,
`verify`, `validate`, `rehearsals`, `calibrate`) and its stdout and stderr are read for any
control character other than newline and tab.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import subprocess
import sys
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.cli import main
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from tests.inert_support import ATTACK, hostile, unsafe_in

ROOT = Path(__file__).resolve().parents[1]
WARROOM = ROOT / "tests" / "plans" / "warroom.toml"
SGR = re.compile(r"\x1b\[[0-9;]*m")
ADDED = ("--owner=ops", "--duration=10m", "--after=freeze")


def hostile_plan_text(words: list[str]) -> str:
    """The war-room plan, commanded by whoever runs the tests, with hostile plan strings and
    a window around now (so commands recorded now are inside it)."""
    word = itertools.cycle(words).__next__
    data = tomllib.loads(WARROOM.read_text())
    start = datetime.now(UTC).replace(second=0, microsecond=0, tzinfo=None) - timedelta(hours=1)
    data["plan"]["title"] = word()
    data["plan"]["timezone"] = "UTC"
    data["window"] = {**data["window"], "start": start, "end": start + timedelta(hours=6)}
    data["people"]["alice"]["user"] = os_login()
    for person in data["people"].values():
        person["name"] = word()
    for table in (data["phase"], data["step"], data["rollback"]["step"]):
        for row in table:
            row["title"] = word()
    for step in data["step"]:
        if "verify" in step:
            step["verify"] = word()
    data["readiness"][0]["item"] = word()
    return tomli_w.dumps(data)


class Terminal(io.StringIO):
    """Captured output that says it is a terminal (so colour is asked for)."""

    def isatty(self) -> bool:
        return True


def cutover(*args: str, tty: bool = False) -> tuple[int, str]:
    """Run the real CLI in this process; its exit code and everything it printed."""
    out = Terminal() if tty else io.StringIO()
    with redirect_stdout(out), redirect_stderr(out):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse refusing an argument
            code = int(exit_.code or 0)
    return code, out.getvalue()


def assert_inert(output: str, what: str, *, colours: bool = False) -> None:
    shown = SGR.sub("", output) if colours else output
    leaked = unsafe_in(shown, layout="\n\t")
    assert not leaked, f"{what}: {sorted(leaked)!r} in {output[:300]!r}"


def night(tmp: Path, words: list[str], texts: list[str], *, rehearsal: bool = False) -> str:
    """A run driven through `cutover do` with hostile text in every field; each printer's
    output checked on the way. Returns the run id."""
    plan = tmp / "hostile.toml"
    plan.write_text(hostile_plan_text(words))
    runs = str(tmp / "runs")
    code, out = cutover("start", str(plan), "--runs", runs, *(["--rehearsal"] if rehearsal else []))
    assert_inert(out, "start")
    assert code == 0, out
    run = out.splitlines()[0].strip()
    text = itertools.cycle(texts).__next__
    ok, refused = True, False
    commands = [  # (what `cutover do` is given, whether it is recorded); --opt=VALUE always,
        # so a text that starts with '-' stays a value
        (("start", "freeze"), ok),
        (("complete", "freeze", f"--note={text()}"), ok),
        (("note", f"--note={text()}"), ok),
        (("note", "freeze", "--kind=deviation", f"--note={text()}"), ok),
        (("met", "staff-ready", f"--note={text()}"), ok),
        (("start", "backup"), ok),
        (("suspend", "backup", f"--reason={text()}"), ok),
        (("resume", "backup"), ok),
        (("complete", "backup"), ok),
        (("pass", "backup-ok", f"--evidence={text()}"), ok),
        (("conditional-go", "go", f"--risk={text()}", f"--reason={text()}"), ok),
        (
            ("add-step", "x\x1b[31mEVILID", f"--title={text()}", *ADDED, f"--reason={text()}"),
            refused,
        ),
        (("add-step", "extra", f"--title={text()}", *ADDED, f"--reason={text()}"), ok),
        (("estimate", "switch", "--duration=20m", f"--reason={text()}"), ok),
        (("skip", "announce", f"--reason={text()}"), ok),
        (("fail", "extra", f"--reason={text()}"), refused),  # not started: quotes the title?
        (("start", "no\x1b]0;PWNED\x07such"), refused),  # quotes the typed id
        (("rollback", f"--reason={text()}"), ok),
    ]
    for command, recorded in commands:
        code, out = cutover("do", run, *command, "--runs", runs)
        assert_inert(out, f"do {command[0]}")
        assert (code == 0) == recorded, out
    for printer in (("status", run), ("status", run, "--json"), ("runs",), ("verify", run)):
        code, out = cutover(*printer, "--runs", runs)
        assert_inert(out, " ".join(printer[:1]))
    code, out = cutover("do", run, "end", "--outcome=aborted", f"--reason={text()}", "--runs", runs)
    assert_inert(out, "do end")
    code, out = cutover("status", run, "--runs", runs)
    assert_inert(out, "status after the end")
    code, out = cutover("validate", str(plan))
    assert_inert(out, "validate")
    return run


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(words=st.lists(hostile, min_size=1, max_size=5), texts=st.lists(hostile, min_size=1))
def test_no_hostile_text_reaches_the_terminal_through_a_printer(
    tmp_path_factory, words: list[str], texts: list[str]
) -> None:
    night(tmp_path_factory.mktemp("inert"), words, texts)


def test_the_rehearsal_printers_keep_their_colours_and_nothing_else(tmp_path: Path) -> None:
    plan, runs = tmp_path / "hostile.toml", str(tmp_path / "runs")
    plan.write_text(hostile_plan_text([ATTACK, "[bold red]x[/]\u202e", "\x9b2J"]))
    simulate = ("simulate", str(plan), "--headless", "--speed=3000", "--seed=1", "--runs", runs)
    code, out = cutover(*simulate)
    assert code == 0, out
    assert_inert(out, "simulate --headless")
    for tty in (False, True):
        code, out = cutover("rehearsals", str(plan), "--include-simulated", "--runs", runs, tty=tty)
        assert code == 0 and "R1" in out, out
        assert_inert(out, f"rehearsals (tty={tty})", colours=tty)
        assert ("\x1b[" in out) == tty  # the chart's own colours, on a terminal only
    calibrated = str(tmp_path / "calibrated.toml")
    code, out = cutover(
        "calibrate", str(plan), "--include-simulated", "--runs", runs, f"--out={calibrated}"
    )
    assert code == 0, out
    assert_inert(out, "calibrate")


def run_cli(*args: str, runs: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "CUTOVER_RUNS": str(runs)},
    )


def test_the_issues_note_never_reaches_status_and_hostile_ids_are_refused(
    tmp_path: Path,
) -> None:
    """The exact commands of issue 12 finding 1, through the real `cutover` process."""
    plan = tmp_path / "plan.toml"
    plan.write_text(hostile_plan_text(["Payroll \x1b[2Jcutover"]))
    runs = tmp_path / "runs"
    run = run_cli("start", str(plan), runs=runs).stdout.strip()
    noted = run_cli("do", run, "note", "--note", ATTACK, runs=runs)
    assert noted.returncode == 0, noted.stderr
    status = run_cli("status", run, runs=runs)
    assert status.returncode == 0, status.stderr
    shown = status.stdout + status.stderr
    assert "\x1b" not in shown and "\x07" not in shown
    assert "Payroll ␛[2Jcutover" in shown  # shown visibly, not acted on

    for evil in ("../evil", "x\x1b[31mEVILID"):
        added = run_cli(
            "do", run, "add-step", evil, "--title", "t", "--owner", "ops", "--duration", "5m",
            "--after", "freeze", "--reason", "r", runs=runs,
        )  # fmt: skip
        assert added.returncode == 1
        lines = added.stderr.strip().splitlines()
        assert len(lines) == 1 and "is not a step id" in lines[0], added.stderr
        assert "\x1b" not in added.stderr and "Traceback" not in added.stderr
    phased = run_cli(
        "do", run, "add-step", "fine-id", "--title", "t", "--owner", "ops", "--duration", "5m",
        "--phase", "x\x1b[31m", "--reason", "r", runs=runs,
    )  # fmt: skip
    assert phased.returncode == 1
    assert phased.stderr.count("\n") == 1 and "'x␛[31m' is not a phase of the plan" in phased.stderr
    assert "evil" not in run_cli("status", run, runs=runs).stdout.lower()


def test_a_word_of_bytes_that_are_not_utf8_is_refused_in_one_line(tmp_path: Path) -> None:
    # Regression (user pass, 2026-12-02): `cutover do RUN note --note $'bad \xff byte'` ended
    # in a PydanticSerializationError traceback (the lone surrogate Python hands on).
    plan = tmp_path / "plan.toml"
    plan.write_text(hostile_plan_text(["Payroll"]))
    runs = tmp_path / "runs"
    run = run_cli("start", str(plan), runs=runs).stdout.strip()
    before = Journal(runs / f"{run}.db").head
    words = (  # a note (the fast path's), a raise (the full path's), a status (no event)
        [b"do", run.encode(), b"note", b"--note", b"bad \xff byte"],
        [b"do", run.encode(), b"raise", b"--severity", b"sev3", b"--title", b"x \x9b y"],
        [b"status", b"\xffplan"],
    )
    for argv in words:
        done = subprocess.run(
            [sys.executable.encode(), b"-m", b"cutover_tui.cli", *argv],
            capture_output=True,
            timeout=60,
            cwd=ROOT,
            env={**os.environ, "CUTOVER_RUNS": str(runs)},
        )
        said = done.stderr.decode()
        assert done.returncode == 2 and done.stdout == b"", said
        assert said.count("\n") == 1 and "Traceback" not in said, said
        bad = next(n for n, w in enumerate(argv, start=1) if not w.isascii())
        assert f"(word {bad}) is not UTF-8 text" in said, said
        assert "\\x" in said  # the bytes shown as \xNN
        assert "\x1b" not in said and "\x9b" not in said
    assert Journal(runs / f"{run}.db").head == before  # nothing recorded
