"""Blocks of iterations for the Monte Carlo forecast: bounded memory on any plan size.

The forecast's matrices are (steps x iterations). On a 50,000-step plan and 2,000 iterations
one float64 matrix is 800 MB, and the simulation held several at once (the random uniforms,
the inverse-CDF temporaries, the durations, the finishes): `cutover validate` peaked at
3.4 GB. Iterations are independent of each other, so the simulation runs over blocks of
iterations whose matrices hold at most `BLOCK_CELLS` cells each, and the forecaster keeps its
per-step draws between refreshes only while they fit `CACHE_CELLS`.

Chosen over fewer iterations or float32 finishes because it changes no figure: each step's
random stream is read in order, block after block, so a block holds exactly the numbers the
whole matrix held in its columns, and every operation is element by element (or per column).
A plan of ordinary size (steps x iterations <= BLOCK_CELLS) is one block, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

BLOCK_CELLS = 8_000_000  # 64 MB per float64 matrix of a block; 4,000 steps x 2,000 in one
ROW_CELLS = 1_000_000  # the inverse CDF's temporaries: a few 8 MB arrays at a time
CACHE_CELLS = 32_000_000  # a kept float32 matrix of draws: 128 MB (50,000 steps x 500 fit)
SKIP_WIDTH = 4_096  # draws discarded at a time when a stream has to be wound forward

Draw = Callable[[np.random.Generator, int], np.ndarray]


def blocks(steps: int, iterations: int, cells: int | None = None) -> list[slice]:
    """The iterations in order, cut into blocks of at most `cells` (steps x width) cells
    (BLOCK_CELLS unless given; a block is one iteration wide at the least)."""
    width = max(1, (cells or BLOCK_CELLS) // max(steps, 1))
    return [slice(lo, min(lo + width, iterations)) for lo in range(0, iterations, width)]


def row_blocks(steps: int, width: int) -> list[slice]:
    """The steps cut into runs of rows of at most ROW_CELLS cells, for element-wise work whose
    temporaries would otherwise be several copies of a whole block."""
    height = max(1, ROW_CELLS // max(width, 1))
    return [slice(lo, min(lo + height, steps)) for lo in range(0, steps, height)]


def fits_cache(steps: int, iterations: int) -> bool:
    """Whether a (steps x iterations) float32 matrix of draws may be kept between refreshes."""
    return steps * iterations <= CACHE_CELLS


def uniform(rng: np.random.Generator, count: int) -> np.ndarray:
    return rng.random(count)


def normal(rng: np.random.Generator, count: int) -> np.ndarray:
    return rng.standard_normal(count)


def chisquare(df: float) -> Draw:
    return lambda rng, count: rng.chisquare(df, count)


class Streams:
    """One random stream per id, read block by block in order of the iterations.

    A block further on winds every stream forward by drawing and dropping; a block behind the
    current position starts the streams again (the draws depend on (seed, id) alone, so a
    restarted stream repeats itself exactly).
    """

    def __init__(
        self, make: Callable[[str], np.random.Generator], ids: Sequence[str], draw: Draw
    ) -> None:
        self._make = make
        self._ids = ids
        self._draw = draw
        self._rngs: list[np.random.Generator] = []
        self._at = 0  # iterations already drawn from every stream

    def take(self, cols: slice) -> np.ndarray:
        """The draws of iterations `cols` of every stream: (ids x width), float64."""
        if not self._rngs or cols.start < self._at:
            self._rngs = [self._make(name) for name in self._ids]
            self._at = 0
        while self._at < cols.start:
            skip = min(SKIP_WIDTH, cols.start - self._at)
            for rng in self._rngs:
                self._draw(rng, skip)
            self._at += skip
        width = cols.stop - cols.start
        out = np.empty((len(self._rngs), width))
        for i, rng in enumerate(self._rngs):
            out[i] = self._draw(rng, width)
        self._at = cols.stop
        return out


class BlockCache:
    """A (steps x iterations) float32 matrix of draws, built block by block, kept if it fits.

    `compute(cols)` gives the matrix's columns `cols`. Kept whole when `fits_cache`, so a
    refresh only reads it; otherwise each request recomputes its block, and no more than one
    block's temporaries are alive at a time.
    """

    def __init__(self, steps: int, iterations: int, compute: Callable[[slice], np.ndarray]):
        self._compute: Callable[[slice], np.ndarray] | None = compute
        self._whole: np.ndarray | None = None
        if fits_cache(steps, iterations):
            whole = np.empty((steps, iterations), np.float32)
            for part in blocks(steps, iterations):
                whole[:, part] = compute(part)
            self._whole = whole
            self._compute = None  # nor the streams behind it: a generator per step, ~1 KB each

    @classmethod
    def of(cls, whole: np.ndarray) -> BlockCache:
        """A matrix made already, kept whole (engine/forecast_reuse.py carries one over)."""
        cache = cls.__new__(cls)
        cache._whole, cache._compute = whole, None
        return cache

    @property
    def kept(self) -> bool:
        return self._whole is not None

    def columns(self, cols: slice) -> np.ndarray:
        if self._whole is not None:
            return self._whole[:, cols]
        assert self._compute is not None
        return self._compute(cols)


def level_pass(
    levels: Sequence[tuple[int, int, np.ndarray, np.ndarray]],
    lower: np.ndarray,
    duration: np.ndarray,
    fixed: dict[int, np.ndarray | float],
) -> np.ndarray:
    """Every step's finish in the block's iterations: the longest path, level by level.

    `lower` is each step's earliest start, `duration` the block's (steps x width) durations,
    `fixed` the finishes of closed and running steps (a number or one value per iteration).
    """
    n, width = duration.shape
    finish = np.empty((n, width))
    fixed_at = np.zeros(n, bool)
    fixed_at[list(fixed)] = True
    for lo, hi, rows, offsets in levels:
        if len(rows):
            start = np.maximum.reduceat(finish[rows], offsets, axis=0)
            np.maximum(start, lower[lo:hi, None], out=start)
        else:
            start = np.broadcast_to(lower[lo:hi, None], (hi - lo, width))
        np.add(start, duration[lo:hi], out=finish[lo:hi])
        # Closed and running steps do not follow the formula: they are what they are.
        for i in np.flatnonzero(fixed_at[lo:hi]):
            finish[lo + i] = fixed[lo + int(i)]
    return finish


__all__ = [
    "BLOCK_CELLS",
    "CACHE_CELLS",
    "BlockCache",
    "Streams",
    "blocks",
    "chisquare",
    "fits_cache",
    "level_pass",
    "normal",
    "row_blocks",
    "uniform",
]
