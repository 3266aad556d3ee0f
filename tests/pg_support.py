"""A private PostgreSQL server for the tests: $CUTOVER_TEST_POSTGRES when set (.ci/run starts
one), else a cluster of our own started from Debian's binaries in a temporary directory, on a
Unix socket only (no TCP port to collide with anyone's), stopped at the end of the session.
Without the binaries the tests that need it skip, saying why."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

ENV = "CUTOVER_TEST_POSTGRES"


def binaries() -> Path | None:
    """The newest PostgreSQL bin directory (Debian keeps them out of PATH), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    part = path.split("/")[4]
    return int(part) if part.isdigit() else 0


def _as_server_user(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` account."""
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    """A running server's superuser URL, for as long as the context lasts."""
    bin_dir = binaries()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL's initdb (apt-get install postgresql)")
    data = Path(tempfile.mkdtemp(prefix="cutover-pg-"))
    data.chmod(0o755)  # other OS users reach its socket (the two-hosts test)
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(data, account.pw_uid, account.pw_gid)
    user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data / "db"),
                "-A",
                "trust",
                "-U",
                user,
                "--no-sync",
                "-E",
                "UTF8",
            ]
        ),
        **quiet,
    )
    up(data)
    try:
        yield f"postgresql://{user}@/postgres?host={data}"
    finally:
        subprocess.run(
            _as_server_user(
                [str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(data, ignore_errors=True)


def up(data: Path) -> None:
    """Start the cluster in `data` (cluster() made it): again after `down`, as after a crash."""
    bin_dir = binaries()
    assert bin_dir is not None
    options = f"-k {data} -c listen_addresses='' -c fsync=off -c max_connections=200"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-o", options, "-w"]
    subprocess.run(
        _as_server_user([*pg_ctl, "-l", str(data / "log"), "start"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=True,
    )


def down(data: Path) -> None:
    """Stop the cluster in `data` at once, as a crash does: every connection cut, no goodbye."""
    bin_dir = binaries()
    assert bin_dir is not None
    subprocess.run(
        _as_server_user(
            [str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=True,
    )


def data_dir(url: str) -> Path:
    """The directory of a cluster() server, from its URL (its socket lives there)."""
    return Path(url.split("host=", 1)[1])


def fresh_database(server: str) -> str:
    """A new, empty database on `server`: each test its own runs and roles' grants."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = conninfo_to_dict(server)
    parts["dbname"] = name
    return _url(parts)


def _url(parts: dict) -> str:
    host = parts.get("host", "")
    query = f"?host={host}" if host.startswith("/") else ""
    netloc = host if not host.startswith("/") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"postgresql://{user}{netloc}{port}/{parts['dbname']}{query}"
