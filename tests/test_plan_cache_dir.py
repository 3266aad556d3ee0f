"""The plan cache's directory is never followed through a symlink, nor used when another user
owns it or others may write it (journal/private_dir.py): a state dir or `plans` planted as a
link by someone else must not let root write or prune files in their chosen directory. And the
cache key covers the TOML readers' and the tz database's versions (journal/plan_cache.py)."""

from __future__ import annotations

import os
import sys
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import pytest

from cutover_tui.journal import plan_cache, store
from tests.journal_support import new_run

SHIFT = "0.0"  # a new run's meta shift_s, as the journal passes it
NOBODY = 65534


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    store._stored_plan.cache_clear()  # the per-process memo would hide the cache
    plan_cache.code_fingerprint.cache_clear()
    yield
    store._stored_plan.cache_clear()
    plan_cache.code_fingerprint.cache_clear()


def precious(folder: Path, count: int = 70) -> dict[str, bytes]:
    """`count` files a victim keeps, the oldest first, as the pruning would rank them."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        path = folder / f"report-{n}.plan"
        path.write_bytes(f"report {n}\n".encode())
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
    return contents(folder)


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def load_twice(runs: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    """A run made, then opened as a fresh process would: the parses that open made, and the
    plan text."""
    from cutover_tui.plan import load

    journal = new_run(runs)
    store._stored_plan.cache_clear()
    first = journal.plan  # through store._stored_plan: recall, parse, keep
    seen: list[str] = []
    real = load.parse_plan
    monkeypatch.setattr(
        load, "parse_plan", lambda text, *a, **k: seen.append(text) or real(text, *a, **k)
    )
    store._stored_plan.cache_clear()
    again = store.Journal(journal.path)
    assert again.plan == first  # still the right plan, parsed in full
    return seen, journal.meta["plan_text"]


def test_a_symlinked_plans_dir_is_neither_written_nor_pruned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim"
    before = precious(victim)
    state = tmp_path / "state"
    state.mkdir()
    (state / "plans").symlink_to(victim)
    monkeypatch.setenv("CUTOVER_STATE", str(state))
    parsed, _ = load_twice(tmp_path / "runs", monkeypatch)
    assert sorted(os.listdir(victim)) == sorted(before)  # no pickle there, none deleted
    assert contents(victim) == before
    assert parsed != []  # a miss: parsed in full


def test_a_symlinked_state_dir_is_neither_written_nor_pruned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim"
    before = precious(victim / "plans")
    (tmp_path / "link").symlink_to(victim)
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "link"))
    parsed, _ = load_twice(tmp_path / "runs", monkeypatch)
    assert sorted(os.listdir(victim / "plans")) == sorted(before)
    assert contents(victim / "plans") == before
    assert sorted(os.listdir(victim)) == ["plans"]
    assert parsed != []


def test_a_link_to_an_empty_directory_gets_no_plans_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (tmp_path / "link").symlink_to(victim)
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "link"))
    load_twice(tmp_path / "runs", monkeypatch)
    assert os.listdir(victim) == []


def _as_nobody(path: Path) -> None:
    try:
        os.chown(path, NOBODY, NOBODY)
    except PermissionError:
        pytest.skip("these tests cannot chown (not root): another user's directory untested")


def test_a_plans_dir_of_another_user_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    before = precious(state / "plans")
    _as_nobody(state / "plans")
    monkeypatch.setenv("CUTOVER_STATE", str(state))
    parsed, _ = load_twice(tmp_path / "runs", monkeypatch)
    assert sorted(os.listdir(state / "plans")) == sorted(before)
    assert contents(state / "plans") == before
    assert parsed != []


def test_no_plans_dir_is_made_in_another_users_state_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    _as_nobody(state)
    monkeypatch.setenv("CUTOVER_STATE", str(state))
    parsed, _ = load_twice(tmp_path / "runs", monkeypatch)
    assert os.listdir(state) == []
    assert parsed != []


def test_a_plans_dir_others_may_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    before = precious(state / "plans")
    (state / "plans").chmod(0o770)
    monkeypatch.setenv("CUTOVER_STATE", str(state))
    parsed, _ = load_twice(tmp_path / "runs", monkeypatch)
    assert sorted(os.listdir(state / "plans")) == sorted(before)
    assert contents(state / "plans") == before
    assert parsed != []


def test_a_private_plans_dir_works_and_prunes_only_cache_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The positive control: the checks above do not simply turn the cache off."""
    state = tmp_path / "state"
    before = precious(state / "plans")
    (state / "plans").chmod(0o700)
    monkeypatch.setenv("CUTOVER_STATE", str(state))
    monkeypatch.setattr(plan_cache, "KEEP", 1)
    seen, text = load_twice(tmp_path / "runs", monkeypatch)
    assert seen == []  # a hit
    after = contents(state / "plans")
    assert {name: after[name] for name in before} == before  # not the cache's: untouched
    assert [n for n in after if n not in before] == [plan_cache.cache_file(text, SHIFT).name]


def _fingerprints(change: Callable[[], object]) -> tuple[str, str]:
    plan_cache.code_fingerprint.cache_clear()
    before = plan_cache.code_fingerprint()
    change()
    plan_cache.code_fingerprint.cache_clear()
    return before, plan_cache.code_fingerprint()


@pytest.mark.parametrize("distribution", ["rtoml", "tomli", "tzdata"])
def test_the_key_changes_with_a_reader_or_tzdata_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, distribution: str
) -> None:
    """Another version of it installed ahead on sys.path: the one a fresh process imports."""
    site = tmp_path / "site"
    site.mkdir()

    def upgraded() -> None:
        (site / f"{distribution}-99.0.dist-info").mkdir()
        monkeypatch.setattr(sys, "path", [str(site), *sys.path])

    before, after = _fingerprints(upgraded)
    assert before != after
    text = "any plan text"
    assert plan_cache.cache_file(text, SHIFT).name.split("-")[2] == f"{after[:16]}.plan"


def test_the_key_changes_with_the_system_tz_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zones = tmp_path / "zoneinfo"
    zones.mkdir()
    (zones / "tzdata.zi").write_text("# version 2025a\n")
    monkeypatch.setattr(zoneinfo, "TZPATH", (str(zones),))
    before, after = _fingerprints(lambda: (zones / "tzdata.zi").write_text("# version 2025b\n"))
    assert before != after
