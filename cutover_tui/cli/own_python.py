"""A new Python that runs this package's own code, never code found where it was started.

`python -m cutover_tui...` puts the current directory first on `sys.path`: started from a
directory a group can write (the shared runs directory is 2770, and docs/jump-host.md has
operators `cd` there), a planted `cutover_tui/` would run as the operator. So every Python
the project starts of itself is isolated (`-I`: no current directory, no PYTHON* variables,
no user site of its own accord), and is given the search path of the process that starts it,
absolute entries only, with the directory this package was loaded from first: the same code,
the same dependencies, found where they were found already (a `pip install --user` keeps its
user site). The bootstrap below is all that runs before the module: it sets that path, moves
to `cwd` if asked, and runs the module as `-m` would.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])  # the directory holding cutover_tui/
BOOT = (
    "import json,os,runpy,sys\n"
    "where,path,module=sys.argv[1:4]\n"
    "if where:os.chdir(where)\n"
    "sys.path[:]=json.loads(path)\n"
    "sys.argv[:]=[module,*sys.argv[4:]]\n"
    "runpy.run_module(module,run_name='__main__',alter_sys=True)\n"
)


def search_path() -> list[str]:
    """This process's `sys.path` for a child: the package's own directory first, then the
    absolute entries but the current directory (unless it is the package's own)."""
    here = os.getcwd()
    kept = [entry for entry in sys.path if os.path.isabs(entry) and entry not in (ROOT, here)]
    return [ROOT, *dict.fromkeys(kept)]


def python_command(module: str, args: list[str], cwd: str = "") -> list[str]:
    """The argv of an isolated Python running `module` with `args` (in `cwd` if given)."""
    return [sys.executable, "-I", "-c", BOOT, cwd, json.dumps(search_path()), module, *args]
