"""The core (plan, engine, journal, comms, report, the locked service) must run headless:
importing it never loads textual."""

from __future__ import annotations

import json
import subprocess
import sys

CORE = [
    "cutover_tui.plan",
    "cutover_tui.engine",
    "cutover_tui.journal",
    "cutover_tui.clock",
    "cutover_tui.rehearse",
    "cutover_tui.report",
    "cutover_tui.locked",
    "cutover_tui.comms",  # skipped until it exists
    "cutover_tui.inert",
]

PROBE = """
import importlib, importlib.util, json, sys
found = []
for name in sys.argv[1:]:
    if importlib.util.find_spec(name) is not None:
        importlib.import_module(name)
        found.append(name)
print(json.dumps({
    "imported": found,
    "textual": sorted(m for m in sys.modules if m == "textual" or m.startswith("textual.")
                      or m.startswith("textual_")),
}))
"""


def probe(*modules: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *modules],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_core_packages_import_without_textual() -> None:
    report = probe(*CORE)
    assert "cutover_tui.plan" in report["imported"]
    assert report["textual"] == []


def test_every_core_module_imports_without_textual() -> None:
    import pkgutil

    modules = []
    for package in CORE:
        try:
            loaded = __import__(package, fromlist=["__path__"])
        except ModuleNotFoundError:
            continue
        if not hasattr(loaded, "__path__"):  # a module, not a package
            modules.append(package)
            continue
        modules += [
            f"{package}.{info.name}"
            for info in pkgutil.iter_modules(loaded.__path__)
            if not info.name.startswith("_")
        ]
    assert "cutover_tui.plan.load" in modules
    assert "cutover_tui.journal.store" in modules and "cutover_tui.clock.conductor" in modules
    report = probe(*modules)
    assert report["textual"] == [], f"textual loaded by one of {report['imported']}"


def test_the_probe_would_see_textual() -> None:
    assert probe("textual")["textual"] != []
