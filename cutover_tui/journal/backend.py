"""Which journal a command works on: a run file (SQLite, the default) or a run in PostgreSQL.

`--journal postgresql://...` on a command, else $CUTOVER_JOURNAL, else `journal` in the host
configuration (/etc/cutover/cutover.toml) names a PostgreSQL database; without any of them a
run is a file in the runs directory, as always. A locator (what
one process hands another to open the same run: `Journal.locator`) is a file's path, or
`URL#RUN` for a run in PostgreSQL. psycopg is imported only when a URL is in play, so the
SQLite path costs nothing more.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .hostconfig import HostConfigError, load_host_config
from .run_files import JournalError

if TYPE_CHECKING:
    from ..plan import LoadedPlan  # hints only: loading is imported when used
    from .store import Journal  # imported where a run is opened: `cutover runs` needs none

JOURNAL_ENV = "CUTOVER_JOURNAL"


def journal_url(option: str | None = None) -> str | None:
    """The PostgreSQL URL to use: the option, else $CUTOVER_JOURNAL, else the host config's
    `journal`; None for run files. Anything else given there is one line."""
    url = option or os.environ.get(JOURNAL_ENV) or None
    if url is None:
        try:
            return load_host_config().journal
        except HostConfigError as exc:
            raise JournalError(str(exc)) from None
    from .postgres import is_url

    if not is_url(url):
        source = "--journal" if option else f"${JOURNAL_ENV}"
        raise JournalError(
            f"{source} {url!r}: not a PostgreSQL URL (postgresql://USER@HOST/DATABASE); "
            "leave it out for run files in the runs directory"
        )
    return url


def open_any(ref: str, directory: Path, url: str | None) -> Journal:
    from .run_lookup import open_run

    """The run `ref`: in PostgreSQL at `url`, else by id or path in `directory`."""
    if url is None:
        return open_run(ref, directory)
    from .postgres import PgJournal

    return PgJournal(url, ref)


def open_at(locator: str) -> Journal:
    """The run a locator names (`Journal.locator`): another connection, another process."""
    from .postgres import PgJournal, is_url
    from .store import Journal

    if is_url(locator):
        url, _, run_id = locator.rpartition("#")
        return PgJournal(url, run_id)
    return Journal(Path(locator))


def create_at(
    where: Path | str, loaded: LoadedPlan, *, rehearsal: bool, created_by: str
) -> Journal:
    """A new run of `loaded`: a file in the directory `where`, or a schema at the URL."""
    if isinstance(where, str):
        from .postgres import PgJournal

        return PgJournal.create_run(where, loaded, rehearsal=rehearsal, created_by=created_by)
    from .store import Journal

    return Journal.create(where, loaded, rehearsal=rehearsal, created_by=created_by)
