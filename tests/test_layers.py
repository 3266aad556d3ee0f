"""The layers are a contract (pyproject.toml [tool.importlinter]): no module imports one above
it, and the headless core never imports textual. `lint-imports` checks every import, those
inside functions too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_graph_keeps_the_layer_contracts() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"  # from the test extras
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
