"""The six-hour rule of an HH:MM ETA counts absolute time on a clock-change day.

Found in review (2026-12-02): `next_time_of_day` took the difference of two times in the
plan's zone, which Python counts on the wall clock. In Europe/Berlin on 25 Oct 2026 (02:00
came twice), 01:30 typed at 06:45 had passed 6h15m before, and was refused as "5h15m ago";
on 29 Mar 2026 (02:00 skipped), 00:30 typed at 07:00 had passed 5h30m before, and was taken
as tomorrow's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cutover_tui.engine.events import RunStarted
from cutover_tui.engine.when import eta_after
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.journal_support import plan_text
from tests.test_cli_run import cutover

BERLIN = ZoneInfo("Europe/Berlin")
BEGUN = datetime(2026, 10, 24, 22, 0, tzinfo=BERLIN)  # the night the clocks go back


def _berlin(window_start: datetime = BEGUN) -> str:
    naive = window_start.replace(tzinfo=None)
    text = plan_text(steps=3, window_start=naive)
    return text.replace('timezone = "UTC"', 'timezone = "Europe/Berlin"')


PLAN = parse_plan(_berlin(), name="jt.toml").plan


def test_an_eta_passed_over_six_hours_ago_across_the_autumn_change_is_tomorrows() -> None:
    at = datetime(2026, 10, 25, 6, 45, tzinfo=BERLIN)  # CET; 01:30 was CEST, 6h15m ago
    assert eta_after("01:30", PLAN, at) == datetime(2026, 10, 26, 1, 30, tzinfo=BERLIN)


def test_an_eta_passed_under_six_hours_ago_across_the_spring_change_is_refused() -> None:
    at = datetime(2026, 3, 29, 7, 0, tzinfo=BERLIN)  # CEST; 00:30 was CET, 5h30m ago
    with pytest.raises(ValueError, match=r"^00:30 has passed \(it was 5h30m ago\).*17h30m away"):
        eta_after("00:30", PLAN, at)


def test_the_cli_takes_the_eta_on_the_autumn_change_day(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    loaded = parse_plan(_berlin(), name="jt.toml")
    journal = Journal.create(runs, loaded, rehearsal=False, created_by=os_login())
    journal.append(RunStarted(actor="boss", at=BEGUN, plan_id="jt", key="go"))
    journal.close()
    run = journal.run_id
    began = cutover("do", run, "start", "s0", "--at", "2026-10-25T01:00", runs=runs)
    assert began.returncode == 0, began.stderr
    said = cutover(
        "do", run, "suspend", "s0", "--reason", "vendor", "--eta", "01:30",
        "--at", "2026-10-25T06:45", runs=runs,
    )  # fmt: skip
    assert said.returncode == 0, said.stderr
    eta = Journal(runs / f"{run}.db").events()[-1].eta
    assert eta == datetime(2026, 10, 26, 0, 30, tzinfo=UTC)  # 01:30 CET the next night


@pytest.mark.parametrize(
    ("at", "said"),
    [
        # 02:10 CET, the second pass of 02:00-03:00: 02:05 CET was 5m ago (02:05 CEST 1h05m)
        (datetime(2026, 10, 25, 1, 10, tzinfo=UTC), "it was 5m ago"),
        # 03:10 CEST on the spring day: 02:30 (never on the wall) read as 02:30 CEST, 40m ago;
        # it was "-20m" against 03:30 CEST, said "1m ago"
        (datetime(2026, 3, 29, 1, 10, tzinfo=UTC), "it was 40m ago"),
    ],
)
def test_a_refused_eta_in_a_clock_change_hour_says_how_long_ago_it_was(
    at: datetime, said: str
) -> None:
    typed = "02:05" if at.month == 10 else "02:30"
    with pytest.raises(ValueError, match=rf"^{typed} has passed \({said}\)"):
        eta_after(typed, PLAN, at)


def test_an_eta_in_the_repeated_hour_still_to_come_is_its_second_pass() -> None:
    """Review (2026-12-02): 02:20 typed at 02:40 CEST on 25 Oct (before the clocks go back)
    was refused as "the next 02:20 is tomorrow, 24h40m away"; 02:20 CET is 40m away."""
    first_pass = datetime(2026, 10, 25, 2, 40, tzinfo=BERLIN)  # fold 0: CEST, UTC+2
    eta = eta_after("02:20", PLAN, first_pass)
    assert eta.astimezone(UTC) == datetime(2026, 10, 25, 1, 20, tzinfo=UTC)  # 02:20 CET
    # In the second pass (CET) the same 02:20 passed 20m ago: refused, as any slip.
    with pytest.raises(ValueError, match="it was 20m ago"):
        eta_after("02:20", PLAN, first_pass.replace(fold=1))


def test_an_eta_the_clocks_skip_is_refused_as_at_is() -> None:
    # Review of 2026-12-03: `--at 02:30` on 29 Mar in Berlin was refused (the clocks skip that
    # hour) while `--eta 02:30` was taken as 03:30 without a word.
    at = datetime(2026, 3, 29, 1, 10, tzinfo=BERLIN)  # CET, 50m before the clocks skip
    with pytest.raises(ValueError, match=r"^02:30 does not exist in Europe/Berlin on 2026-03-29"):
        eta_after("02:30", PLAN, at)
    assert eta_after("03:30", PLAN, at) == datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    assert eta_after("01:50", PLAN, at) == datetime(2026, 3, 29, 1, 50, tzinfo=BERLIN)
