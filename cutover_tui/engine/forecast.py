"""Monte Carlo forecast of the finish: P50, P80 and the odds of making the window.

Each step's duration is drawn from a triangular distribution over its three-point estimate
(low, budget, high); a step with no estimate gets a default right-skewed range, because
cutover steps overrun far more often than they finish early. Finished steps are fixed at
their actual times, running steps are drawn conditional on the time already spent, and the
same random numbers are reused between refreshes (common random numbers), so the figure on
the war room's status line does not jitter from one second to the next.

The rehearsal history (or tonight's pace, see `engine.pace`) comes in as arguments, never as
I/O: `scales` multiplies a step's whole range (a calibrated step), and `slowness` is the
night's shared slowness as a distribution, drawn once per iteration, so the uncertainty about
how slow tonight is shows in the odds instead of being averaged away.

Common random numbers: every step id has its own column of uniforms and every slowness group
its own column of normals, derived from (seed, id) alone. Two processes watching the same run
with the same seed show the same figures, and a step added live does not reshuffle the others.

Vectorised: the durations of all steps in all iterations are one (steps x iterations) matrix
(the triangular inverse CDF is applied once per graph and kept; a refresh only rescales it);
the longest path is computed level by level over the dependency graph (all steps of a level at
once, predecessors gathered through CSR arrays and reduced with `np.maximum.reduceat`), so a
refresh costs a few numpy operations per level, not per step or per draw. On a plan too large
for whole matrices, the iterations run in blocks of bounded size (`engine.forecast_blocks`),
with the same figures. The distributions live in `engine.forecast_draws`, the simulated nights
and the deadlines in `engine.forecast_simulation`; this module re-exports their names. Where
each step stands at `now` (closed, running: a running step's conditional finish) is
`engine.forecast_running`'s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from . import forecast_reuse
from .forecast_blocks import (
    BlockCache,
    Streams,
    blocks,
    chisquare,
    level_pass,
    normal,
    row_blocks,
    uniform,
)
from .forecast_draws import (  # re-exported: callers import these from here
    Slowness,
    StepDraw,
    covariance_root,
    step_range,
    triangular_cdf,
    triangular_ppf,
)
from .forecast_graph import LevelGraph, level_graph
from .forecast_running import running_finish, step_standing
from .forecast_simulation import (  # re-exported: callers import these from here
    Simulation,
    _origin,
    _settled_datetime,
    _settled_finish,
    deadlines,
)
from .state import RunState

MAX_SCATTER = float(np.log(4.0))  # a step's own scatter stays within 1/4..4 times its range


@dataclass(frozen=True)
class Forecast:
    """What the simulated nights say about the finish."""

    iterations: int
    p50: datetime
    p80: datetime
    p_in_window: float  # P(finish <= deadline)
    p_in_buffer: float  # P(finish <= deadline - the buffer rule)
    standard_error: float  # of p_in_window
    deadline: datetime | None = None  # the window end (the rollback deadline during rollback)
    buffer_line: datetime | None = None  # deadline - window.buffer of the window
    settled: bool = False  # every step is closed or the run ended: the figures are facts

    def describe(self, zone) -> str:
        return (
            f"P50 {self.p50.astimezone(zone):%H:%M}  P80 {self.p80.astimezone(zone):%H:%M}  "
            f"P(in window) {self.p_in_window:.0%}"
        )


class Forecaster:
    """Holds the random numbers for one run, so refreshes share them."""

    def __init__(self, iterations: int = 2000, seed: int = 20261127) -> None:
        self.iterations = iterations
        self.seed = seed
        self._uniforms: dict[str, np.ndarray] = {}
        self._normals: dict[str, np.ndarray] = {}
        self._base: tuple[LevelGraph, BlockCache] | None = None
        self._noise: tuple[LevelGraph, tuple[float, float, float], BlockCache] | None = None
        self.streams_made = 0  # random streams made (tests count them: an amendment's few)

    def _generator(self, kind: int, name: str) -> np.random.Generator:
        """The random stream of one step (or group) id: (seed, kind, id) alone decide it."""
        self.streams_made += 1
        key = int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest())
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, kind, key])))

    def _column(self, kind: int, name: str) -> np.ndarray:
        rng = self._generator(kind, name)
        return rng.random(self.iterations) if kind == 0 else rng.standard_normal(self.iterations)

    def _u(self, step_id: str) -> np.ndarray:
        column = self._uniforms.get(step_id)
        if column is None:
            column = self._uniforms[step_id] = self._column(0, step_id)
        return column

    def _z(self, group: str) -> np.ndarray:
        column = self._normals.get(group)
        if column is None:
            column = self._normals[group] = self._column(1, group)
        return column

    def _step_noise(self, graph: LevelGraph, sd: float, latency: float, tail: float) -> BlockCache:
        """exp(sd_i * t_i), one draw per step and iteration, median 1: once per graph.

        t is Student t with `tail` degrees of freedom (normal when infinite), the same heavy
        tail the pace inference assumes; the log scatter is clipped at +-log 4, so that the
        mean stays finite: no step's own scatter makes it 4 times longer than its range says.
        """
        key = (sd, latency, tail)
        if self._noise is not None and self._noise[0] is graph and self._noise[1] == key:
            return self._noise[2]
        old = (self._noise[0], self._noise[2]) if self._noise and self._noise[1] == key else None
        rows = forecast_reuse.scatter_rows(graph, self._generator, self.iterations, *key)
        carried = forecast_reuse.carry(old, graph, forecast_reuse.same_budget(graph), rows)
        if carried is not None:  # an amendment: the other steps keep their rows
            self._noise = (graph, key, carried)
            return carried
        normals = Streams(lambda sid: self._generator(2, sid), graph.ids, normal)
        chi2s = Streams(lambda sid: self._generator(3, sid), graph.ids, chisquare(tail))
        budget = np.where(graph.mode > 0, graph.mode, np.inf)
        sd_i = np.sqrt(sd**2 + (latency / budget) ** 2)

        def compute(cols: slice) -> np.ndarray:
            z = normals.take(cols)  # derived from (seed, id): nothing to keep
            if np.isfinite(tail):
                z /= np.sqrt(chi2s.take(cols) / tail)
            return np.exp(np.clip(sd_i[:, None] * z, -MAX_SCATTER, MAX_SCATTER)).astype(np.float32)

        noise = BlockCache(len(graph.ids), self.iterations, compute)
        self._noise = (graph, key, noise)
        return noise

    def _durations(self, graph: LevelGraph) -> BlockCache:
        """Every step's duration in every iteration at scale 1: computed once per graph."""
        if self._base is not None and self._base[0] is graph:
            return self._base[1]
        rows = forecast_reuse.duration_rows(graph, self._generator, self.iterations, triangular_ppf)
        carried = forecast_reuse.carry(self._base, graph, forecast_reuse.same_range(graph), rows)
        if carried is not None:  # an amendment: the other steps keep their rows
            self._base = (graph, carried)
            return carried
        uniforms = Streams(lambda sid: self._generator(0, sid), graph.ids, uniform)

        def compute(cols: slice) -> np.ndarray:
            u = uniforms.take(cols)  # derived from (seed, id): nothing to keep
            base = np.empty(u.shape, np.float32)  # half the memory; seconds to within a few ms
            for r in row_blocks(*u.shape):
                base[r] = triangular_ppf(
                    u[r], graph.low[r, None], graph.mode[r, None], graph.high[r, None]
                )
            return base

        base = BlockCache(len(graph.ids), self.iterations, compute)
        self._base = (graph, base)
        return base

    def finishes(
        self,
        state: RunState,
        now: datetime,
        scales: Mapping[str, float] | None = None,
        slowness: Slowness | None = None,
    ) -> np.ndarray:
        """Simulated finish of the active graph, in seconds after `origin(state)`."""
        return self.simulate(state, now, scales, slowness).ends

    def simulate(
        self,
        state: RunState,
        now: datetime,
        scales: Mapping[str, float] | None = None,
        slowness: Slowness | None = None,
    ) -> Simulation:
        origin = _origin(state)
        rollback = state.rollback_at is not None and bool(state.rollback_order)
        graph = level_graph(state, rollback)
        n, iters = len(graph.ids), self.iterations
        # Before the window, nothing under way: nothing is projected to start before it
        # opens, started run or not (as the schedule: engine/schedule._status_dates).
        now_s = (now - origin).total_seconds()
        if now_s < 0 and not state.under_way():
            now_s = 0.0
        settled = _settled_finish(state, graph, origin)
        empty = np.zeros((n, 0))
        if settled is not None or n == 0:
            end = settled if settled is not None else now_s
            return Simulation(
                origin,
                graph.ids,
                empty,
                empty,
                np.full(iters, end),
                np.zeros(n, bool),
                np.zeros(n, bool),
                graph.preds,
                end,
            )

        # Per-step scale (calibration) and per-iteration slowness (tonight's pace).
        scale = np.ones(n)
        if scales:
            for sid, value in scales.items():
                i = graph.index.get(sid)
                if i is not None:
                    scale[i] = value
        base = self._durations(graph)
        factors, rows, noise = None, None, None
        if slowness is not None:
            normals = np.stack([self._z(g) for g in slowness.groups])
            factors = slowness.factors(normals)  # (groups x iterations)
            group_row = {g: r for r, g in enumerate(slowness.groups)}
            rows = np.array(
                [group_row.get(slowness.group_of.get(sid, ""), 0) for sid in graph.ids],
                dtype=np.intp,
            )
            if slowness.step_noise > 0 or slowness.latency > 0:
                noise = self._step_noise(
                    graph, slowness.step_noise, slowness.latency, slowness.tail
                )

        lower = np.maximum(graph.not_before, now_s)  # a pending step starts no earlier
        closed, is_open, is_running = step_standing(state, graph, origin, now_s)
        running = [int(i) for i in np.flatnonzero(is_running)]

        # Uniforms are kept for the running steps only (the rest live in the duration matrix).
        running_now = {graph.ids[i] for i in running}
        self._uniforms = {k: v for k, v in self._uniforms.items() if k in running_now}

        def block(cols: slice) -> tuple[np.ndarray, np.ndarray]:
            """(finish, duration) of every step in the iterations `cols`."""
            if factors is not None:
                per_step = factors[:, cols][rows] * scale[:, None]  # (steps x width)
                if noise is not None:
                    per_step *= noise.columns(cols)
                duration = base.columns(cols) * per_step
            else:
                per_step = None
                duration = base.columns(cols) * scale[:, None] if scales else base.columns(cols)
            fixed: dict[int, np.ndarray | float] = dict(closed)
            for i in running:
                factor = per_step[i] if per_step is not None else scale[i]
                step_id = graph.ids[i]
                u = self._u(step_id)[cols]
                fixed[i] = running_finish(state, step_id, origin, now_s, factor, u)
            return level_pass(graph.levels, lower, duration, fixed), duration

        parts = blocks(n, iters)
        if len(parts) == 1:
            finish, duration = block(parts[0])
            return Simulation(
                origin,
                graph.ids,
                finish,
                duration,
                finish.max(axis=0),
                is_open,
                is_running,
                graph.preds,
                None,
            )
        ends = np.empty(iters)
        for cols in parts:
            ends[cols] = block(cols)[0].max(axis=0)

        def column(iteration: int) -> tuple[np.ndarray, np.ndarray]:
            finish, duration = block(slice(iteration, iteration + 1))
            return finish[:, 0], duration[:, 0]

        return Simulation(
            origin, graph.ids, None, None, ends, is_open, is_running, graph.preds, None, column
        )

    def forecast(
        self,
        state: RunState,
        now: datetime,
        scales: Mapping[str, float] | None = None,
        slowness: Slowness | None = None,
    ) -> Forecast:
        return self.summarise(state, self.simulate(state, now, scales, slowness))

    def summarise(self, state: RunState, sim: Simulation) -> Forecast:
        origin = sim.origin
        deadline_at, buffer_at = deadlines(state)
        deadline = (deadline_at - origin).total_seconds()
        buffer_line = (buffer_at - origin).total_seconds()
        ends = sim.ends
        if sim.settled_at is not None:
            actual = _settled_datetime(state, origin, sim.settled_at)
            inside = float(sim.settled_at <= deadline)
            return Forecast(
                iterations=self.iterations,
                p50=actual,
                p80=actual,
                p_in_window=inside,
                p_in_buffer=float(sim.settled_at <= buffer_line),
                standard_error=0.0,
                deadline=deadline_at,
                buffer_line=buffer_at,
                settled=True,
            )
        p_in = float(np.mean(ends <= deadline))
        p50, p80 = np.quantile(ends, [0.5, 0.8])
        return Forecast(
            iterations=self.iterations,
            p50=origin + timedelta(seconds=float(p50)),
            p80=origin + timedelta(seconds=float(p80)),
            p_in_window=p_in,
            p_in_buffer=float(np.mean(ends <= buffer_line)),
            standard_error=float(np.sqrt(max(p_in * (1 - p_in), 1e-12) / self.iterations)),
            deadline=deadline_at,
            buffer_line=buffer_at,
        )


__all__ = [
    "Forecast",
    "Forecaster",
    "Simulation",
    "Slowness",
    "StepDraw",
    "covariance_root",
    "deadlines",
    "step_range",
    "triangular_cdf",
    "triangular_ppf",
]
