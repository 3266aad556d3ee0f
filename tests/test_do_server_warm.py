"""A command server's warm-up (cli/do_server_warm.py), in a process of its own (it changes
process-wide choices): every model built, and reads through the whole event union that
answer exactly as the per-text unions of a fresh process do."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.test_event_adapters import BODIES

PROBE = """
import json, sys
from pydantic import BaseModel, ValidationError
from cutover_tui.engine import event_adapters

texts = json.loads(sys.argv[1])
def read(text):
    try:
        return [e.model_dump(mode="json") for e in event_adapters.parse_events_json(text)]
    except ValidationError as exc:
        return exc.errors(include_url=False)

before = [read(t) for t in texts]
from cutover_tui.cli.do_server_warm import build_models, warm
warm()
def models(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from models(sub)
ours = [m for m in models(BaseModel) if m.__module__.startswith("cutover_tui.")]
chosen = {event_adapters._list_adapter_for(t) is event_adapters._EVENT_LIST for t in texts}
print(json.dumps({
    "same": [read(t) for t in texts] == before,
    "models": len(ours),
    "unbuilt": [m.__name__ for m in ours if not m.__pydantic_complete__],
    "built_again": build_models(),
    "whole": sorted(chosen),
}, default=str))
"""


def test_the_warm_up_builds_every_model_and_reads_as_before() -> None:
    texts = [json.dumps([body]) for body in BODIES] + [json.dumps(BODIES[:6])]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(texts)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout)
    assert said["same"] is True
    assert said["models"] > 70 and said["unbuilt"] == [] and said["built_again"] == 0
    assert said["whole"] == [True]
