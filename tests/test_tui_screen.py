"""The war room's screen holds up: resizes, toasts, footers and forms by role, narrow terminals."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Input, Label, RadioSet, Tabs
from textual.widgets._footer import FooterKey
from textual.widgets._toast import Toast, ToastRack

from cutover_tui.engine.events import CheckpointPassed, NoteAdded
from cutover_tui.plan import load_plan, parse_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.scenes import Script, script_night
from cutover_tui.tui.screens.form import FormScreen
from cutover_tui.tui.screenshots import PLAN as SCENES_PLAN
from cutover_tui.tui.screenshots import scene_app
from cutover_tui.tui.source import MemoryRun
from cutover_tui.tui.toasts import toast_limit
from cutover_tui.tui.widgets.comms import CommsLog
from cutover_tui.tui.widgets.status import StatusBar
from cutover_tui.tui.widgets.timeline import Timeline
from tests.warroom_support import (
    PLAN_PATH,
    StoppedClock,
    at,
    notices,
    select,
    settle,
    started,
    through_backup,
    through_gate,
    war_room,
)

SIZE = (160, 48)


def _shown(app, selector: str) -> bool:
    return app.query_one(selector).display and app.query_one(selector).region.area > 0


def _four_panes(app) -> bool:
    panes = ("#timeline", "#now", "#checks", "#comms")
    return not app.has_class("-narrow") and all(_shown(app, p) for p in panes)


def _tabs(app) -> bool:
    panes = ("#timeline", "#now", "#checks", "#comms")
    return (
        app.has_class("-narrow")
        and _shown(app, "#pane-tabs")
        and [p for p in panes if _shown(app, p)] == ["#timeline"]
    )


async def test_the_layout_follows_each_resize_not_the_one_before() -> None:
    # Regression: on_resize read `self.size` before Textual updated it, so 160x48 -> 100x30
    # gave four squashed panes and back to 160x48 gave tabs full-screen.
    app = war_room("alice", started(), now=at(1))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: _four_panes(app))
        await pilot.resize_terminal(100, 30)
        await settle(pilot, lambda: _tabs(app))
        assert isinstance(app.query_one("#pane-tabs"), Tabs)
        await pilot.resize_terminal(160, 48)
        await settle(pilot, lambda: _four_panes(app))
        await pilot.resize_terminal(160, 30)  # wide but short: tabs too
        await settle(pilot, lambda: _tabs(app))


# -- toasts --------------------------------------------------------------------------------


async def test_toasts_never_cover_the_status_lines_and_a_pile_collapses() -> None:
    app = war_room("alice", started(), now=at(1))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        for i in range(6):
            app.notify("\n".join(f"step-{i}-{j} has run past its budget" for j in range(8)))
        shown = toast_limit(24)  # two at 80x24: the newest and the count (test_tui_toast_newest)
        await settle(pilot, lambda: len(app.screen.query(Toast)) == shown)
        assert len(list(app._notifications)) == shown
        assert any(f"{7 - shown} earlier notices put away" in n for n in notices(app)), notices(app)
        assert "step-5-0" in " ".join(notices(app)), "the newest is kept"
        await settle(pilot, lambda: all(t.region.height for t in app.screen.query(Toast)))
        # What is on top on the two status lines, where the toasts are: never a toast.
        status = app.query_one(StatusBar).region
        for y in range(status.y, status.bottom):
            for x in range(40, 80):
                widget, _ = app.screen.get_widget_at(x, y)
                assert not isinstance(widget, Toast | ToastRack), (x, y, widget)
                assert not any(isinstance(a, Toast) for a in widget.ancestors), (x, y)


async def test_a_refusal_toast_keeps_the_role_in_brackets() -> None:
    # Regression: `[operator]` was read as markup and eaten.
    app = war_room("ops", started(), now=at(1))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        select(app, "freeze")
        await pilot.press("s")
        await settle(pilot, lambda: len(app.screen.query(Toast)) == 1)
        shown = str(app.screen.query_one(Toast).render())
        assert "[operator] may not start 'freeze'" in shown, shown


# -- panes at 80x24 ------------------------------------------------------------------------


async def test_the_timeline_names_its_lines() -> None:
    app = war_room("alice", through_gate(), now=at(50))
    async with app.run_test(size=SIZE) as pilot:
        timeline = app.query_one(Timeline)
        await settle(pilot, lambda: "deadline" in str(timeline.border_title))
        title = Content.from_markup(str(timeline.border_title)).plain
        by = app.frame.sched.last_safe_rollback_start
        assert "┃ now" in title
        assert f"┃ rollback by {app.frame.clock(by)}" in title
        assert f"┃ deadline {app.frame.clock(app.state.plan.window.end)}" in title


async def test_the_comms_log_is_not_clipped_under_its_scrollbar_at_80x24() -> None:
    # Regression: RichLog rendered lines at least 78 wide; at 80 columns the log is 77 wide
    # inside its border and scrollbar, so each line's end was cut off.
    events = [*through_gate(), *(_note(i) for i in range(30))]
    app = war_room("alice", events, now=at(80))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        log = app.query_one(CommsLog)
        await settle(pilot, lambda: log.display and len(log.lines) > 30)
        width = log.scrollable_content_region.width
        assert width < 78
        assert max(line.cell_length for line in log.lines) <= width
        text = " ".join(line.text for line in log.lines)
        assert "note 29 says what it says in full" in " ".join(text.split())


def _note(i: int) -> NoteAdded:
    return NoteAdded(
        actor="alice", at=at(60 + i / 2), kind="info", text=f"note {i} says what it says in full"
    )


# -- the footer and forms by role -------------------------------------------------------------

WATCHER_KEYS = {"why", "filter", "command_palette", "help", "quit"}


def _footer(app) -> dict[str, FooterKey]:
    return {key.action: key for key in app.query(FooterKey)}


async def test_a_watchers_and_a_followers_footer_show_only_what_they_may_do() -> None:
    for app in (war_room("viewer", started(), now=at(1)), _following("alice")):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda app=app: set(_footer(app)) == WATCHER_KEYS)
    app = war_room("alice", started(), now=at(1))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: {"rollback", "end_run", "start"} <= set(_footer(app)))


def _help_width(app) -> int:
    key = _footer(app).get("help")
    return key.region.width if key is not None else 0


def _following(actor: str):
    app = war_room(actor, started(), now=at(1))
    app.source.read_only = True  # as `cutover follow` opens it
    return app


async def test_at_80_columns_help_is_in_view_for_every_role() -> None:
    for actor in ("alice", "dba", "viewer"):
        app = war_room(actor, started(), now=at(1))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, lambda app=app: "help" in _footer(app))
            # The footer may be composed again meanwhile (its keys briefly gone): ask again.
            await settle(pilot, lambda app=app: _help_width(app) > 0)
            help_key = _footer(app)["help"]
            assert help_key.description == "help"
            assert help_key.region.right <= 80, (actor, help_key.region)


async def test_a_watcher_pressing_r_or_e_is_refused_at_once() -> None:
    app = war_room("viewer", through_gate(), now=at(50))
    async with app.run_test(size=SIZE) as pilot:
        for key, what in (("r", "invoke rollback"), ("E", "end")):
            await pilot.press(key)
            await settle(pilot, lambda what=what: any(f"may not {what}" in n for n in notices(app)))
            assert not isinstance(app.screen, FormScreen)
        (line,) = [n for n in notices(app) if "may not invoke rollback" in n]
        assert (
            line
            == f"{app.state.name('viewer')} [watcher] may not invoke rollback: only the commander (Alice Ng (alice)) may"
        )


async def test_a_follower_is_refused_at_once_saying_how_to_act() -> None:
    app = _following("alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await settle(pilot, lambda: any("read-only" in n for n in notices(app)))
        assert not isinstance(app.screen, FormScreen)


async def test_the_gate_form_offers_an_approver_never_someone_who_is_not_one() -> None:
    text = PLAN_PATH.read_text().replace(
        'approvers = ["alice", "sponsor"]', 'approvers = ["sponsor"]'
    )
    plan = parse_plan(text, name="warroom.toml").plan
    events = [*through_backup(), CheckpointPassed(actor="dba", at=at(44), step="backup-ok")]
    app = WarRoomApp(MemoryRun(plan, "alice", events), StoppedClock(at(45)))
    async with app.run_test(size=SIZE) as pilot:
        select(app, "go")
        await pilot.press("g")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#field-approver", Input).value == "sponsor"


def _night_done() -> WarRoomApp:
    """The online store's night with every step closed, not yet ended."""
    plan = load_plan(SCENES_PLAN).plan
    events, now = script_night(plan, Script(until_minutes=600))
    return WarRoomApp(MemoryRun(plan, "alice", events), StoppedClock(now))


async def test_the_end_form_offers_the_outcome_the_night_had() -> None:
    cases = (
        (war_room("alice", started(), now=at(1)), "aborted"),  # steps open: not completed
        (scene_app("rollback"), "rolled-back"),  # rolling back: never completed
        (_night_done(), "completed"),
    )
    for app, outcome in cases:
        async with app.run_test(size=SIZE) as pilot:
            assert app.state.phase != "ended"
            await pilot.press("E")
            await settle(pilot, lambda app=app: _pressed(app) is not None)  # mounted
            button = _pressed(app)
            assert str(button.label) == outcome, (outcome, app.state.phase)


def _pressed(app):
    """The outcome the end form has selected, once its choices are mounted (else None)."""
    if not isinstance(app.screen, FormScreen):
        return None
    radios = app.screen.query("#field-outcome")
    return radios.first(RadioSet).pressed_button if radios else None


async def test_the_rollback_form_says_the_reason_is_recorded_not_sent() -> None:
    app = war_room("alice", through_gate(), now=at(50))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, FormScreen))
        labels = " ".join(str(label.render()) for label in app.screen.query(Label))
        assert "recorded in the log" in labels
        assert "sent to every audience" not in labels
