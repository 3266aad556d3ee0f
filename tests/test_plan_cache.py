"""The per-user cache of a run's validated plan (journal/plan_cache.py, issue 14): used only for
the very text the run stores, by the code that validated it, from this user's own whole file;
anything else is a miss and the plan is parsed in full, as before the cache."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from pathlib import Path

import pytest

from cutover_tui.journal import plan_cache, store
from cutover_tui.plan import parse_plan
from cutover_tui.plan import severity as sev
from tests.journal_support import new_run, plan_text

SHIFT = "0.0"  # a new run's meta shift_s, as the journal passes it


@pytest.fixture(autouse=True)
def own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    store._stored_plan.cache_clear()  # the per-process memo would hide the cache
    yield
    store._stored_plan.cache_clear()


def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the full parses made through the plan package from here on."""
    from cutover_tui.plan import load

    seen: list[str] = []
    real = load.parse_plan

    def spy(text: str, *args, **kwargs):
        seen.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(load, "parse_plan", spy)
    return seen


def reopen(path: Path) -> store.Journal:
    store._stored_plan.cache_clear()  # as a fresh process would
    return store.Journal(path)


def test_a_second_open_reads_the_cached_plan_not_the_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = new_run(tmp_path / "runs")  # parsed once, kept
    first = journal.plan
    calls = parses(monkeypatch)
    again = reopen(journal.path)
    assert calls == []
    assert again.plan == first and again.plan is not first
    assert plan_cache.cache_file(journal.meta["plan_text"], SHIFT).stat().st_mode & 0o077 == 0


def test_a_tampered_cache_is_ignored_and_the_plan_parsed_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = new_run(tmp_path / "runs")
    text = journal.meta["plan_text"]
    cached = plan_cache.cache_file(text, SHIFT)
    raw = cached.read_bytes()
    assert raw.count(b"Journal test") == 1
    # Still a pickle of a whole plan, the header's digest left as it was.
    cached.write_bytes(raw.replace(b"Journal test", b"Journal TEST"))
    assert plan_cache.recall(text, SHIFT) is None
    calls = parses(monkeypatch)
    again = reopen(journal.path)
    assert calls == [text]
    assert again.plan == journal.plan
    assert plan_cache.recall(text, SHIFT) == journal.plan  # written whole again


def test_a_cache_of_another_plan_is_ignored_even_with_a_good_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = new_run(tmp_path / "runs")
    text = journal.meta["plan_text"]
    other_text = plan_text(steps=3)
    other = parse_plan(other_text, name="other.toml").plan
    plan_cache.keep(other_text, other)
    # The other plan's whole, self-consistent file put where this text's cache would be.
    plan_cache.cache_file(text, SHIFT).write_bytes(plan_cache.cache_file(other_text).read_bytes())
    assert plan_cache.recall(text, SHIFT) is None
    calls = parses(monkeypatch)
    assert reopen(journal.path).plan == journal.plan
    assert calls == [text]


def test_a_cache_under_another_shift_or_other_code_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = new_run(tmp_path / "runs")
    text = journal.meta["plan_text"]
    assert plan_cache.recall(text, SHIFT) == journal.plan
    assert plan_cache.recall(text, "3600.0") is None
    monkeypatch.setattr(plan_cache, "code_fingerprint", lambda: "0" * 64)
    assert plan_cache.recall(text, SHIFT) is None


def test_a_cache_others_may_write_is_not_read(tmp_path: Path) -> None:
    journal = new_run(tmp_path / "runs")
    text = journal.meta["plan_text"]
    cached = plan_cache.cache_file(text, SHIFT)
    cached.chmod(0o620)
    assert plan_cache.recall(text, SHIFT) is None
    cached.chmod(0o600)
    link = cached.with_name("elsewhere.plan")
    cached.rename(link)
    cached.symlink_to(link)  # a link is not followed
    assert plan_cache.recall(text, SHIFT) is None


def test_a_file_that_is_not_a_cache_is_a_miss_not_an_error(tmp_path: Path) -> None:
    journal = new_run(tmp_path / "runs")
    text = journal.meta["plan_text"]
    cached = plan_cache.cache_file(text, SHIFT)
    for junk in (b"", b"not a cache", plan_cache.MAGIC + b"\0" * 40):
        cached.write_bytes(junk)
        assert plan_cache.recall(text, SHIFT) is None
    payload = b"cos\nsystem\n(S'echo owned'\ntR."  # a pickle that would run a command
    cached.write_bytes(plan_cache.MAGIC + hashlib.sha256(payload).digest() + payload)
    cached.chmod(0o666)  # as if someone else had written it
    assert plan_cache.recall(text, SHIFT) is None


def test_a_cache_that_cannot_be_written_leaves_the_command_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "state"
    blocked.write_text("a file where the state directory would be")
    journal = new_run(tmp_path / "runs")
    assert reopen(journal.path).plan == journal.plan
    assert plan_cache.recall(journal.meta["plan_text"], SHIFT) is None


def _write_many(state: str, text: str, rounds: int) -> None:
    os.environ["CUTOVER_STATE"] = state
    plan = parse_plan(text, name="race.toml").plan
    for _ in range(rounds):
        plan_cache.keep(text, plan)


def test_concurrent_writers_never_leave_a_torn_cache(tmp_path: Path) -> None:
    text = plan_text(steps=60)
    plan = parse_plan(text, name="race.toml").plan
    state = str(tmp_path / "state")
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_write_many, args=(state, text, 25)) for _ in range(4)]
    for writer in writers:
        writer.start()
    reads = []
    while any(w.is_alive() for w in writers):
        reads.append(plan_cache.recall(text))
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    assert all(r is None or r == plan for r in reads)
    assert plan_cache.recall(text) == plan
    leftovers = [p.name for p in plan_cache.cache_dir().iterdir() if not p.name.endswith(".plan")]
    assert leftovers == []


def test_old_files_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_cache, "KEEP", 2)
    texts = [plan_text(steps=n) for n in (2, 3, 4)]
    for text in texts:
        plan_cache.keep(text, parse_plan(text, name="p.toml").plan)
    assert len(list(plan_cache.cache_dir().glob("*.plan"))) == 2
    assert plan_cache.recall(texts[-1]) is not None
    monkeypatch.setattr(plan_cache, "KEEP_BYTES", 1)  # only the newest fits, and stays
    plan_cache.keep(texts[0], parse_plan(texts[0], name="p.toml").plan)
    assert [p.name for p in plan_cache.cache_dir().glob("*.plan")] == [
        plan_cache.cache_file(texts[0]).name
    ]


def test_the_default_severities_are_what_validation_makes() -> None:
    """They are constructed without validation (no schema build at import)."""
    for level in sev.DEFAULT_SEVERITIES:
        assert sev.SeverityLevel.model_validate(level.model_dump()) == level
    assert sev.IncidentPolicy.model_validate({}) == sev.DEFAULT_POLICY


def test_the_code_print_covers_every_module_the_plan_imports() -> None:
    """A change to the code that validates a plan must miss the cache (code_fingerprint)."""
    import ast

    from cutover_tui import plan as plan_package

    folder = Path(plan_package.__file__).parent
    outside = set()
    for source in folder.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 2:
                outside.add(node.module)
    assert outside <= {"inert"}  # what code_fingerprint hashes beside plan/ itself
