"""Properties of the pace estimate (engine/pace.py): what it says with no evidence, how it moves
as steps finish, its heavy-tailed night prior, and that the odds it feeds are reproducible.

Hand-made serial nights (tests/test_foresight.py's helpers), folded into a state; `now` passed in.
"""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.engine.forecast import Forecaster
from cutover_tui.engine.foresight import foresee
from cutover_tui.engine.pace import PacePrior, infer_pace
from cutover_tui.engine.state import fold
from cutover_tui.plan import parse_plan
from tests.test_foresight import T0, night, plan_text

# One phase of 12 steps of 20 minutes in an 8-hour window: no phase effect to split the night.
PLAN = parse_plan(plan_text(8, [("work", "Work", 12, 20)])).plan
PRIORS = st.builds(
    PacePrior,
    factor=st.floats(0.7, 1.5),
    spread=st.floats(0.05, 0.5),
    drift=st.floats(0.0, 0.3),
    night_tail=st.sampled_from([2.0, 4.0, math.inf]),
)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def pace_after(ratio: float, done: int, prior: PacePrior):
    """The pace once `done` steps ran `ratio` x their budgets, back to back."""
    events, now = night(PLAN, {s.id: ratio for s in PLAN.step[:done]})
    return infer_pace(fold(PLAN, events), now, prior)


@FAST
@given(PRIORS)
def test_with_no_evidence_the_pace_is_the_prior(prior) -> None:
    pace = infer_pace(fold(PLAN, []), T0 + timedelta(hours=1), prior)
    assert pace.n == 0 and pace.running == 0
    assert math.isclose(pace.factor, prior.factor, rel_tol=1e-9)
    night_row = pace.slowness.groups.index("night")
    assert math.isclose(float(pace.slowness.mean[night_row]), math.log(prior.factor), abs_tol=1e-9)
    # The forecast draws the night from the prior's spread and the reference-class drift.
    stated = float(pace.slowness.cov[night_row, night_row])
    assert math.isclose(stated, prior.spread**2 + prior.drift**2, rel_tol=1e-9)


@FAST
@given(PRIORS, st.floats(0.5, 2.5))
def test_the_estimate_moves_monotonically_toward_the_evidence(prior, ratio) -> None:
    # The evidence's own level: what the fit converges to on many steps at `ratio` (the
    # ranges' default skew makes it a little under the ratio itself).
    target = pace_after(ratio, 12, PacePrior(factor=prior.factor, spread=50.0)).factor
    estimates = [prior.factor] + [pace_after(ratio, k, prior).factor for k in range(1, 13)]
    logs = [math.log(e) for e in estimates]
    direction = 1 if target > prior.factor else -1
    for before, after in itertools.pairwise(logs):
        assert direction * (after - before) >= -1e-9  # never away from the evidence
    lo, hi = sorted([math.log(prior.factor), math.log(target)])
    assert all(lo - 1e-6 <= x <= hi + 1e-6 for x in logs)  # between the prior and the evidence


@FAST
@given(st.floats(1.6, 3.0), st.integers(2, 6))
def test_the_heavy_tailed_prior_lets_a_clearly_slow_night_win(ratio, done) -> None:
    heavy = pace_after(ratio, done, PacePrior(night_tail=4.0)).factor
    normal = pace_after(ratio, done, PacePrior()).factor
    assert heavy > normal  # under the normal prior the evidence was shrunk further


def test_the_heavy_tailed_prior_changes_little_near_its_centre() -> None:
    heavy = pace_after(1.1, 4, PacePrior(night_tail=4.0)).factor
    normal = pace_after(1.1, 4, PacePrior()).factor
    assert abs(math.log(heavy / normal)) < 0.01


def test_the_posterior_narrows_as_evidence_accumulates() -> None:
    sds = [math.log(p.high / p.low) for p in (pace_after(1.3, k, PacePrior()) for k in (0, 3, 9))]
    assert sds[0] > sds[1] > sds[2]


@FAST
@given(st.lists(st.floats(0.6, 2.5), min_size=1, max_size=8), st.integers(0, 2**31))
def test_the_same_seed_gives_the_same_odds(ratios, seed) -> None:
    events, now = night(PLAN, {s.id: r for s, r in zip(PLAN.step, ratios, strict=False)})
    odds = [
        foresee(fold(PLAN, events), now, Forecaster(iterations=300, seed=seed)).p_in_window
        for _ in range(2)
    ]
    assert odds[0] == odds[1]


ODDS_IN_A_CHILD = """
import json, sys
from cutover_tui.engine.forecast import Forecaster
from cutover_tui.engine.foresight import foresee
from cutover_tui.engine.state import fold
from tests.test_foresight import night
from tests.test_pace_properties import PLAN
ratios = json.loads(sys.argv[1])
events, now = night(PLAN, {s.id: r for s, r in zip(PLAN.step, ratios, strict=False)})
sight = foresee(fold(PLAN, events), now, Forecaster(iterations=500, seed=7))
print(json.dumps([sight.p_in_window, sight.pace.factor]))
"""


def test_every_process_states_the_same_odds_for_the_same_recorded_times() -> None:
    ratios = [1.4, 1.2, 1.9, 1.3, 1.5]
    events, now = night(PLAN, {s.id: r for s, r in zip(PLAN.step, ratios, strict=False)})
    here = foresee(fold(PLAN, events), now, Forecaster(iterations=500, seed=7))
    out = subprocess.run(
        [sys.executable, "-c", ODDS_IN_A_CHILD, json.dumps(ratios)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == [here.p_in_window, here.pace.factor]


def test_when_every_finished_step_is_set_aside_the_words_say_whose_pace_it_is() -> None:
    """Noticed (2026-12-02): two steps that each ran 8x their budget were both set aside as
    outliers, and the evidence line named them and nothing else beside a pace near 1.2x."""
    pace = pace_after(8.0, 2, PacePrior())
    assert len(pace.outliers) == 2 and pace.factor < 2
    assert pace.evidence.endswith(
        "every step finished so far was set aside: the pace leans on the plan's estimate"
    )
    history = pace_after(8.0, 2, PacePrior(factor=0.8))
    assert history.evidence.endswith("the pace leans on the rehearsal history's estimate")


def test_kept_steps_beside_an_outlier_are_the_other_steps() -> None:
    """The line said "the only step finished so far" with two finished, one set aside."""
    events, now = night(PLAN, {PLAN.step[0].id: 8.0, PLAN.step[1].id: 1.0, PLAN.step[2].id: 1.1})
    pace = infer_pace(fold(PLAN, events), now)
    assert pace.outliers == (PLAN.step[0].id,)
    assert pace.evidence.startswith("the 2 other steps finished so far ran")
