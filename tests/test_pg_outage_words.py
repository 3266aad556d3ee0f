"""A PostgreSQL journal that cannot be reached is said with "connection" once, through the
real CLI in a subprocess (no server needed: a socket directory with none, a refused port).

Regression (close note 13): "cannot connect: connection failed: connection to server at
"127.0.0.1", port 1 failed: Connection refused" (and "connection is bad: connection to
server on socket ... failed" for a socket), "connection" two or three times in one line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def status_of(url: str, tmp_path: Path) -> str:
    said = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "status", "some-run", "--journal", url],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert said.returncode != 0 and said.stdout == "", said
    [line] = said.stderr.splitlines()
    return line


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("socket", 'cannot connect to server on socket "{dir}/.s.PGSQL.5432": '),
        ("port", 'cannot connect to server at "127.0.0.1", port 1: Connection refused'),
    ],
)
def test_an_unreachable_server_is_said_with_connection_once(
    where: str, said: str, tmp_path: Path
) -> None:
    empty = tmp_path / "no-server"
    empty.mkdir()
    url = {
        "socket": f"postgresql://nobody@/x?host={empty}",
        "port": "postgresql://nobody@127.0.0.1:1/x",
    }[where]
    line = status_of(url, tmp_path)
    assert said.format(dir=empty) in line, line
    assert line.lower().count("connection") <= 1, line  # the OS's "Connection refused" at most
