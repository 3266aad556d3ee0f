"""A night with a bridge: a commander (the OS user running the tests), a communicator, two
resolvers in an escalation line, an operator and a watcher; a checkpoint and two triggers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

from cutover_tui.engine.events import RunStarted
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan

MIDNIGHT = datetime.fromisoformat("2026-11-28T00:00:00+00:00")


def hm(text: str) -> datetime:
    """01:05 or 01:04:30 on the night of the tests (UTC)."""
    parts = [int(p) for p in text.split(":")]
    h, m, s = [*parts, 0][:3]
    return MIDNIGHT + timedelta(hours=h, minutes=m, seconds=s)


def bridge_plan(extra: str = "", commander_login: str | None = None) -> str:
    login = commander_login or os_login()
    return f"""format = 1
[plan]
id = "bridge"
title = "Bridge night"
timezone = "UTC"
[window]
start = 2026-11-28T00:00:00
end = 2026-11-28T06:00:00
[people.cmdr]
name = "Cora Commander"
user = "{login}"
roles = ["commander"]
[people.comms]
name = "Cal Comms"
user = "cal-login"
roles = ["communicator"]
email = "cal@example.com"
[people.res]
name = "Rita Resolver"
user = "rita-login"
roles = ["resolver"]
email = "rita@example.com"
escalates_to = "lead"
[people.lead]
name = "Leo Lead"
user = "leo-login"
roles = ["resolver"]
email = "leo@example.com"
escalates_to = "cmdr"
[people.op]
name = "Olga Operator"
user = "olga-login"
roles = ["operator"]
[people.watch]
name = "Walt Watcher"
user = "walt-login"
roles = ["watcher"]
[[step]]
id = "load"
title = "Load the data"
owner = "op"
duration = "30m"
[[step]]
id = "verify"
kind = "checkpoint"
title = "Counts match"
owner = "op"
duration = "10m"
after = ["load"]
verify = "row counts equal"
on_fail = "hold"
[[step]]
id = "switch"
title = "Switch traffic"
owner = "op"
duration = "20m"
after = ["verify"]
[rollback]
owner = "cmdr"
rto = "1h"
[[rollback.step]]
id = "back"
title = "Switch back"
owner = "cmdr"
duration = "20m"
[[trigger]]
id = "load-stuck"
step = "load"
condition = "running-over"
limit = "45m"
action = "rollback"
{extra}"""


def new_bridge_run(directory: Path, extra: str = "", at: datetime = MIDNIGHT) -> Journal:
    loaded = parse_plan(bridge_plan(extra), name="bridge.toml")
    journal = Journal.create(directory, loaded, rehearsal=False, created_by=os_login())
    journal.append(RunStarted(actor="cmdr", at=at, plan_id="bridge", key=uuid.uuid4().hex))
    return journal
