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
with the same figures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
from .forecast_graph import DEFAULT_HIGH, DEFAULT_LOW, LevelGraph, level_graph
from .state import PlannedStep, RunState

PAST_HIGH = 0.2  # a running step past its pessimistic estimate: about this much budget more
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


@dataclass(frozen=True)
class StepDraw:
    """One step's three-point range, in seconds."""

    low: float
    mode: float
    high: float


def step_range(step: PlannedStep, scale: float = 1.0) -> StepDraw:
    budget = step.duration.total_seconds()
    low = step.low.total_seconds() if step.low else budget * DEFAULT_LOW
    high = step.high.total_seconds() if step.high else budget * DEFAULT_HIGH
    # A live estimate change may move the budget outside the file's range: the range follows.
    return StepDraw(min(low, budget) * scale, budget * scale, max(high, budget) * scale)


def triangular_ppf(u: np.ndarray, low, mode, high) -> np.ndarray:
    """Inverse CDF of the triangular distribution, vectorised over u in [0, 1).

    The parameters may be scalars or arrays broadcasting against u (one row per step).
    """
    low, mode, high = np.asarray(low, float), np.asarray(mode, float), np.asarray(high, float)
    width = high - low
    flat = width <= 0
    safe = np.where(flat, 1.0, width)
    cut = np.where(flat, 0.0, (mode - low) / safe)
    left = low + np.sqrt(u * safe * (mode - low))
    right = high - np.sqrt((1 - u) * safe * (high - mode))
    out = np.where(u < cut, left, right)
    return np.where(flat, mode, out) if np.any(flat) else out


def triangular_cdf(x: float, low: float, mode: float, high: float) -> float:
    if x <= low:
        return 0.0
    if x >= high:
        return 1.0
    if x <= mode:
        return (x - low) ** 2 / ((high - low) * (mode - low)) if mode > low else 0.0
    return 1 - (high - x) ** 2 / ((high - low) * (high - mode)) if high > mode else 1.0


def triangular_cdf_array(x: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """triangular_cdf over an array of x (scalar parameters)."""
    if high <= low:
        return (x >= mode).astype(float)
    width = high - low
    below = (x - low) ** 2 / (width * (mode - low)) if mode > low else np.zeros_like(x)
    above = 1 - (high - x) ** 2 / (width * (high - mode)) if high > mode else np.ones_like(x)
    out = np.where(x <= mode, below, above)
    return np.clip(np.where(x <= low, 0.0, np.where(x >= high, 1.0, out)), 0.0, 1.0)


# -- the night's slowness --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Slowness:
    """How much slower than its three-point range each step runs tonight, as a distribution.

    Log factors per group are jointly normal (`mean`, `cov`); in each iteration a step of
    group g has its whole range multiplied by exp(eta_g) of that iteration. Steps not in
    `group_of` belong to the first group. `Slowness.shared(1.3, 0.1)`: every step 30 % slower,
    give or take about 10 %, the same draw for every step of one simulated night. `step_noise`
    adds each step's own log-normal deviation (median 1), drawn per step and iteration: real
    steps scatter more widely than most three-point ranges admit, and where parallel streams
    join, the wider scatter makes the join later. `latency` adds, in quadrature, a log sd of
    latency / budget: a 5-minute step ticked off a minute late is 20 % over, a 2-hour one is not.
    """

    groups: tuple[str, ...] = ("night",)
    mean: np.ndarray = field(default_factory=lambda: np.zeros(1))
    cov: np.ndarray = field(default_factory=lambda: np.zeros((1, 1)))
    group_of: Mapping[str, str] = field(default_factory=dict)
    step_noise: float = 0.0  # log sd of each step's own deviation beyond its range
    latency: float = 0.0  # seconds: absolute scatter (tick-off latency), felt by short steps
    tail: float = np.inf  # degrees of freedom of the scatter: Student t, normal when infinite

    @classmethod
    def shared(cls, factor: float = 1.0, spread: float = 0.0, step_noise: float = 0.0) -> Slowness:
        """One factor for every step: median `factor`, log standard deviation `spread`."""
        return cls(
            ("night",), np.array([np.log(factor)]), np.array([[spread**2]]), step_noise=step_noise
        )

    def factors(self, normals: np.ndarray) -> np.ndarray:
        """exp(eta): (groups x iterations), from standard normals of the same shape."""
        root = covariance_root(np.asarray(self.cov, float))
        return np.exp(np.asarray(self.mean, float)[:, None] + root @ normals)


def covariance_root(cov: np.ndarray) -> np.ndarray:
    """A lower-triangular L with L @ L.T = cov (Cholesky), continuous in cov.

    Not an eigendecomposition: for a repeated eigenvalue (untouched phases share one prior
    variance) eigh returns an arbitrary basis of the eigenspace, which changed with the last
    bits of cov from one second (and one process) to the next, and so did the odds. Rows of
    zero variance (a factor known exactly) stay zero; a matrix that is positive semidefinite
    but singular to rounding gets the smallest jitter on its diagonal that makes it definite.
    """
    sym = (cov + cov.T) / 2
    root = np.zeros_like(sym)
    live = np.flatnonzero(np.diag(sym) > 0)
    if not len(live):
        return root
    sub = sym[np.ix_(live, live)]
    jitter = 0.0
    scale = float(np.max(np.diag(sub)))
    for _ in range(12):
        try:
            part = np.linalg.cholesky(sub + jitter * np.eye(len(live)))
            break
        except np.linalg.LinAlgError:
            jitter = scale * 1e-12 if jitter == 0 else jitter * 10
    else:  # not positive semidefinite at all: keep only its diagonal
        part = np.diag(np.sqrt(np.clip(np.diag(sub), 0.0, None)))
    root[np.ix_(live, live)] = part
    return root


# -- one simulation ----------------------------------------------------------------------------


@dataclass(eq=False)
class Simulation:
    """The simulated nights behind a forecast: every step's finish in every iteration."""

    origin: datetime
    ids: list[str]
    # (steps x iterations), seconds after `origin`; None when simulated in blocks, then
    # `column` recomputes one iteration's (finish, duration) on demand.
    finish: np.ndarray | None
    duration: np.ndarray | None  # (steps x iterations); for closed and running steps: unused
    ends: np.ndarray  # (iterations,), the finish of the whole graph
    open: np.ndarray  # (steps,) bool: not closed (pending, failed, running)
    running: np.ndarray  # (steps,) bool
    preds: list[list[int]]
    settled_at: float | None  # the actual finish when the run is over
    column: Callable[[int], tuple[np.ndarray, np.ndarray]] | None = None

    def iteration(self, iteration: int) -> tuple[np.ndarray, np.ndarray]:
        """Every step's (finish, duration) in one iteration."""
        if self.finish is not None and self.duration is not None:
            return self.finish[:, iteration], self.duration[:, iteration]
        assert self.column is not None
        return self.column(iteration)

    def path(self, iteration: int) -> list[str]:
        """The chain of open steps that set the finish in one iteration, first to last."""
        if self.settled_at is not None or not len(self.ids):
            return []
        f, d = self.iteration(iteration)
        node = int(np.argmax(f))
        chain: list[str] = []
        while self.open[node]:
            chain.append(self.ids[node])
            if self.running[node]:
                break
            preds = self.preds[node]
            if not preds:
                break
            best = max(preds, key=lambda p: f[p])
            start = f[node] - d[node]
            if f[best] < start - 1e-6:  # started by now or a fixed start, not by a predecessor
                break
            node = best
        chain.reverse()
        return chain

    def quantile_iteration(self, q: float) -> int:
        """The iteration whose finish is the q-quantile (for the P80 path)."""
        order = np.argsort(self.ends, kind="stable")
        return int(order[min(len(order) - 1, int(q * len(order)))])


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
        now_s = (now - origin).total_seconds()
        if state.phase == "not-started":
            now_s = max(now_s, 0.0)
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
        closed: dict[int, float] = {}
        is_open = np.ones(n, bool)
        is_running = np.zeros(n, bool)
        for i, sid in enumerate(graph.ids):
            st = state.status[sid]
            step = state.steps[sid]
            if st.closed or (
                st.status == "failed"
                and st.finished_at
                and step.kind == "checkpoint"
                and step.on_fail == "continue"
            ):
                at = st.finished_at
                closed[i] = (at - origin).total_seconds() if at else now_s
                is_open[i] = False
            elif st.status in ("running", "suspended") and st.started_at is not None:
                is_running[i] = True
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
                fixed[i] = self._running_finish(state, graph.ids[i], origin, now_s, factor, cols)
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

    def _running_finish(
        self,
        state: RunState,
        sid: str,
        origin: datetime,
        now_s: float,
        factor: np.ndarray | float,
        cols: slice,
    ) -> np.ndarray:
        """A running (or suspended) step: its finish in the iterations `cols`, drawn
        conditional on the time spent."""
        st = state.status[sid]
        draw = step_range(state.steps[sid])
        assert st.started_at is not None
        until = now_s
        if st.status == "suspended" and st.suspended_at is not None:
            until = min(now_s, (st.suspended_at - origin).total_seconds())
        spent = max(
            0.0, until - (st.started_at - origin).total_seconds() - st.paused.total_seconds()
        )
        u = self._u(sid)[cols]
        factor = np.broadcast_to(np.asarray(factor, float), u.shape)
        # In units of this iteration's range: conditional on having run `spent` already,
        # draw from the upper part of the range.
        spent_units = spent / factor
        floor = triangular_cdf_array(spent_units, draw.low, draw.mode, draw.high)
        drawn = triangular_ppf(floor + u * (1 - floor), draw.low, draw.mode, draw.high)
        remaining = (
            np.where(
                floor >= 1.0,
                # Past the pessimistic estimate: it ends some time after now; assume about a
                # fifth of its budget more, with spread.
                draw.mode * PAST_HIGH * (0.5 + u),
                np.maximum(drawn - spent_units, 0.0),
            )
            * factor
        )
        resume = now_s
        if st.status == "suspended" and st.resume_eta is not None:
            resume = max(now_s, (st.resume_eta - origin).total_seconds())
        return resume + remaining

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


def deadlines(state: RunState) -> tuple[datetime, datetime]:
    """The deadline of the active graph and its buffer line (deadline - the buffer rule).

    The window end for the plan; during (and after) rollback the rollback deadline, the
    invocation plus the RTO but no later than the window end, with no buffer.
    """
    window = state.plan.window
    if state.rollback_at is not None and state.rollback_order:
        rto = state.plan.rollback.rto if state.plan.rollback else timedelta(0)
        deadline = min(state.rollback_at + rto, window.end)
        return deadline, deadline
    return window.end, window.end - window.buffer_time


def _settled_finish(state: RunState, graph: LevelGraph, origin: datetime) -> float | None:
    """The actual finish, in seconds after origin, once nothing is left to simulate."""
    finished: list[datetime] = []
    all_closed = True
    for sid in graph.ids:
        st = state.status[sid]
        if st.closed and st.finished_at is not None:
            finished.append(st.finished_at)
        elif st.closed:
            continue
        else:
            all_closed = False
            if state.phase != "ended":
                return None
    if all_closed and finished:
        return (max(finished) - origin).total_seconds()
    if state.phase == "ended" and state.ended_at is not None:
        return (state.ended_at - origin).total_seconds()  # the run stopped with steps open
    return None


def _settled_datetime(state: RunState, origin: datetime, seconds: float) -> datetime:
    """The exact datetime behind `seconds` (a float round trip must not shift a microsecond)."""
    candidates = [st.finished_at for st in state.status.values() if st.finished_at is not None]
    if state.ended_at is not None:
        candidates.append(state.ended_at)
    for at in candidates:
        if (at - origin).total_seconds() == seconds:
            return at
    return origin + timedelta(seconds=seconds)


def _origin(state: RunState) -> datetime:
    """Time zero of the simulation: the window start (rollback steps are measured from it too)."""
    return state.plan.window.start


__all__ = [
    "Forecast",
    "Forecaster",
    "Simulation",
    "Slowness",
    "StepDraw",
    "deadlines",
    "step_range",
    "triangular_cdf",
    "triangular_ppf",
]
