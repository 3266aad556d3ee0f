"""`cutover export RUN --out X --force` never writes its sheet over the run's journal (by
name, hard or symbolic link, or a journal's -wal beside it) nor over the plan file the run was
started from: one line, even with --force, and the file as it was. `cutover import` and
`cutover export PLAN` refuse their own input alike (tests/test_import_user_pass.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.journal.store import Journal
from tests.journal_support import T0, plan_text


def _started(tmp_path: Path, monkeypatch, capsys) -> tuple[str, Path, Path]:
    """A run of jt.toml started in tmp_path by its relative name, as a planner types it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "jt.toml").write_text(plan_text(steps=3, window_start=T0))
    assert main(["start", "jt.toml", "--rehearsal", "--runs", "runs"]) == 0
    capsys.readouterr()
    [db] = (tmp_path / "runs").glob("*.db")
    return Journal(db).run_id, db, tmp_path / "jt.toml"


@pytest.mark.parametrize(
    ("what", "how"),
    [
        ("journal", "name"),
        ("journal", "hard link"),
        ("journal", "symlink"),
        ("journal", "wal"),
        ("plan", "name"),
        ("plan", "hard link"),
        ("plan", "symlink"),
    ],
)
@pytest.mark.parametrize("kind", ["--csv", "--xlsx"])
def test_export_run_never_overwrites_its_journal_or_plan(
    tmp_path: Path, monkeypatch, capsys, what: str, how: str, kind: str
) -> None:
    run, db, plan = _started(tmp_path, monkeypatch, capsys)
    victim = db if what == "journal" else plan
    out = victim
    if how == "hard link":
        out = tmp_path / "night.csv"
        out.hardlink_to(victim)
    elif how == "symlink":
        out = tmp_path / "night.csv"
        out.symlink_to(victim)
    elif how == "wal":
        out = db.with_name(db.name + "-wal")
    out = out.relative_to(tmp_path)  # as typed, from where the run was started
    before = plan.read_bytes()
    events = [e.key for e in Journal(db).events()]
    assert main(["export", run, kind, "--out", str(out), "--force", "--runs", "runs"]) == 1
    captured = capsys.readouterr()
    said = {
        "journal": f"the journal of run {run}",
        "plan": f"the plan file run {run} was started from",
    }[what]
    assert captured.out == ""
    assert captured.err.splitlines() == [f"{out}: is {said}; choose another --out"]
    assert plan.read_bytes() == before
    assert db.read_bytes().startswith(b"SQLite format 3\0")  # a checkpoint may move bytes
    assert [e.key for e in Journal(db).events()] == events  # every event still there
    assert main(["export", run, kind, "--out", "sheet", "--runs", "runs"]) == 0  # elsewhere: fine


def test_export_of_a_run_file_by_path_exports_the_run(tmp_path: Path, monkeypatch, capsys) -> None:
    """`cutover export runs/RUN.db` (a backup copy, the service account's file) is the run:
    it was read as a plan and refused as 'a plan that does not validate' (a UTF-8 error)."""
    run, db, _ = _started(tmp_path, monkeypatch, capsys)
    copy = tmp_path / "backup.db"
    copy.write_bytes(db.read_bytes())
    assert main(["export", str(copy), "--csv", "--out", "night.csv"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote night.csv: 5 steps of {run}")
    assert main(["export", str(copy), "--csv", "--out", str(copy), "--force"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{copy}: is the journal of run {run}; choose another --out"
    ]
    assert Journal(copy).run_id == run


def test_export_run_to_a_symlink_loop_is_no_traceback(tmp_path: Path, monkeypatch, capsys) -> None:
    """An --out that is a symbolic link to itself (not the journal, not the plan) is written
    over with --force, as any other name: the guard asking whether it is the journal raised a
    RuntimeError traceback (Path.resolve on the loop)."""
    run, db, _ = _started(tmp_path, monkeypatch, capsys)
    (tmp_path / "loop.csv").symlink_to("loop.csv")
    assert main(["export", run, "--csv", "--out", "loop.csv", "--force", "--runs", "runs"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote loop.csv: 5 steps of {run}")
    assert not (tmp_path / "loop.csv").is_symlink()
    assert Journal(db).run_id == run


def test_export_run_from_another_directory_never_overwrites_the_plan(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """The run remembered its plan file by the relative name it was started with: from any
    other directory the guard looked for another file, and `--out ../jt.toml --force`
    replaced the plan with the sheet."""
    run, _, plan = _started(tmp_path, monkeypatch, capsys)
    before = plan.read_bytes()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    argv = ["export", run, "--csv", "--out", "../jt.toml", "--force", "--runs", "../runs"]
    assert main(argv) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"../jt.toml: is the plan file run {run} was started from; choose another --out"
    ]
    assert plan.read_bytes() == before
