"""The conductor's checks and probes: what to run now, and the events recording what they found.

Called from `Conductor._tick` while this process holds the lease:
- a running checkpoint with a check is run once per attempt, when it starts (`auto`), or when
  someone asked (CheckRequested, key x / `cutover check`); its outcome is recorded as the
  checkpoint's result by the conductor, with the key `check:STEP:ATTEMPT`;
- each probe runs every `interval` (never two runs of one probe at once); a sample is
  recorded when its state changes and at least every `record_every`.

Killed mid-check (SIGKILL), nothing was recorded: the checkpoint is still running, so the next
conductor runs the check again, and the result is recorded once (its key, and a checkpoint
takes one result). Checks are therefore run again rather than lost, which is why they must be
read-only (docs/plan-format.md, "Checks"): a check that changes something is a step.

Hook for post-cutover validation items (issue "After the night"): give the item a
`check: plan.probes.Check | None`, list the items due in `tick` beside the running checkpoints
(same `_begun` key, `check:ITEM:N`), and turn the Outcome into the item's own result event in
`_collect`; `probing.run_check` and the safety rules apply unchanged.

On an event loop each run has a daemon thread (a 30 s check must not stall the lease
heartbeat) and its result wakes the conductor; tests with a fixed clock run them inline.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..clocks import Clock
from ..engine.checks import (
    NOT_RUN_KEY,
    NOT_RUN_OPENING,
    check_of,
    checks_of,
    may_run_checks,
    request_due,
)
from ..engine.events import (
    CONDUCTOR,
    CheckpointFailed,
    CheckpointPassed,
    Event,
    NoteAdded,
    ProbeSampled,
)
from ..engine.state import RunState
from ..inert import inert_line
from ..journal.seal import digest
from ..plan.probes import AnyCheck, Probe
from .probing import Outcome, run_check

Runner = Callable[[AnyCheck], Outcome]


def not_the_starter(state: RunState, login: str) -> str | None:
    """Why this process (OS login `login`) may not run the run's checks, or None: a check
    runs as the OS user of the conductor, so only a conductor whose login started the run
    runs them. Else anyone who may start a run (any member, for a rehearsal, which its
    starter commands) could have a plan of theirs run as another account: the commander's
    war room, or the locked-mode service (which owns every run file)."""
    actor = state.started_by
    if actor is None:
        return "the run has not started"
    starter = (
        actor[1:] if actor.startswith("@") else getattr(state.plan.people.get(actor), "user", None)
    )
    if starter != login:
        return (
            f"checks run as the OS user who started the run ({starter or state.name(actor)}), "
            f"and this process is {login}: its conductor runs none"
        )
    return None


def checks_not_run(
    state: RunState, why: str, login: str, now: datetime, tenure: float | None = None
) -> list[Event]:
    """The conductor's one note that it runs none of the run's checks and probes, and why:
    kept in its process, the refusal left every war room showing checks as pending all night
    (`x` said "the conductor runs it"). Nothing when the run has none to run."""
    if not checks_of(state).enabled or not has_checks(state):
        return []
    text = (
        f"{NOT_RUN_OPENING}{why}; checkpoints wait for a conductor "
        "that may run them, or are passed by hand (docs/jump-host.md, checks)"
    )
    # Once per tenure of the lease (when it was acquired): said again when this conductor
    # holds it again after a starter's held it, so the log's last word on checks is right.
    key = f"{NOT_RUN_KEY}{login}" if tenure is None else f"{NOT_RUN_KEY}{login}@{tenure:.6f}"
    return [NoteAdded(actor=CONDUCTOR, at=now, text=text, key=key)]


def has_checks(state: RunState) -> bool:
    """The plan has a check on a step, or a probe: something only a starter's conductor runs."""
    plan = state.plan
    return bool(plan.probe) or any(getattr(s, "check", None) is not None for s in plan.step)


def unsealed_plan(journal: object) -> str | None:
    """Why this journal's plan may not run checks, or None: its chain must hold, and the
    plan text it holds (the one the conductor parsed) must be the one its RunStarted sealed.
    A group member who edits the stored plan in the file (dropping the trigger on `meta`)
    must not get a command of theirs run as whoever conducts; `cutover verify` says the
    rest. A run made before seals has none to compare with, and runs no check."""
    if getattr(journal, "broken", None):
        return "its hash chain is broken: no check runs (`cutover verify` says how)"
    page = getattr(journal, "event_page", None)  # the first event, not the log read again
    events = page(1, 1) if page else journal.events()  # type: ignore[attr-defined]
    sealed = getattr(events[0], "plan_sha256", None) if events else None
    if sealed is None:
        return "its plan is not sealed in its journal: no check runs"
    if digest(journal.meta.get("plan_text", "")) != sealed:  # type: ignore[attr-defined]
        return "its stored plan is not the plan it was started with: no check runs"
    return None


@dataclass
class _ProbeRun:
    next_at: datetime | None = None
    busy: bool = False
    fails_in_row: int = 0
    runs: int = 0
    failures: int = 0
    worst_ms: float | None = None


class ConductorChecks:
    def __init__(self, clock: Clock, runner: Runner = run_check) -> None:
        self.clock = clock
        self.runner = runner
        self.wake: Callable[[], None] = lambda: None  # set by the conductor on an event loop
        self._begun: set[tuple[str, int]] = set()  # (checkpoint, attempt) run by this process
        self._probes: dict[str, _ProbeRun] = {}
        self._done: queue.SimpleQueue[tuple[str, object, Outcome, datetime]] = queue.SimpleQueue()

    def tick(self, state: RunState, now: datetime, *, threaded: bool) -> list[Event]:
        """Start what is due, and return the events for what finished since the last tick."""
        if state.phase in ("running", "rollback") and may_run_checks(state) is None:
            for sid in state.running():
                check = check_of(state, sid)
                st = state.status[sid]
                if check is None or st.status != "running" or (sid, st.attempts) in self._begun:
                    continue
                if check.auto or request_due(state, sid):
                    self._begun.add((sid, st.attempts))
                    self._start(("step", sid), st.attempts, check, threaded)
            for probe in state.plan.probe:
                run = self._probes.setdefault(probe.id, _ProbeRun())
                if not run.busy and (run.next_at is None or run.next_at <= now):
                    run.busy, run.next_at = True, now + probe.interval
                    self._start(("probe", probe.id), 0, probe.check, threaded)
        return self._collect(state)

    def _start(self, what: tuple[str, str], attempt: int, check: AnyCheck, threaded: bool) -> None:
        def work() -> None:
            outcome = self.runner(check)
            self._done.put((what[0], (what[1], attempt), outcome, self.clock.now()))
            if threaded:
                with contextlib.suppress(RuntimeError):  # the loop closed: the next conductor
                    self.wake()  # finds the checkpoint still running and runs it again

        if threaded:
            threading.Thread(target=work, name=f"check-{what[1]}", daemon=True).start()
        else:
            work()

    def _collect(self, state: RunState) -> list[Event]:
        out: list[Event] = []
        while True:
            try:
                kind, (name, attempt), outcome, at = self._done.get_nowait()
            except queue.Empty:
                return out
            if kind == "step":
                cls = CheckpointPassed if outcome.ok else CheckpointFailed
                out.append(
                    cls(
                        actor=CONDUCTOR,
                        at=at,
                        step=name,
                        evidence=outcome.evidence,
                        key=f"check:{name}:{attempt}",
                    )
                )
                continue
            probe = next((p for p in state.plan.probe if p.id == name), None)
            if probe is not None:
                sample = self._probe_result(state, probe, outcome, at)
                if sample is not None:
                    out.append(sample)

    def _probe_result(
        self, state: RunState, probe: Probe, outcome: Outcome, at: datetime
    ) -> ProbeSampled | None:
        """Count the run; a sample when the state changes or `record_every` has passed since
        the last one recorded (read from the journal, so a new conductor carries on)."""
        run = self._probes[probe.id]
        run.busy = False
        run.runs += 1
        run.fails_in_row = 0 if outcome.ok else run.fails_in_row + 1
        run.failures += 0 if outcome.ok else 1
        if outcome.latency_ms is not None:
            run.worst_ms = max(run.worst_ms or 0.0, outcome.latency_ms)
        recorded = checks_of(state).probes.get(probe.id)
        if outcome.ok:
            ok = True
        elif run.fails_in_row >= probe.fail_after:
            ok = False
        else:
            ok = recorded.ok if recorded is not None else True  # not red yet
        due = recorded is None or recorded.ok != ok or at - recorded.last.at >= probe.record_every
        if not due:
            return None
        sample = ProbeSampled(
            actor=CONDUCTOR,
            at=at,
            probe=probe.id,
            ok=ok,
            latency_ms=None if run.worst_ms is None else round(run.worst_ms, 1),
            value=outcome.value,
            runs=run.runs,
            failures=run.failures,
            detail=inert_line(outcome.summary, 300),
            key=f"probe:{probe.id}:{at.isoformat()}",
        )
        run.runs = run.failures = 0
        run.worst_ms = None
        return sample
