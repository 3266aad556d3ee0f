"""`--var` sets the real `[vars]` key or refuses: never a look-alike line in a string.

The review's repro (/tmp/rev/store-decoy.toml): a multi-line string in `[vars]` holding a line
`shop = "..."` before the real key. A regex over the lines edited the string; the run started
with its checks aimed at the real shop. The key's line now comes from the plan's KeyLocator,
and the re-read plan must hold every value given.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from cutover_tui.plan import vars as plan_vars
from cutover_tui.plan.vars import VarError, with_overrides

ROOT = Path(__file__).resolve().parent.parent
STORE = (ROOT / "plans" / "online-store.toml").read_text()
DECOY = '[vars]\nhowto = """\nRehearse against the fake shop, e.g.:\nshop = "http://127.0.0.1:8765"\n"""\n'
FAKE = "http://127.0.0.1:8765"


def decoy_plan(tmp_path: Path, text: str = STORE) -> Path:
    path = tmp_path / "store-decoy.toml"
    path.write_text(text.replace("[vars]\n", DECOY, 1))
    return path


def test_the_real_key_is_set_not_the_line_in_a_string(tmp_path: Path) -> None:
    loaded = parse_plan(decoy_plan(tmp_path).read_text())
    new = with_overrides(loaded, [f"shop={FAKE}"])
    assert new.plan.vars["shop"] == FAKE
    assert new.plan.vars["howto"] == loaded.plan.vars["howto"]  # the string untouched
    assert new.plan.step_by_id["smoke-search"].check.url.startswith(FAKE + "/")


def test_cutover_start_seals_the_value_given_and_says_so(tmp_path: Path, capsys) -> None:
    runs = tmp_path / "runs"
    args = ["start", str(decoy_plan(tmp_path)), "--rehearsal", "--runs", str(runs)]
    assert main([*args, "--var", f"shop={FAKE}"]) == 0
    [db] = runs.glob("*.db")
    assert Journal(db).plan.vars["shop"] == FAKE
    err = capsys.readouterr().err
    assert f"vars set for this run: shop={FAKE}\n" in err


def test_crlf_plan_keeps_its_line_endings(tmp_path: Path) -> None:
    text = decoy_plan(tmp_path).read_text().replace("\n", "\r\n")
    new = with_overrides(parse_plan(text), [f"shop={FAKE}"])
    assert new.plan.vars["shop"] == FAKE
    assert "\r\r" not in new.text and new.text.count("\n") == text.count("\n")


def test_a_value_the_reread_plan_does_not_hold_is_refused(monkeypatch, tmp_path: Path) -> None:
    loaded = parse_plan(decoy_plan(tmp_path).read_text())
    monkeypatch.setattr(plan_vars, "override", lambda text, values: text)  # a wrong edit
    with pytest.raises(VarError, match=r"^--var shop: the plan's \[vars\] shop was not set"):
        with_overrides(loaded, [f"shop={FAKE}"])


def test_a_key_only_in_a_string_is_no_key_to_set(tmp_path: Path) -> None:
    text = STORE.replace("[vars]\n", '[vars]\nnote = """\nother = "x"\n"""\n', 1)
    text = text.replace("[window]", "other = 'literal'\n[window]", 1)
    with pytest.raises(VarError, match="no line `other = "):
        with_overrides(parse_plan(text), ["other=y"])


def test_a_non_utf8_value_is_refused_in_one_line(tmp_path: Path, capsys) -> None:
    runs = tmp_path / "runs"
    word = os.fsdecode(b"shop=http://x\xff/")  # as Python hands such an argv word over
    code = main(
        ["start", str(decoy_plan(tmp_path)), "--rehearsal", "--runs", str(runs), "--var", word]
    )
    err = capsys.readouterr().err
    # Said before anything else reads the words (cli/__init__.not_utf8), as a usage error.
    assert code == 2
    assert err == (
        'cutover: --var "shop=http://x\\xff/" (word 7) is not UTF-8 text: cutover keeps every '
        "text in UTF-8; type it again (is the terminal's encoding UTF-8?)\n"
    )
    assert not runs.exists() or not list(runs.glob("*.db"))


def test_a_non_utf8_argv_through_the_real_command_is_one_line(tmp_path: Path) -> None:
    plan = decoy_plan(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cutover_tui.cli",
            "start",
            str(plan),
            "--rehearsal",
            "--runs",
            str(tmp_path / "runs"),
            "--var",
            b"shop=http://x\xff/",
        ],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert done.stderr.count(b"\n") == 1 and b"not UTF-8" in done.stderr
