"""One browser tab's war room (`cutover web-watch`) ends with its server and on SIGTERM
(cli/web_watch_life.py). Found by a hostile user pass (2026-12-02): tab processes spun at
90-95 % CPU for ever after `cutover serve` and the browser had gone, SIGTERM unheeded.

Real processes, started as textual-serve starts them (its web driver, pipes, `sh -c` with
the command serve builds)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from cutover_tui.cli.own_python import python_command
from tests.test_cli_run import begun_last_night
from tests.waiting import exited, until

WEB = {"TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver", "COLUMNS": "80", "ROWS": "24"}


def watch_command(run: str, runs: Path) -> str:
    import shlex

    return "exec " + shlex.join(
        python_command("cutover_tui.cli", ["web-watch", run, "--runs", str(runs)])
    )


def started_under_a_parent(run: str, runs: Path) -> tuple[subprocess.Popen, int]:
    """A parent that starts the tab as textual-serve does and says its pid; then waits."""
    script = (
        "import subprocess, sys, os\n"
        f"p = subprocess.Popen({watch_command(run, runs)!r}, shell=True, stdin=subprocess.PIPE,"
        " stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,"
        f" env={{**os.environ, **{WEB!r}}})\n"
        "print(p.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    return parent, int(parent.stdout.readline())


def running_python(pid: int) -> bool:
    """The tab's own process is up: the shell exec'd into Python and it opened the run."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    return b"web-watch" in command and len(fds) > 3


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"  # ended, not yet reaped by its (dead) parent's successor


# The two tests below launch the tab as serve does and would catch a tab outliving its server
# at rest; they pass without cli/web_watch_life.py (a tab at rest sees its input end). The
# busy tests after them are what that module is for.
def test_a_tab_ends_when_its_server_dies(tmp_path: Path) -> None:
    run, runs = begun_last_night(tmp_path)
    parent, tab = started_under_a_parent(run, runs)
    try:
        until(lambda: running_python(tab), "the tab's war room up")
        parent.kill()  # SIGKILL: serve gone without a word
        parent.wait()
        until(lambda: gone(tab), "the tab's process ended with its server")
    finally:
        if not gone(tab):
            os.kill(tab, signal.SIGKILL)


def test_a_tab_ends_on_sigterm(tmp_path: Path) -> None:
    run, runs = begun_last_night(tmp_path)
    tab = subprocess.Popen(
        watch_command(run, runs),
        shell=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **WEB},
    )
    try:
        until(lambda: running_python(tab.pid), "the tab's war room up")
        tab.send_signal(signal.SIGTERM)
        assert exited(tab.pid) is not None
    finally:
        if tab.poll() is None:
            tab.kill()


BUSY = (
    "import sys\n"
    "from cutover_tui.cli.web_watch_life import end_with_parent\n"
    "end_with_parent()\n"
    "print('busy', flush=True)\n"
    "while True:\n"
    "    pass\n"
)


def busy_under_a_parent() -> tuple[subprocess.Popen, int]:
    """A parent whose child calls end_with_parent() and then spins, as the tabs found
    spinning in a redraw did (the event loop never ran again)."""
    script = (
        "import subprocess, sys\n"
        f"p = subprocess.Popen([sys.executable, '-c', {BUSY!r}], stdout=subprocess.PIPE)\n"
        "p.stdout.readline()\n"
        "print(p.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    return parent, int(parent.stdout.readline())


def test_a_spinning_tab_ends_when_its_parent_dies() -> None:
    parent, child = busy_under_a_parent()
    try:
        parent.kill()
        parent.wait()
        until(lambda: gone(child), "the spinning child ended with its parent")
    finally:
        if not gone(child):
            os.kill(child, signal.SIGKILL)


def test_a_spinning_tab_ends_on_sigterm() -> None:
    child = subprocess.Popen([sys.executable, "-c", BUSY], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"busy\n"
        child.send_signal(signal.SIGTERM)
        assert exited(child.pid) == 128 + signal.SIGTERM
    finally:
        if child.poll() is None:
            child.kill()


def test_web_watch_asks_for_it_first(tmp_path: Path, monkeypatch) -> None:
    from cutover_tui.cli import main, web_watch_life

    class Asked(Exception):
        pass

    def asked() -> None:
        raise Asked

    monkeypatch.setattr(web_watch_life, "end_with_parent", asked)
    run, runs = begun_last_night(tmp_path)
    try:
        main(["web-watch", run, "--runs", str(runs)])
    except Asked:
        return
    raise AssertionError("cutover web-watch did not call end_with_parent")


def test_a_served_tab_keeps_its_own_handlers_the_guard_adds_none(monkeypatch) -> None:
    """The war room's guard handles SIGTERM on the event loop (a clean leave from a terminal);
    in a served tab that handler waited for ever behind a busy loop, so it adds none there."""
    import asyncio

    from cutover_tui.tui.terminal import TerminalGuard

    class App:  # what install() asks of the app
        def set_interval(self, *_args, **_kwargs):
            return None

    def installed(served: bool) -> list[int]:
        if served:
            monkeypatch.setenv("TEXTUAL_DRIVER", WEB["TEXTUAL_DRIVER"])
        else:
            monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
        guard = TerminalGuard(App())  # type: ignore[arg-type]

        async def install() -> list[int]:
            guard.install()
            found = list(guard._installed)
            guard._timer = None
            guard.remove()
            return found

        return asyncio.run(install())

    assert installed(served=False) == [signal.SIGTERM, signal.SIGHUP]
    assert installed(served=True) == []
