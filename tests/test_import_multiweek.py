"""A multi-week implementation plan as sheets keep them: start and end dates instead of a
duration, no dependency column, a status per row, several people columns, a stray cell."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from cutover_tui.importers import ImportOptions, import_runbook
from cutover_tui.plan import parse_plan
from tests.import_support import write_xlsx

ROWS = [
    ["ERP rollout - implementation plan"],
    [],
    ["Workstream", "Activity", "Responsible", "Executor", "Support", "Start date", "End date",
     "Status", "Ticket"],
    ["Prepare", "Data cleansing", "Maria Lopez", "Data team", "Ahmed Khan",
     datetime(2026, 11, 2), datetime(2026, 11, 6), "Done", "PRJ-1"],
    ["Prepare", "Key-user training", "Ahmed Khan", "Trainers", None,
     datetime(2026, 11, 9), datetime(2026, 11, 13), "In progress", None],
    ["Build", "Interfaces build", "Maria Lopez", None, "Ahmed Khan",
     datetime(2026, 11, 9), datetime(2026, 11, 20), "Not started", "PRJ-7", "see mail of 3/11"],
    ["Go-live", "Go-live weekend", "Maria Lopez", None, None,
     datetime(2026, 11, 28), datetime(2026, 11, 29), None, None],
]  # fmt: skip


@pytest.fixture
def imported(tmp_path: Path):
    path = write_xlsx(tmp_path / "rollout.xlsx", ROWS)
    result = import_runbook(path, ImportOptions(timezone="Europe/Madrid"))
    assert result.toml is not None, [str(p) for p in result.problems]
    return path, result, parse_plan(result.toml).plan


def test_dates_become_fixed_starts_and_durations(imported) -> None:
    _, _, plan = imported
    steps = {s.title: s for s in plan.step}
    cleansing = steps["Data cleansing"]
    assert cleansing.duration.days == 5  # 2 to 6 November, both days included
    assert cleansing.not_before.astimezone(plan.zone).replace(tzinfo=None) == datetime(2026, 11, 2)
    assert steps["Interfaces build"].duration.days == 12
    assert plan.window.start.astimezone(plan.zone).replace(tzinfo=None) == datetime(2026, 11, 2)
    assert (
        plan.window.end - plan.window.start
        >= steps["Go-live weekend"].not_before - plan.window.start
    )


def test_people_columns_status_and_unmapped_columns(imported) -> None:
    path, result, plan = imported
    steps = {s.title: s for s in plan.step}
    assert steps["Data cleansing"].owner == "maria-lopez"
    assert steps["Data cleansing"].consulted == ["ahmed-khan"]  # Support
    assert steps["Data cleansing"].instructions == (
        "Executor: Data team\nTicket: PRJ-1\nStatus: Done"
    )
    assert [p.title for p in plan.phase] == ["Prepare", "Build", "Go-live"]
    messages = [str(p) for p in result.problems]
    assert (
        f"{path} [Rollout] row 3, D (Executor): warning: 'Executor' reads as owner too; "
        "'Responsible' is used, 'Executor' is kept in the steps' notes (choose with --map "
        "'Executor=FIELD')"
    ) in [m.replace("[Runbook]", "[Rollout]") for m in messages]
    assert any(
        m.endswith("row 6, J: warning: a value in J, past the last headed column (someone typed "
                   "into the wrong cell?): kept in the step's notes")
        for m in messages
    )  # fmt: skip
    assert "columns kept as step notes: 'Executor', 'Ticket'" in result.notes
    assert "people to complete (login, roles, phone): maria-lopez, ahmed-khan" in result.notes
