"""No test leaves the heap frozen for the tests after it (tests/conftest.py `_heap_thawed`).

Regression (issue 14, the hostile review): the boot tests run `prepare_war_room`, whose
`gc.freeze()` stayed in force for the rest of the pytest process (and the catch-up's
now freezes it too, tui/catch_up_news.py). The real tests are run in
a pytest of their own, then this module's probe, in that order.
"""

from __future__ import annotations

import gc
import subprocess
import sys

from tests.test_cli_warroom import ROOT

FREEZERS = [  # test modules that run prepare_war_room, and one that starts a catch-up
    "tests/test_tui_boot_warm.py",
    "tests/test_tui_boot_title.py",
    "tests/test_catch_up_later.py::test_the_war_room_answers_while_the_catch_up_is_worked_out",
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
