"""`cutover run PLAN` by someone who may not read the runs directory says so.

Found as an OS user outside the `cutover` group on a shared jump host: `cutover run PLAN`
answered "no run of this plan is under way, and you may not start one" while the commander's
run was going on; the directory's listing had come back empty, not refused.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cutover_tui.engine.events import RunStarted
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.journal_support import T0, plan_text
from tests.test_cli_bounds import as_user, can_run_as, outsider  # noqa: F401 (a fixture)


@pytest.fixture
def host() -> Iterator[Path]:
    """A jump host's layout: a directory all may enter, the plan readable by all, the runs
    directory the group's alone (2770) with a run of the plan going on in it."""
    base = Path(tempfile.mkdtemp(prefix="cutover-host-"))
    try:
        base.chmod(0o755)
        plan = base / "jt.toml"
        plan.write_text(plan_text(steps=3, window_start=T0))
        plan.chmod(0o644)
        journal = Journal.create(
            base / "runs",
            parse_plan(plan.read_text(), name=str(plan)),
            rehearsal=False,
            created_by=os_login(),
        )
        journal.append(RunStarted(actor="boss", at=T0, plan_id="jt", key="go"))
        journal.close()
        (base / "runs").chmod(0o2770)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_run_plan_in_a_runs_directory_you_may_not_read(host: Path, outsider) -> None:  # noqa: F811
    runs = host / "runs"
    can_run_as(outsider, runs)
    said = as_user(outsider, "run", str(host / "jt.toml"), runs=runs)
    lines = said.stderr.strip().splitlines()
    assert said.returncode == 1 and "Traceback" not in said.stderr
    assert "no run of this plan is under way" not in said.stderr, said.stderr
    assert len(lines) == 1 and "permission denied" in lines[0] and str(runs) in lines[0], lines


def test_runs_in_a_directory_you_may_not_read(host: Path, outsider) -> None:  # noqa: F811
    """`cutover runs` said "no runs in DIR/ (cutover start PLAN makes one)" to the same user."""
    runs = host / "runs"
    can_run_as(outsider, runs)
    said = as_user(outsider, "runs", runs=runs)
    assert "no runs in" not in said.stdout, said.stdout
    lines = said.stderr.strip().splitlines()
    assert said.returncode == 1 and len(lines) == 1, said.stderr
    assert "permission denied" in lines[0] and str(runs) in lines[0], lines


def test_a_run_file_you_may_not_read_says_so(host: Path, outsider) -> None:  # noqa: F811
    # User pass, 2026-12-02: the folder open to all, the run file 0600: "cannot be read as a
    # cutover run: unable to open database file" named no permission.
    runs = host / "runs"
    runs.chmod(0o755)
    [db] = runs.glob("*.db")
    db.chmod(0o600)
    can_run_as(outsider, runs)
    said = as_user(outsider, "status", db.stem, runs=runs)
    lines = said.stderr.strip().splitlines()
    assert said.returncode == 1 and len(lines) == 1 and "Traceback" not in said.stderr, lines
    assert f"you ({outsider.pw_name}) may not read it (owner" in lines[0], lines
    assert "mode 0600" in lines[0] and "unable to open database file" not in lines[0], lines
