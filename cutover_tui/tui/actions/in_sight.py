"""A step key acts only on a step the person can see.

At 80x24 the panes are tabs, and the step keys (s, c, f, p, x, g, u, k, a) act on the Now
pane's highlighted step. On the Timeline, Checks or Comms tab that step is hidden: a hostile
user pass (2026-12-02) pressed `s` on the Timeline tab and restarted the failed `freeze`, then
`c` on the Comms tab and completed it, with no notice and no confirmation.

What a commander expects of a key pressed on the wrong tab: nothing recorded, the Now tab
shown with the step highlighted, and one line saying which step the key would act on and to
press it again. The second press acts on what is now in view. With no step highlighted, the
key shows the Now tab too, so "highlight a step" is said where one can be highlighted. The
command palette names its step, so it acts on any tab; so do wide terminals, where the Now
pane is always shown.
"""

from __future__ import annotations

from textual.app import App
from textual.widgets import OptionList, Tabs

NOW_TAB = "tab-now"


def now_pane_hidden(app: App) -> bool:
    """Whether the Now pane (the highlighted step) is off screen: narrow, another tab."""
    if not app.has_class("-narrow"):  # wide: the four panes side by side (app._fit_layout)
        return False
    return app.query_one("#pane-tabs", Tabs).active != NOW_TAB


def hidden_step_notice(step_id: str, title: str) -> str:
    """The one line said instead of acting on a step the person could not see."""
    return (
        f"Nothing recorded: the step keys act on the Now tab's highlighted step, "
        f"{step_id} ({title}). Now shown: press the key again to act on it."
    )


def show_now_tab(app: App) -> None:
    """Switch to the Now tab and give its list the keys (arrows move the highlight)."""
    app.query_one("#pane-tabs", Tabs).active = NOW_TAB
    app.query_one("#now-list", OptionList).focus()


def show_now_pane(app: App, step_id: str, title: str) -> None:
    """Switch to the Now tab, give its list the keys, say why."""
    show_now_tab(app)
    app.notify(hidden_step_notice(step_id, title), title="Which step?", severity="warning")


__all__ = ["hidden_step_notice", "now_pane_hidden", "show_now_pane", "show_now_tab"]
