"""`cutover runs`: every run in the runs directory, with where it stands.

Apart from start_commands.py so that listing the runs imports what the listing needs (the
record of judged runs, each file's index row, the chain walk: journal/listing.py) and not the
engine, the plan model, pydantic or the locked-mode client (issue 14: a warm `cutover runs`
was almost all imports).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..inert import inert_line
from ..journal.hostconfig import locked_socket
from ..journal.listing import listed
from ..journal.run_files import RunInfo, may_list, runs_dir
from .options import add_runs_option, said_in_one_line


def register(subparsers: argparse._SubParsersAction) -> None:
    runs = subparsers.add_parser("runs", help="list runs and where each stands")
    add_runs_option(runs)
    runs.set_defaults(func=cmd_runs)


@said_in_one_line
def cmd_runs(args: argparse.Namespace) -> int:
    from ..journal.backend import journal_url

    url = journal_url(getattr(args, "journal", None))
    if url is not None:  # the runs in a PostgreSQL journal
        from .postgres_commands import print_pg_runs

        return print_pg_runs(url)
    return print_runs(runs_dir(args.runs))  # unreadable and damaged runs named as such


def print_runs(directory: Path) -> int:
    """The runs in `directory`, with the files that cannot be read named as such."""
    distrusted: set[Path] = set()
    if locked_socket(directory) is None:  # each file's index row, its chain walked (listing.py)
        may_list(directory)  # else a directory closed to us reads as "no runs"
        found = listed(directory, judge=True)
        distrusted = {item.run.path for item in found if item.distrusted}
        runs: list = [item.run for item in found]
    else:
        from ..locked.client import runs_in  # the service lists them: locked mode only

        runs = runs_in(directory)
    if not runs:
        print(f"no runs in {directory}/ (cutover start PLAN makes one)")
        return 0
    print(f"{'run':44} {'mode':9} {'state':34} {'events':>6}  started by")
    for r in runs:
        if isinstance(r, RunInfo):
            if r.moved and r.path not in distrusted:  # the night goes on elsewhere: say where
                print(f"{r.run_id:44} {_mode(r):9} {inert_line(r.moved)}")
                continue
            summary = "NOT TRUSTED (cutover verify)" if r.path in distrusted else r.summary
            print(
                f"{r.run_id:44} {_mode(r):9} {summary:34} {r.events:>6}  {r.created_by} "
                f"{r.made[0]:%Y-%m-%d %H:%M:%S}Z"
            )
        else:
            print(f"{r.path.stem:44} {'?':9} UNREADABLE: {r.why}")
    return 0


def _mode(run: RunInfo) -> str:
    """live, rehearsal, or simulated: a `cutover simulate` night (its clock ran fast) listed
    as a rehearsal read as one people ran, which `cutover rehearsals` then did not count."""
    return "simulated" if run.rehearsal and run.speed > 1 else run.mode


__all__ = ["cmd_runs", "print_runs", "register"]
