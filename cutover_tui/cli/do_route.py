"""Whether `cutover do`'s fast paths could take a command at all, from its words alone.

The fast paths (cli/do_fast.py, a plain note; cli/do_fast_moves.py, a step action) import
sqlite3, the journal's readers and the facts before they can say no: about 0.04 s of a served
command's 0.17 s (issue 14). Their parsers take only the options below, in full (no
abbreviations), and only the actions below; a command with any other option or action is
the full path's whatever the run holds, so it goes there (or to the command server,
cli/do_server_client.py) without that import. This reads the words only: a `True` still
leaves every judgment to the fast paths; a wrong `False` would cost speed, never a
different answer (the full path takes any command). tests/test_do_route.py checks this
against both fast parsers and MOVES against journal/do_moves.py.
"""

from __future__ import annotations

NOTE_OPTIONS = frozenset({"--note", "--kind", "--key", "--runs"})  # cli/do_fast.py _parser
MOVE_OPTIONS = frozenset({"--reason", "--evidence", "--note", "--risk", "--key", "--runs"})
MOVES = frozenset(  # journal/do_moves.py MOVES, not imported: that import is what is spared
    {
        "start",
        "complete",
        "fail",
        "skip",
        "suspend",
        "resume",
        "pass",
        "fail-check",
        "go",
        "no-go",
        "conditional-go",
        "met",
        "waived",
    }
)


def fast_may_take(argv: list[str]) -> bool:
    """False only when `argv` (after "do") names an option or an action neither fast path
    reads. Every `cutover do` option takes one value, so positionals are found by skipping
    each option's next word (unless written `--name=value`)."""
    options: set[str] = set()
    positionals: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            positionals += list(words)
        elif word.startswith("--"):
            name, equals, _value = word.partition("=")
            options.add(name)
            if not equals:
                next(words, None)
        elif word.startswith("-") and word != "-":
            return True  # a short option (-h): the fast paths' to refuse
        else:
            positionals.append(word)
    action = positionals[1] if len(positionals) > 1 else None
    if action == "note":
        return options <= NOTE_OPTIONS
    return action in MOVES and options <= MOVE_OPTIONS


def fast_do_for(argv: list[str]) -> int | None:
    """cli/do_fast.fast_do when the words could be a fast path's, else None (the full path)."""
    if not fast_may_take(argv):
        return None
    from .do_fast import fast_do

    return fast_do(argv)
