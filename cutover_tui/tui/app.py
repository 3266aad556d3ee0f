"""The war room: one screen, four panes and two status lines, for every role.

Flow of one action: key binding -> action_* here -> a FormScreen if the command needs words ->
an event -> RunSource.submit (checked in the journal's write transaction) -> poll -> fold ->
schedule -> every pane shows the new Frame.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Tab, Tabs

from ..clocks import Clock
from ..engine.events import (
    CheckpointFailed,
    CheckpointPassed,
    EstimateChanged,
    Event,
    GateDecided,
    NoteAdded,
    ReadinessMarked,
    RollbackInvoked,
    RunEnded,
    StepAdded,
    StepCompleted,
    StepFailed,
    StepResumed,
    StepSkipped,
    StepStarted,
    StepSuspended,
    TriggerOverridden,
)
from ..engine.pace import PacePrior
from ..engine.state import Refused, RunState, apply, initial_state
from ..engine.verdict import forecaster_for
from ..inert import inert, inert_line, inert_markup
from ..plan.durations import parse_duration
from ..plan.ids import id_problem
from .alerts import Alerts
from .frame import Frame
from .roles import early_refusal, end_outcome, gate_approver, gate_refusal, may_use
from .screens.comms import CommsScreen
from .screens.foresight import ForesightScreen
from .screens.form import Field, FormScreen, FormSpec
from .screens.help import HelpScreen
from .source import RunSource, new_key
from .terminal import TerminalGuard, driver_class
from .toasts import keep_few
from .widgets.checks import ChecksPane
from .widgets.comms import CommsLog
from .widgets.footer import RoleFooter
from .widgets.now import NowPane
from .widgets.status import StatusBar
from .widgets.timeline import Timeline

# Simulated nights per refresh: ±2.2 points of standard error at worst, and ~12 MB less
# resident memory per process than 1,000 on a 300-step plan (many processes share a host).
NARROW_WIDTH = 120
NARROW_HEIGHT = 34
PANES = (("timeline", "Timeline"), ("now", "Now"), ("checks", "Checks"), ("comms", "Comms"))


class Conducting(Protocol):
    async def start(self) -> None: ...

    def stop(self) -> None: ...


# (binding key, action, footer label, help text, who may)
KEYS: list[tuple[str, str, str, str, str]] = [
    ("s", "start", "start", "start the highlighted step", "commander, owner"),
    (
        "c",
        "complete",
        "complete",
        "complete it (a checkpoint asks for evidence)",
        "commander, owner",
    ),
    ("f", "fail", "fail", "fail it, with the reason or evidence", "commander, owner"),
    (
        "p",
        "pass_check",
        "pass",
        "pass the highlighted checkpoint, with evidence",
        "commander, owner",
    ),
    ("g", "decide", "decide", "record your go / conditional go / no-go at a gate", "approvers"),
    ("u", "suspend", "suspend", "suspend (with reason and ETA) or resume it", "commander, owner"),
    ("k", "skip", "skip", "skip it, with a reason", "commander"),
    ("a", "amend", "amend", "change its estimate, with a reason", "commander"),
    ("A", "add_step", "", "add a step to tonight's plan, with a reason", "commander"),
    ("m", "readiness", "ready", "mark a readiness item met or waived", "commander, item owner"),
    ("n", "note", "note", "add a note, decision or deviation", "anyone with a role"),
    ("r", "rollback", "rollback…", "invoke rollback (confirms, asks why)", "commander"),
    (
        "O",
        "override",
        "",
        "carry on past a fired rollback trigger, with the reason (ends ROLL BACK)",
        "commander",
    ),
    ("E", "end_run", "end", "end the run: completed, rolled back or aborted", "commander"),
    (
        "w",
        "why",
        "why",
        "why this alarm level: tonight's pace, the evidence, the P80 path",
        "everyone",
    ),
    ("C", "comms", "", "comms: the outbox, drafts awaiting a communicator, contacts", "everyone"),
    ("slash", "filter", "filter", "cycle the comms log filter", "everyone"),
    ("z", "timeline_rows", "", "timeline: phases or steps", "everyone"),
    ("plus,equals_sign", "zoom(1)", "", "timeline: zoom in", "everyone"),
    ("minus", "zoom(-1)", "", "timeline: zoom out", "everyone"),
    ("left_square_bracket", "pan(-0.25)", "", "timeline: earlier / up", "everyone"),
    ("right_square_bracket", "pan(0.25)", "", "timeline: later / down", "everyone"),
    ("colon", "command_palette", ":cmd", "command palette (also ctrl+p)", "everyone"),
    ("question_mark", "help", "help", "this list", "everyone"),
    ("q", "quit", "quit", "leave the war room (the run goes on)", "everyone"),
]


class WarRoomApp(App[None]):
    CSS_PATH = "warroom.tcss"
    TITLE = "cutover"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding(key, action, label, show=bool(label), id=f"warroom.{action.split('(')[0]}")
        for key, action, label, _, _ in KEYS
    ] + [
        Binding(str(i + 1), f"pane('{pane}')", "", show=False, id=f"warroom.pane.{pane}")
        for i, (pane, _) in enumerate(PANES)
    ]

    def __init__(
        self,
        source: RunSource,
        clock: Clock,
        *,
        tick_seconds: float = 1.0,
        poll_seconds: float = 0.25,
        conductor: Conducting | None = None,
        background: Callable[[], Awaitable[None]] | None = None,
        prior: PacePrior | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__(driver_class=driver_class())
        self.tz = tz  # the viewer's zone (`--tz`); None: the plan's
        self.guard = TerminalGuard(self)  # SIGTERM, SIGHUP, a hung-up terminal: leave cleanly
        self.source = source
        self.clock = clock
        self.conductor = conductor
        self.background = background  # e.g. a simulated night playing itself
        self.prior = prior  # what the rehearsals say of this plan's pace, for the odds
        self.tick_seconds = tick_seconds
        self.poll_seconds = poll_seconds
        self.state: RunState = initial_state(source.plan)
        self.frame: Frame | None = None
        # The first frame is the history: the panes show its alerts, toasts are for news.
        self.alerts = Alerts()
        # One forecaster for the life of the app: its random numbers are reused every tick,
        # so the odds on the status line move with the evidence, not with the dice.
        self.forecaster = forecaster_for(source.run_id)  # the same odds as `cutover status`
        self._active_pane = "timeline"

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Tabs(*(Tab(label, id=f"tab-{pane}") for pane, label in PANES), id="pane-tabs")
        with Container(id="panes"):
            yield Timeline(id="timeline", classes="pane")
            yield NowPane(id="now", classes="pane")
            yield ChecksPane(id="checks", classes="pane")
            yield CommsLog(id="comms", classes="pane")
        yield RoleFooter(self._footer_shows)  # only the keys this person may use

    async def on_mount(self) -> None:
        if not self.is_headless:
            self.guard.install()
        if self.conductor is not None:
            # Every war room offers to conduct: whichever holds the lease writes the derived
            # events; the others take over within seconds if it dies.
            await self.conductor.start()
        if self.background is not None:
            self.run_worker(self.background(), name="background", exclusive=False)
        self.title = f"cutover · {inert_line(self.source.plan.plan.title, 200)}"
        self._fit_layout()
        self.refresh_run()
        footer = self.query_one(RoleFooter)
        footer.call_later(footer.recompose)  # roles are known once the run is folded
        self.set_interval(self.tick_seconds, self.refresh_run, name="tick")
        self.set_interval(self.poll_seconds, self.poll_journal, name="poll")
        self.query_one("#now-list").focus()

    def on_unmount(self) -> None:
        self.guard.remove()
        if self.conductor is not None:
            self.conductor.stop()

    def on_resize(self, event: events.Resize) -> None:
        # This handler runs before App's own, which is what updates `self.size`: lay out for
        # the size in the event, or the layout lags one resize behind.
        self._fit_layout(event.size)
        if self.frame:
            # The status lines read their own width: show them again once laid out.
            self.call_after_refresh(self._show, self.frame, [])

    def _fit_layout(self, size: Size | None = None) -> None:
        size = size or self.size
        narrow = size.width < NARROW_WIDTH or size.height < NARROW_HEIGHT
        self.set_class(narrow, "-narrow")
        for pane, _ in PANES:
            self.query_one(f"#{pane}").set_class(pane == self._active_pane, "-active")

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_chosen(self, event: Tabs.TabActivated) -> None:
        if event.tab.id:
            self._active_pane = event.tab.id.removeprefix("tab-")
            self._fit_layout()

    def action_pane(self, pane: str) -> None:
        self.query_one("#pane-tabs", Tabs).active = f"tab-{pane}"

    # -- the refresh loop --------------------------------------------------------------------
    def poll_journal(self) -> None:
        new = list(self.source.poll())
        if new:
            self.refresh_run(new)

    def refresh_run(self, new: list[Event] | None = None) -> None:
        """Fold what is new, reschedule at now, and show it. Called every tick and on change."""
        if new is None:
            new = list(self.source.poll())
        for event in new:
            apply(self.state, event)
        frame = Frame.at(
            self.state, self.clock.now(), self.source.actor, self.forecaster, self.prior, self.tz
        )
        self.frame = frame
        self._show(frame, new)
        self._alert(frame, new)

    def _show(self, frame: Frame, new: list[Event]) -> None:
        try:
            self.query_one(StatusBar).show(
                frame, self.source.conductor_status(), getattr(self.source, "read_only", False)
            )
            self.query_one(Timeline).show(frame)
            self.query_one(NowPane).show(frame)
            self.query_one(ChecksPane).show(frame)
            if new:
                self.query_one(CommsLog).add(new, frame)
        except NoMatches:
            # A tick that lands while the app is closing finds its panes already gone:
            # nothing to show, and nothing lost (the journal holds every event).
            return

    def _alert(self, frame: Frame, new: list[Event]) -> None:
        """Say at once, in every process, what needs attention (each thing once)."""
        factor = self.clock.factor  # above 1 in a simulation
        for notice in self.alerts.notices(frame, new):
            # Errors stay long enough to be read from across the room. Warnings make way after
            # ten seconds, or ten minutes of the night on a fast clock (two seconds at least).
            timeout = 20 if notice.severity == "error" else max(2.0, min(10.0, 600 / factor))
            self.notify(
                notice.text,
                title=notice.title,
                severity=notice.severity,
                timeout=timeout,
                markup=False,  # the text quotes people and plans: never markup
            )

    # -- commands ----------------------------------------------------------------------------
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast inert and never read as markup: a refusal quoting `[operator]` shows as
        written, and a note, a reason or a step title cannot talk to the terminal."""
        super().notify(
            inert(message, 2000),
            title=inert_line(title, 200),
            severity=severity,
            timeout=timeout,
            markup=False,
        )
        self.call_later(keep_few, self)  # a pile of toasts collapses into one line

    def submit(self, event: Event) -> bool:
        try:
            self.source.submit(event)
        except Refused as refusal:
            self.notify(str(refusal), title="Refused", severity="error", timeout=10)
            return False
        self.poll_journal()
        return True

    def base(self) -> dict:
        return {"actor": self.source.actor, "at": self.clock.now(), "key": new_key()}

    def selected_step(self) -> str | None:
        step = self.query_one(NowPane).selected
        if step is None:
            self.notify("highlight a step in the Now pane first", severity="warning")
        return step

    def ask(
        self,
        spec: FormSpec,
        then: Callable[[dict[str, str]], None],
        probe: Event | str | None = None,
    ) -> None:
        """Open a form, unless `probe` (the command with placeholder words, or a refusal
        already known) is refused whatever the words: then say so at once, in one line."""
        if isinstance(probe, str) or probe is None:
            refusal = probe
        else:
            refusal = early_refusal(self.state, probe, self._read_only)
        if refusal:
            self.notify(refusal, title="Refused", severity="error", timeout=10)
            return

        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                then(values)

        self.push_screen(FormScreen(spec), done)

    @property
    def _read_only(self) -> bool:
        return bool(getattr(self.source, "read_only", False))

    def _footer_shows(self, action: str) -> bool:
        who = next((who for _, a, _, _, who in KEYS if a == action), "everyone")
        return may_use(who, self.state, self.source.actor, self._read_only)

    def step_title(self, step_id: str) -> str:
        return f"{step_id}: {self.state.steps[step_id].title}"

    def action_start(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if step:
            self.submit(StepStarted(step=step, **self.base()))

    def action_complete(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if not step:
            return
        kind = self.state.steps[step].kind
        if kind == "checkpoint":
            self.action_pass_check(step)
        elif kind == "gate":
            self.action_decide(step)
        else:
            self.submit(StepCompleted(step=step, **self.base()))

    def action_pass_check(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if not step:
            return
        if self.state.steps[step].kind != "checkpoint":
            self.notify(f"{step} is not a checkpoint", severity="warning")
            return
        spec = FormSpec(
            f"Pass checkpoint {self.step_title(step)}",
            (
                Field(
                    "evidence",
                    "Evidence (what you saw)",
                    placeholder="e.g. 48,112,007 rows both sides",
                ),
            ),
            submit="Pass",
            note=_verify_text(self.state, step),
        )
        self.ask(
            spec,
            lambda v: self.submit(
                CheckpointPassed(step=step, evidence=v["evidence"], **self.base())
            ),
            CheckpointPassed(step=step, **self.base()),
        )

    def action_fail(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if not step:
            return
        planned = self.state.steps[step]
        if planned.kind == "checkpoint":
            consequence = {
                "rollback": "Failing it is a ROLLBACK trigger.",
                "hold": "Failing it holds the run.",
            }
            spec = FormSpec(
                f"Fail checkpoint {self.step_title(step)}",
                (Field("evidence", "Evidence (what you saw)", required=True),),
                submit="Fail checkpoint",
                danger=True,
                note=consequence.get(planned.on_fail, "The run continues."),
            )
            self.ask(
                spec,
                lambda v: self.submit(
                    CheckpointFailed(step=step, evidence=v["evidence"], **self.base())
                ),
                CheckpointFailed(step=step, **self.base()),
            )
        else:
            spec = FormSpec(
                f"Fail {self.step_title(step)}",
                (Field("reason", "What went wrong", required=True),),
                submit="Fail step",
                danger=True,
            )
            self.ask(
                spec,
                lambda v: self.submit(StepFailed(step=step, reason=v["reason"], **self.base())),
                StepFailed(step=step, reason="-", **self.base()),
            )

    def action_decide(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if not step:
            return
        if self.state.steps[step].kind != "gate":
            self.notify(f"{step} is not a gate", severity="warning")
            return
        commander = self.state.is_commander(self.source.actor)
        fields = [
            Field("decision", "Decision", choices=("go", "conditional-go", "no-go")),
            Field("reason", "Reason (required for a no-go)"),
            Field("risks", "Accepted risks, separated by ';' (for a conditional go)"),
        ]
        if commander:  # pre-filled with an approver, never with someone who is not one
            approver = gate_approver(self.state, step, self.source.actor)
            fields.append(Field("approver", "Recorded for approver", value=approver))
        open_criteria = self.state.criteria_open(step)
        note = f"open criteria: {', '.join(open_criteria)}" if open_criteria else "all criteria met"

        def record(v: dict[str, str]) -> None:
            risks = [r.strip() for r in v["risks"].split(";") if r.strip()]
            self.submit(
                GateDecided(
                    step=step,
                    approver=v.get("approver") or self.source.actor,
                    decision=v["decision"],  # type: ignore[arg-type]
                    reason=v["reason"],
                    risks=risks,
                    **self.base(),
                )
            )

        self.ask(
            FormSpec(f"Gate {self.step_title(step)}", tuple(fields), "Record", note=note),
            record,
            early_refusal(
                self.state,
                GateDecided(step=step, approver=self.source.actor, decision="go", **self.base()),
                self._read_only,
            )
            or gate_refusal(self.state, step, self.source.actor),
        )

    def action_suspend(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if not step:
            return
        if self.state.status[step].status == "suspended":
            self.submit(StepResumed(step=step, **self.base()))
            return
        spec = FormSpec(
            f"Suspend {self.step_title(step)}",
            (
                Field("reason", "Why", required=True),
                Field("eta", "Resume ETA (HH:MM, plan time; optional)", validate=_hhmm_problem),
            ),
            submit="Suspend",
        )

        def record(v: dict[str, str]) -> None:
            eta = _next_hhmm(v["eta"], self.clock.now(), self.state) if v["eta"] else None
            self.submit(StepSuspended(step=step, reason=v["reason"], eta=eta, **self.base()))

        self.ask(spec, record, StepSuspended(step=step, reason="-", **self.base()))

    def action_skip(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if not step:
            return
        spec = FormSpec(
            f"Skip {self.step_title(step)}",
            (Field("reason", "Why it is skipped (goes into the review)", required=True),),
            submit="Skip step",
            danger=True,
        )
        self.ask(
            spec,
            lambda v: self.submit(StepSkipped(step=step, reason=v["reason"], **self.base())),
            StepSkipped(step=step, reason="-", **self.base()),
        )

    def action_amend(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if not step:
            return
        current = self.state.steps[step].duration
        spec = FormSpec(
            f"Change the estimate of {self.step_title(step)}",
            (
                Field(
                    "duration",
                    "New budget",
                    required=True,
                    value=_short(current),
                    validate=_duration_problem,
                ),
                Field("reason", "Why", required=True),
            ),
            submit="Amend plan",
            note="A live amendment changes tonight's plan, never the file, and is logged.",
        )
        self.ask(
            spec,
            lambda v: self.submit(
                EstimateChanged(
                    step=step,
                    duration_s=parse_duration(v["duration"]).total_seconds(),
                    reason=v["reason"],
                    **self.base(),
                )
            ),
            EstimateChanged(step=step, duration_s=60, reason="-", **self.base()),
        )

    def action_add_step(self) -> None:
        """Add a step to tonight's plan: after the highlighted step by default."""
        highlighted = self.query_one(NowPane).selected
        owners = tuple(self.state.plan.people)
        spec = FormSpec(
            "Add a step to tonight's plan",
            (
                Field("step", "Id", required=True, validate=self._new_id_problem),
                Field("title", "Title", required=True),
                Field(
                    "owner", "Owner", required=True, value=self.source.actor, validate=_in(owners)
                ),
                Field("duration", "Budget", required=True, value="15m", validate=_duration_problem),
                Field("after", "After (ids, comma-separated)", value=highlighted or ""),
                Field("before", "Before (ids that must now wait for it)"),
                Field("reason", "Why", required=True),
            ),
            submit="Add step",
            note="A live amendment changes tonight's plan, never the file, and is logged.",
        )
        self.ask(
            spec,
            lambda v: self.submit(
                StepAdded(
                    step=v["step"],
                    title=v["title"],
                    owner=v["owner"],
                    duration_s=parse_duration(v["duration"]).total_seconds(),
                    after=_ids(v["after"]),
                    before=_ids(v["before"]),
                    phase=self.state.steps[highlighted].phase if highlighted else None,
                    reason=v["reason"],
                    **self.base(),
                )
            ),
            StepAdded(
                step="new",
                title="-",
                owner=self.source.actor,
                duration_s=60,
                reason="-",
                **self.base(),
            ),
        )

    def _new_id_problem(self, value: str) -> str | None:
        problem = id_problem(value)  # the plan's grammar, as the rules will check it
        if problem:
            return problem
        if value in self.state.steps:
            return f"there is already a step {value!r}"
        return None

    def action_readiness(self) -> None:
        open_items = [r.id for r in self.state.plan.readiness if r.id not in self.state.readiness]
        if not open_items:
            self.notify("every readiness item is already marked")
            return
        spec = FormSpec(
            "Mark a readiness item",
            (
                Field("item", "Item", choices=tuple(open_items)),
                Field("status", "Status", choices=("met", "waived")),
                Field("note", "Note"),
            ),
            submit="Mark",
        )
        self.ask(
            spec,
            lambda v: self.submit(
                ReadinessMarked(item=v["item"], status=v["status"], note=v["note"], **self.base())  # type: ignore[arg-type]
            ),
            ReadinessMarked(
                item=_own_first(self.state, open_items, self.source.actor),
                status="met",
                **self.base(),
            ),
        )

    def action_note(self) -> None:
        step = self.query_one(NowPane).selected
        spec = FormSpec(
            "Add to the log",
            (
                Field("kind", "Kind", choices=("info", "decision", "deviation")),
                Field("text", "Text", required=True),
            ),
            submit="Log it",
            note=f"about {step}" if step else "",
        )
        self.ask(
            spec,
            lambda v: self.submit(
                NoteAdded(kind=v["kind"], text=v["text"], step=step, **self.base())
            ),  # type: ignore[arg-type]
            NoteAdded(text="-", step=step, **self.base()),
        )

    def action_rollback(self) -> None:
        fired = [
            f for f in (self.frame.sched.fired if self.frame else []) if f.action == "rollback"
        ]
        reason = fired[0].reason if fired else ""
        spec = FormSpec(
            "INVOKE ROLLBACK",
            (
                Field(
                    "reason",
                    "Why (recorded in the log, kept for the review)",
                    required=True,
                    value=reason,
                ),
            ),
            submit="Roll back",
            danger=True,
            note="Plan steps close; the rollback runbook starts against the RTO. This cannot be undone.",
        )
        trigger = fired[0].trigger if fired else None
        self.ask(
            spec,
            lambda v: self.submit(
                RollbackInvoked(reason=v["reason"], trigger=trigger, **self.base())
            ),
            RollbackInvoked(reason="-", **self.base()),
        )

    def action_override(self) -> None:
        calling = self.frame.verdict.calling if self.frame else None
        if calling is None:
            self.notify("no rollback trigger is calling for rollback", severity="warning")
            return
        trigger = calling.trigger or calling.step
        spec = FormSpec(
            f"Carry on past {trigger}",
            (
                Field(
                    "reason",
                    "Why the run carries on (recorded, kept for the review)",
                    required=True,
                ),
            ),
            submit="Override",
            danger=True,
            note=f"{calling.reason}. The war room stops saying ROLL BACK for this trigger.",
        )
        self.ask(
            spec,
            lambda v: self.submit(
                TriggerOverridden(trigger=trigger, reason=v["reason"], **self.base())
            ),
            TriggerOverridden(trigger=trigger, reason="-", **self.base()),
        )

    def action_end_run(self) -> None:
        spec = FormSpec(
            "End the run",
            (
                Field(
                    "outcome",
                    "Outcome",
                    choices=("completed", "rolled-back", "aborted"),
                    value=end_outcome(self.state),
                ),
                Field("reason", "Closing note"),
            ),
            submit="End run",
            danger=True,
        )
        self.ask(
            spec,
            lambda v: self.submit(
                RunEnded(outcome=v["outcome"], reason=v["reason"], **self.base())
            ),  # type: ignore[arg-type]
            RunEnded(outcome="aborted", **self.base()),
        )

    def action_filter(self) -> None:
        if self.frame:
            chosen = self.query_one(CommsLog).cycle_filter(self.frame)
            self.notify(f"comms log: {chosen}", timeout=2)

    def action_timeline_rows(self) -> None:
        self.query_one(Timeline).toggle_rows()
        self._redraw_timeline()

    def action_zoom(self, step: int) -> None:
        self.query_one(Timeline).zoom_by(step)
        self._redraw_timeline()

    def action_pan(self, step: float) -> None:
        self.query_one(Timeline).pan_by(step)
        self._redraw_timeline()

    def _redraw_timeline(self) -> None:
        if self.frame:
            self.query_one(Timeline).show(self.frame)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette: every key's action, and each open step's likely next action.

        Textual reads a command's title and help as markup: step titles and ids made inert
        and escaped, so `[link=...]` in a title shows as typed."""
        for command in self._palette(screen):
            yield command._replace(
                title=inert_markup(command.title, 200), help=inert_markup(command.help, 200)
            )

    def _palette(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key, action, label, text, who in KEYS:
            if not label or action in ("command_palette", "quit", "help"):
                continue
            if not self._footer_shows(action):
                continue  # a watcher is not offered what only others may do
            yield SystemCommand(
                f"{label.rstrip('…').capitalize()} ({key})",
                f"{text} · {who}",
                lambda action=action: self.run_action(action),
            )
        if self.frame is None or not self._footer_shows("start"):
            return
        sched = self.frame.sched
        for sid in sched.running:
            title = self.state.steps[sid].title
            yield SystemCommand(f"Complete {sid}", title, lambda sid=sid: self.action_complete(sid))
            yield SystemCommand(f"Fail {sid}", title, lambda sid=sid: self.action_fail(sid))
            yield SystemCommand(
                f"Suspend or resume {sid}", title, lambda sid=sid: self.action_suspend(sid)
            )
        for sid in sched.ready:
            step = self.state.steps[sid]
            if step.kind == "gate":
                yield SystemCommand(
                    f"Decide {sid}", step.title, lambda sid=sid: self.action_decide(sid)
                )
            else:
                yield SystemCommand(
                    f"Start {sid}", step.title, lambda sid=sid: self.action_start(sid)
                )
        for sid in self.state.active_ids():
            if not self.state.status[sid].closed:
                title = self.state.steps[sid].title
                yield SystemCommand(f"Skip {sid}", title, lambda sid=sid: self.action_skip(sid))
                yield SystemCommand(
                    f"Change estimate of {sid}", title, lambda sid=sid: self.action_amend(sid)
                )

    def action_why(self) -> None:
        if self.frame is not None:  # the verdict is there at every stage, odds or not
            self.push_screen(ForesightScreen(self.frame, self._head()))

    def action_comms(self) -> None:
        if self.frame is not None:  # screens/comms.py; sending is `cutover do RUN send`
            self.push_screen(CommsScreen(self.frame))

    def _head(self) -> str | None:
        """The journal's head as published (`cutover verify RUN --expect` checks it later)."""
        head = getattr(getattr(self.source, "journal", None), "head", None)
        if head is None:
            return None
        seq, digest = head() if callable(head) else head
        return f"{seq}:{digest[:16]}"

    def action_help(self) -> None:
        rows = [(_key_label(key), text, who) for key, _, _, text, who in KEYS]
        rows.append(("1-4", "show a pane (at 80x24 the panes are tabs)", "everyone"))
        self.push_screen(HelpScreen(rows))


def _verify_text(state: RunState, step: str) -> str:
    verify = getattr(state.plan.step_by_id.get(step), "verify", None)
    return f"verify: {verify}" if verify else ""


def _short(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def _duration_problem(text: str) -> str | None:
    try:
        value = parse_duration(text)
    except ValueError as exc:
        return str(exc)
    return None if value.total_seconds() > 0 else "a budget must be positive"


def _hhmm_problem(text: str) -> str | None:
    try:
        hours, minutes = (int(p) for p in text.split(":"))
    except ValueError:
        return f"{text!r} is not a time; write HH:MM"
    return None if 0 <= hours < 24 and 0 <= minutes < 60 else f"{text!r} is not a time of day"


def _next_hhmm(text: str, now: datetime, state: RunState) -> datetime:
    """The next occurrence of HH:MM (plan-local) after now."""
    hours, minutes = (int(p) for p in text.split(":"))
    local = now.astimezone(state.plan.zone)
    candidate = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate.astimezone(now.tzinfo)


def _own_first(state: RunState, items: list[str], actor: str) -> str:
    """The first of `items` that `actor` owns, else the first: what the readiness form asks."""
    owned = state.plan.readiness_by_id
    return next((i for i in items if owned[i].owner == actor), items[0])


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _in(choices: tuple[str, ...]) -> Callable[[str], str | None]:
    def problem(value: str) -> str | None:
        return None if value in choices else f"{value!r} is not in [people]: {', '.join(choices)}"

    return problem


_KEY_NAMES = {
    "plus": "+",
    "minus": "-",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "slash": "/",
    "colon": ":",
    "question_mark": "?",
}


def _key_label(binding: str) -> str:
    """How a binding reads on the keyboard: `plus,equals_sign` is `+`."""
    first = binding.split(",")[0]
    return _KEY_NAMES.get(first, first)
