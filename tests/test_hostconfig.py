"""The host config (/etc/cutover/cutover.toml, or $CUTOVER_CONFIG): where the team's runs are.

`ssh jump cutover run ...` is a non-login shell: no profile.d, no $CUTOVER_RUNS. Before the host
config, `cutover start` there made the run in the operator's own ./runs (issue 12, finding 8).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.journal.hostconfig import (
    HostConfigError,
    load_host_config,
    locked_socket,
)
from cutover_tui.journal.store import runs_dir

from .journal_support import plan_text


def cutover(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A non-login shell's `cutover`: no CUTOVER_RUNS, only what the host config says."""
    clean = {k: v for k, v in os.environ.items() if k != "CUTOVER_RUNS"}
    return subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean, **env},
        timeout=60,
    )


def test_a_non_login_shell_finds_the_runs_the_host_config_names(tmp_path: Path) -> None:
    team = tmp_path / "srv" / "runs"
    config = tmp_path / "cutover.toml"
    config.write_text(f'runs = "{team}"\n')
    home = tmp_path / "home"
    home.mkdir()
    (home / "plan.toml").write_text(plan_text(steps=2))
    env = {"CUTOVER_CONFIG": str(config), "PYTHONPATH": str(Path(__file__).parent.parent)}
    started = cutover("start", "plan.toml", cwd=home, env=env)
    assert started.returncode == 0, started.stderr
    assert list(team.glob("*.db")), "the run went to the team's directory"
    assert not (home / "runs").exists(), "not to a private ./runs"
    listed = cutover("runs", cwd=home, env=env)
    assert started.stdout.strip() in listed.stdout


def test_precedence_option_then_environment_then_host_config_then_dot_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "cutover.toml"
    config.write_text('runs = "/srv/cutover/runs"\n')
    monkeypatch.setenv("CUTOVER_CONFIG", str(config))
    monkeypatch.setenv("CUTOVER_RUNS", "/from/env")
    assert runs_dir("/from/option") == Path("/from/option")
    assert runs_dir(None) == Path("/from/env")
    monkeypatch.delenv("CUTOVER_RUNS")
    assert runs_dir(None) == Path("/srv/cutover/runs")
    monkeypatch.setenv("CUTOVER_CONFIG", str(tmp_path / "absent.toml"))
    assert runs_dir(None) == Path("runs")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'runs = "/srv/runs"\nmode = "lockd"\n',
            "cutover.toml:2: mode: must be one of shared, locked",
        ),
        ('\n\nruns = "runs"\n', "cutover.toml:3: runs: must be an absolute path"),
        ("runs = 3\n", "cutover.toml:1: runs: must be an absolute path"),
        ('runs = "/a"\nsockett = "/x"\n', "cutover.toml:2: sockett: unknown key"),
        ('runs = "/a"\nmode = \n', "cutover.toml:2: not valid TOML"),
        ('socket = "relative.sock"\n', "cutover.toml:1: socket: must be an absolute path"),
    ],
)
def test_a_bad_host_config_is_one_line_naming_file_line_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    config = tmp_path / "cutover.toml"
    config.write_text(text)
    with pytest.raises(HostConfigError) as raised:
        load_host_config(config)
    message = str(raised.value)
    assert expected in message and "\n" not in message


def test_a_bad_host_config_stops_a_command_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "cutover.toml"
    config.write_text('mode = "lockd"\n')
    env = {"CUTOVER_CONFIG": str(config), "PYTHONPATH": str(Path(__file__).parent.parent)}
    result = cutover("runs", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "cutover.toml:1: mode: must be one of shared, locked, not 'lockd'"
    )
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_an_unreadable_or_absent_host_config(tmp_path: Path) -> None:
    assert load_host_config(tmp_path / "absent.toml").runs is None
    with pytest.raises(HostConfigError, match="cannot be read"):
        load_host_config(tmp_path)  # a directory: cannot be read as a file


def test_locked_mode_applies_to_the_hosts_runs_directory_only(tmp_path: Path) -> None:
    config = tmp_path / "cutover.toml"
    config.write_text('runs = "/srv/cutover/runs"\nmode = "locked"\nsocket = "/run/c.sock"\n')
    host = load_host_config(config)
    assert locked_socket(Path("/srv/cutover/runs"), host) == Path("/run/c.sock")
    assert locked_socket(Path("/srv/cutover/runs/"), host) == Path("/run/c.sock")
    assert locked_socket(tmp_path / "mine", host) is None  # --runs elsewhere: files
    shared = tmp_path / "shared.toml"
    shared.write_text('runs = "/srv/cutover/runs"\n')
    assert locked_socket(Path("/srv/cutover/runs"), load_host_config(shared)) is None


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300) | st.sampled_from(['runs = "/a"\n', 'mode = "locked"\n']))
def test_any_host_config_text_loads_or_is_one_line(tmp_path: Path, text: str) -> None:
    config = tmp_path / "cutover.toml"
    config.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        host = load_host_config(config)
    except HostConfigError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(config))
    else:
        assert host.mode in ("shared", "locked")
