"""A suspension's ETA refused as not after now says both times with their dates when they
are not on the run's night (engine/times.stamp).

Found in review (2026-12-02): the war room's suspend form (and `cutover do suspend --eta`)
takes a dated ETA; one dated yesterday was refused as "the ETA 10:00 is not after now
(09:40)", which reads as a contradiction. It follows engine/times.stamps, as the other
refusals of a time do.
"""

from __future__ import annotations

from datetime import timedelta

from tests.test_cli_late_tickoff_dates import BEGUN, _begun_two_nights_ago, _iso
from tests.test_cli_run import cutover


def test_a_past_dated_eta_is_refused_with_its_date(tmp_path) -> None:
    run, runs = _begun_two_nights_ago(tmp_path)
    began = cutover("do", run, "start", "s0", "--at", _iso(BEGUN + timedelta(minutes=5)), runs=runs)
    assert began.returncode == 0, began.stderr
    eta = BEGUN + timedelta(hours=12)  # 10:00 the morning after the run began
    now = eta + timedelta(days=1, minutes=-20)  # 09:40 a day later: earlier in the day
    said = cutover(
        "do", run, "suspend", "s0", "--reason", "vendor", "--eta", _iso(eta), "--at", _iso(now),
        runs=runs,
    )  # fmt: skip
    assert said.returncode == 1
    # The ETA is on the run's night, said bare; now is a day on, dated (engine/times.stamp).
    assert f"the ETA 10:00 is not after now ({now:%Y-%m-%d} 09:40)" in said.stderr
