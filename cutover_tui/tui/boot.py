"""The war room's first frame before pydantic, the plan model, the engine and the store load.

`cutover run RUN` (and `follow`) on a run file start this App, whose module imports textual
and plain-data helpers only (tests/test_warroom_lazy.py checks sys.modules at its first
frame). Issue 14: the war room's imports alone cost 1.6-1.8x a bare Textual app's, before
any widget; this App's cost 1.1x (benchmarks/warroom_imports.py).
1. The first frame is a sketch drawn from `FirstFacts` (journal/first_facts.py, read with
   sqlite3 alone): the mode and title, who is looking (the OS login), the conductor, the wall
   clock in the plan's zone, "N of M steps done │ working out the schedule…". Nothing else:
   what is not read from the file is not shown.
2. A worker thread then imports what the war room needs (`prepare`), and the UI thread does
   what `cutover run` did before its screen opened (open the journal, check its chain, make
   the source and the conductor: `open_war_room`, given by the caller). Not in the worker: a
   SQLite connection serves the thread that opened it, and the war room's is the UI thread.
3. The war room takes over this same App: its class becomes the one `open_war_room` made
   the parts for (`WarRoomApp`; `WarRoomApp._set_up` is the rest of its __init__), the screen is
   composed again in one batch with the war room's own widgets, and the war room mounts as
   if it had started that way (its own first frame, tui/first_paint.py, follows). No second
   App, no second terminal set-up; the status line stays where it was.
If the run must not be opened (a broken chain, a file that went away), the app leaves and
`said` holds the line the command prints once the terminal is given back.
Keys pressed before the war room takes over are refused with a line saying why (HELD_BACK),
never lost silently; quitting and Textual's palette work throughout.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.widget import Widget

from ..inert import inert_line
from ..journal.first_facts import FirstFacts
from ..plan.zones import hm
from .cond_health import conductor_health
from .keys import bindings
from .terminal import TerminalGuard, driver_class

# The same words as tui/first_paint.py's (a test keeps them equal): importing it loads the engine.
SCHEDULE_PENDING = "working out the schedule…"
HELD_BACK = f"{SCHEDULE_PENDING} press again when the frame is whole"
# help_quit: Ctrl+C says how to quit (Textual's words), never "press again when the frame is whole".
BEFORE_TAKEOVER = frozenset({"quit", "help_quit", "command_palette"})
# widgets/status.py's PHASE_LABEL (a test keeps them equal), for the same reason.
PHASE_LABEL = {
    "not-started": ("NOT STARTED", "bold"),
    "running": ("LIVE", "bold green"),
    "rollback": ("ROLLING BACK", "bold white on red"),
    "ended": ("ENDED", "bold"),
}


@dataclass
class WarRoomParts:
    """What the worker made for the war room: WarRoomApp's arguments, and its catch-up."""

    app_class: type[App[Any]]
    source: Any  # a RunSource
    clock: Any  # a clocks.Clock
    options: dict[str, Any] = field(default_factory=dict)  # conductor, tz, make_prior...
    catch_up: list[str] = field(default_factory=list)
    # The catch-up worked out by a worker once the war room is up (tui/catch_up_news.py).
    catch_up_later: Callable[[], list[str]] | None = None


@dataclass(frozen=True)
class Refusal:
    """The run must not be opened: the line to say and the command's exit code."""

    line: str
    code: int = 1


class Line(Widget):
    """One line of the sketch, laid out as the status bar's cell of the same id."""

    DEFAULT_CSS = """
    Line { height: 1; width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    Line.-fit { width: auto; }
    """

    def __init__(self, *, fit: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, classes="-fit" if fit else "")
        self.text = Text()

    def set(self, text: Text) -> None:
        text.no_wrap, text.overflow = True, "ellipsis"
        if text.plain != self.text.plain or text.spans != self.text.spans:
            self.text = text
            self.refresh(layout=self.has_class("-fit"))

    def get_content_width(self, container: Any, viewport: Any) -> int:
        return self.text.cell_len

    def render(self) -> Text:
        return self.text


class SketchBar(Vertical):
    """The two status lines as widgets/status.py's StatusBar lays them out."""

    DEFAULT_CSS = """
    SketchBar { height: 2; background: $panel; }
    SketchBar > Horizontal { height: 1; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Line(id="status-left")
            yield Line(fit=True, id="status-clock")
            yield Line(fit=True, id="status-right")
        yield Line(id="status-figures")


def sketch_lines(
    facts: FirstFacts, login: str, now: datetime, zone: tzinfo, width: int, read_only: bool
) -> dict[str, Text]:
    """The sketch's four cells, each from facts read from the file (widgets/status.py's
    headline, with the login for the person and no role: the role is the run's to say)."""
    label, style = PHASE_LABEL[facts.phase]
    if facts.phase == "running" and facts.mode == "rehearsal":
        label, style = "REHEARSAL", "bold cyan"
    if facts.phase == "ended" and facts.outcome:
        label = f"ENDED · {facts.outcome}"
    if facts.moved:  # the file stopped at the move: not LIVE (widgets/status.py's headline)
        label, style = "MOVED", "bold white on red"
    left = Text.assemble(
        (" cutover", "bold"), " · ", (label, style), " · ", inert_line(facts.title)
    )
    right = Text(f"   {inert_line(login, 30)}")
    if facts.moved:
        right.append(" (read-only: the run moved)", "bold")
    elif read_only:
        right.append(" (following, read-only)", "bold")
    healthy, word = conductor_health(facts.conductor)
    if width >= 110:
        right.append(
            f"   conductor: {inert_line(facts.conductor, 40)}", "dim" if healthy else "yellow"
        )
    else:
        right.append(f" · cond {word}", "dim" if healthy else "yellow")
    right.append(" ")
    clock = Text(f"  {hm(now, zone, seconds=True)} {now.astimezone(zone).strftime('%Z')}", "bold")
    done = Text.assemble(
        f" {facts.steps_done:,} of {facts.steps_total:,} steps done │ ",
        (SCHEDULE_PENDING, "dim italic"),
    )
    if facts.moved:  # the file's figures are stale: where the run went instead
        went = facts.moved.goes_on(facts.run_id, read_only)
        done = Text(f" {inert_line(went)} ", "bold white on red")
    return {"left": left, "clock": clock, "right": right, "figures": done}


class WarRoomBoot(App[None]):
    """The App `cutover run` starts: a sketch, then the war room itself (see the module doc)."""

    CSS_PATH = "warroom.tcss"
    TITLE = "cutover"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = bindings()  # the war room's keys: pressed now, they are refused in words

    def __init__(
        self,
        facts: FirstFacts,
        open_war_room: Callable[[], WarRoomParts | Refusal],
        *,
        prepare: Callable[[], None] = lambda: None,
        login: str,
        tz: tzinfo | None = None,
        read_only: bool = False,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(driver_class=driver_class())
        self.boot_facts = facts
        self.open_war_room = open_war_room
        self.prepare = prepare
        self.boot_login = login
        self.boot_zone = tz or ZoneInfo(facts.zone)
        self.boot_read_only = read_only
        self.boot_now = now or (lambda: datetime.now(UTC))
        self.guard = TerminalGuard(self)
        self.said: list[str] = []  # printed by the command after the terminal is given back
        self.taken_over = False

    def compose(self) -> ComposeResult:
        yield SketchBar(id="status")
        yield Container(id="panes")

    def on_mount(self) -> None:
        if not self.is_headless:
            self.guard.install()
        self.title = f"cutover · {inert_line(self.boot_facts.title, 200)}"
        self.show_sketch()
        self._boot_clock = self.set_interval(1.0, self.show_sketch, name="boot-clock")
        self.call_after_refresh(self._open_worker)  # once the sketch is on the terminal

    def on_unmount(self) -> None:  # quit during the sketch (the war room has its own)
        self.guard.remove()

    def show_sketch(self, width: int | None = None) -> None:
        if self.taken_over:
            return
        width = width or self.size.width
        lines = sketch_lines(
            self.boot_facts,
            self.boot_login,
            self.boot_now(),
            self.boot_zone,
            width,
            self.boot_read_only,
        )
        for name, text in lines.items():
            self.query_one(f"#status-{name}", Line).set(text)

    def on_resize(self, event: events.Resize) -> None:
        # The right side shortens below 110 columns, as the war room's (none once taken over).
        self.show_sketch(event.size.width)

    @work(thread=True, exclusive=True, group="boot", exit_on_error=False)
    def _open_worker(self) -> None:
        """The heavy imports, off the UI thread. The run itself is opened on the UI thread
        (`_opened`): its SQLite connections serve that thread from then on."""
        began = time.process_time()
        failed: Exception | None = None
        try:
            self.prepare()
        except Exception as exc:
            failed = exc
        self.log(f"war room imports: {time.process_time() - began:.2f} s of CPU")
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile (quit)
            self.call_from_thread(self._opened, failed)

    async def _opened(self, failed: Exception | None) -> None:
        if self._exit:  # quit or a signal during the imports: nothing to open, nothing to conduct
            return
        if failed is None:
            try:
                parts = self.open_war_room()
            except Exception as exc:
                failed = exc
        if failed is not None:
            parts = Refusal(f"cutover: {type(failed).__name__}: {inert_line(failed)}")
        if isinstance(parts, Refusal):
            self.said.append(parts.line)
            self.exit(return_code=parts.code)
            return
        try:
            await take_over(self, parts)
        except Exception as exc:
            # The worker that called this swallows errors (exit_on_error=False): without this
            # the sketch stood still for good, half taken over, with no word said.
            self.__class__ = WarRoomBoot
            self._bindings = WarRoomBoot._merged_bindings.copy()  # type: ignore[union-attr]
            if not self._exit:  # told to leave meanwhile (a signal): that says why, not this
                line = (
                    f"cutover: the war room could not open: {type(exc).__name__}: {inert_line(exc)}"
                )
                self.said.append(line)
                self.exit(return_code=1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Before the war room takes over, nothing that reads or changes the run."""
        return action in BEFORE_TAKEOVER

    async def run_action(
        self, action: Any, default_namespace: Any = None, namespaces: Any = None
    ) -> bool:
        """A key held back before the war room takes over says why, not nothing."""
        if await super().run_action(action, default_namespace, namespaces):
            return True
        if held_back(self, action, default_namespace, namespaces):
            self.notify(HELD_BACK, timeout=3)
        return False


async def recompose_first_screen(app: App[Any]) -> None:
    """App.recompose on the screen the war room lives on, not on the one on top: with the
    palette opened during the sketch, `app.screen` is the palette, and the war room's widgets
    went into it (its on_mount then found no #timeline: a traceback on the terminal)."""
    from textual.compose import compose  # what App.recompose uses (Textual 8.2)

    screen = app.screen_stack[0]
    async with screen.batch():
        await screen.query("*").exclude(".-textual-system").remove()
        await screen.mount_all(compose(app))


def held_back(app: App[Any], action: Any, default_namespace: Any, namespaces: Any) -> bool:
    """Was `action` refused by the App's own check_action (worth a word)? Not one aimed at a
    screen or a widget that skipped itself: Ctrl+C is first the screen's copy_text, which
    skips with nothing selected, then help_quit (that skip said "press again" too)."""
    target, name, params = app._parse_action(
        action, app if default_namespace is None else default_namespace, namespaces
    )
    return target is app and not app.check_action(name, params)


async def take_over(app: WarRoomBoot, parts: WarRoomParts) -> None:
    """The war room takes over `app`: same App, same terminal, its own class and widgets."""
    app.taken_over = True
    app._boot_clock.stop()
    # The boot's guard stays, its signal handlers never removed: removed here, a SIGTERM that
    # came while the run was opened (seconds at 20,000 steps) was dropped by asyncio, and one
    # during the takeover killed the app with the terminal left raw. The war room keeps it.
    guard = app.guard
    war = parts.app_class
    with app.batch_update():  # no frame between the sketch and the war room's own
        app.__class__ = war  # type: ignore[assignment]  # the App is the war room from now on
        if war._merged_bindings is not None:
            app._bindings = war._merged_bindings.copy()
        app._set_up(parts.source, parts.clock, **parts.options)  # type: ignore[attr-defined]
        app.guard = guard  # its on_mount's install() finds it installed (terminal.py)
        app.catch_up = parts.catch_up  # type: ignore[attr-defined]
        app.catch_up_later = parts.catch_up_later  # type: ignore[attr-defined]
        await recompose_first_screen(app)  # the war room's widgets in the sketch's place
        await app.on_mount()  # its own first frame (tui/first_paint.py), timers, conductor
    app.refresh_bindings()


__all__ = [
    "HELD_BACK",
    "Refusal",
    "WarRoomBoot",
    "WarRoomParts",
    "held_back",
    "sketch_lines",
    "take_over",
]
