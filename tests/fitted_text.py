"""Reading text that `cutover rehearsals` fitted to 80 columns (rehearse/compare.fit): a line
longer than that goes on below it, indented four more spaces."""

from __future__ import annotations


def joined(text: str) -> str:
    """`text` with each continued line joined back to the line it continues."""
    out: list[str] = []
    for line in text.splitlines():
        lead = len(line) - len(line.lstrip())
        if out and line.strip() and lead == _lead(out[-1]) + 4:
            out[-1] += " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def _lead(line: str) -> int:
    return len(line) - len(line.lstrip())
