"""The Pythons cutover starts of itself run its own code, never a `cutover_tui/` planted in
the directory the command was typed in (cli/own_python.py): the shared runs directory is
group-writable, and `python -m` searches the current directory first.

Each test plants a package that would leave a marker file if imported, starts the real
process from that directory, and checks the work was done and the marker never appeared.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from cutover_tui.cli import facts_refresh
from cutover_tui.cli.own_python import python_command
from cutover_tui.journal.store import Journal
from tests.test_do_fast_moves import new_run, wait_for_moves


def planted(directory: Path) -> Path:
    """A group member's `cutover_tui/` in `directory`; the marker it would write."""
    marker = directory / "PLANTED-CODE-RAN"
    package = directory / "cutover_tui"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    return marker


def test_the_background_refresh_never_imports_a_planted_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared-runs"
    marker = planted(shared)
    path = new_run(shared / "runs", ())
    run_id = Journal(path).run_id
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("CUTOVER_FACTS_REFRESH", "1")
    monkeypatch.chdir(shared)  # `cutover do` typed in the shared directory
    facts_refresh.spawn(str(path.resolve()))
    wait_for_moves(run_id, path, 1, tmp_path / "state")  # the facts were refreshed...
    assert not marker.exists()  # ...by our code, not the planted one


def test_the_command_of_a_python_of_ours_runs_our_code_from_anywhere(tmp_path: Path) -> None:
    marker = planted(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(tmp_path), PYTHONSTARTUP=str(tmp_path / "x.py"))
    done = subprocess.run(
        python_command("cutover_tui.cli", ["--help"]),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "usage: cutover" in done.stdout
    assert not marker.exists()


def test_a_browser_tab_of_cutover_serve_runs_our_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cutover serve` hands textual-serve a shell command it runs in the server's directory
    for each tab: run that very command (asking for help) from a planted directory."""
    from cutover_tui.cli import main, web_server

    runs = tmp_path / "runs"
    path = new_run(runs, ())
    run_id = Journal(path).run_id
    commands = []

    class Captured:
        def __init__(self, command: str, token: str, **kwargs) -> None:
            commands.append(command)

        def serve(self) -> None:
            return None

    monkeypatch.setattr(web_server, "TokenServer", Captured)
    main(["serve", run_id, "--runs", str(runs)])
    marker = planted(tmp_path / "cwd")
    assert commands[0].startswith("exec ")  # no shell left between serve and the tab
    done = subprocess.run(
        [*shlex.split(commands[0].removeprefix("exec ")), "--help"],
        cwd=tmp_path / "cwd",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "web-watch" in done.stdout
    assert not marker.exists()
