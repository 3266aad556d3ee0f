"""A dependency cycle as one line a person can read, however long the cycle.

A cycle through every row of a 10,000-row sheet was one 89 KB error line. Shown here: the
first `SHOWN` members, how many more, and the way back to the first:
"a -> b -> c -> ... (9,996 more) -> a". A short cycle is shown whole.
"""

from __future__ import annotations

from collections.abc import Sequence

SHOWN = 8


def show_ring(members: Sequence[str], arrow: str = " -> ", shown: int = SHOWN) -> str:
    """`members` in order, closed back to the first, with the middle of a long one elided."""
    if len(members) <= shown + 1:  # eliding one member saves nothing
        return arrow.join([*members, members[0]])
    more = len(members) - shown
    return arrow.join([*members[:shown], f"... ({more:,} more)", members[0]])
