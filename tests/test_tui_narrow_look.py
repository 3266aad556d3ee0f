"""At 80x24: forms open showing their titles, toasts keep off a form's buttons, and the footer
shows words, not bare letters (hostile user pass, 2026-12-02).

Found: the footer read `s start  c complete  f  p  g  u  k  a  m  n  r  E ...`; the note and
End-run forms opened scrolled past their titles (Textual's auto-focus centred the first
field); an alert toast covered Roll back and Cancel in the rollback form.
"""

from __future__ import annotations

import asyncio

from textual.widgets import Button
from textual.widgets._footer import FooterKey
from textual.widgets._toast import Toast

from cutover_tui.tui.widgets.footer import fit_labels
from tests.test_inert_warroom import screen_text
from tests.warroom_support import at, open_form, settle, through_load, war_room

NARROW = (80, 24)


async def _form_top(key: str) -> tuple[str, str, object]:
    app = war_room("alice", through_load(), now=at(61))
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        await open_form(pilot, app, key)
        await pilot.wait_for_scheduled_animations()
        title = str(app.screen.query_one(".title").content)
        return title, screen_text(app), app.screen.focused


def test_the_note_form_opens_with_its_title_and_note_in_view() -> None:
    title, shown, focused = asyncio.run(_form_top("n"))
    assert title == "Add to the log" and title in shown, shown
    assert "about load" in shown, shown
    assert focused is not None and focused.id == "field-kind"


def test_the_end_run_form_opens_with_its_title_in_view() -> None:
    title, shown, focused = asyncio.run(_form_top("E"))
    assert title in shown, shown
    assert focused is not None and focused.id == "field-outcome"


async def _toast_over_rollback() -> list[str]:
    app = war_room("alice", through_load(), now=at(61))
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        await open_form(pilot, app, "r")
        app.notify(
            "rollback trigger load-overrun fired: load has run 1h31m against its 1h budget",
            title="ROLL BACK",
            severity="error",
            timeout=60,
        )
        await settle(pilot, lambda: app.screen.query(Toast))
        await pilot.wait_for_scheduled_animations()
        toasts = [t.region for t in app.screen.query(Toast)]
        return [
            button.id or "?"
            for button in app.screen.query(Button)
            if any(button.region.overlaps(t) for t in toasts)
        ]


def test_a_toast_keeps_off_the_rollback_forms_buttons() -> None:
    assert asyncio.run(_toast_over_rollback()) == []


async def _footer() -> list[tuple[str, str, int]]:
    app = war_room("alice", through_load(), now=at(61))
    async with app.run_test(size=NARROW) as pilot:

        def composed() -> list[tuple[str, str, int]]:
            # The footer is composed again as the size and bindings settle: keys come and go.
            keys = [(k.action, k.description, k.region.right) for k in app.query(FooterKey)]
            laid_out = keys and all(right for _, _, right in keys)
            return keys if laid_out and "help" in {a for a, _, _ in keys} else []

        await settle(pilot, composed)
        return composed()


def test_the_commanders_footer_at_80_columns_is_words_not_bare_keys() -> None:
    keys = asyncio.run(_footer())
    assert all(label for _, label, _ in keys), keys
    assert all(right <= 80 for _, _, right in keys), keys
    assert {"start", "complete", "rollback", "help", "quit"} <= {a for a, _, _ in keys}


def test_fit_labels_serves_help_and_rollback_before_later_keys() -> None:
    keys = [("start", "s", "start"), ("decide", "g", "decide"), ("rollback", "r", "rollback…")]
    keys += [("help", "?", "help"), ("quit", "q", "quit")]
    shown = fit_labels(keys, 9 + 9 + 13 + 9)  # room for help, quit, start and rollback
    assert shown == {"help", "quit", "start", "rollback"}
    assert fit_labels(keys, 500) == {a for a, _, _ in keys}
