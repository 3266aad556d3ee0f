"""The host's own settings for cutover: one small TOML file an admin writes once.

    # /etc/cutover/cutover.toml   ($CUTOVER_CONFIG names another file, for tests)
    runs = "/srv/cutover/runs"            # the team's runs directory
    mode = "locked"                       # shared (default): group-writable run files
                                          # locked: a service owns them (`cutover service`)
    socket = "/run/cutover/cutover.sock"  # locked mode: where the service listens
    journal = "postgresql://jump-a@db.example/cutover"  # runs in PostgreSQL (no password
                                          # here: the host's role logs in by .pgpass or cert)

It exists because `ssh jump cutover run ...` is a non-login shell: no profile.d, no
$CUTOVER_RUNS, and without it every operator's runs went quietly to their own ./runs.
A missing file means no settings; a bad one is one line naming the file, its line and the key.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

CONFIG_ENV = "CUTOVER_CONFIG"
DEFAULT_CONFIG = Path("/etc/cutover/cutover.toml")
DEFAULT_SOCKET = "/run/cutover/cutover.sock"
MAX_CONFIG_BYTES = 64 * 1024  # a few settings; anything larger is not a config file
MODES = ("shared", "locked")
KEYS = ("runs", "mode", "socket", "journal")


class HostConfigError(Exception):
    """The host config file cannot be used: one line naming file, line and key."""


class HostConfig(NamedTuple):  # not a dataclass: `cutover do`'s fast path spares that import
    path: Path | None = None  # the file read; None when there is none
    runs: Path | None = None
    mode: str = "shared"
    socket: Path = Path(DEFAULT_SOCKET)
    journal: str | None = None  # a PostgreSQL URL: every run command's default --journal

    @property
    def locked(self) -> bool:
        return self.mode == "locked"


def config_path() -> Path:
    """$CUTOVER_CONFIG if set (tests, a second install), else /etc/cutover/cutover.toml."""
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def load_host_config(path: Path | None = None) -> HostConfig:
    """The settings in `path` (default `config_path()`); defaults when the file is absent."""
    path = path or config_path()
    read = read_toml(path, HostConfigError)
    if read is None:
        return HostConfig()
    return _settings(path, *read)


def read_toml(path: Path, error: type[Exception]) -> tuple[str, dict] | None:
    """The text and the table of a small settings file (this one, comms.toml), None when
    there is no file; `error` raised with one line naming the file (and line) otherwise."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise error(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise error(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB")
    import tomllib  # late: a host without a config file (most commands) never needs it

    try:
        text = raw.decode("utf-8")
        return text, tomllib.loads(text)
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f":{found.group(1)}" if found else ""
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise error(f"{path}{where}: not valid TOML: {message}") from None


def _settings(path: Path, text: str, data: dict) -> HostConfig:
    def bad(key: str, why: str) -> HostConfigError:
        return HostConfigError(f"{path}:{_line_of(text, key)}: {key}: {why}")

    for key in data:
        if key not in KEYS:
            raise bad(key, f"unknown key (known: {', '.join(KEYS)})")
    runs = data.get("runs")
    if runs is not None and not (isinstance(runs, str) and runs.startswith("/")):
        raise bad("runs", 'must be an absolute path in quotes, e.g. "/srv/cutover/runs"')
    mode = data.get("mode", "shared")
    if mode not in MODES:
        raise bad("mode", f"must be one of {', '.join(MODES)}, not {mode!r}")
    socket = data.get("socket", DEFAULT_SOCKET)
    if not (isinstance(socket, str) and socket.startswith("/")):
        raise bad("socket", f'must be an absolute path in quotes, e.g. "{DEFAULT_SOCKET}"')
    journal = data.get("journal")
    if journal is not None and not (
        isinstance(journal, str) and journal.startswith(("postgresql://", "postgres://"))
    ):
        raise bad("journal", 'must be a PostgreSQL URL in quotes, e.g. "postgresql://HOST/DB"')
    return HostConfig(path, Path(runs) if runs else None, mode, Path(socket), journal)


def _line_of(text: str, key: str) -> int:
    """The line `key = ...` is written on (1 when it cannot be found: a quoted key)."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 1


def locked_socket(directory: Path, config: HostConfig | None = None) -> Path | None:
    """The service's socket when `directory` is the host's runs directory and the host is
    in locked mode; None otherwise (another directory, e.g. `--runs ~/scratch`, is files)."""
    config = config or load_host_config()
    if not config.locked or config.runs is None:
        return None
    if os.path.abspath(directory) != os.path.abspath(config.runs):
        return None
    return config.socket
