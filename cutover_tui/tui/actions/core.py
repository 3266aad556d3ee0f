"""What every war-room action needs of the app: the folded run, the person, the clock, the
highlighted step, a form to ask for words, and the journal to submit the event to.

`ActionCore` is the base of every action mixin (see `tui/actions/__init__.py`) and of
`WarRoomApp`; the app fills the attributes declared here. An action goes: the highlighted
step (or the one the palette named) -> `ask` opens a form, unless the rules refuse the command
whatever its words -> `submit` appends the event, checked in the journal's write
transaction -> `poll_journal` folds it and every pane shows it. A form records its words
before it closes: a refusal then stays in the open form, the words kept (`_record_in_form`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import chain, count

from textual.app import App

from ...clocks import Clock
from ...engine.actions import Words, event_for
from ...engine.events import Event
from ...engine.state import Refused, RunState
from ..frame import Frame
from ..keys import who_may
from ..roles import early_refusal, may_use
from ..screens.form import FormScreen, FormSpec
from ..source import RunSource, new_key
from ..widgets.now import NowPane
from .in_sight import now_pane_hidden, show_now_pane, show_now_tab

NO_WORDS = Words()  # start, complete, resume: the step is all they need


class ActionCore(App[None]):
    state: RunState
    source: RunSource
    clock: Clock
    frame: Frame | None
    _form_refusals: list[str] | None = None  # set while a form's words are being recorded
    _form_keys: Iterator[str] | None = None  # the open form's keys, while it records

    def poll_journal(self) -> None:  # the app's refresh loop
        raise NotImplementedError

    def submit(self, event: Event) -> bool:
        """Append `event`; a refusal is one toast naming why. True when it was recorded."""
        try:
            self.source.submit(event)
        except Refused as refusal:
            self.refuse(str(refusal))
            return False
        self.poll_journal()
        return True

    def refuse(self, message: str) -> None:
        """Say why a command was not recorded: in the form being submitted, which then stays
        open with what was typed, else in a toast."""
        if self._form_refusals is not None:
            self._form_refusals.append(message)
            return
        self.notify(message, title="Refused", severity="error", timeout=10)

    def _record_in_form(
        self, then: Callable[[dict[str, str]], None], values: dict[str, str], form_key: str
    ) -> str | None:
        """Run a form's `then` while the form is still open: the first refusal, or None.

        Its events take their keys from the form (`form_key`, then a count): a submit of the
        same form again is the same command to the journal, which answers with what it
        stored, not a second copy (journal/idempotency.py)."""
        self._form_refusals = caught = []
        self._form_keys = form_keys(form_key)
        try:
            then(values)
        finally:
            self._form_refusals = None
            self._form_keys = None
        return caught[0] if caught else None

    def base(self) -> dict:
        """The fields every event carries: who, when, and an idempotency key (the open
        form's while it records, else a fresh one)."""
        key = next(self._form_keys) if self._form_keys is not None else new_key()
        return {"actor": self.source.actor, "at": self.clock.now(), "key": key}

    def event(self, action: str, target: str | None, words: Words = NO_WORDS) -> Event:
        """The event `action` asks for, by the same mapping as `cutover do` (engine/actions.py).

        Only for words a form has already checked: a missing word is a ValueError there."""
        return event_for(action, target, words, **self.base())

    def selected_step(self) -> str | None:
        step = self.query_one(NowPane).selected
        if step is None:
            if not self.read_only and now_pane_hidden(self):  # 80x24: say it where it is seen
                show_now_tab(self)
            self.notify("highlight a step in the Now pane first", severity="warning")
        elif not self.read_only and now_pane_hidden(self):  # 80x24, another tab: show it first
            show_now_pane(self, step, self.state.steps[step].title)
            return None
        return step

    def step_title(self, step_id: str) -> str:
        return f"{step_id}: {self.state.steps[step_id].title}"

    def ask(
        self,
        spec: FormSpec,
        then: Callable[[dict[str, str]], None],
        probe: Event | str | None = None,
    ) -> None:
        """Open a form, unless `probe` (the command with placeholder words, or a refusal
        already known) is refused whatever the words: then say so at once, in one line."""
        if self.source.moved:  # nothing is recorded on a file whose run moved: say where
            refusal: str | None = self.source.moved
        elif isinstance(probe, str) or probe is None:
            refusal = probe
        else:
            refusal = early_refusal(self.state, probe, self.read_only)
        if refusal:
            self.notify(refusal, title="Refused", severity="error", timeout=10)
            return

        key = new_key()  # one per opened form: its repeats are one command
        self.push_screen(FormScreen(spec, lambda values: self._record_in_form(then, values, key)))

    @property
    def read_only(self) -> bool:
        """Nothing recorded from here: followed (`cutover follow`), or the run moved away."""
        return self.source.read_only or self.source.moved is not None

    def offers(self, action: str) -> bool:
        """Whether this person is offered `action` (footer, palette): the key table's who."""
        return may_use(who_may(action), self.state, self.source.actor, self.read_only)


def form_keys(form_key: str) -> Iterator[str]:
    """The keys of the events one form's submit records, in order: the same each submit."""
    return chain([form_key], (f"{form_key}-{n}" for n in count(1)))
