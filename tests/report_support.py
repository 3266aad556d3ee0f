"""A small shop cutover with an [aftercare] part, and two scripted nights played into real
journals: one rolled back after a trigger, one with a conditional go that finishes late.

Baseline (UTC; Europe/London is UTC in November): backup 22:00-22:30, freeze 22:30-22:45,
go 22:45-22:50, migrate 22:50-23:50, reindex 22:50-23:10, smoke 23:50-00:05, announce
00:05-00:10; deadline 00:30. Critical path: backup freeze go migrate smoke announce.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

from cutover_tui.engine import events as ev
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan

T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")


def hm(text: str) -> datetime:
    """22:57 -> that moment of the night (times before noon are the next morning)."""
    hours, minutes = map(int, text.split(":"))
    day = T0.date() if hours >= 12 else T0.date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=T0.tzinfo)


AFTERCARE = """
[aftercare.runbook]
owner = "dba"
within = "72h"

[[aftercare.check]]
id = "login-works"
area = "functionality"
item = "Customers can log in"
owner = "sup"

[[aftercare.check]]
id = "checkout-p95"
area = "performance"
item = "Checkout p95 latency"
owner = "dba"
baseline = 800
unit = "ms"
tolerance = "20%"
better = "lower"

[[aftercare.check]]
id = "admin-mfa"
area = "security"
item = "Admin logins need MFA"
owner = "boss"

[[aftercare.check]]
id = "order-counts"
area = "data"
item = "Order counts match the old system"
owner = "dba"
baseline = 10000
unit = "orders"
tolerance = 0

[[aftercare.access]]
id = "vendor-vpn"
what = "VPN account for the vendor's DBA"
holder = "Acme DBA"
opened_by = "dba"
close_within = "24h"

[[aftercare.access]]
id = "break-glass"
what = "Break-glass admin account"
holder = "the night's commander"
opened_by = "boss"
close_within = "4h"

[aftercare.handover]
team = "Shop support"
owner = "sup"
hypercare = "14d"
known_issues = ["Search results lag by a minute"]
watch = ["Checkout latency", "Payment failures"]
"""


def shop_plan(extra: str = AFTERCARE, title: str = "Shop cutover") -> str:
    return f"""format = 1
[plan]
id = "shop"
title = {title!r}
timezone = "Europe/London"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T00:30:00
buffer = "10%"
[people.boss]
name = "Bea Boss"
user = "{os_login()}"
roles = ["commander"]
[people.dba]
name = "Dee Ay"
roles = ["operator"]
[people.sup]
name = "Sue Port"
roles = ["operator"]
[people.wat]
name = "Walt Watcher"
roles = ["watcher"]
[[phase]]
id = "prep"
title = "Preparation"
[[phase]]
id = "move"
title = "Migration"
[[phase]]
id = "check"
title = "Verification"
[[step]]
id = "backup"
title = "Back up the shop database"
phase = "prep"
owner = "dba"
duration = "30m"
[[step]]
id = "freeze"
title = "Freeze orders"
phase = "prep"
owner = "dba"
duration = "15m"
after = ["backup"]
[[step]]
id = "go"
kind = "gate"
title = "Go / no-go"
phase = "prep"
owner = "boss"
duration = "5m"
after = ["freeze"]
approvers = ["boss"]
[[step]]
id = "migrate"
title = "Migrate orders"
phase = "move"
owner = "dba"
duration = "1h"
after = ["go"]
[[step]]
id = "reindex"
title = "Rebuild the search index"
phase = "move"
owner = "dba"
duration = "20m"
after = ["go"]
[[step]]
id = "smoke"
kind = "checkpoint"
title = "Smoke tests"
phase = "check"
owner = "sup"
duration = "15m"
after = ["migrate", "reindex"]
verify = "A test order goes through"
on_fail = "rollback"
[[step]]
id = "announce"
title = "Announce the new shop"
phase = "check"
owner = "boss"
duration = "5m"
after = ["smoke"]
[rollback]
owner = "boss"
rto = "1h"
[[rollback.step]]
id = "restore"
title = "Restore the old shop"
owner = "dba"
duration = "30m"
[[rollback.step]]
id = "verify-old"
title = "Check the old shop"
owner = "sup"
duration = "10m"
after = ["restore"]
[[trigger]]
id = "migrate-stuck"
step = "migrate"
condition = "running-over"
limit = "75m"
action = "rollback"
{extra}"""


def new_journal(directory: Path, text: str | None = None, *, rehearsal: bool = False) -> Journal:
    plan = parse_plan(text or shop_plan(), name="shop.toml")
    journal = Journal.create(directory, plan, rehearsal=rehearsal, created_by=os_login())
    journal.append(
        ev.RunStarted(
            actor="boss", at=T0, plan_id="shop", mode="rehearsal" if rehearsal else "live", key="go"
        )
    )
    return journal


def play(journal: Journal, script: list[ev.EventBase]) -> None:
    for event in script:
        journal.append(event.model_copy(update={"key": event.key or uuid.uuid4().hex}))


def ran(step: str, start: str, finish: str, who: str = "dba") -> list[ev.EventBase]:
    return [
        ev.StepStarted(actor=who, at=hm(start), step=step),
        ev.StepCompleted(actor=who, at=hm(finish), step=step),
    ]


def rolled_back_night() -> list[ev.EventBase]:
    """backup +10m, go at 22:57, migrate stuck: the trigger fires 00:12, rollback 00:20,
    service back 01:05 (45m, inside the 1h RTO)."""
    return [
        *ran("backup", "22:00", "22:40"),
        *ran("freeze", "22:40", "22:55"),
        ev.GateDecided(
            actor="boss",
            at=hm("22:57"),
            step="go",
            approver="boss",
            decision="go",
            reason="backup verified",
        ),
        ev.StepStarted(actor="dba", at=hm("22:57"), step="migrate"),
        *ran("reindex", "22:57", "23:17"),
        ev.TriggerFired(
            actor="conductor",
            at=hm("00:12"),
            trigger="migrate-stuck",
            step="migrate",
            action="rollback",
            reason="migrate running over 75m",
        ),
        ev.RollbackInvoked(
            actor="boss", at=hm("00:20"), reason="migration stuck on locks", trigger="migrate-stuck"
        ),
        *ran("restore", "00:20", "00:55"),
        *ran("verify-old", "00:55", "01:05", who="sup"),
        ev.RunEnded(actor="boss", at=hm("01:06"), outcome="rolled-back", reason="old shop back"),
    ]


def late_night() -> list[ev.EventBase]:
    """A conditional go, migrate 25m over (its trigger fired at 00:05, overridden 00:07),
    smoke passed 00:30, finished 00:40: ten minutes past the 00:30 deadline."""
    return [
        *ran("backup", "22:00", "22:30"),
        *ran("freeze", "22:30", "22:45"),
        ev.GateDecided(
            actor="boss",
            at=hm("22:50"),
            step="go",
            approver="boss",
            decision="conditional-go",
            reason="index rebuild untested at full size",
            risks=["search may lag"],
        ),
        ev.StepStarted(actor="dba", at=hm("22:50"), step="migrate"),
        *ran("reindex", "22:50", "23:10"),
        ev.TriggerFired(
            actor="conductor",
            at=hm("00:05"),
            trigger="migrate-stuck",
            step="migrate",
            action="rollback",
            reason="migrate running over 75m",
        ),
        ev.TriggerOverridden(
            actor="boss",
            at=hm("00:07"),
            trigger="migrate-stuck",
            reason="95% of orders moved; finishing is faster than rolling back",
        ),
        ev.StepCompleted(actor="dba", at=hm("00:15"), step="migrate"),
        ev.StepStarted(actor="sup", at=hm("00:15"), step="smoke"),
        ev.CheckpointPassed(actor="sup", at=hm("00:30"), step="smoke", evidence="order 4711 paid"),
        *ran("announce", "00:30", "00:40", who="boss"),
        ev.NoteAdded(
            actor="boss", at=hm("00:35"), kind="decision", text="announce despite the late finish"
        ),
        ev.RunEnded(actor="boss", at=hm("00:41"), outcome="completed"),
    ]


def after_the_night() -> list[ev.EventBase]:
    """After the late night: a latency out of tolerance (a failure), then fixed; counts
    match; the VPN closed; the break-glass account left open past its 4h (overdue at 06:00);
    the handover accepted; the runbook updated; review remarks."""
    return [
        ev.ValidationRecorded(actor="dba", at=hm("01:00"), check="checkout-p95", value=1100),
        ev.ValidationRecorded(
            actor="dba",
            at=hm("02:00"),
            check="checkout-p95",
            value=870,
            note="after the cache warmed",
        ),
        ev.ValidationRecorded(actor="dba", at=hm("01:05"), check="order-counts", value=10000),
        ev.ValidationRecorded(actor="sup", at=hm("01:10"), check="login-works", passed=True),
        ev.AccessClosed(actor="dba", at=hm("02:30"), access="vendor-vpn", note="account disabled"),
        ev.HandoverAccepted(actor="sup", at=hm("03:00"), note="support rota briefed"),
        ev.RunbookUpdated(actor="dba", at=hm("05:00"), note="runbook v2.3: lock timeouts"),
        ev.NoteAdded(
            actor="sup",
            at=hm("05:10"),
            kind="review",
            remark="went-well",
            text="the gate's criteria were clear",
        ),
        ev.NoteAdded(
            actor="dba",
            at=hm("05:20"),
            kind="review",
            remark="process-gap",
            text="no rehearsal at full data size",
        ),
    ]
