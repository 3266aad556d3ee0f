"""Pause Python's cyclic garbage collector around bulk work that creates no garbage cycles.

Loading a 50,000-step plan makes millions of objects (the TOML tables, the models, the
graphs) that all stay alive until the plan is checked. Every few hundred allocations the
collector wakes up, and its older generations walk that growing heap again and again: 2 to
3.5 s of `cutover validate`'s 8 to 10 s on 50,000 steps (issue 12), for nothing to free.
Reference counting still frees everything as usual; only cycle detection waits until the
block ends. Re-enabled only if it was enabled, so nesting and a caller's own gc.disable()
are respected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


__all__ = ["gc_paused"]
