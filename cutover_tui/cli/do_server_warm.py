"""What a command server (cli/do_server.py) does once so that no served command does it:
import the full path of `cutover do`, build every model's validator (the models are built
when first used, defer_build, which suits a fresh process doing one thing), build the whole
event union's validators and use them for every read (engine/event_adapters.py), and take
the print of the code the facts are kept with (journal/do_facts.code_print) of the code
loaded now. Never a run file, a SQLite connection or the plan cache: a child must share none
of them with its parent.
"""

from __future__ import annotations

import importlib

PRELOAD = (  # what a full `cutover do` imports, the lazily imported ones included
    "cutover_tui.cli",
    "cutover_tui.cli.do_commands",
    "cutover_tui.cli.comms_commands",
    "cutover_tui.cli.in_words",
    "cutover_tui.cli.facts_refresh",
    "cutover_tui.cli.do_fast",
    "cutover_tui.cli.do_fast_moves",
    "cutover_tui.cli.do_server_child",
    "cutover_tui.cli.do_server_refresh",
    "cutover_tui.journal.do_facts",
    "cutover_tui.journal.do_moves",
    "cutover_tui.journal.facts_locks",
    "cutover_tui.plan.errors",
)


def warm() -> None:
    for module in PRELOAD:
        importlib.import_module(module)
    build_models()
    from ..engine.event_adapters import use_whole_union
    from ..journal.do_facts import code_print

    use_whole_union()
    code_print()


def build_models() -> int:
    """Every model of this package not built yet, built now; how many were."""
    from pydantic import BaseModel

    built = 0
    stack = list(BaseModel.__subclasses__())
    while stack:
        model = stack.pop()
        stack += model.__subclasses__()
        if model.__module__.startswith("cutover_tui.") and not model.__pydantic_complete__:
            model.model_rebuild()
            built += 1
    return built
