"""The `cutover` command looks for no pydantic plugins (issue 14).

On the first validator it builds, pydantic imports importlib.metadata and reads the entry
points of every installed distribution to find plugins (observability hooks such as logfire):
about 50 ms of a 0.6 s `cutover do`, to find none, since cutover uses none. The command
answers pydantic's question itself, before pydantic asks it: no plugins. Someone who does
manage pydantic plugins (PYDANTIC_DISABLE_PLUGINS set to a list of names) is left to
pydantic's own discovery.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterable

LOADER = "pydantic.plugin._loader"  # where pydantic.plugin._schema_validator imports it from


def _no_plugins() -> Iterable[object]:
    return ()


def _real_loader() -> types.ModuleType:
    """pydantic's own loader module, loaded beside the stand-in (not into sys.modules)."""
    import importlib.util

    spec = importlib.util.find_spec("pydantic.plugin")
    assert spec is not None and spec.submodule_search_locations is not None
    from importlib.machinery import PathFinder

    found = PathFinder.find_spec(LOADER, list(spec.submodule_search_locations))
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


def _anything_else(name: str) -> object:
    # A later pydantic that asks its loader for more than get_plugins gets the real answer
    # (and pays for the scan then), never an ImportError. The import system's own questions
    # (`__path__`: is it a package?) are answered here: no.
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(_real_loader(), name)


def skip_plugin_discovery() -> bool:
    """Answer pydantic's plugin discovery with none; False when it was left to pydantic."""
    chosen = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
    if LOADER in sys.modules or chosen not in (None, "__all__", "1", "true"):
        return False
    loader = types.ModuleType(LOADER, "cutover: no pydantic plugins (cli/pydantic_plugins.py)")
    loader.get_plugins = _no_plugins  # type: ignore[attr-defined]
    loader.__getattr__ = _anything_else  # type: ignore[attr-defined]
    sys.modules[LOADER] = loader
    return True
