"""A command imports what it needs when it needs it (issue 14): `cutover do` never loads
textual, numpy, jinja2, openpyxl or the forecast. Structural, not a timing: each command
runs in a fresh interpreter and reports sys.modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cutover_tui.cli import COMMAND_MODULES, COMMANDS, build_parser
from cutover_tui.journal import plan_cache
from tests.journal_support import new_run

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("textual", "numpy", "jinja2", "openpyxl", "apscheduler", "cutover_tui.engine.forecast")
# What a run's plan, once validated and cached by this user (journal/plan_cache.py), spares
# `cutover do`: the TOML reader and the plan's checks.
PARSING = ("cutover_tui.plan.load", "cutover_tui.plan.checks", "cutover_tui.plan.toml_read")

PROBE = """
import json, sys
from cutover_tui.cli import main
code = main(sys.argv[1:])
heavy = {name: name in sys.modules for name in HEAVY}
parsing = {name: name in sys.modules for name in PARSING}
pydantic = "pydantic" in sys.modules
print(json.dumps({"code": code, "heavy": heavy, "parsing": parsing, "pydantic": pydantic}))
""".replace("HEAVY", repr(HEAVY)).replace("PARSING", repr(PARSING))


def run_probe(*argv: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_command_table_names_the_module_of_every_command() -> None:
    full = build_parser()
    choices = full._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    owner = {name: sub.get_default("func").__module__ for name, sub in choices.items()}
    assert {name: f"cutover_tui.cli.{module}" for name, module in COMMANDS.items()} == owner
    assert set(COMMANDS.values()) == set(COMMAND_MODULES)


def test_a_command_parser_holds_only_its_own_module() -> None:
    parser = build_parser("do")
    assert set(parser._subparsers._group_actions[0].choices) == {"do"}  # type: ignore[union-attr]
    unknown = build_parser("no-such-command")  # the full parser says what the choices are
    assert "validate" in unknown._subparsers._group_actions[0].choices  # type: ignore[union-attr]


def test_cutover_do_imports_no_heavy_module(tmp_path: Path) -> None:
    journal = new_run(tmp_path / "runs")
    journal.close()
    report = run_probe(
        "do", journal.run_id, "note", "--note", "hi", "--runs", str(tmp_path / "runs")
    )
    assert report["code"] == 0
    assert report["heavy"] == dict.fromkeys(HEAVY, False)
    assert report["parsing"] == dict.fromkeys(PARSING, False)  # the plan came from the cache
    assert report["pydantic"]  # no facts of the run yet: the full path, which keeps them


def test_a_note_with_this_users_facts_imports_no_pydantic(tmp_path: Path) -> None:
    """cli/do_fast.py: a plain note, once a full `cutover do` kept this user's facts of the
    run, imports neither pydantic nor anything heavy; a note it cannot prove (a review
    remark) takes the full path, pydantic and all."""
    journal = new_run(tmp_path / "runs")
    journal.close()
    runs = str(tmp_path / "runs")
    assert run_probe("do", journal.run_id, "note", "--note", "full", "--runs", runs)["pydantic"]
    report = run_probe("do", journal.run_id, "note", "--note", "fast", "--runs", runs)
    assert report["code"] == 0
    assert report["pydantic"] is False
    assert report["heavy"] == dict.fromkeys(HEAVY, False)
    assert report["parsing"] == dict.fromkeys(PARSING, False)
    remark = ["note", "--note", "well", "--kind", "review", "--remark", "went-well"]
    report = run_probe("do", journal.run_id, *remark, "--runs", runs)
    assert report["pydantic"]  # the full path, whatever it answers


def test_cutover_do_parses_the_plan_again_when_its_cache_is_tampered(tmp_path: Path) -> None:
    journal = new_run(tmp_path / "runs")  # its plan validated here, and cached
    cached = plan_cache.cache_file(journal.meta["plan_text"], journal.meta["shift_s"])
    journal.close()
    raw = cached.read_bytes()
    cached.write_bytes(raw.replace(b"Journal test", b"Journal TEST"))  # the digest unchanged
    runs = str(tmp_path / "runs")
    report = run_probe("do", journal.run_id, "note", "--note", "hi", "--runs", runs)
    assert report["code"] == 0
    assert report["parsing"]["cutover_tui.plan.load"]  # parsed in full, not read from it
    report = run_probe("do", journal.run_id, "note", "--note", "again", "--runs", runs)
    assert report["parsing"] == dict.fromkeys(PARSING, False)  # the cache was written anew


def test_validate_quietly_imports_no_interface(tmp_path: Path) -> None:
    report = run_probe("validate", "-q", str(ROOT / "plans" / "online-store.toml"))
    assert report["code"] == 0
    assert not report["heavy"]["textual"] and not report["heavy"]["openpyxl"]


def test_an_unknown_command_gets_the_nearest_name_in_one_line() -> None:
    for typed, hint in (("chek", "'check'"), ("verfy", "'verify'"), ("rehersals", "'rehearsals'")):
        result = subprocess.run(
            [sys.executable, "-m", "cutover_tui.cli", typed, "x"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and f"did you mean {hint}?" in lines[0], result.stderr


PLUGIN_PROBE = """
import json, os, sys
from cutover_tui.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "metadata": "importlib.metadata" in sys.modules}))
"""


@pytest.mark.parametrize(("chosen", "scanned"), [(None, False), ("logfire", True)])
def test_cutover_scans_no_entry_points_for_pydantic_plugins(
    tmp_path: Path, chosen: str | None, scanned: bool
) -> None:
    """cli/pydantic_plugins.py: no import of importlib.metadata nor scan of every installed
    distribution on the first validator, unless someone manages pydantic plugins by name."""
    journal = new_run(tmp_path / "runs")
    journal.close()
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if chosen is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = chosen
    argv = ["do", journal.run_id, "note", "--note", "hi", "--runs", str(tmp_path / "runs")]
    result = subprocess.run(
        [sys.executable, "-c", PLUGIN_PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"code": 0, "metadata": scanned}


def test_the_stand_in_loader_answers_what_else_pydantic_asks_of_its_own() -> None:
    """A later pydantic asking its loader for another name gets the real one, not an error."""
    probe = (
        "import sys\n"
        "from cutover_tui.cli.pydantic_plugins import skip_plugin_discovery\n"
        "assert skip_plugin_discovery()\n"
        "from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP, get_plugins\n"
        "assert list(get_plugins()) == [] and PYDANTIC_ENTRY_POINT_GROUP == 'pydantic'\n"
        "from pydantic import BaseModel\n"
        "class A(BaseModel):\n"
        "    x: int\n"
        "assert A(x='1').x == 1\n"
        "assert not skip_plugin_discovery()  # once is enough\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr


def test_warm_at_login_imports_neither_pydantic_nor_the_engine() -> None:
    """Every login runs it (deploy/profile.d/cutover.sh): it costs the client's start."""
    report = run_probe("warm")  # as root, or switched off: it says why in one line, exit 1
    assert report["heavy"] == dict.fromkeys(HEAVY, False)
    assert not report["pydantic"]
