"""`x`: ask the conductor to run the highlighted checkpoint's check now; `H`: the health screen.

`x` records a CheckRequested naming the step and its attempt, nothing else: what runs is the
plan's check, run by the conductor as its own OS user (clock/checking.py). The rules say who
may ask (the commander or the step's owner) and when (the checkpoint is running, the run's
checks are on), and a refusal says so in one line.
"""

from __future__ import annotations

from ...engine.events import CheckRequested
from .core import ActionCore


class CheckActions(ActionCore):
    def action_run_check(self, step: str | None = None) -> None:
        step = step or self.selected_step()
        if not step:
            return
        st = self.state.status.get(step)
        attempt = st.attempts if st is not None else 0
        if self.submit(CheckRequested(step=step, attempt=attempt, **self.base())):
            self.notify(f"{step}: check asked for; the conductor runs it", timeout=4)

    def action_health(self) -> None:
        from ..screens.health import HealthScreen  # not on the first frame (issue 14)

        self.push_screen(HealthScreen(self.state))
