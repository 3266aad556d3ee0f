"""Write the large example plan: an ERP migration together with a data-centre move.

    .venv/bin/python benchmarks/make_large_plan.py                 # plans/erp-datacentre.toml
    .venv/bin/python benchmarks/make_large_plan.py --steps 5000 --out /tmp/erp-5k.toml

Ten workstreams (network, storage, compute, database, finance, supply chain, HR, warehouse,
integration, reporting) run in parallel inside seven phases and meet at go / no-go gates. Each
stream repeats a short chain of steps for each of its entities (racks, volumes, databases,
company codes, plants, pay groups, DCs, interfaces, subject areas); `--steps` sets how many
entities there are, so the plan grows in width and the critical path stays the same. The fixed
starts (truck convoys, batch cycles, the first warehouse shift) sit inside the window.

The output is deterministic: the same arguments always write the same bytes. Standard library
only; the TOML is formatted here, as a person would write it.
"""

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "plans" / "erp-datacentre.toml"
DEFAULT_STEPS = 320

WINDOW_START = datetime(2026, 12, 11, 18, 0)  # Friday, America/Chicago
WINDOW_END = datetime(2026, 12, 13, 18, 0)  # Sunday
CONVOY_A = datetime(2026, 12, 12, 0, 0)  # escorted transport slots booked with the mover
CONVOY_B = datetime(2026, 12, 12, 0, 30)
BATCH_EOD = datetime(2026, 12, 12, 16, 0)  # the ERP job scheduler's fixed batch cycles
BATCH_NIGHT = datetime(2026, 12, 12, 18, 0)
BATCH_SUNDAY = datetime(2026, 12, 13, 2, 0)
FIRST_SHIFT = datetime(2026, 12, 13, 4, 0)  # Laredo DC Sunday early shift

SIZES = (1.0, 0.75, 1.25, 0.5, 1.5)  # relative data volume of generated entities


# --- people, phases, readiness, comms ----------------------------------------------------------

PEOPLE = [
    ("maria", "mdelgado", "Maria Delgado", ["commander"], "IT Programme Office", None),
    ("kevin", "kobrien", "Kevin O'Brien", ["communicator"], "Corporate Communications", "maria"),
    ("tariq", "thaddad", "Tariq Haddad", ["resolver"], "Enterprise Architecture", "maria"),
    ("susan", "spark", "Susan Park", ["approver"], "Chief Information Officer (sponsor)", None),
    ("fin", "gliu", "Grace Liu", ["operator", "approver"], "Finance Systems (controller)", "tariq"),
    ("scm", "dramirez", "Diego Ramirez", ["operator"], "Supply Chain Systems", "tariq"),
    ("hr", "ajohnson", "Aisha Johnson", ["operator"], "HR and Payroll Systems", "tariq"),
    ("wms", "lnovak", "Luke Novak", ["operator"], "Warehouse Systems", "tariq"),
    ("net", "hberg", "Hannah Berg", ["operator"], "Network Engineering", "tariq"),
    ("stor", "bokoro", "Ben Okoro", ["operator"], "Storage Engineering", "tariq"),
    ("comp", "ytanaka", "Yuki Tanaka", ["operator"], "Compute and Virtualisation", "tariq"),
    ("fac", "frusso", "Frank Russo", ["operator"], "Data-centre Facilities and Move", "tariq"),
    ("dba", "rpatel", "Raj Patel", ["operator"], "Database Administration", "tariq"),
    ("intg", "cmartin", "Chloe Martin", ["operator"], "Integration and EDI", "tariq"),
    ("bi", "ofarouk", "Omar Farouk", ["operator"], "Reporting and Data Warehouse", "tariq"),
    ("audit", "jmoore", "Janet Moore", ["watcher"], "Internal Audit (SOX)", None),
]

PHASES = [
    ("freeze", "Freeze & Final Backup"),
    ("relocate", "Data-centre Move"),
    ("platform", "Platform Bring-up"),
    ("migrate", "ERP Data Migration"),
    ("integrate", "Interfaces & Batch Cycles"),
    ("validate", "Business Validation"),
    ("golive", "Go-live & Hypercare"),
]

READINESS = [
    (
        "change-approved",
        "governance",
        "Change CHG-88120 approved by the CAB, window and rollback attached",
        "susan",
    ),
    (
        "sox-controls-signed",
        "governance",
        "SOX control owners signed off the migration reconciliation evidence pack",
        "audit",
    ),
    (
        "dc-contract-signed",
        "governance",
        "Move contract with the mover and transit insurance signed; convoy slots confirmed",
        "fac",
    ),
    (
        "cfo-cutover-signoff",
        "governance",
        "CFO accepted the opening-balance approach and the cutover date",
        "fin",
    ),
    (
        "backups-tested",
        "technical",
        "Restore of the legacy ERP backup onto the new-DC array rehearsed within 1h30m",
        "dba",
    ),
    (
        "dc-power-cooling",
        "technical",
        "New data hall power, cooling and fire suppression commissioned and certified",
        "fac",
    ),
    (
        "wan-circuits-tested",
        "technical",
        "Both WAN circuits to the new DC tested at full load with failover",
        "net",
    ),
    (
        "erp-upgrade-rehearsed",
        "technical",
        "ERP release upgrade rehearsed twice on production-size data",
        "dba",
    ),
    (
        "key-users-trained",
        "organisational",
        "All 140 key users trained on the new ERP and passed their test scripts",
        "tariq",
    ),
    (
        "key-users-rostered",
        "organisational",
        "Key users rostered for Saturday-night validation and Sunday hypercare",
        "tariq",
    ),
    (
        "service-desk-trained",
        "organisational",
        "Service desk trained, known-error database loaded, extra staff on Monday",
        "kevin",
    ),
    (
        "hypercare-rota",
        "organisational",
        "Hypercare rota for two weeks with named resolvers per stream",
        "tariq",
    ),
    (
        "month-end-closed",
        "process",
        "November month-end closed in legacy for all company codes",
        "fin",
    ),
    (
        "payroll-cycle-clear",
        "process",
        "No payroll run due during the window; December 15 payroll pre-checked",
        "hr",
    ),
    (
        "rollback-rehearsed",
        "process",
        "Rollback to the legacy ERP rehearsed end to end within the 6-hour RTO",
        "maria",
    ),
    (
        "reconciliation-procedure",
        "process",
        "Reconciliation procedure and tolerances agreed with finance and audit",
        "fin",
    ),
]

AUDIENCES = [
    ("executives", "Executive team", ["exec-team@example.com"], None),
    ("business-users", "All ERP users", ["erp-users@example.com"], None),
    (
        "warehouse-managers",
        "Warehouse and plant managers",
        ["dc-managers@example.com", "plant-managers@example.com"],
        None,
    ),
    (
        "it-service-desk",
        "IT service desk",
        ["servicedesk@example.com"],
        "https://chat.example.com/hooks/erp-cutover",
    ),
    ("trading-partners", "Suppliers and customers on EDI", ["edi-partners@example.com"], None),
]

TEMPLATES = [
    (
        "status-update",
        "{plan.title}: status at {now:%H:%M}",
        "Status at {now:%H:%M}: {percent_done} done, {delta} against plan.\n"
        "Now running: {current_step}.\n"
        "Projected finish {projected_finish:%H:%M} against a deadline of {deadline:%H:%M}; "
        "buffer left {buffer_left}.",
    ),
    (
        "gate-decision",
        "{plan.title}: go / no-go decision at {now:%H:%M}",
        "The go / no-go gate '{current_step}' was decided at {now:%H:%M}.\n"
        "We are {delta} against plan; projected finish {projected_finish:%H:%M} "
        "(deadline {deadline:%H:%M}).",
    ),
    (
        "go-live",
        "{plan.title}: the new ERP is live",
        "The new ERP is live from {now:%H:%M} at the new data centre, {delta} against plan.\n"
        "Log in at https://erp.example.com. Problems: the service desk, extension 4357.\n"
        "Rollback remains possible until {rollback_by:%H:%M}.",
    ),
    (
        "edi-resume",
        "EDI with us resumes at {now:%H:%M}",
        "Our EDI gateway accepts and sends messages again from {now:%H:%M}. Messages you queued "
        "since Friday 18:00 will be processed in order; no resend is needed.",
    ),
    (
        "incident",
        "{plan.title}: incident at {now:%H:%M}",
        "Incident at {now:%H:%M} during {current_step}: {reason}.\n"
        "Projected finish {projected_finish:%H:%M} (deadline {deadline:%H:%M}, buffer left "
        "{buffer_left}). Last safe rollback start {rollback_by:%H:%M}. Next update in 30 minutes.",
    ),
    (
        "rollback-announcement",
        "{plan.title}: rolled back to the legacy ERP",
        "The cutover was rolled back: {reason}.\n"
        "The legacy ERP is available again as of {now:%H:%M}. Transactions entered on the new "
        "ERP will be re-keyed by the stream leads; do not enter them again yourself.",
    ),
]


# --- the steps ---------------------------------------------------------------------------------


@dataclass
class Step:
    id: str
    phase: str
    title: str
    owner: str
    minutes: int
    after: list[str] = field(default_factory=list)
    kind: str = "task"
    stream: str | None = None
    not_before: datetime | None = None
    instructions: str | None = None
    estimate: tuple[int, int] | None = None
    verify: str | None = None
    on_fail: str | None = None
    criteria: list[str] | None = None
    approvers: list[str] | None = None
    template: str | None = None
    to: list[str] | None = None


@dataclass(frozen=True)
class Entity:
    key: str
    label: str
    size: float


def _named(items: list[tuple[str, str, float]], key: str, label: str):
    """Entities: the named ones first, then numbered ones when a bigger plan needs more."""

    def entity(n: int) -> Entity:
        if n < len(items):
            return Entity(*items[n])
        return Entity(key.format(n=n + 1), label.format(n=n + 1), SIZES[n % len(SIZES)])

    return entity


ENTITIES = {
    "net": _named(
        [
            ("core", "core routing", 1.0),
            ("erp-app", "the ERP application VLAN", 1.0),
            ("erp-db", "the ERP database VLAN", 1.0),
            ("san", "the storage network", 1.0),
            ("dmz", "the DMZ and B2B gateway", 1.0),
            ("rf", "warehouse RF and WMS", 1.0),
            ("mgmt", "out-of-band management", 1.0),
            ("backup", "the backup network", 1.0),
        ],
        "vlan-{n:03d}",
        "application VLAN {n}",
    ),
    "stor": _named(
        [
            ("erp-data", "the ERP data volumes", 1.5),
            ("erp-logs", "the ERP redo and archive logs", 0.5),
            ("wms-data", "the WMS database volumes", 1.0),
            ("hr-data", "the HR and payroll volumes", 0.75),
            ("dw-data", "the data-warehouse volumes", 1.25),
            ("shares", "the finance and operations file shares", 1.0),
            ("edi-archive", "the EDI message archive", 0.5),
        ],
        "vg-{n:03d}",
        "application volume group {n}",
    ),
    "comp": _named([], "r{n:02d}", "rack R{n:02d}"),
    "dba": _named(
        [
            ("erp", "the ERP production database", 1.5),
            ("wms", "the WMS database", 1.0),
            ("hrp", "the HR and payroll database", 0.75),
            ("dw", "the data warehouse", 1.25),
            ("mw", "the middleware message store", 0.5),
            ("docs", "the document archive", 0.75),
        ],
        "appdb-{n:03d}",
        "application database {n}",
    ),
    "fin": _named(
        [
            ("us01", "company code US01 (Chicago HQ)", 1.5),
            ("us02", "company code US02 (Dallas)", 1.0),
            ("us03", "company code US03 (Atlanta)", 0.75),
            ("ca01", "company code CA01 (Toronto)", 1.0),
            ("mx01", "company code MX01 (Monterrey)", 0.75),
        ],
        "cc{n:03d}",
        "company code CC{n:03d}",
    ),
    "scm": _named(
        [
            ("p100", "plant P100 (Joliet)", 1.5),
            ("p200", "plant P200 (Aurora)", 1.0),
            ("p300", "plant P300 (Elgin)", 0.75),
            ("p400", "plant P400 (Laredo)", 1.0),
        ],
        "pl{n:03d}",
        "plant PL{n:03d}",
    ),
    "hr": _named(
        [
            ("us-salaried", "US salaried", 1.0),
            ("us-hourly", "US hourly", 1.5),
            ("canada", "Canada", 0.5),
            ("mexico", "Mexico", 0.75),
        ],
        "pg{n:03d}",
        "pay group {n}",
    ),
    "wms": _named(
        [
            ("joliet", "Joliet DC", 1.5),
            ("romeoville", "Romeoville DC", 1.0),
            ("laredo", "Laredo DC", 1.0),
            ("toronto", "Toronto DC", 0.75),
        ],
        "dc{n:03d}",
        "DC {n}",
    ),
    "intg": _named(
        [
            ("bank-statements", "bank statements (BAI2)", 1.0),
            ("bank-payments", "payments to the bank (NACHA)", 1.0),
            ("supplier-edi", "supplier EDI 850/855/856", 1.0),
            ("customer-edi", "customer EDI 810/856", 1.0),
            ("carrier-api", "the carrier rating and label API", 1.0),
            ("payroll-provider", "the payroll provider file exchange", 1.0),
            ("tax-engine", "the sales-tax engine", 1.0),
            ("ecommerce", "the e-commerce order feed", 1.0),
        ],
        "if{n:03d}",
        "interface IF{n:03d}",
    ),
    "bi": _named(
        [
            ("finance", "finance", 1.0),
            ("sales", "sales", 1.25),
            ("inventory", "inventory", 1.0),
            ("procurement", "procurement", 0.75),
            ("people", "HR", 0.5),
            ("exec", "the executive dashboard", 0.75),
        ],
        "sa{n:03d}",
        "subject area {n}",
    ),
}

# Steps per entity in each stream, and the entity mix of the default plan (also the weights
# by which a bigger or smaller plan shares out its entities).
STEPS_PER_ENTITY = {
    "net": 3,
    "stor": 4,
    "comp": 6,
    "dba": 3,
    "fin": 7,
    "scm": 7,
    "hr": 5,
    "wms": 5,
    "intg": 4,
    "bi": 2,
}
WEIGHTS = {
    "net": 8,
    "stor": 7,
    "comp": 10,
    "dba": 6,
    "fin": 5,
    "scm": 4,
    "hr": 4,
    "wms": 4,
    "intg": 8,
    "bi": 6,
}
STREAM_ORDER = list(WEIGHTS)


def scaled(minutes: float, size: float) -> int:
    """A duration scaled by an entity's size, in whole 5-minute steps."""
    return max(5, round(minutes * size / 5) * 5)


def estimate_of(minutes: int) -> tuple[int, int]:
    return max(5, int(minutes * 0.8 / 5) * 5), int(-(-minutes * 1.5 // 5)) * 5


class Builder:
    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.ids: set[str] = set()

    def add(self, step: Step) -> Step:
        assert step.id not in self.ids, step.id
        self.ids.add(step.id)
        self.steps.append(step)
        return step


def allocate(total: int, skeleton: int) -> tuple[dict[str, int], int]:
    """Entities per stream so that the plan has exactly `total` steps; and the spot checks."""
    counts = {s: 1 for s in STREAM_ORDER}
    budget = total - skeleton - sum(STEPS_PER_ENTITY.values())
    if budget < 0:
        minimum = skeleton + sum(STEPS_PER_ENTITY.values())
        raise SystemExit(f"--steps must be at least {minimum}")
    while True:
        order = sorted(STREAM_ORDER, key=lambda s: (counts[s] / WEIGHTS[s], STREAM_ORDER.index(s)))
        for stream in order:
            if STEPS_PER_ENTITY[stream] <= budget:
                counts[stream] += 1
                budget -= STEPS_PER_ENTITY[stream]
                break
        else:
            return counts, budget


def build(counts: dict[str, int], spot_checks: int) -> list[Step]:
    b = Builder()
    ents = {s: [ENTITIES[s](n) for n in range(counts[s])] for s in STREAM_ORDER}

    def each(stream: str):
        return ents[stream]

    # --- Freeze & final backup (baseline Fri 18:00-21:35) ----------------------------------------
    b.add(
        Step(
            "kickoff",
            "freeze",
            "Kick-off bridge: roll call of all ten workstreams",
            "maria",
            15,
            stream="organisational",
            instructions="Bridge +1 312 555 0100, PIN 8812. Each stream lead confirms staff on site, "
            "laptops and access. Commander reads the timeline, the gates and the rollback triggers.",
        )
    )
    b.add(
        Step(
            "gate-start",
            "freeze",
            "Go / no-go to start the cutover",
            "maria",
            15,
            ["kickoff"],
            kind="gate",
            stream="governance",
            criteria=[
                "change-approved",
                "dc-contract-signed",
                "backups-tested",
                "rollback-rehearsed",
                "month-end-closed",
                "payroll-cycle-clear",
                "key-users-rostered",
            ],
            approvers=["maria", "susan"],
        )
    )
    b.add(
        Step(
            "announce-start",
            "freeze",
            "Announce the start of the cutover and the ERP outage",
            "kevin",
            5,
            ["gate-start"],
            kind="comms",
            stream="organisational",
            template="status-update",
            to=["executives", "business-users", "warehouse-managers", "it-service-desk"],
        )
    )
    b.add(
        Step(
            "announce-edi-pause",
            "freeze",
            "Tell EDI trading partners to queue messages until Sunday",
            "kevin",
            5,
            ["gate-start"],
            kind="comms",
            stream="organisational",
            template="status-update",
            to=["trading-partners"],
        )
    )
    b.add(
        Step(
            "fin-final-ap-run",
            "freeze",
            "Run the final AP payment run in legacy and transmit it to the bank",
            "fin",
            45,
            ["gate-start"],
            stream="process",
            estimate=(30, 75),
            instructions="Payment proposal FINAL-1211 for all company codes; release after the controller's "
            "second approval; transmit the NACHA file and wait for the bank's acknowledgement.",
        )
    )
    b.add(
        Step(
            "fin-lock-periods",
            "freeze",
            "Lock the legacy posting periods for all company codes",
            "fin",
            15,
            ["fin-final-ap-run"],
            stream="process",
        )
    )
    b.add(
        Step(
            "scm-stop-order-entry",
            "freeze",
            "Stop sales-order entry and the MRP jobs in legacy",
            "scm",
            20,
            ["gate-start"],
            stream="process",
        )
    )
    b.add(
        Step(
            "hr-lock-master-data",
            "freeze",
            "Lock HR master data and confirm no off-cycle payroll is pending",
            "hr",
            20,
            ["gate-start"],
            stream="process",
        )
    )
    b.add(
        Step(
            "wms-last-wave",
            "freeze",
            "Ship the last wave and stop RF scanning at every DC",
            "wms",
            45,
            ["gate-start"],
            stream="process",
            estimate=(30, 75),
            instructions="Each DC manager confirms on the bridge: last trailer sealed, scanners docked, "
            "open picks cancelled and listed for Monday.",
        )
    )
    b.add(
        Step(
            "intg-stop-interfaces",
            "freeze",
            "Stop the inbound and outbound interfaces at the middleware",
            "intg",
            20,
            ["gate-start"],
            stream="technical",
        )
    )
    b.add(
        Step(
            "intg-drain-queues",
            "freeze",
            "Drain the middleware queues and archive undelivered messages",
            "intg",
            30,
            ["intg-stop-interfaces"],
            stream="technical",
        )
    )
    b.add(
        Step(
            "legacy-lockout",
            "freeze",
            "Lock out legacy ERP users and stop the legacy application servers",
            "comp",
            15,
            [
                "fin-lock-periods",
                "scm-stop-order-entry",
                "hr-lock-master-data",
                "wms-last-wave",
                "intg-drain-queues",
            ],
            stream="technical",
        )
    )
    b.add(
        Step(
            "legacy-final-backup",
            "freeze",
            "Take the final full backup of the legacy ERP databases",
            "dba",
            90,
            ["legacy-lockout"],
            stream="technical",
            estimate=(75, 135),
            instructions="RMAN level-0 backup of ERPPRD, WMSPRD and HRPRD to the backup appliance, tag "
            "CUTOVER_FINAL, then copy the backup set to the new-DC appliance over the replication link.",
        )
    )
    b.add(
        Step(
            "backup-verified",
            "freeze",
            "Final backup verified",
            "dba",
            15,
            ["legacy-final-backup"],
            kind="checkpoint",
            stream="technical",
            verify="RMAN VALIDATE reports no corrupt blocks; backup set present on both appliances with "
            "matching checksums; sizes within 5% of the rehearsal",
            on_fail="hold",
        )
    )
    b.add(
        Step(
            "announce-freeze-done",
            "freeze",
            "Status update: legacy frozen and backed up",
            "kevin",
            5,
            ["backup-verified"],
            kind="comms",
            stream="organisational",
            template="status-update",
            to=["executives", "it-service-desk"],
        )
    )

    # --- Data-centre move (baseline Fri 21:35-Sat 05:50) -------------------------------------------
    b.add(
        Step(
            "net-wan-up",
            "relocate",
            "Bring up the WAN circuits and core switches at the new DC (Elk Grove)",
            "net",
            45,
            ["gate-start"],
            stream="technical",
        )
    )
    for e in each("net"):
        p = f"net-{e.key}"
        b.add(
            Step(
                f"{p}-route",
                "relocate",
                f"Cut over routing for {e.label} to the new DC",
                "net",
                30,
                ["net-wan-up", "legacy-lockout"],
                stream="technical",
                instructions=f"Apply change set {p.upper()} from the network runbook; withdraw the old-DC "
                "prefixes only after the new ones are advertised.",
            )
        )
        b.add(
            Step(
                f"{p}-firewall",
                "relocate",
                f"Apply the firewall policy for {e.label}",
                "net",
                20,
                [f"{p}-route"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-verify",
                "relocate",
                f"Verify reachability of {e.label} from every site",
                "net",
                15,
                [f"{p}-firewall"],
                stream="technical",
            )
        )
    b.add(
        Step(
            "network-verified",
            "relocate",
            "Network verified at the new DC",
            "net",
            15,
            [f"net-{e.key}-verify" for e in each("net")],
            kind="checkpoint",
            stream="technical",
            verify="All sites reach every zone at the new DC; both WAN circuits up with failover tested; "
            "no deny hits for ERP traffic in the firewall logs",
            on_fail="hold",
        )
    )

    for e in each("stor"):
        p = f"stor-{e.key}"
        replicate = scaled(90, e.size)
        b.add(
            Step(
                f"{p}-snapshot",
                "relocate",
                f"Take the final array snapshot of {e.label}",
                "stor",
                15,
                ["backup-verified"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-replicate",
                "relocate",
                f"Replicate the final delta of {e.label} to the new-DC array",
                "stor",
                replicate,
                [f"{p}-snapshot"],
                stream="technical",
                estimate=estimate_of(replicate),
            )
        )
        b.add(
            Step(
                f"{p}-present",
                "relocate",
                f"Present {e.label} to the new hosts",
                "stor",
                20,
                [f"{p}-replicate"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-checksum",
                "relocate",
                f"Verify checksums of {e.label} against the source",
                "stor",
                30,
                [f"{p}-present"],
                stream="technical",
            )
        )
    b.add(
        Step(
            "storage-verified",
            "relocate",
            "Storage verified at the new DC",
            "stor",
            15,
            [f"stor-{e.key}-checksum" for e in each("stor")],
            kind="checkpoint",
            stream="technical",
            verify="Every volume replicated with matching checksums and presented to its hosts; "
            "replication from the old array stopped",
            on_fail="hold",
        )
    )

    contents = [
        "ERP application servers",
        "ERP database servers",
        "WMS servers",
        "virtualisation cluster A",
        "virtualisation cluster B",
        "middleware and EDI servers",
        "reporting servers",
        "backup media servers",
    ]
    waves = {"a": [], "b": []}
    for n, e in enumerate(each("comp")):
        wave = "a" if n % 2 == 0 else "b"
        waves[wave].append(e)
        p = f"comp-{e.key}"
        what = contents[n % len(contents)]
        b.add(
            Step(
                f"{p}-shutdown",
                "relocate",
                f"Shut down the {what} in {e.label}",
                "comp",
                30,
                ["backup-verified"],
                stream="technical",
                instructions=f"Graceful shutdown in the order on the {e.label} sheet; record every host's "
                "state and serial number.",
            )
        )
        b.add(
            Step(
                f"{p}-derack",
                "relocate",
                f"De-cable, de-rack and pack {e.label}",
                "fac",
                90,
                [f"{p}-shutdown"],
                stream="technical",
                estimate=(60, 120),
            )
        )
        b.add(
            Step(
                f"{p}-load",
                "relocate",
                f"Load {e.label} onto convoy {wave.upper()}",
                "fac",
                30,
                [f"{p}-derack"],
                stream="technical",
            )
        )
    for wave, at in (("a", CONVOY_A), ("b", CONVOY_B)):
        b.add(
            Step(
                f"convoy-{wave}-transit",
                "relocate",
                f"Convoy {wave.upper()}: escorted transit to the new DC",
                "fac",
                75,
                [f"comp-{e.key}-load" for e in waves[wave]],
                not_before=at,
                stream="technical",
                estimate=(60, 120),
                instructions="The escort and the transit insurance are booked for this slot; the convoy "
                "leaves on time even if a rack is late (late racks follow in the spare truck).",
            )
        )
        b.add(
            Step(
                f"convoy-{wave}-unload",
                "relocate",
                f"Unload convoy {wave.upper()} and stage its racks",
                "fac",
                45,
                [f"convoy-{wave}-transit"],
                stream="technical",
            )
        )
    for n, e in enumerate(each("comp")):
        wave = "a" if n % 2 == 0 else "b"
        p = f"comp-{e.key}"
        b.add(
            Step(
                f"{p}-rerack",
                "relocate",
                f"Re-rack {e.label} in the new data hall",
                "fac",
                90,
                [f"convoy-{wave}-unload"],
                stream="technical",
                estimate=(60, 120),
            )
        )
        b.add(
            Step(
                f"{p}-power",
                "relocate",
                f"Cable and power on {e.label}",
                "comp",
                60,
                [f"{p}-rerack", "network-verified"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-health",
                "relocate",
                f"Hardware health check of {e.label}",
                "comp",
                20,
                [f"{p}-power"],
                stream="technical",
            )
        )
    b.add(
        Step(
            "compute-verified",
            "relocate",
            "Compute verified at the new DC",
            "comp",
            15,
            [f"comp-{e.key}-health" for e in each("comp")],
            kind="checkpoint",
            stream="technical",
            verify="Every host that left the old DC is up at the new one with a clean hardware log; "
            "clusters report full capacity",
            on_fail="hold",
        )
    )
    b.add(
        Step(
            "gate-platform",
            "relocate",
            "Go / no-go: infrastructure ready for the ERP restore",
            "maria",
            15,
            ["network-verified", "storage-verified", "compute-verified"],
            kind="gate",
            stream="governance",
            criteria=[
                "network-verified",
                "storage-verified",
                "compute-verified",
                "dc-power-cooling",
                "wan-circuits-tested",
            ],
            approvers=["maria", "susan"],
        )
    )
    b.add(
        Step(
            "announce-move-done",
            "relocate",
            "Status update: hardware moved, platform bring-up starting",
            "kevin",
            5,
            ["gate-platform"],
            kind="comms",
            stream="organisational",
            template="gate-decision",
            to=["executives", "it-service-desk"],
        )
    )

    # --- Platform bring-up (baseline Sat 05:50-11:05) ----------------------------------------------
    for e in each("dba"):
        p = f"db-{e.key}"
        restore = scaled(60, e.size)
        b.add(
            Step(
                f"{p}-restore",
                "platform",
                f"Restore {e.label} from the final backup",
                "dba",
                restore,
                ["gate-platform"],
                stream="technical",
                estimate=estimate_of(restore),
            )
        )
        b.add(
            Step(
                f"{p}-rollforward",
                "platform",
                f"Apply the archived logs and open {e.label}",
                "dba",
                30,
                [f"{p}-restore"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-integrity",
                "platform",
                f"Run the integrity checks on {e.label}",
                "dba",
                30,
                [f"{p}-rollforward"],
                stream="technical",
            )
        )
    b.add(
        Step(
            "databases-verified",
            "platform",
            "Databases verified on the new platform",
            "dba",
            15,
            [f"db-{e.key}-integrity" for e in each("dba")],
            kind="checkpoint",
            stream="technical",
            verify="Every database open read-write, integrity checks clean, last SCN equals the one "
            "recorded by the final backup",
            on_fail="rollback",
        )
    )
    b.add(
        Step(
            "erp-release-upgrade",
            "platform",
            "Run the ERP release upgrade (legacy 9.2 to 2026.1 data model)",
            "dba",
            90,
            ["databases-verified"],
            stream="technical",
            estimate=(75, 150),
            instructions="upgrade.sh --from 9.2 --to 2026.1 --parallel 16. Rehearsed at 1h22m and 1h31m. "
            "Any ORA- error stops the script; call Tariq before restarting it.",
        )
    )
    b.add(
        Step(
            "erp-app-start",
            "platform",
            "Start the new ERP application and background-job servers",
            "comp",
            30,
            ["erp-release-upgrade"],
            stream="technical",
        )
    )
    b.add(
        Step(
            "platform-ready",
            "platform",
            "ERP platform ready",
            "tariq",
            15,
            ["erp-app-start"],
            kind="checkpoint",
            stream="technical",
            verify="Logins work on every application server; background-job servers idle; health "
            "dashboard green; release 2026.1 shown in System > Status",
            on_fail="rollback",
        )
    )
    b.add(
        Step(
            "gate-data-load",
            "platform",
            "Go / no-go for the business data migration",
            "maria",
            15,
            ["platform-ready"],
            kind="gate",
            stream="governance",
            criteria=[
                "backup-verified",
                "databases-verified",
                "platform-ready",
                "erp-upgrade-rehearsed",
                "reconciliation-procedure",
            ],
            approvers=["maria", "susan"],
        )
    )

    # --- ERP data migration (baseline Sat 11:05-14:10) ---------------------------------------------
    checks_by_stream: dict[str, list[str]] = {s: [] for s in ("fin", "scm", "hr", "wms")}
    for n in range(spot_checks):
        stream = ("fin", "scm", "hr", "wms")[n % 4]
        sid = f"{stream}-spot-check-{n + 1:02d}"
        b.add(
            Step(
                sid,
                "migrate",
                f"Spot-check sample {n + 1} of migrated {stream.upper()} records against legacy",
                stream,
                15,
                ["gate-data-load"],
                stream="process",
            )
        )
        checks_by_stream[stream].append(sid)

    for e in each("fin"):
        p = f"fin-{e.key}"
        b.add(
            Step(
                f"{p}-gl",
                "migrate",
                f"Load general-ledger opening balances for {e.label}",
                "fin",
                scaled(45, e.size),
                ["gate-data-load"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-ap",
                "migrate",
                f"Load open AP items for {e.label}",
                "fin",
                scaled(35, e.size),
                [f"{p}-gl"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-ar",
                "migrate",
                f"Load open AR items for {e.label}",
                "fin",
                scaled(35, e.size),
                [f"{p}-gl"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-assets",
                "migrate",
                f"Load fixed assets and depreciation for {e.label}",
                "fin",
                scaled(30, e.size),
                [f"{p}-gl"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-trial-balance",
                "migrate",
                f"Reconcile the trial balance of {e.label} with legacy",
                "fin",
                30,
                [f"{p}-ap", f"{p}-ar", f"{p}-assets"],
                stream="process",
                instructions="Run report RECON-TB for the company code in both systems; every account must "
                "match to the cent. Attach both reports to the evidence pack.",
            )
        )
    b.add(
        Step(
            "fin-reconciled",
            "migrate",
            "Finance data reconciled",
            "fin",
            20,
            [f"fin-{e.key}-trial-balance" for e in each("fin")] + checks_by_stream["fin"],
            kind="checkpoint",
            stream="process",
            verify="Trial balances, open AP and AR totals and asset values match legacy for every company "
            "code; evidence pack complete",
            on_fail="rollback",
        )
    )

    for e in each("scm"):
        p = f"scm-{e.key}"
        b.add(
            Step(
                f"{p}-materials",
                "migrate",
                f"Load material masters and stock for {e.label}",
                "scm",
                scaled(45, e.size),
                ["gate-data-load"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-bom",
                "migrate",
                f"Load bills of material and routings for {e.label}",
                "scm",
                scaled(40, e.size),
                [f"{p}-materials"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-purchase-orders",
                "migrate",
                f"Load open purchase orders for {e.label}",
                "scm",
                scaled(30, e.size),
                [f"{p}-materials"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-sales-orders",
                "migrate",
                f"Load open sales orders for {e.label}",
                "scm",
                scaled(30, e.size),
                [f"{p}-materials"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-reconcile",
                "migrate",
                f"Reconcile open-order counts and values for {e.label}",
                "scm",
                20,
                [f"{p}-bom", f"{p}-purchase-orders", f"{p}-sales-orders"],
                stream="process",
            )
        )
    b.add(
        Step(
            "scm-reconciled",
            "migrate",
            "Supply-chain data reconciled",
            "scm",
            20,
            [f"scm-{e.key}-reconcile" for e in each("scm")] + checks_by_stream["scm"],
            kind="checkpoint",
            stream="process",
            verify="Material, BOM and open-order counts and values match legacy for every plant",
            on_fail="rollback",
        )
    )

    for e in each("hr"):
        p = f"hr-{e.key}"
        b.add(
            Step(
                f"{p}-employees",
                "migrate",
                f"Load employee master data for {e.label}",
                "hr",
                scaled(40, e.size),
                ["gate-data-load"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-ytd",
                "migrate",
                f"Load year-to-date payroll results for {e.label}",
                "hr",
                scaled(45, e.size),
                [f"{p}-employees"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-time",
                "migrate",
                f"Load leave and time balances for {e.label}",
                "hr",
                scaled(20, e.size),
                [f"{p}-employees"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-reconcile",
                "migrate",
                f"Reconcile headcount and YTD gross pay for {e.label}",
                "hr",
                20,
                [f"{p}-ytd", f"{p}-time"],
                stream="process",
            )
        )
    b.add(
        Step(
            "hr-reconciled",
            "migrate",
            "HR and payroll data reconciled",
            "hr",
            20,
            [f"hr-{e.key}-reconcile" for e in each("hr")] + checks_by_stream["hr"],
            kind="checkpoint",
            stream="process",
            verify="Headcount, YTD gross, taxes and leave balances match legacy for every pay group",
            on_fail="rollback",
        )
    )

    for e in each("wms"):
        p = f"wms-{e.key}"
        b.add(
            Step(
                f"{p}-bins",
                "migrate",
                f"Load storage bins and handling units for {e.label}",
                "wms",
                scaled(30, e.size),
                ["gate-data-load"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-stock",
                "migrate",
                f"Load stock on hand by bin for {e.label}",
                "wms",
                scaled(45, e.size),
                [f"{p}-bins"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-reconcile",
                "migrate",
                f"Reconcile stock quantity and value for {e.label}",
                "wms",
                30,
                [f"{p}-stock"],
                stream="process",
            )
        )
    b.add(
        Step(
            "wms-reconciled",
            "migrate",
            "Warehouse stock reconciled",
            "wms",
            20,
            [f"wms-{e.key}-reconcile" for e in each("wms")] + checks_by_stream["wms"],
            kind="checkpoint",
            stream="process",
            verify="Stock quantity per bin and stock value per DC match legacy; no negative stock",
            on_fail="rollback",
        )
    )
    b.add(
        Step(
            "gate-data-loaded",
            "migrate",
            "Go / no-go: migrated data accepted",
            "maria",
            15,
            ["fin-reconciled", "scm-reconciled", "hr-reconciled", "wms-reconciled"],
            kind="gate",
            stream="governance",
            criteria=[
                "fin-reconciled",
                "scm-reconciled",
                "hr-reconciled",
                "wms-reconciled",
                "cfo-cutover-signoff",
                "sox-controls-signed",
            ],
            approvers=["maria", "susan", "fin"],
        )
    )
    b.add(
        Step(
            "announce-data-loaded",
            "migrate",
            "Status update: business data migrated and reconciled",
            "kevin",
            5,
            ["gate-data-loaded"],
            kind="comms",
            stream="organisational",
            template="gate-decision",
            to=["executives", "business-users", "it-service-desk"],
        )
    )

    # --- Interfaces & batch cycles (baseline Sat 14:10-19:45) --------------------------------------
    for e in each("intg"):
        p = f"intg-{e.key}"
        b.add(
            Step(
                f"{p}-repoint",
                "integrate",
                f"Re-point {e.label} to the new ERP",
                "intg",
                15,
                ["gate-data-loaded"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-test",
                "integrate",
                f"Send a test message over {e.label}",
                "intg",
                10,
                [f"{p}-repoint"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-ack",
                "integrate",
                f"Confirm the partner's acknowledgement for {e.label}",
                "intg",
                15,
                [f"{p}-test"],
                stream="technical",
            )
        )
    b.add(
        Step(
            "integration-verified",
            "integrate",
            "Interfaces verified end to end",
            "intg",
            15,
            [f"intg-{e.key}-ack" for e in each("intg")],
            kind="checkpoint",
            stream="technical",
            verify="Every interface sent a test message and got its acknowledgement; no messages in "
            "the middleware error queue",
            on_fail="hold",
        )
    )
    b.add(
        Step(
            "batch-end-of-day",
            "integrate",
            "End-of-day batch cycle: GL posting, billing due list, credit checks",
            "dba",
            90,
            ["integration-verified"],
            not_before=BATCH_EOD,
            stream="technical",
            estimate=(60, 150),
            instructions="Released by the job scheduler at 16:00 (job net EOD-DAILY); do not start it by hand. "
            "Watch for cancelled jobs in SM37.",
        )
    )
    b.add(
        Step(
            "batch-mrp",
            "integrate",
            "MRP planning run for all plants",
            "scm",
            90,
            ["batch-end-of-day"],
            not_before=BATCH_NIGHT,
            stream="technical",
            estimate=(60, 150),
        )
    )
    b.add(
        Step(
            "batch-payroll-simulation",
            "integrate",
            "Payroll simulation batch for all pay groups",
            "hr",
            60,
            ["batch-end-of-day"],
            not_before=BATCH_NIGHT,
            stream="technical",
        )
    )
    b.add(
        Step(
            "batch-verified",
            "integrate",
            "First batch cycles verified",
            "tariq",
            15,
            ["batch-mrp", "batch-payroll-simulation"],
            kind="checkpoint",
            stream="technical",
            verify="All batch jobs finished without cancellations; GL postings balanced; MRP planned "
            "every plant; payroll simulation ran for every pay group",
            on_fail="hold",
        )
    )

    # --- Business validation (baseline Sat 19:45-21:50) --------------------------------------------
    for e in each("bi"):
        p = f"bi-{e.key}"
        b.add(
            Step(
                f"{p}-refresh",
                "validate",
                f"Refresh the {e.label} data-warehouse area from the new ERP",
                "bi",
                scaled(40, e.size),
                ["batch-verified"],
                stream="technical",
            )
        )
        b.add(
            Step(
                f"{p}-validate",
                "validate",
                f"Validate the {e.label} reports against Friday's legacy figures",
                "bi",
                30,
                [f"{p}-refresh"],
                stream="process",
            )
        )
    b.add(
        Step(
            "reports-verified",
            "validate",
            "Reports verified",
            "bi",
            15,
            [f"bi-{e.key}-validate" for e in each("bi")],
            kind="checkpoint",
            stream="process",
            verify="Every certified report matches Friday's legacy figures within the agreed tolerances",
            on_fail="hold",
        )
    )
    for e in each("fin"):
        p = f"fin-{e.key}"
        b.add(
            Step(
                f"{p}-test-journal",
                "validate",
                f"Key-user test: post and reverse a journal in {e.label}",
                "fin",
                20,
                [f"{p}-trial-balance", "batch-verified"],
                stream="process",
            )
        )
        b.add(
            Step(
                f"{p}-test-p2p",
                "validate",
                f"Key-user test: invoice to payment proposal in {e.label}",
                "fin",
                30,
                [f"{p}-test-journal"],
                stream="process",
            )
        )
    for e in each("scm"):
        p = f"scm-{e.key}"
        b.add(
            Step(
                f"{p}-test-production",
                "validate",
                f"Key-user test: release and confirm a production order in {e.label}",
                "scm",
                30,
                [f"{p}-reconcile", "batch-verified"],
                stream="process",
            )
        )
        b.add(
            Step(
                f"{p}-test-p2p",
                "validate",
                f"Key-user test: purchase order to goods receipt in {e.label}",
                "scm",
                30,
                [f"{p}-test-production"],
                stream="process",
            )
        )
    for e in each("hr"):
        p = f"hr-{e.key}"
        b.add(
            Step(
                f"{p}-payroll-compare",
                "validate",
                f"Compare simulated net pay for {e.label} with legacy",
                "hr",
                40,
                [f"{p}-reconcile", "batch-verified"],
                stream="process",
                instructions="Differences over USD 1.00 per employee are listed with a cause; unexplained "
                "differences fail the step.",
            )
        )
    for e in each("wms"):
        p = f"wms-{e.key}"
        b.add(
            Step(
                f"{p}-test-pick",
                "validate",
                f"Scanner test: pick, pack and ship a test order at {e.label}",
                "wms",
                30,
                [f"{p}-reconcile", "batch-verified"],
                stream="process",
            )
        )
    signoffs = []
    for stream, name, tests in (
        ("fin", "Finance", [f"fin-{e.key}-test-p2p" for e in each("fin")]),
        ("scm", "Supply chain", [f"scm-{e.key}-test-p2p" for e in each("scm")]),
        ("hr", "HR and payroll", [f"hr-{e.key}-payroll-compare" for e in each("hr")]),
        ("wms", "Warehouse", [f"wms-{e.key}-test-pick" for e in each("wms")]),
    ):
        sid = f"{stream}-uat-signed-off"
        signoffs.append(sid)
        b.add(
            Step(
                sid,
                "validate",
                f"{name} key users sign off",
                stream,
                15,
                tests,
                kind="checkpoint",
                stream="process",
                verify=f"Every {name.lower()} test script passed and is signed by its key user; open defects "
                "are P3 or lower with a workaround",
                on_fail="hold",
            )
        )
    b.add(
        Step(
            "gate-go-live",
            "validate",
            "Go / no-go for go-live",
            "maria",
            30,
            [*signoffs, "reports-verified", "integration-verified"],
            kind="gate",
            stream="governance",
            criteria=[
                *signoffs,
                "reports-verified",
                "integration-verified",
                "batch-verified",
                "key-users-trained",
                "service-desk-trained",
                "hypercare-rota",
                "sox-controls-signed",
            ],
            approvers=["maria", "susan", "fin"],
        )
    )

    # --- Go-live & hypercare (baseline Sat 21:50-Sun 05:35) ----------------------------------------
    b.add(
        Step(
            "open-erp-users",
            "golive",
            "Unlock the new ERP for all users and publish the login page",
            "comp",
            15,
            ["gate-go-live"],
            stream="technical",
        )
    )
    for e in each("intg"):
        b.add(
            Step(
                f"intg-{e.key}-release",
                "golive",
                f"Release the messages held for {e.label}",
                "intg",
                10,
                ["gate-go-live"],
                stream="technical",
            )
        )
    for e in each("wms"):
        b.add(
            Step(
                f"wms-{e.key}-scanners",
                "golive",
                f"Re-enable the RF scanners at {e.label}",
                "wms",
                15,
                ["open-erp-users"],
                stream="technical",
            )
        )
    b.add(
        Step(
            "announce-go-live",
            "golive",
            "Go-live announcement to the business",
            "kevin",
            10,
            ["open-erp-users"],
            kind="comms",
            stream="organisational",
            template="go-live",
            to=["executives", "business-users", "warehouse-managers", "it-service-desk"],
        )
    )
    b.add(
        Step(
            "announce-edi-resume",
            "golive",
            "Tell EDI trading partners that messages flow again",
            "kevin",
            5,
            [f"intg-{e.key}-release" for e in each("intg")],
            kind="comms",
            stream="organisational",
            template="edi-resume",
            to=["trading-partners"],
        )
    )
    b.add(
        Step(
            "close-temp-access",
            "golive",
            "Close the temporary cutover access and firewall exceptions",
            "tariq",
            20,
            ["open-erp-users"],
            stream="governance",
        )
    )
    b.add(
        Step(
            "batch-first-night",
            "golive",
            "First unattended nightly batch cycle on the new ERP",
            "dba",
            90,
            ["open-erp-users"],
            not_before=BATCH_SUNDAY,
            stream="technical",
            estimate=(60, 150),
        )
    )
    b.add(
        Step(
            "first-shift",
            "golive",
            "Laredo DC Sunday early shift picks and ships on the new WMS",
            "wms",
            45,
            [f"wms-{e.key}-scanners" for e in each("wms")],
            not_before=FIRST_SHIFT,
            stream="process",
            instructions="First real outbound wave: 38 orders for the Sunday carrier pick-up at 06:00. The "
            "shift lead reports on the bridge every 15 minutes.",
        )
    )
    b.add(
        Step(
            "first-shift-verified",
            "golive",
            "First shift shipped on the new WMS",
            "wms",
            15,
            ["first-shift"],
            kind="checkpoint",
            stream="process",
            verify="All wave orders picked, packed and labelled; carrier manifest sent; stock moved "
            "correctly in the ERP",
            on_fail="rollback",
        )
    )
    b.add(
        Step(
            "handover-hypercare",
            "golive",
            "Hand over to the hypercare team",
            "tariq",
            30,
            ["first-shift-verified", "batch-first-night", "close-temp-access"],
            stream="organisational",
        )
    )
    b.add(
        Step(
            "announce-hypercare",
            "golive",
            "Status update: cutover closed, hypercare running",
            "kevin",
            5,
            ["handover-hypercare"],
            kind="comms",
            stream="organisational",
            template="status-update",
            to=["executives", "it-service-desk"],
        )
    )
    return b.steps


SKELETON = len(build({s: 0 for s in STREAM_ORDER}, 0))

ROLLBACK = [
    Step(
        "rb-lock-new-erp", "", "Lock out users and stop the new ERP application servers", "comp", 20
    ),
    Step("rb-hold-interfaces", "", "Hold all interfaces at the middleware", "intg", 15),
    Step(
        "rb-export-new-postings",
        "",
        "Export the transactions entered on the new ERP for re-keying",
        "dba",
        45,
        ["rb-lock-new-erp"],
    ),
    Step(
        "rb-start-legacy-hosts",
        "",
        "Start the legacy ERP database and application hosts at the new DC",
        "comp",
        30,
        ["rb-lock-new-erp"],
    ),
    Step(
        "rb-restore-legacy-db",
        "",
        "Restore the legacy ERP databases from the CUTOVER_FINAL backup",
        "dba",
        120,
        ["rb-start-legacy-hosts"],
        estimate=(90, 150),
    ),
    Step(
        "rb-start-legacy-apps",
        "",
        "Start the legacy ERP application servers",
        "comp",
        30,
        ["rb-restore-legacy-db"],
    ),
    Step(
        "rb-repoint-interfaces",
        "",
        "Re-point every interface to the legacy ERP",
        "intg",
        45,
        ["rb-start-legacy-apps", "rb-hold-interfaces"],
    ),
    Step(
        "rb-repoint-dns",
        "",
        "Re-point erp.example.com to the legacy ERP",
        "net",
        15,
        ["rb-start-legacy-apps"],
    ),
    Step(
        "rb-verify-finance",
        "",
        "Finance verifies legacy balances and posting",
        "fin",
        30,
        ["rb-repoint-dns", "rb-repoint-interfaces"],
    ),
    Step(
        "rb-verify-supply-chain",
        "",
        "Supply chain verifies legacy orders and MRP",
        "scm",
        30,
        ["rb-repoint-dns", "rb-repoint-interfaces"],
    ),
    Step("rb-verify-hr", "", "HR verifies legacy payroll data", "hr", 20, ["rb-repoint-dns"]),
    Step(
        "rb-verify-warehouse",
        "",
        "Warehouse verifies legacy WMS and RF scanning",
        "wms",
        30,
        ["rb-repoint-dns", "rb-repoint-interfaces"],
    ),
    Step(
        "rb-legacy-verified",
        "",
        "Legacy ERP verified by all streams",
        "tariq",
        15,
        ["rb-verify-finance", "rb-verify-supply-chain", "rb-verify-hr", "rb-verify-warehouse"],
        kind="checkpoint",
        verify="Every stream lead confirms the legacy ERP works as on Friday",
        on_fail="hold",
    ),
    Step(
        "rb-unlock-legacy",
        "",
        "Unlock the legacy ERP for users",
        "comp",
        15,
        ["rb-legacy-verified"],
    ),
    Step(
        "rb-rekey-plan",
        "",
        "Hand the exported new-ERP transactions to the stream leads for re-keying",
        "fin",
        15,
        ["rb-export-new-postings", "rb-legacy-verified"],
    ),
    Step(
        "rb-announce",
        "",
        "Announce the rollback",
        "kevin",
        10,
        ["rb-unlock-legacy"],
        kind="comms",
        template="rollback-announcement",
        to=[
            "executives",
            "business-users",
            "warehouse-managers",
            "it-service-desk",
            "trading-partners",
        ],
    ),
]

TRIGGERS = [
    ("backup-slow", "legacy-final-backup", "running-over", "2h30m", None, "alert"),
    ("convoy-a-late", "convoy-a-transit", "running-over", "2h", None, "alert"),
    ("databases-bad", "databases-verified", "failed", None, None, "rollback"),
    ("upgrade-stuck", "erp-release-upgrade", "running-over", "3h", None, "rollback"),
    (
        "platform-not-ready",
        "platform-ready",
        "not-done-by",
        None,
        datetime(2026, 12, 12, 13, 0),
        "alert",
    ),
    ("finance-mismatch", "fin-reconciled", "failed", None, None, "rollback"),
    ("supply-chain-mismatch", "scm-reconciled", "failed", None, None, "rollback"),
    ("payroll-mismatch", "hr-reconciled", "failed", None, None, "rollback"),
    ("stock-mismatch", "wms-reconciled", "failed", None, None, "rollback"),
    (
        "data-not-accepted",
        "gate-data-loaded",
        "not-done-by",
        None,
        datetime(2026, 12, 12, 18, 0),
        "alert",
    ),
    ("first-shift-failed", "first-shift-verified", "failed", None, None, "rollback"),
]


# --- TOML text ---------------------------------------------------------------------------------


def q(text: str) -> str:
    """A TOML basic string (JSON's escapes are all valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def qlist(items: list[str], indent: str = "") -> str:
    one_line = "[" + ", ".join(q(i) for i in items) + "]"
    if len(one_line) <= 80:
        return one_line
    return "[\n" + "".join(f"{indent}  {q(i)},\n" for i in items) + f"{indent}]"


def dur(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return (f"{h}h" if h else "") + (f"{m}m" if m or not h else "")


def when(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S")


def step_text(header: str, s: Step) -> str:
    out = [f"\n[[{header}]]", f"id = {q(s.id)}"]
    if s.kind != "task":
        out.append(f"kind = {q(s.kind)}")
    if s.phase:
        out.append(f"phase = {q(s.phase)}")
    out += [f"title = {q(s.title)}", f"owner = {q(s.owner)}", f"duration = {q(dur(s.minutes))}"]
    if s.after:
        out.append(f"after = {qlist(s.after)}")
    if s.not_before:
        out.append(f"not_before = {when(s.not_before)}")
    if s.stream:
        out.append(f"stream = {q(s.stream)}")
    if s.instructions:
        out.append(f"instructions = {q(s.instructions)}")
    if s.estimate:
        out.append(
            f"estimate = {{ low = {q(dur(s.estimate[0]))}, high = {q(dur(s.estimate[1]))} }}"
        )
    if s.verify:
        out.append(f"verify = {q(s.verify)}")
    if s.on_fail:
        out.append(f"on_fail = {q(s.on_fail)}")
    if s.criteria is not None:
        out.append(f"criteria = {qlist(s.criteria)}")
    if s.approvers is not None:
        out.append(f"approvers = {qlist(s.approvers)}")
    if s.template:
        out.append(f"template = {q(s.template)}")
    if s.to:
        out.append(f"to = {qlist(s.to)}")
    return "\n".join(out) + "\n"


def critical_path(steps: list[Step]) -> tuple[datetime, dict[str, datetime]]:
    """Earliest finish of the whole plan from the window start, honouring fixed starts."""
    finish: dict[str, datetime] = {}
    by_id = {s.id: s for s in steps}
    pending = list(steps)
    while pending:  # the builder adds steps after their predecessors, so one pass suffices
        rest = []
        for s in pending:
            if all(p in finish for p in s.after):
                begin = max([WINDOW_START, *(finish[p] for p in s.after)])
                if s.not_before and s.not_before > begin:
                    begin = s.not_before
                finish[s.id] = begin + timedelta(minutes=s.minutes)
            else:
                rest.append(s)
        if len(rest) == len(pending):
            raise ValueError(f"cycle or unknown step among {[s.id for s in rest][:5]}")
        pending = rest
    assert set(finish) == set(by_id)
    return max(finish.values()), finish


def make_large_plan(steps: int = DEFAULT_STEPS) -> str:
    """The plan's TOML text with exactly `steps` [[step]] tables."""
    counts, spot_checks = allocate(steps, SKELETON)
    plan_steps = build(counts, spot_checks)
    assert len(plan_steps) == steps, (len(plan_steps), steps)
    end, _ = critical_path(plan_steps)
    rb_end, _ = critical_path(ROLLBACK)
    length, rb_length = end - WINDOW_START, rb_end - WINDOW_START
    window = WINDOW_END - WINDOW_START

    out = [
        "# ERP migration and data-centre move: legacy ERP 9.2 in the Chicago (Loop) data centre to ERP",
        "# 2026.1 in the new Elk Grove data centre, over one weekend. Ten workstreams run in parallel",
        "# and meet at the go / no-go gates.",
        "#",
        "# GENERATED by benchmarks/make_large_plan.py"
        + ("" if steps == DEFAULT_STEPS else f" --steps {steps}")
        + ": edit the script, not this file.",
        f"# {len(plan_steps)} steps, {len(ROLLBACK)} rollback steps. Entities: "
        + ", ".join(f"{s} {counts[s]}" for s in STREAM_ORDER)
        + f", spot checks {spot_checks}.",
        f"# Baseline critical path {dur(int(length.total_seconds() // 60))} of the "
        f"{dur(int(window.total_seconds() // 60))} window (ends {end:%a %H:%M}); "
        f"rollback critical path {dur(int(rb_length.total_seconds() // 60))} against an RTO of 6h.",
        "format = 1",
        "",
        "[plan]",
        'id = "erp-datacentre"',
        'title = "ERP migration and data-centre move"',
        'timezone = "America/Chicago"',
        'launch = "hard"',
        "description = "
        + q(
            "Move the ERP, WMS, HR/payroll, middleware and reporting estate from the Loop data "
            "centre to Elk Grove, and migrate the business data from legacy ERP 9.2 to ERP 2026.1 "
            "for five company codes, four plants, four pay groups and four distribution centres. "
            "Users are locked out from Friday 18:00; the first warehouse shift on the new system "
            "starts Sunday 04:00. Change CHG-88120."
        ),
        "",
        "[window]",
        f"start = {when(WINDOW_START)}",
        f"end = {when(WINDOW_END)}",
        'buffer = "20%"',
        'warning = "1h"',
    ]
    for n, (key, user, name, roles, team, boss) in enumerate(PEOPLE):
        email = name.lower().replace(" ", ".").replace("'", "") + "@example.com"
        out += [
            "",
            f"[people.{key}]",
            f"name = {q(name)}",
            f"user = {q(user)}",
            f"roles = {qlist(roles)}",
            f"phone = {q(f'+1 312 555 {101 + n:04d}')}",
            f"email = {q(email)}",
            f"team = {q(team)}",
        ]
        if boss:
            out.append(f"escalates_to = {q(boss)}")
    for pid, title in PHASES:
        out += ["", "[[phase]]", f"id = {q(pid)}", f"title = {q(title)}"]
    text = "\n".join(out) + "\n"
    text += "".join(step_text("step", s) for s in plan_steps)
    text += '\n[rollback]\nowner = "maria"\nrto = "6h"\n'
    text += "".join(step_text("rollback.step", s) for s in ROLLBACK)
    for tid, sid, cond, limit, at, action in TRIGGERS:
        text += f"\n[[trigger]]\nid = {q(tid)}\nstep = {q(sid)}\ncondition = {q(cond)}\n"
        if limit:
            text += f"limit = {q(limit)}\n"
        if at:
            text += f"at = {when(at)}\n"
        text += f"action = {q(action)}\n"
    for rid, stream, item, owner in READINESS:
        text += f"\n[[readiness]]\nid = {q(rid)}\nstream = {q(stream)}\nitem = {q(item)}\nowner = {q(owner)}\n"
    for aid, name, emails, hook in AUDIENCES:
        text += f"\n[[audience]]\nid = {q(aid)}\nname = {q(name)}\nemail = {qlist(emails)}\n"
        if hook:
            text += f"webhook = {q(hook)}\n"
    for tid, subject, body in TEMPLATES:
        text += f"\n[[template]]\nid = {q(tid)}\nsubject = {q(subject)}\nbody = {q(body)}\n"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--steps",
        type=int,
        default=DEFAULT_STEPS,
        help=f"number of [[step]] tables (default {DEFAULT_STEPS}; at least {SKELETON + sum(STEPS_PER_ENTITY.values())})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"where to write (default {DEFAULT_OUT.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    text = make_large_plan(args.steps)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({args.steps} steps, {len(text.splitlines())} lines)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
