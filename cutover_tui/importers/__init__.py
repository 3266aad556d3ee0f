"""Runbooks from Excel and CSV into plans, and plans back out as sheets.

No textual here: `cutover import` and `cutover export` (cli/import_commands.py) call
`import_runbook` and `export_plan`, and so can a test or a benchmark.
"""

from .runbook import ImportOptions, ImportResult, import_runbook

__all__ = ["ImportOptions", "ImportResult", "import_runbook"]
