"""The `cutover` command: one sub-command per module, registered in `build_parser`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import (
    comms_commands,
    do_commands,
    import_commands,
    plan_commands,
    rehearse_commands,
    run_commands,
    serve_commands,
    simulate_commands,
    start_commands,
    warroom_commands,
)
from .in_words import SAID, failure_line
from .inert_output import inert_output

# Each module adds its sub-commands; set_defaults(func=...) names the handler.
COMMAND_MODULES = [
    plan_commands,
    start_commands,  # start, runs
    do_commands,
    run_commands,  # status, verify, conduct
    warroom_commands,
    simulate_commands,
    rehearse_commands,
    serve_commands,
    import_commands,
    comms_commands,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cutover",
        description="A terminal war room for IT cutovers.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Every printer, argparse's errors included, writes through inert (cli/inert_output.py).
    with inert_output():
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # `cutover status | head` is not an error
        return 0
    except SAID as exc:  # from the layers below a command: one line, never a traceback
        target = getattr(args, "run", None) or getattr(args, "plan", None)
        print(failure_line(args.command, target, exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
