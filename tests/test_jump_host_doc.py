"""docs/jump-host.md is followed literally by admins: its commands must exist as written.

Issue 12 (finding 8): `usermod -aG cutover priya omar` in the doc failed on a real host (one
login per call). These checks keep the doc's shell blocks in step with the code.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from cutover_tui.cli import build_parser

DOC = Path(__file__).resolve().parent.parent / "docs" / "jump-host.md"


def shell_lines() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text(), flags=re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_usermod_adds_one_login_per_call() -> None:
    calls = [shlex.split(line) for line in shell_lines() if "usermod" in line.split()]
    assert calls
    for words in calls:
        after = words[words.index("usermod") + 1 :]
        assert after[:2] == ["-aG", "cutover"] and len(after) == 3, " ".join(words)


def test_every_cutover_command_in_the_doc_exists() -> None:
    commands = build_parser()._subparsers._group_actions[0].choices
    used = set()
    for line in shell_lines():
        for match in re.finditer(r"(?:^|-- |exec |&& |; )cutover (\w[\w-]*)", line):
            used.add(match.group(1))
    assert {"service", "start", "run", "follow", "do", "status", "verify"} <= used
    assert used <= set(commands), used - set(commands)


def test_the_doc_names_the_host_config_and_both_modes() -> None:
    text = DOC.read_text()
    for needed in (
        "/etc/cutover/cutover.toml",
        'mode = "locked"',
        "CUTOVER_CONFIG",
        "setfacl -R",
        "setfacl -d",
        ".backup",
        "LANG",
        "ExecStart=/usr/local/bin/cutover service",
    ):
        assert needed in text, needed
