"""The bundled online-store plan run for real against plans/fake_shop.py on loopback: the shop
served on a free port, a run started by `cutover start --var shop=...` as this OS user (made
the plan's commander), and the night played step by step up to its smoke tests."""

from __future__ import annotations

import importlib.util
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import (
    CheckpointPassed,
    CommsSent,
    Event,
    GateDecided,
    ReadinessMarked,
    StepCompleted,
    StepStarted,
)
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "online-store.toml"
SMOKE = ("smoke-search", "smoke-add-to-cart", "smoke-checkout")


@contextmanager
def fake_shop(failing: frozenset[str] = frozenset()) -> Iterator[ThreadingHTTPServer]:
    """plans/fake_shop.py served on a free loopback port until the block ends."""
    spec = importlib.util.spec_from_file_location("fake_shop", ROOT / "plans" / "fake_shop.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = module.make_server(0, failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def commanded_by_me(tmp_path: Path) -> Path:
    """online-store with its commander (alice) as this OS login: the conductor runs checks
    only for a run its own login started, as a commander."""
    text = PLAN.read_text().replace('user = "alice"', f'user = "{os_login()}"', 1)
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "online-store.toml"
    path.write_text(text)
    return path


def start_run(tmp_path: Path, *extra: str, plan: Path | None = None) -> Journal:
    """`cutover start` of `plan` (default: the commanded copy of online-store) as a
    rehearsal, with `extra` options."""
    plan = plan or commanded_by_me(tmp_path)
    runs = tmp_path / "runs"
    assert main(["start", str(plan), "--rehearsal", "--runs", str(runs), *extra]) == 0
    [db] = runs.glob("*.db")
    return Journal(db)


class NightDriver:
    """Plays the plan's steps in file order (each after its predecessors), as their owners,
    one minute apart, ticking the conductor after each start."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.plan = journal.plan
        self.start = journal.state().started_at or self.plan.window.start
        self.clock = FixedClock(self.start)
        self.conductor = Conductor(Journal(journal.path), self.clock, holder="test")
        self.minute = 0

    def append(self, event: Event) -> None:
        self.journal.append(event.model_copy(update={"key": uuid.uuid4().hex}), now=self.clock.now)

    def now(self):
        return self.start + timedelta(minutes=self.minute)

    def tick(self) -> None:
        self.minute += 1
        self.clock.set(self.now())
        self.conductor.tick()

    def ready(self) -> None:
        for item in self.plan.readiness:
            self.append(ReadinessMarked(actor="alice", at=self.now(), item=item.id, status="met"))

    def play_until(self, stop: str) -> None:
        """Every step before `stop` in the file, started and finished by hand."""
        for step in self.plan.step:
            if step.id == stop:
                return
            if step.kind != "gate":  # a gate opens by itself and closes on its decisions
                self.start_step(step.id)
            self.finish_by_hand(step.id)

    def start_step(self, sid: str) -> None:
        step = self.plan.step_by_id[sid]
        self.append(StepStarted(actor=step.owner, at=self.now(), step=sid))
        self.tick()

    def finish_by_hand(self, sid: str) -> None:
        step = self.plan.step_by_id[sid]
        at = self.now()
        if step.kind == "checkpoint":
            self.append(CheckpointPassed(actor=step.owner, at=at, step=sid, evidence="by hand"))
        elif step.kind == "gate":
            for who in step.approvers:
                self.append(GateDecided(actor=who, at=at, step=sid, approver=who, decision="go"))
        elif step.kind == "comms":
            self.append(
                CommsSent(
                    actor=step.owner,
                    at=at,
                    step=sid,
                    template=step.template,
                    to=list(step.to),
                    subject=sid,
                    body="…",
                )
            )
        else:
            self.append(StepCompleted(actor=step.owner, at=at, step=sid))
        self.tick()

    def state(self):
        return Journal(self.journal.path).state()
