"""The suite leaves nothing in the temporary directory but pytest's own (which keeps its last
few sessions): a run of it left thousands of folders in /tmp (`cutover-test-state-*`, made by
conftest.py at import in every xdist worker, `do-fast-*`, `raw-walk-*`, `do-moves-*`, made
by module fixtures with tempfile.mkdtemp and never removed)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_a_session_with_two_workers_leaves_only_pytests_own_folder(tmp_path: Path) -> None:
    """Two workers and their controller, each with its own state folder, and a module
    fixture's runs: a folder of their own as TMPDIR is empty after, but for pytest-of-*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["TMPDIR"] = str(tmp_path)
    one = "tests/test_do_fast_moves.py::test_taking_the_moves_leaves_the_state_as_it_was"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", one],
        cwd=TESTS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("pytest-of-"))
    assert left == [], left


def test_no_test_makes_a_temporary_folder_it_does_not_remove() -> None:
    """tempfile.mkdtemp in a test module only beside a shutil.rmtree in the same function:
    a test's folder is tmp_path or tmp_path_factory's (pytest removes old ones)."""
    leaks = []
    for path in sorted(TESTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            calls = {_called(call) for call in ast.walk(node) if isinstance(call, ast.Call)}
            if "mkdtemp" in calls and "rmtree" not in calls:
                leaks.append(f"{path.name}:{node.lineno} {node.name}")
    assert leaks == [], leaks


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
