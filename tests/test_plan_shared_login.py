"""Two people of a plan with one OS login (user pass, jump host): the plan validated silently,
and the login was taken to be the first of them, so the second could never act."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _validate(plan: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "validate", str(plan)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_a_login_given_to_two_people_is_named_with_its_line(tmp_path: Path) -> None:
    text = (ROOT / "plans" / "online-store.toml").read_text()
    assert text.count('user = "vic"') == 1
    plan = tmp_path / "tonight.toml"
    plan.write_text(text.replace('user = "vic"', 'user = "omar"'))
    line = 1 + text[: text.index('user = "vic"')].count("\n")
    done = _validate(plan)
    said = [ln for ln in (done.stdout + done.stderr).splitlines() if "login 'omar'" in ln]
    assert said == [
        f"  warning: line {line}: login 'omar' is also the login of people.ops: cutover takes "
        "omar to be ops, so audit can never act as themselves"
    ]
    assert done.returncode == 0  # a warning: runs already made with such a plan still open


def test_distinct_logins_say_nothing(tmp_path: Path) -> None:
    done = _validate(ROOT / "plans" / "online-store.toml")
    assert done.returncode == 0
    assert "is also the login of" not in done.stdout + done.stderr
