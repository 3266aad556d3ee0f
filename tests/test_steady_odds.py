"""The odds hold still: one (state, now) gives one P50, P80 and P(in window), in every process.

Regression (issue 11): `Slowness.factors` took an eigendecomposition of the phases' covariance.
The untouched phases share one prior variance, a repeated eigenvalue, and eigh returns an
arbitrary basis for it, so the P80 of an idle run jumped by minutes from one second to the
next (13:13 -> 13:08 -> 13:16 on three screens). A Cholesky factor moves with the matrix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cutover_tui.engine.events import RunStarted, StepStarted
from cutover_tui.engine.forecast import Forecaster, Slowness, covariance_root
from cutover_tui.engine.foresight import foresee
from cutover_tui.engine.state import fold
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan

ROOT = Path(__file__).resolve().parents[1]
PLAN_PATH = ROOT / "plans" / "online-store.toml"  # five phases: four untouched early on
LOADED = load_plan(PLAN_PATH)
PLAN = LOADED.plan
T0 = PLAN.window.start


def _opening() -> list:
    return [
        RunStarted(actor="alice", at=T0, plan_id=PLAN.plan.id, key=uuid.uuid4().hex),
        StepStarted(actor="ops", at=T0, step="enable-maintenance-page", key=uuid.uuid4().hex),
    ]


def _figures(sight) -> tuple[str, str, float]:
    return sight.p50.isoformat(), sight.p80.isoformat(), sight.p_in_window


def test_an_idle_run_keeps_its_p80_from_one_second_to_the_next() -> None:
    # Twelve minutes in, one 5-minute step still running: the phases not yet begun share
    # one prior variance. With eigh the P80 moved 8 minutes over 8 seconds.
    state = fold(PLAN, _opening())
    forecaster = Forecaster(iterations=500, seed=1)
    sights = [foresee(state, T0 + timedelta(minutes=12, seconds=s), forecaster) for s in range(8)]
    assert np.allclose(np.linalg.eigvalsh(sights[0].pace.slowness.cov)[2:5], 0.01)  # repeated
    p80s = [s.p80 for s in sights]
    assert max(p80s) - min(p80s) < timedelta(minutes=1), [p.strftime("%H:%M:%S") for p in p80s]
    odds = [s.p_in_window for s in sights]
    assert max(odds) - min(odds) <= 0.01, odds


def test_repeated_calls_in_one_process_agree() -> None:
    state = fold(PLAN, _opening())
    now = T0 + timedelta(minutes=12)
    first = _figures(foresee(state, now, Forecaster(iterations=500, seed=7)))
    forecaster = Forecaster(iterations=500, seed=7)
    for _ in range(3):
        assert _figures(foresee(state, now, forecaster)) == first


def test_a_repeated_eigenvalue_gives_a_root_that_moves_with_the_matrix() -> None:
    # The night's variance shared by every group plus one phase variance each: the phase
    # variance is an eigenvalue of multiplicity groups - 1. A change in the last bits of the
    # matrix must not turn the draws around (eigh's basis did).
    groups = 5
    cov = 0.03 * np.ones((groups, groups)) + 0.01 * np.eye(groups)
    nudged = cov.copy()
    nudged[0, 0] += 1e-15
    nudged[1, 2] = nudged[2, 1] = cov[1, 2] - 1e-15
    normals = np.random.default_rng(3).standard_normal((groups, 1000))
    one = Slowness(tuple(f"g{i}" for i in range(groups)), np.zeros(groups), cov)
    two = Slowness(one.groups, np.zeros(groups), nudged)
    assert np.allclose(one.factors(normals), two.factors(normals), rtol=1e-9, atol=0)
    root = covariance_root(cov)
    assert np.allclose(root @ root.T, cov)


@given(
    variances=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6),
    shared=st.floats(0.0, 0.5),
)
def test_the_root_reproduces_any_night_covariance(variances: list[float], shared: float) -> None:
    # Zero variances (a factor known exactly, `Slowness.shared(f, 0)`) and singular matrices
    # (every group the same draw) included.
    cov = shared * np.ones((len(variances), len(variances))) + np.diag(variances)
    for i, v in enumerate(variances):
        if v == 0 and shared == 0:
            cov[i, :] = cov[:, i] = 0.0
    root = covariance_root(cov)
    assert np.all(np.isfinite(root))
    assert np.allclose(root @ root.T, cov, atol=1e-9)


SCRIPT = """
import json, sys
from datetime import datetime
from pathlib import Path
from cutover_tui.engine.foresight import foresee
from cutover_tui.engine.verdict import forecaster_for
from cutover_tui.journal.store import Journal
journal = Journal(Path(sys.argv[1]))
forecaster = forecaster_for(journal.run_id)
sight = foresee(journal.state(), datetime.fromisoformat(sys.argv[2]), forecaster)
print(json.dumps([sight.p50.isoformat(), sight.p80.isoformat(), sight.p_in_window]))
"""


def test_two_processes_on_one_run_file_quote_the_same_odds(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path, LOADED, rehearsal=True, created_by=os_login())
    for event in _opening():
        journal.append(event, now=lambda: T0)
    now = (T0 + timedelta(minutes=12, seconds=31)).isoformat()
    quoted = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", SCRIPT, str(journal.path), now],
                cwd=ROOT,
                # Another hash seed and BLAS thread count: nothing of the process may leak in.
                env={**os.environ, "PYTHONHASHSEED": str(seed), "OPENBLAS_NUM_THREADS": str(seed)},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for seed in (1, 2)
    ]
    assert quoted[0] == quoted[1]
