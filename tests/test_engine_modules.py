"""engine/state.py is the engine's front door: it re-exports the run's data, the fold and the
rules from modules named for what they hold. Those modules never import it back (that would
be an import cycle waiting for the first module imported on its own), and each stays small."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "cutover_tui" / "engine"
BEHIND_THE_FRONT_DOOR = (
    "runstate",
    "compact",
    "fold",
    "rules",
    "rules_steps",
    "triggers",
    "schedule_passes",
    "step_times",
)


def imported(module: str) -> set[str]:
    tree = ast.parse((ENGINE / f"{module}.py").read_text(encoding="utf-8"))
    return {
        node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1
    }


def test_the_modules_behind_engine_state_never_import_it() -> None:
    for module in BEHIND_THE_FRONT_DOOR:
        assert "state" not in imported(module), module


def test_each_imports_on_its_own() -> None:
    # A fresh interpreter per module: an import cycle shows only when its module comes first.
    for module in (*BEHIND_THE_FRONT_DOOR, "state", "schedule"):
        subprocess.run(
            [sys.executable, "-c", f"import cutover_tui.engine.{module}"],
            check=True,
            timeout=60,
        )


def test_each_stays_under_about_400_lines() -> None:
    for module in (*BEHIND_THE_FRONT_DOOR, "state", "schedule"):
        lines = (ENGINE / f"{module}.py").read_text(encoding="utf-8").count("\n")
        assert lines <= 420, f"engine/{module}.py has {lines} lines"
