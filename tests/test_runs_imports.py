"""`cutover runs` imports the listing, not pydantic, the journal's store, the engine or the
plan model, cold and warm (issue 14: a warm listing was almost all imports). Structural, not
a timing: the command runs in a fresh interpreter and reports sys.modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cutover_tui.journal import listed_record
from tests.journal_support import new_run

ROOT = Path(__file__).resolve().parent.parent
UNNEEDED = (
    "pydantic",
    "cutover_tui.journal.store",
    "cutover_tui.engine.state",
    "cutover_tui.plan.model",
)

PROBE = """
import json, sys
from cutover_tui.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": [m for m in UNNEEDED if m in sys.modules]}))
""".replace("UNNEEDED", repr(UNNEEDED))


def listing(runs: Path, state: Path, settled: bool) -> dict:
    env = {**os.environ, "CUTOVER_STATE": str(state)}
    # A file younger than SETTLE_NS is not remembered: the child counts every file settled.
    code = (
        PROBE
        if not settled
        else PROBE.replace(
            "from cutover_tui.cli import main",
            "from cutover_tui.journal import listed_record\n"
            "listed_record.SETTLE_NS = 0\n"
            "from cutover_tui.cli import main",
        )
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "runs", "--runs", str(runs)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith("jt-") for line in lines), result.stdout  # the run is listed
    return json.loads(lines[-1])


@pytest.mark.parametrize("settled", [True, False])
def test_a_listing_imports_no_store(tmp_path: Path, settled: bool) -> None:
    runs = tmp_path / "runs"
    new_run(runs, steps=3).close()
    # Cold (every chain walked, the guard's questions asked without pydantic), then warm:
    # from the record when the file is settled, else walked again.
    for _ in range(2):
        assert listing(runs, tmp_path / "state", settled) == {"code": 0, "loaded": []}
    assert listed_record.SETTLE_NS > 0  # this process's knob untouched


def test_a_run_without_an_index_row_is_folded(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    journal = new_run(runs, steps=3)
    journal.db.execute("DROP TABLE run_index")  # as a run made before the index
    journal.close()
    found = listing(runs, tmp_path / "state", settled=True)
    assert found["code"] == 0 and "cutover_tui.journal.store" in found["loaded"]
