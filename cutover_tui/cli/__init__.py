"""The `cutover` command: one sub-command per module, registered in `build_parser`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from ..inert import inert_line
from .inert_output import inert_excepthook, inert_output
from .pydantic_plugins import skip_plugin_discovery

# Each module adds its sub-commands; set_defaults(func=...) names the handler. Named, not
# imported: a command imports only its own module, so `cutover do` never pays for textual,
# numpy, jinja2 or openpyxl (issue 14). COMMANDS says which module registers each command
# (tests/test_cli_lazy.py checks it against what the modules register); a command missing
# from it still works, through the full parser.
COMMAND_MODULES = [
    "plan_commands",
    "start_commands",  # start
    "runs_command",  # runs
    "do_commands",
    "run_commands",  # status, verify, conduct
    "warroom_commands",
    "simulate_commands",
    "rehearse_commands",
    "service_commands",
    "import_commands",
    "comms_commands",
    "check_commands",  # check
    "report_commands",  # report, aftercare
    "postgres_commands",
    "web_commands",
    "incident_commands",  # incidents
    "warm_command",  # warm
]
COMMANDS = {
    "validate": "plan_commands",
    "schema": "plan_commands",
    "new": "plan_commands",
    "start": "start_commands",
    "runs": "runs_command",
    "do": "do_commands",
    "status": "run_commands",
    "verify": "run_commands",
    "conduct": "run_commands",
    "run": "warroom_commands",
    "follow": "warroom_commands",
    "simulate": "simulate_commands",
    "rehearsals": "rehearse_commands",
    "calibrate": "rehearse_commands",
    "service": "service_commands",
    "serve": "web_commands",
    "web-watch": "web_commands",
    "import": "import_commands",
    "export": "import_commands",
    "comms": "comms_commands",
    "check": "check_commands",
    "report": "report_commands",
    "aftercare": "report_commands",
    "migrate": "postgres_commands",
    "incidents": "incident_commands",
    "warm": "warm_command",
}


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or, given a known `command`, of that one's module only."""
    parser = argparse.ArgumentParser(
        prog="cutover",
        description="A terminal war room for IT cutovers.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    names = [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES
    for name in names:
        command_module(name).register(subparsers)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The sub-command named in argv (its first word), if there is one before any option."""
    first = next(iter(argv), None)
    return first if first is not None and not first.startswith("-") else None


def _command_names(parser: argparse.ArgumentParser) -> list[str]:
    """Every sub-command the full parser knows (COMMANDS, and any a module adds beyond it)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return list(COMMANDS)


def main(argv: Sequence[str] | None = None) -> int:
    skip_plugin_discovery()  # no entry-point scan on the first validator (issue 14)
    sys.excepthook = inert_excepthook  # a traceback that escapes, printed inert all the same
    # Every printer, argparse's errors included, writes through inert (cli/inert_output.py).
    with inert_output():
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    problem = not_utf8(argv)
    if problem:  # before any path: a note of such bytes raised deep in the event's JSON
        print(f"cutover: {problem}", file=sys.stderr)
        return 2
    command = _command_of(argv)
    if command == "do":  # this user's command server, else the fast paths (issue 14)
        from .do_server_switch import enabled

        if not enabled():  # root, or switched off: not even the client's imports
            done = _fast_do(argv)
            return _parse_and_run(argv, command) if done is None else done
        from .do_server_client import serve_first

        return serve_first(argv, lambda: _fast_do(argv), lambda: _parse_and_run(argv, command))
    return _parse_and_run(argv, command)


def not_utf8(argv: Sequence[str]) -> str | None:
    """The first word holding bytes that are not UTF-8 (Python hands them on as lone
    surrogates), named by its option when it is an option's value, its bytes shown as \\xNN;
    None when every word is text."""
    for n, word in enumerate(argv):
        if not any("\udc80" <= c <= "\udcff" for c in word):
            continue
        shown = word.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        before = argv[n - 1] if n else ""
        where = f"{before} " if before.startswith("--") and "=" not in before else ""
        return (
            f'{where}"{inert_line(shown, 80)}" (word {n + 1}) is not UTF-8 text: cutover keeps '
            "every text in UTF-8; type it again (is the terminal's encoding UTF-8?)"
        )
    return None


def _fast_do(argv: list[str]) -> int | None:
    """`cutover do` without pydantic when its words and this user's facts allow, else None."""
    from .do_route import fast_do_for  # not even imported for words it never takes

    try:
        return fast_do_for(argv[1:])
    except KeyboardInterrupt:  # Ctrl-C while the run is busy: nothing written
        return 130
    except BrokenPipeError:  # its line after the commit: `cutover do ... | head`
        sys.stderr.close()
        return 0


def full_path(argv: Sequence[str]) -> int:
    """`main` without `cutover do`'s fast path and server: a served command's child runs
    this (cli/do_server_child.py), its client having tried the fast path already."""
    skip_plugin_discovery()
    with inert_output():
        argv = list(argv)
        return _parse_and_run(argv, _command_of(argv))


def _parse_and_run(argv: list[str], command: str | None) -> int:
    parser = build_parser(command)
    if command is not None and command not in COMMANDS:
        known = _command_names(parser)
        if command not in known:  # one line naming the nearest, not argparse's list of all
            from ..plan.errors import nearest  # late: only a mistyped command pays for it

            hint = nearest(command, known)
            print(
                f"cutover: no command {command!r}"
                + (f"; did you mean {hint!r}?" if hint else "")
                + " (`cutover --help` lists them)",
                file=sys.stderr,
            )
            return 2
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # `cutover status | head` is not an error
        return 0
    except Exception as exc:  # from the layers below a command: one line, never a traceback
        from .in_words import SAID, failure_line  # here: it imports pydantic (`cutover runs`
        # never needs it otherwise)

        if not isinstance(exc, SAID):
            raise
        target = getattr(args, "run", None) or getattr(args, "plan", None)
        print(failure_line(args.command, target, exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
