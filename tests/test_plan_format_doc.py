"""docs/plan-format.md stays true: its TOML examples, put together, are one plan that validates,
and the keys it documents are the keys of `cutover schema`, no more and no fewer."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from cutover_tui.cli import main
from cutover_tui.plan import parse_plan

DOC = Path(__file__).resolve().parent.parent / "docs" / "plan-format.md"
_BLOCK = re.compile(r"^```toml\n(.*?)^```", re.M | re.S)


def examples() -> list[str]:
    return _BLOCK.findall(DOC.read_text(encoding="utf-8"))


# What the examples name but (to stay short) do not show: more people and steps.
CONTEXT = """
[people.dba]
name = "Priya Shah"
[people.dan]
name = "Dan Hughes"
[people.carol]
name = "Carol Jones"
[people.sponsor]
name = "Sam Sponsor"
[people.bob]
name = "Bob Lee"
[[step]]
id = "snapshot-db"
title = "Snapshot the database"
owner = "dba"
duration = "20m"
[[step]]
id = "export-catalogue"
title = "Export the catalogue"
owner = "dba"
duration = "30m"
[[step]]
id = "migrate-orders"
title = "Migrate the orders"
owner = "dba"
duration = "1h"
after = ["go-no-go"]
[[step]]
id = "smoke-tests"
title = "Smoke tests"
owner = "dba"
duration = "30m"
after = ["migrate-orders"]
"""


def test_the_examples_together_are_a_valid_plan() -> None:
    blocks = examples()
    assert len(blocks) >= 9  # one or more per part of the format
    for block in blocks:
        tomllib.loads(block)  # each block is TOML on its own
    parse_plan("\n".join([*blocks, CONTEXT]), str(DOC))  # raises PlanError naming every problem


def test_the_context_adds_no_key_the_examples_lack() -> None:
    assert _paths(tomllib.loads(CONTEXT), "") <= documented()


def _paths(value: Any, prefix: str) -> set[str]:
    """Key paths of TOML data: people keys as '*', arrays of tables merged, rollback steps as steps."""
    out: set[str] = set()
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for item in value:
            out |= _paths(item, prefix)
    elif isinstance(value, dict):
        for key, inner in value.items():
            name = "*" if prefix in ("people", "vars") else key  # tables of named entries
            path = f"{prefix}.{name}" if prefix else name
            out.add(path)
            out |= _paths(inner, path)
    return {_same_keys(p) for p in out}


def _same_keys(path: str) -> str:
    """Rollback steps have a step's keys; an after-the-night item's check a checkpoint's."""
    return path.replace("rollback.step.", "step.").replace("aftercare.check.check.", "step.check.")


def documented() -> set[str]:
    return _paths(tomllib.loads("\n".join(examples())), "")


def _schema_paths(schema: dict, node: dict, prefix: str) -> set[str]:
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].split("/")[-1]]
    out: set[str] = set()
    for option in node.get("anyOf", []) + node.get("oneOf", []):
        out |= _schema_paths(schema, option, prefix)
    if "items" in node:
        out |= _schema_paths(schema, node["items"], prefix)
    keyed = (
        [node["additionalProperties"]] if isinstance(node.get("additionalProperties"), dict) else []
    )
    keyed += list(node.get("patternProperties", {}).values())
    for inner in keyed:  # a table of named entries, like [people.KEY]
        out.add(f"{prefix}.*")
        out |= _schema_paths(schema, inner, f"{prefix}.*")
    for key, inner in node.get("properties", {}).items():
        path = f"{prefix}.{key}" if prefix else key
        out.add(path)
        out |= _schema_paths(schema, inner, path)
    return {_same_keys(p) for p in out}


def test_every_documented_key_is_in_the_schema_and_the_other_way_round(capsys) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    in_schema = _schema_paths(schema, schema, "")
    in_doc = documented()
    assert sorted(in_doc - in_schema) == [], "documented, but not in `cutover schema`"
    assert sorted(in_schema - in_doc) == [], "in `cutover schema`, but not documented"
