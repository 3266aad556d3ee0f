"""What `cutover do`'s full path would cost in a fresh process without pydantic (issue 14).

    .venv/bin/python benchmarks/full_path_floor.py [--runs 9]

The full path (a command the fast paths cannot take, with no command server) imports the
engine's models and rules. Timed here in fresh processes, interleaved, CPU from os.wait4:
the baseline (a Python that loads plans/erp-datacentre.toml with tomllib), `import
pydantic.main`, the full path's imports, and the same imports with pydantic replaced by a
stand-in that builds nothing (BaseModel a plain class, validators no-ops: a floor for
models without pydantic, not a working program). Prints each median and its ratio to the
baseline. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "plans" / "erp-datacentre.toml"
FULL_PATH = "import cutover_tui.cli, cutover_tui.cli.do_commands, cutover_tui.engine.actions"

# A module named pydantic (and pydantic_core) that builds nothing: enough for the imports.
STAND_IN = """
import sys, types
class _Field:
    def __init__(self, default): self.default = default
class BaseModel:
    model_fields = {}
    def __init__(self, **kw): self.__dict__.update(kw)
    def __init_subclass__(cls, **kw):
        names = getattr(cls, "__annotations__", {})
        cls.model_fields = {k: _Field(getattr(cls, k, None)) for k in names}
    @classmethod
    def model_construct(cls, **kw): return cls(**kw)
class _Any:
    def __init__(self, *a, **k): pass
    def __class_getitem__(cls, item): return cls
def _decorator(*a, **k):
    return a[0] if len(a) == 1 and callable(a[0]) and not k else (lambda f: f)
class ValidationError(Exception): pass
pydantic = types.ModuleType("pydantic")
for name in ("BeforeValidator", "AfterValidator", "PlainSerializer", "WithJsonSchema",
             "Discriminator", "Tag", "TypeAdapter"):
    setattr(pydantic, name, _Any)
for name in ("field_validator", "model_validator"):
    setattr(pydantic, name, _decorator)
pydantic.BaseModel, pydantic.ValidationError, pydantic.ConfigDict = BaseModel, ValidationError, dict
pydantic.Field = lambda *a, **k: a[0] if a else None
pydantic.AwareDatetime = pydantic.ValidationInfo = object
core = types.ModuleType("pydantic_core")
core.ErrorDetails = dict
sys.modules["pydantic"], sys.modules["pydantic_core"] = pydantic, core
"""


def cpu_of(code: str, path: str) -> float:
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": path}
    )
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"failed: {code}")
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "stand_in.py").write_text(STAND_IN)
        commands = {
            "baseline: tomllib load of the plan": f"import tomllib; tomllib.loads(open({str(PLAN)!r}).read())",
            "import pydantic.main": "import pydantic.main",
            "the full path's imports": FULL_PATH,
            "the same, pydantic a stand-in": f"import stand_in; {FULL_PATH}",
        }
        times: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(runs):  # interleaved: a burst of load falls on every row alike
            for label, code in commands.items():
                times[label].append(cpu_of(code, folder))
    base = statistics.median(times["baseline: tomllib load of the plan"])
    for label, samples in times.items():
        median = statistics.median(samples)
        print(f"{label:40} {median:.3f} s CPU  {median / base:.1f}x")
    print(f"load average {os.getloadavg()[0]:.1f}, {runs} runs each")


if __name__ == "__main__":
    main()
