"""The pace prior from this user's memo of rehearsals (rehearse/prior_history.py,
rehearsal_record.py, summary.py): the same prior as folded from the logs, figure for figure;
an unchanged rehearsal is not folded again; one altered on disk is judged again, a damaged
one left out as before; a memo not plainly this user's own is ignored (issue 14).

Files made by a test are younger than SETTLE_NS, so the memo would keep none of them: the
tests set listed_record.SETTLE_NS (the knob of both records) to 0, and before altering a
remembered file wait on a condition until the file system's clock has moved past its ctime.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.engine.events import RehearsalExcluded, RunStarted, StepCompleted, StepStarted
from cutover_tui.journal import store
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.run_lookup import open_run
from cutover_tui.journal.store import Journal, JournalError, RunInfo
from cutover_tui.plan import parse_plan
from cutover_tui.rehearse import prior_history, rehearsal_record
from cutover_tui.rehearse.calibrate import prior_from
from cutover_tui.rehearse.history import history
from cutover_tui.rehearse.prior_history import counted_summaries
from cutover_tui.rehearse.summary import RehearsalSummary, from_json, to_json
from tests.journal_support import T0, after_a_file_clock_tick, plan_text


def rehearsal(runs: Path, plan: Path, minutes: dict[str, float], **started) -> Journal:
    """A closed rehearsal file, each step of `minutes` run that long (times given with --at)."""
    loaded = parse_plan(plan.read_text(), name=str(plan))
    speed = started.pop("speed", 1.0)
    journal = Journal.create(runs, loaded, rehearsal=True, created_by=os_login(), speed=speed)
    lag = timedelta(minutes=2)

    def append(event, moment):
        journal.append(event, now=lambda: moment + lag)

    key = uuid.uuid4().hex
    append(RunStarted(actor="boss", at=T0, plan_id="jt", mode="rehearsal", key=key, **started), T0)
    t = T0
    for sid, length in minutes.items():
        end = t + timedelta(minutes=length)
        append(StepStarted(actor="boss", at=t, step=sid, key=uuid.uuid4().hex), t)
        append(StepCompleted(actor="boss", at=end, step=sid, key=uuid.uuid4().hex), end)
        t = end
    journal.close()  # checkpointed: no WAL frames, the memo may keep it
    return journal


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, Path, list[Journal]]:
    """A plan file, its runs folder: four rehearsals of different paces, a simulation, one
    the commander excluded, and the run being opened."""
    plan = tmp_path / "jt.toml"
    plan.write_text(plan_text(steps=3, commander_login=None, window_start=T0))
    runs = tmp_path / "runs"
    made = [
        rehearsal(runs, plan, {"s0": 12, "s1": 9, "s2": 30}),
        rehearsal(runs, plan, {"s0": 14, "s1": 11}),
        rehearsal(runs, plan, {"s0": 8, "s1": 10, "s2": 22}),
        rehearsal(runs, plan, {"s0": 11, "s1": 15, "s2": 26}),
        rehearsal(runs, plan, dict.fromkeys(("s0", "s1", "s2"), 1.0), simulated=True, speed=60),
        rehearsal(runs, plan, dict.fromkeys(("s0", "s1", "s2"), 45.0)),
    ]
    excluded = Journal(made[-1].path)
    excluded.append(RehearsalExcluded(actor="boss", at=T0, reason="outage", key="x"))
    excluded.close()
    made.append(rehearsal(runs, plan, {}))  # the run being opened
    return plan, runs, made


def folded_prior(opened: Journal):
    """The prior as it was made before the memo: every counted rehearsal's log folded."""
    states = history(opened.path.parent, "jt", without=opened.run_id).states
    return prior_from(opened.plan, states) if states else None


def memo_prior(opened: Journal):
    others = counted_summaries(opened.path.parent, "jt", without=opened.run_id)
    return prior_from(opened.plan, others) if others else None


def folds_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = prior_history._folded

    def counted(journal):
        calls.append(journal.path.name)
        return real(journal)

    monkeypatch.setattr(prior_history, "_folded", counted)
    return calls


def damage(path: Path) -> None:
    """A step's end rewritten in place (same size, the mtime set back): the chain breaks."""
    after_a_file_clock_tick(path)
    was = path.stat()
    db = sqlite3.connect(path, isolation_level=None)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    (body,) = db.execute("SELECT body FROM events WHERE type = 'step-completed'").fetchone()
    db.execute(
        "UPDATE events SET body = ? WHERE body = ?",
        (body.replace("2026-11-27", "2026-11-28"), body),
    )
    db.close()
    os.utime(path, ns=(was.st_atime_ns, was.st_mtime_ns))


def test_the_memoized_prior_is_the_prior_folded_from_the_logs(state, folder, monkeypatch):
    _, runs, made = folder
    opened = open_run(made[-1].run_id, runs)
    expected = folded_prior(opened)
    assert expected is not None and len(expected.scales) == 3
    folds = folds_counted(monkeypatch)
    assert memo_prior(opened) == expected  # cold: each rehearsal folded once, remembered
    assert len(folds) == 6  # the four counted, the simulation and the excluded one
    assert memo_prior(opened) == expected  # warm: from the memo alone
    assert len(folds) == 6
    ids = [s.run_id for s in counted_summaries(runs, "jt", without=opened.run_id)]
    assert ids == [j.run_id for j in made[:4]]  # history's counted, in its order


def test_a_rehearsal_altered_on_disk_is_judged_again(state, folder, monkeypatch):
    _, runs, made = folder
    opened = open_run(made[-1].run_id, runs)
    before = memo_prior(opened)
    after_a_file_clock_tick(made[1].path)
    rehearsal_file = Journal(made[1].path)  # the short one finishes its last step
    at = T0 + timedelta(minutes=25)
    rehearsal_file.append(StepStarted(actor="boss", at=at, step="s2", key="late-a"))
    end = at + timedelta(minutes=40)
    rehearsal_file.append(
        StepCompleted(actor="boss", at=end, step="s2", key="late-b"),
        now=lambda: end + timedelta(minutes=2),
    )
    rehearsal_file.close()
    folds = folds_counted(monkeypatch)
    after = memo_prior(opened)
    assert folds == [made[1].path.name]  # that one alone folded again
    assert after == folded_prior(opened) and after != before


def test_a_damaged_rehearsal_is_left_out_as_before(state, folder, monkeypatch):
    _, runs, made = folder
    opened = open_run(made[-1].run_id, runs)
    memo_prior(opened)
    damage(made[2].path)  # same size and mtime: only its ctime tells
    assert history(runs, "jt", without=opened.run_id).runs[2][0] == made[3].run_id
    folds = folds_counted(monkeypatch)
    assert memo_prior(opened) == folded_prior(opened)
    assert folds == [made[2].path.name]
    ids = [s.run_id for s in counted_summaries(runs, "jt", without=opened.run_id)]
    assert made[2].run_id not in ids and len(ids) == 3
    folds.clear()
    counted_summaries(runs, "jt", without=opened.run_id)
    assert folds == []  # remembered as damaged while it stays so


@pytest.mark.parametrize("spoil", ["group-writable", "malformed", "another code's"])
def test_a_memo_not_plainly_this_users_own_is_ignored(state, folder, monkeypatch, spoil):
    _, runs, made = folder
    opened = open_run(made[-1].run_id, runs)
    expected = memo_prior(opened)
    (memo,) = (state / rehearsal_record.FOLDER).iterdir()
    if spoil == "group-writable":
        memo.chmod(0o620)
    elif spoil == "malformed":
        data = json.loads(memo.read_text())
        for entry in data["runs"].values():
            if "summary" in entry:
                entry["summary"]["actuals"] = {"s0": "ten minutes"}
        memo.write_text(json.dumps(data))
    else:
        monkeypatch.setattr(rehearsal_record, "code_fingerprint", lambda: "another")
    folds = folds_counted(monkeypatch)
    assert memo_prior(opened) == expected
    assert len(folds) == 6  # every rehearsal folded again, as without a memo


def test_cutover_status_says_the_same_from_the_memo(state, folder, capsys):
    from cutover_tui.cli import main

    _, runs, made = folder
    run = made[-1].run_id
    told = []
    for _ in range(2):  # cold, then warm
        assert main(["status", run, "--runs", str(runs), "--json", "--at", "01:30"]) == 0
        told.append(json.loads(capsys.readouterr().out))
    assert told[0] == told[1]
    assert list((state / rehearsal_record.FOLDER).iterdir())  # the memo was written


def test_runs_of_one_plan_share_one_recalled_plan(folder):
    made = folder[2]
    first, second = (Journal(j.path) for j in made[:2])
    assert first.plan is second.plan  # one parse or unpickle, one compact template


def test_a_stored_plan_that_no_longer_loads_names_its_run_file(tmp_path):
    meta = {"plan_text": "format = 1\n[plan]\nid = 3\n", "shift_s": "0"}
    with pytest.raises(JournalError) as caught:
        store.stored_plan(meta, tmp_path / "bad.db")
    said = str(caught.value)
    assert said.startswith(f"{tmp_path / 'bad.db'}: its stored plan no longer loads: ")
    assert f"{tmp_path / 'bad.db'}:plan" in said


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)),
        max_size=20,
    ),
    st.booleans(),
    st.booleans(),
)
def test_a_summary_reads_back_exactly_what_it_wrote(actuals, simulated, excluded) -> None:
    info = RunInfo(
        run_id="jt-rehearsal-1",
        path=Path("runs/jt-rehearsal-1.db"),
        plan_id="jt",
        title="Journal test",
        mode="rehearsal",
        created_at="2026-11-27T22:00:00+00:00",
        created_by="boss",
        events=7,
        phase="ended",
        outcome="completed",
    )
    summary = RehearsalSummary(info, simulated, excluded, actuals)
    written = json.loads(json.dumps(to_json(summary)))  # through the memo's own format
    assert from_json(written, info.path) == summary  # every duration to the microsecond


@pytest.mark.parametrize(
    "spoilt",
    [
        None,
        [],
        {"info": {}, "simulated": False, "excluded": False, "actuals": {}},
        {"simulated": False, "excluded": False, "actuals": {}},
        {"info": "x", "simulated": False, "excluded": False, "actuals": {}},
        {"info": None, "simulated": 1, "excluded": False, "actuals": {"s0": 1.5}},
    ],
)
def test_a_summary_of_the_wrong_shape_is_none(spoilt) -> None:
    assert from_json(spoilt, Path("x.db")) is None


def test_bytes_changed_under_an_unmoved_stat_are_folded_again(state, folder, monkeypatch):
    # A write through a shared memory map to a page already dirty leaves ctime as it was:
    # the entry's stat is made to match the file's stat after the change, as it would.
    _, runs, made = folder
    opened = open_run(made[-1].run_id, runs)
    memo_prior(opened)
    victim = made[0].path
    data = bytearray(victim.read_bytes())
    where = data.find(b"2026-11-27T22:12")  # s0's end: 12 minutes in
    assert where > 0
    data[where : where + 16] = b"2026-11-27T22:42"
    with open(victim, "r+b") as f:
        f.write(data)
    (memo,) = (state / rehearsal_record.FOLDER).iterdir()
    written = json.loads(memo.read_text())
    info = victim.stat()
    written["runs"][victim.name]["file"][:5] = [
        info.st_dev,
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    ]
    memo.write_text(json.dumps(written))
    folds = folds_counted(monkeypatch)
    assert memo_prior(opened) == folded_prior(opened)
    assert folds == [victim.name]  # its digest changed: folded again (and found damaged)
