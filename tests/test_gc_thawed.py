"""No test leaves the heap frozen for the tests after it (tests/gc_support.py).

Regression (issue 14, the hostile review): the boot tests run `prepare_war_room`, whose
`gc.freeze()` stayed in force for the rest of the pytest process. The real tests are run in
a pytest of their own, then this module's probe, in that order.
"""

from __future__ import annotations

import gc
import subprocess
import sys

from tests.test_cli_warroom import ROOT

FREEZERS = [  # every test module that runs prepare_war_room
    "tests/test_tui_boot_warm.py",
    "tests/test_tui_boot_title.py",
]


def test_nothing_left_frozen_by_earlier_tests() -> None:
    assert gc.get_freeze_count() == 0


def test_the_boot_tests_leave_nothing_frozen() -> None:
    probe = "tests/test_gc_thawed.py::test_nothing_left_frozen_by_earlier_tests"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         *FREEZERS, probe],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
