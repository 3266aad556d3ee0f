"""Draws carried from one graph to the next: an amendment changes a step, not the whole night.

An estimate changed or a step added live makes a new `LevelGraph` (engine/forecast_graph.py),
and the forecaster's matrices (every step's durations, and its own scatter, in every
iteration) were made per graph: every step's random stream made again, a generator per step
(issue 14: one estimate change on a 5,000-step plan made the next tick take 2.6 s).

A step's row depends on (seed, its id) and its range alone, so the new graph's matrix is the
old one's rows, looked up by id, for every step whose range did not change; only the others
(the changed and the new steps) have their streams made. The matrix is the same, to the bit,
as one made from scratch (tests/test_forecast_reuse.py). Only matrices kept whole are carried
(`BlockCache.kept`); a plan too large for that draws its blocks afresh each time anyway.

Pure: numpy, no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .forecast_blocks import BlockCache, Streams, chisquare, normal, row_blocks, uniform
from .forecast_graph import LevelGraph

MakeStream = Callable[[int, str], np.random.Generator]  # (kind, id) -> its random stream
MOSTLY_NEW = 0.5  # above this share of rows to make, the matrix is made from scratch


def carry(
    old: tuple[LevelGraph, BlockCache] | None,
    graph: LevelGraph,
    same: Callable[[LevelGraph, int, int], bool],
    make_rows: Callable[[list[int]], np.ndarray],
) -> BlockCache | None:
    """The new graph's matrix from the old one's rows where `same(old_graph, j, i)` holds
    (old row j, new row i, the same id) and `make_rows(rows)` for the rest; None when there
    is nothing to carry (no old matrix kept whole, or mostly new rows)."""
    if old is None or not old[1].kept or old[0] is graph:
        return None
    old_graph, old_cache = old
    keep_from: list[int] = []
    keep_to: list[int] = []
    fresh: list[int] = []
    for i, sid in enumerate(graph.ids):
        j = old_graph.index.get(sid)
        if j is not None and same(old_graph, j, i):
            keep_from.append(j)
            keep_to.append(i)
        else:
            fresh.append(i)
    if len(fresh) > MOSTLY_NEW * len(graph.ids):
        return None
    whole = old_cache.columns(slice(None))
    out = np.empty((len(graph.ids), whole.shape[1]), np.float32)
    out[keep_to] = whole[keep_from]
    if fresh:
        out[fresh] = make_rows(fresh)
    return BlockCache.of(out)


def same_range(graph: LevelGraph) -> Callable[[LevelGraph, int, int], bool]:
    """A duration row is kept when the step's three-point range is the same."""
    return lambda old, j, i: bool(
        old.low[j] == graph.low[i] and old.mode[j] == graph.mode[i] and old.high[j] == graph.high[i]
    )


def same_budget(graph: LevelGraph) -> Callable[[LevelGraph, int, int], bool]:
    """A scatter row is kept when the step's budget (its latency's share) is the same."""
    return lambda old, j, i: bool(old.mode[j] == graph.mode[i])


def duration_rows(
    graph: LevelGraph, make: MakeStream, iterations: int, ppf
) -> Callable[[list[int]], np.ndarray]:
    """The duration rows of `rows` at scale 1, as `Forecaster._durations` makes them."""

    def rows_of(rows: list[int]) -> np.ndarray:
        ids = [graph.ids[i] for i in rows]
        u = Streams(lambda sid: make(0, sid), ids, uniform).take(slice(0, iterations))
        low, mode, high = graph.low[rows], graph.mode[rows], graph.high[rows]
        base = np.empty(u.shape, np.float32)
        for r in row_blocks(*u.shape):
            base[r] = ppf(u[r], low[r, None], mode[r, None], high[r, None])
        return base

    return rows_of


def scatter_rows(
    graph: LevelGraph, make: MakeStream, iterations: int, sd: float, latency: float, tail: float
) -> Callable[[list[int]], np.ndarray]:
    """The scatter rows of `rows`, as `Forecaster._step_noise` makes them."""
    from .forecast import MAX_SCATTER  # (the forecaster imports this module)

    def rows_of(rows: list[int]) -> np.ndarray:
        ids = [graph.ids[i] for i in rows]
        everything = slice(0, iterations)
        z = Streams(lambda sid: make(2, sid), ids, normal).take(everything)
        if np.isfinite(tail):
            z /= np.sqrt(
                Streams(lambda sid: make(3, sid), ids, chisquare(tail)).take(everything) / tail
            )
        budget = np.where(graph.mode[rows] > 0, graph.mode[rows], np.inf)
        sd_i = np.sqrt(sd**2 + (latency / budget) ** 2)
        return np.exp(np.clip(sd_i[:, None] * z, -MAX_SCATTER, MAX_SCATTER)).astype(np.float32)

    return rows_of


__all__ = ["carry", "duration_rows", "same_budget", "same_range", "scatter_rows"]
