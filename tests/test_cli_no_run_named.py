"""A run that is not there (or that the service will not show) is refused in one line that
names the command, as every other refusal of it does (user pass, jump host: "cutover: no run
..." from status, do, follow, while "cutover status: ... permission denied" named it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [["status"], ["do", "note", "--note", "x"], ["incidents"], ["follow"], ["run"], ["verify"]],
)
def test_no_such_run_is_said_by_the_command(command: list[str], tmp_path: Path) -> None:
    argv = [command[0], "nosuch", *command[1:], "--runs", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        env={
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "CUTOVER_DO_SERVER": "0",
            "HOME": str(tmp_path),
            "CUTOVER_CONFIG": str(tmp_path / "none.toml"),
        },
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"cutover {command[0]}: no run 'nosuch' in "), lines[0]
