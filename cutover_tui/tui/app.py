"""The war room: one screen, four panes and two status lines, for every role.

Flow of one action: key binding (keys.py) -> an action_* of its family (actions/) -> a
FormScreen if the command needs words -> an event -> RunSource.submit (actions/core.py, checked
in the journal's write transaction) -> poll -> fold -> schedule -> every pane shows the new
Frame. This module holds the layout, the refresh loop and the toasts; the command palette's
commands are in commands.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import tzinfo
from typing import TYPE_CHECKING, Protocol

from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.containers import Container
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Tab, Tabs

from ..clocks import Clock
from ..engine.events import Event
from ..engine.schedule import schedule
from ..engine.spoken_zone import told_in
from ..engine.state import RunState, apply, initial_state
from ..engine.verdict import FORECAST_ITERATIONS, forecaster_for, judge
from ..inert import inert, inert_line
from .actions.aftercare import AftercareActions
from .actions.amend import AmendActions
from .actions.checks import CheckActions
from .actions.decisions import DecisionActions
from .actions.incidents import IncidentActions
from .actions.night import NightActions
from .actions.steps import StepActions
from .actions.views import ViewActions
from .alerts import VERDICT_TITLES, Alerts, outdated
from .catch_up_news import say as say_caught_up
from .catch_up_news import start_catch_up
from .commands import palette
from .first_frame import FirstFrame
from .frame import Frame
from .jump_hold import JumpHold
from .keys import PANES, bindings
from .odds import OddsKeeper
from .odds_work import OddsWork
from .pacing import RecomputeGate
from .source import RunSource
from .terminal import TerminalGuard, driver_class
from .toasts import keep_few, withdraw
from .widgets.checks import ChecksPane
from .widgets.comms import CommsLog
from .widgets.footer import RoleFooter
from .widgets.now import NowPane
from .widgets.status import StatusBar
from .widgets.timeline import Timeline

if TYPE_CHECKING:  # the odds import numpy (~0.2 s): after the first frame (issue 14)
    from ..engine.forecast import Forecaster
    from ..engine.pace import PacePrior

# Below either, the panes show one at a time, as tabs.
NARROW_WIDTH = 120
NARROW_HEIGHT = 34


class Conducting(Protocol):
    async def start(self) -> None: ...

    def stop(self) -> None: ...


class WarRoomApp(
    FirstFrame,
    OddsWork,
    StepActions,
    DecisionActions,
    AmendActions,
    NightActions,
    ViewActions,
    CheckActions,
    AftercareActions,
    IncidentActions,
):
    CSS_PATH = "warroom.tcss"
    TITLE = "cutover"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = bindings()

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
        make_prior: Callable[[], PacePrior | None] | None = None,
    ) -> None:
        super().__init__(driver_class=driver_class())
        self._set_up(
            source,
            clock,
            tick_seconds=tick_seconds,
            poll_seconds=poll_seconds,
            conductor=conductor,
            background=background,
            prior=prior,
            tz=tz,
            make_prior=make_prior,
        )

    def _set_up(
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
        make_prior: Callable[[], PacePrior | None] | None = None,
    ) -> None:
        """The war room's own part of __init__: also run on the App a first-frame boot
        started (tui/boot.py take_over), which is the war room from then on."""
        self.tz = tz  # the viewer's zone (`--tz`); None: the plan's
        self.guard = TerminalGuard(self)  # SIGTERM, SIGHUP, a hung-up terminal: leave cleanly
        self.source = source
        self.clock = clock
        self.held = JumpHold(clock)  # the moment of each frame: a clock jump not yet recorded
        self.conductor = conductor
        self.background = background  # e.g. a simulated night playing itself
        self.prior = prior  # what the rehearsals say of this plan's pace, for the odds
        self.tick_seconds = tick_seconds
        self.poll_seconds = poll_seconds
        self.state: RunState = initial_state(source.plan)
        self._folded_by_source = False  # the source's own fold, shared (on_mount)
        self._conductor_waits = False  # until a large plan's first frame (_start_conductor)
        self.frame: Frame | None = None
        self._standing: tuple | None = None  # this person's roles and the phase, last offered
        # The first frame is the history: the panes show its alerts, toasts are for news.
        self.alerts = Alerts()
        # One forecaster for the life of the app: its random numbers are reused every tick,
        # so the odds on the status line move with the evidence, not with the dice. It is
        # made when the odds are first worked out (numpy loads then, not before the first
        # frame): the same odds as `cutover status` (forecaster_for).
        # Work only when something changed: the odds (in a worker on a large plan) and the
        # recompute gate, which lets a tick through on news or a clock boundary (pacing.py).
        run_id = source.run_id
        self.odds = OddsKeeper(
            None,
            prior,
            make=lambda: forecaster_for(run_id),
            iterations=FORECAST_ITERATIONS,
            make_prior=make_prior,  # the rehearsal search, when the odds first need it
        )
        self.gate = RecomputeGate()
        self._active_pane = "timeline"
        self._warming: list[Event] | None = None  # a large plan's first events, until scheduled
        self.catch_up: list[str] = []  # what changed since this login last looked (cli)
        self.catch_up_later: Callable[[], list[str]] | None = None  # the same, by a worker

    @property
    def forecaster(self) -> Forecaster | None:
        """The app's one forecaster (made on first use, see `OddsKeeper`)."""
        return self.odds.forecaster

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Tabs(*(Tab(label, id=f"tab-{pane}") for pane, label in PANES), id="pane-tabs")
        with Container(id="panes"):
            yield Timeline(id="timeline", classes="pane")
            yield NowPane(id="now", classes="pane")
            yield ChecksPane(id="checks", classes="pane")
            yield CommsLog(id="comms", classes="pane")
        yield RoleFooter(self.offers)  # only the keys this person may use

    async def on_mount(self) -> None:
        if not self.is_headless:
            self.guard.install()
        if self.conductor is not None:
            # Every war room offers to conduct: whichever holds the lease writes the derived
            # events; the others take over within seconds if it dies. Once the first frame
            # is on the terminal: its first tick reads the whole log on its own connection
            # (seconds on a 100,000-event run), and nothing it writes is lost meanwhile.
            self.call_after_refresh(self._start_conductor)
        if self.background is not None:
            self.run_worker(self.background(), name="background", exclusive=False)
        self.title = f"cutover · {inert_line(self.source.plan.plan.title, 200)}"
        self._fit_layout()
        opened = self.source.opening()  # one fold per process, and the log paged
        if opened is not None:
            self.state, log = opened
            self._folded_by_source = True
            self.query_one(CommsLog).history(log)  # laid out with the first frame
        self._first_frame()
        self.set_interval(self.tick_seconds, self.tick, name="tick")
        self.set_interval(self.poll_seconds, self.poll_journal, name="poll")
        self.query_one("#now-list").focus()
        if self.catch_up:  # joining mid-night: engine/catchup.py
            say_caught_up(self, self.catch_up)
        if self._warming is None:  # or worked out by a worker after the whole first frame
            start_catch_up(self)  # (catch_up_news.py), said when ready

    async def _start_conductor(self) -> None:
        if self._warming is not None and self._folded_by_source:
            # Its connection shares the state the first-frame worker reads: after that frame.
            self._conductor_waits = True
            return
        if self.conductor is not None and self.is_running:
            await self.conductor.start()

    def on_unmount(self) -> None:
        self.guard.remove()
        if self.conductor is not None:
            self.conductor.stop()

    def on_resize(self, event: events.Resize) -> None:
        # This handler runs before App's own, which is what updates `self.size`: lay out for
        # the size in the event, or the layout lags one resize behind.
        self._fit_layout(event.size)
        if self.frame:
            # The status lines read their own width: show them again once laid out, with the
            # frame of that moment (a frame named now would be stale by then if news came
            # first, and would put the panes back to it until the next news).
            self.call_after_refresh(self._show_latest)
        elif self._warming is not None:  # the sketch too, or it loses its mode and title
            self.call_after_refresh(self._sketch, self.clock.now())

    def _show_latest(self) -> None:
        if self.frame is not None:
            self._show(self.frame, [])

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

    # -- the refresh loop --------------------------------------------------------------------
    def poll_journal(self) -> None:
        if self._warming is not None:
            return  # the worker reads the state: the news waits for the first frame
        new = list(self.source.poll())
        if new or (self._standing is not None and self._standing[2] != self.source.moved):
            self.refresh_run(new)  # news, or the run moved away: the status line says where

    def tick(self) -> None:
        """Every second: the status line's clock moves; the rest is worked out again only on
        a boundary that matters (pacing.py) or when new odds are wanted (odds.py)."""
        now = self.held.moment()
        if self._warming is not None:
            self._sketch(now)  # the clock ticks while the first schedule is worked out
            return
        if self.gate.due(self.state, now):
            self.refresh_run([])
            return
        if self.frame is not None:
            try:
                bar = self.query_one(StatusBar)
                conductor = self.source.conductor_status()
                bar.tick(self.frame, now, conductor, self.read_only, self.source.moved)
            except NoMatches:
                return  # a tick while the app is closing: its panes are already gone
        self._ask_odds(now)

    def refresh_run(self, new: list[Event] | None = None, *, folded: bool = False) -> None:
        """Fold what is new, reschedule at now, and show it. Called on news and when due.
        `folded`: `new` is already in the state (a large plan's first frame)."""
        if new is None:
            new = list(self.source.poll())
        # Not when the source folded them into self.state (opening: one fold per process).
        for event in [] if folded or self._folded_by_source else new:
            apply(self.state, event)
        now = self.held.moment(new)
        with told_in(self.tz):  # the rules' times in the viewer's zone (`--tz`), as the panes'
            sched = schedule(self.state, now)
            sight = self.odds.for_frame(self.state, now)
            verdict = judge(self.state, sched, sight, now)  # the one verdict, as `cutover status`
        pending = self.odds.pending(self.state)  # "working out odds…" on the status line
        frame = Frame(self.state, sched, now, self.source.actor, sight, verdict, self.tz, pending)
        self.gate.done(self.state, sched, now)
        self.frame = frame
        self._offer_again_if_roles_moved()
        self._show(frame, new)
        self._alert(frame, new)
        # Once this frame is on the terminal: the worker's thread shares the interpreter,
        # and the news it was asked for goes out first.
        self.call_after_refresh(self._ask_odds, now)

    def _offer_again_if_roles_moved(self) -> None:
        """The footer and palette offer what this person may do now: a role handed over
        (or taken), or the run's phase moved on, changes that (user pass, 2026-12-02: after
        handing the command over, the footer still offered r rollback and E end)."""
        standing = (
            frozenset(self.state.roles_of(self.source.actor)),
            self.state.phase,
            self.source.moved,  # moved away: nothing is offered any more
        )
        if standing != self._standing:
            self._standing = standing
            self.refresh_bindings()

    def _show(self, frame: Frame, new: list[Event]) -> None:
        try:
            conductor = self.source.conductor_status()
            self.query_one(StatusBar).show(frame, conductor, self.read_only, self.source.moved)
            self.query_one(Timeline).show(frame)
            self.query_one(NowPane).show(frame)
            self.query_one(ChecksPane).show(frame)
            comms = self.query_one(CommsLog)
            if new or comms.unshown:  # news, or the history the source gave (opening)
                comms.add(new, frame)
            self._follow_screens(frame)
        except NoMatches:
            # A tick that lands while the app is closing finds its panes already gone:
            # nothing to show, and nothing lost (the journal holds every event).
            return

    def _follow_screens(self, frame: Frame) -> None:
        """`w`, `C`, `V` open over the panes show this frame too (tui/screens/live.py)."""
        for screen in self.screen_stack:
            follow = getattr(screen, "follow_frame", None)
            if follow is not None:
                follow(frame)

    def _alert(self, frame: Frame, new: list[Event]) -> None:
        """Say at once, in every process, what needs attention (each thing once)."""
        factor = self.clock.factor  # above 1 in a simulation
        if self.source.moved:  # the file's last state, stale: its slips are not the night's
            withdraw(self, VERDICT_TITLES)
            return
        withdraw(self, outdated(frame))  # the badge moved on: its old words come down
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

    # -- toasts and the palette ------------------------------------------------------------
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

    def action_help_quit(self) -> None:
        """Ctrl+C: how to quit, in plain words. Textual's own says it in markup, which
        `notify` above never reads: the toast showed "Press [b]ctrl+q[/b]" as written."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {key} to quit the app", title="Do you want to quit?")
                return

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette: Textual's commands, then ours (tui/commands.py); before the
        first whole frame only Textual's (ours act on the run, past check_action)."""
        textual_commands = super().get_system_commands(screen)
        if self._warming is not None:
            return textual_commands
        return palette(self, textual_commands)
