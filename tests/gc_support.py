"""The boot's worker freezes the heap once the run is folded (cli/warroom_boot.py
`prepare_war_room`: `gc.freeze()`, right for a war room that lives as long as its process).
In the pytest process that would leave every later test's objects out of the cyclic
collector's reach: a test that runs `prepare_war_room` thaws the heap in its teardown."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture
def thawed() -> Iterator[None]:
    """gc.unfreeze() after the test: what it froze goes back to the collector."""
    yield
    gc.unfreeze()
