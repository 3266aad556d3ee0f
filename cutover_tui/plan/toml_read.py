"""The TOML parser plans are read with: tomli's compiled wheel when installed, else tomllib.

tomli is the code tomllib was made from, compiled with mypyc: the same values, the same
errors and messages ("... (at line N, column M)"), about three times faster. On a
50,000-step plan parsing was most of `cutover validate`'s time (issue 12). Nesting is held
to MAX_TOML_DEPTH before either parser runs (plan/limits.py), so a compiled parser's deeper
C recursion is never reached.
"""

from __future__ import annotations

try:
    from tomli import TOMLDecodeError, loads
except ImportError:  # a platform without the wheel: the standard library's, slower
    from tomllib import TOMLDecodeError, loads

__all__ = ["TOMLDecodeError", "loads"]
