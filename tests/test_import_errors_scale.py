"""A sheet full of mistakes stays quick and its messages short (hostile user pass 2026-12-02):
every unknown predecessor compared itself with every id (10,000 rows: 90.9 s), and a cycle
through every row was one 89 KB line. Real CSV files through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover_tui.importers.suggest import MAX_SUGGESTED, SMALL
from cutover_tui.plan import parse_plan
from cutover_tui.plan.errors import PlanError
from cutover_tui.plan.ring import SHOWN, show_ring
from tests.import_support import run_import, write_csv

HEADER = "Task,Owner,Duration,Predecessors\n"
PLANS = Path(__file__).parent / "plans" / "broken"


def _errors(capsys, path: Path) -> list[str]:
    code, out, err = run_import(capsys, path)
    assert code == 1, (out, err)
    assert "Traceback" not in "\n".join(err)
    return err


def test_only_the_first_misspellings_get_a_suggestion(tmp_path: Path, capsys) -> None:
    rows = [f"Step {n},Ann,5m," for n in range(60)]
    rows += [f"Late {n},Ann,5m,Setp {n}" for n in range(40)]  # 40 distinct misspelt names
    err = _errors(capsys, write_csv(tmp_path / "r.csv", HEADER + "\n".join(rows) + "\n"))
    unknown = [line for line in err if "unknown predecessor" in line]
    assert len(unknown) == 40  # every problem is still reported
    hinted = [line for line in unknown if "did you mean" in line]
    assert len(hinted) == MAX_SUGGESTED
    assert "'Setp 0'" in unknown[0] and "did you mean 'step-0'?" in unknown[0]


def test_a_misspelling_repeated_keeps_its_suggestion_past_the_budget(
    tmp_path: Path, capsys
) -> None:
    rows = [f"Step {n},Ann,5m," for n in range(20)]
    rows += [f"Late {n},Ann,5m,Setp {n % 3}" for n in range(30)]  # 3 names, 30 times
    err = _errors(capsys, write_csv(tmp_path / "r.csv", HEADER + "\n".join(rows) + "\n"))
    unknown = [line for line in err if "unknown predecessor" in line]
    assert len(unknown) == 30
    assert all("did you mean 'step-" in line for line in unknown)


def test_a_cycle_through_every_row_is_one_short_line(tmp_path: Path, capsys) -> None:
    count = 2000
    rows = [f"Step {n},Ann,5m,{2 + (n - 1) % count}" for n in range(count)]  # 1st after last
    err = _errors(capsys, write_csv(tmp_path / "r.csv", HEADER + "\n".join(rows) + "\n"))
    cycle = [line for line in err if "dependency cycle" in line]
    assert len(cycle) == 1
    assert "through rows 2 → 3 → 4 → 5 → 6 → 7 → 8 → 9 → ... (1,992 more) → 2 " in cycle[0]
    assert len(cycle[0]) < 400


def test_a_long_cycle_in_a_plan_file_is_one_short_line() -> None:
    text = (PLANS / "21-dependency-cycle.toml").read_text()
    head = text[: text.index("[[step]]")]
    count = 500
    steps = [
        f'[[step]]\nid = "s{n}"\nphase = "prepare"\ntitle = "Step {n}"\nowner = "ops"\n'
        f'duration = "5m"\nafter = ["s{(n - 1) % count}"]\n'
        for n in range(count)
    ]
    with pytest.raises(PlanError) as info:
        parse_plan(head + "\n".join(steps), name="long.toml")
    line = next(line for line in str(info.value).splitlines() if "dependency cycle" in line)
    assert f"... ({count - SHOWN:,} more) -> " in line and len(line) < 300


# Members are step ids or row numbers (plan/model.py's ID_PATTERN), never text holding the
# separator (any text made " ->" a member the split could not give back: hypothesis, seed 1).
_MEMBER = st.from_regex(r"[a-z0-9][a-z0-9-]{0,4}", fullmatch=True)


@given(st.lists(_MEMBER, min_size=1, max_size=40, unique=True))
def test_a_ring_shows_its_start_its_size_and_its_way_back(members: list[str]) -> None:
    shown = show_ring(members)
    parts = shown.split(" -> ")
    assert parts[0] == members[0] and parts[-1] == members[0]
    if len(members) <= SHOWN + 1:
        assert parts == [*members, members[0]]
    else:
        assert parts[:SHOWN] == members[:SHOWN]
        assert parts[SHOWN] == f"... ({len(members) - SHOWN:,} more)"


def test_a_large_sheet_still_suggests_the_id_meant(tmp_path: Path, capsys) -> None:
    """Over SMALL ids only a shortlist is compared: the id meant must be on it."""
    count = SMALL + 300
    rows = [f"Copy table {n},Ann,5m," for n in range(count)]
    rows += ["Check,Ann,5m,copy-tabel-417", "Check 2,Ann,5m,cpoy-table-9"]
    err = _errors(capsys, write_csv(tmp_path / "r.csv", HEADER + "\n".join(rows) + "\n"))
    unknown = [line for line in err if "unknown predecessor" in line]
    assert "did you mean 'copy-table-417'?" in unknown[0]
    assert "did you mean 'copy-table-9'?" in unknown[1]
