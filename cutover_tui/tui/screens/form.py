"""One modal form for every question the war room asks: a reason, evidence, an ETA, a
gate decision, a confirmation. Enter submits, Escape cancels.

A form given an `attempt` records its words itself before it closes: when the journal refuses
them (the run ended or a role moved in another process since the form opened), the form stays
open with everything typed and the refusal's one line, to fix and submit again or cancel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from ...inert import inert, inert_line


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False
    placeholder: str = ""
    value: str = ""
    choices: tuple[str, ...] = ()  # a choice field when given
    validate: object = None  # callable(str) -> error message | None


@dataclass(frozen=True)
class FormSpec:
    title: str
    fields: tuple[Field, ...] = ()
    submit: str = "OK"
    danger: bool = False
    note: str = ""
    extra: dict = field(default_factory=dict)


class FormScreen(ModalScreen[dict[str, str] | None]):
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    /* A box that scrolls: at 80x24 a gate's form is taller than the screen, and the field
       in focus (Tab) must come into view, the buttons too. */
    FormScreen > VerticalScroll {
        width: 72; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    FormScreen.-danger > VerticalScroll { border: thick $error; }
    FormScreen .title { text-style: bold; margin-bottom: 1; }
    FormScreen .note { color: $text-muted; margin-bottom: 1; }
    FormScreen .error { color: $error; height: auto; min-height: 1; }
    FormScreen Input, FormScreen RadioSet { margin-bottom: 1; }
    FormScreen Horizontal { height: auto; align-horizontal: right; }
    FormScreen Button { margin-left: 2; }
    /* Toasts over a form at the top right, over its title's end, never over its buttons
       (at 80x24 an alert hid Roll back and Cancel). */
    FormScreen ToastRack { dock: top; align: right top; margin-bottom: 0; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="form.cancel")]
    AUTO_FOCUS = ""  # not the app's: on_mount focuses the first field, the title kept in view

    def __init__(
        self, spec: FormSpec, attempt: Callable[[dict[str, str]], str | None] | None = None
    ) -> None:
        super().__init__(classes="-danger" if spec.danger else "")
        self.spec = spec
        self.attempt = attempt  # records the words: None when done, else the refusal
        # Set from an attempt until its refusal, and by a cancel: a second Enter queued before
        # the first was handled (a key repeat, a paste ending in \r\r, a laggy ssh read), or a
        # cancel queued behind a submit, is ignored.
        self._answered = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):  # the first field takes the focus
            # Titles and notes quote the plan (a step's title, its verify text): made inert.
            yield Static(inert(self.spec.title), classes="title", markup=False)
            if self.spec.note:
                yield Static(inert(self.spec.note), classes="note", markup=False)
            for f in self.spec.fields:
                yield Label(inert_line(f.label) + (" *" if f.required else ""), markup=False)
                if f.choices:
                    with RadioSet(id=f"field-{f.name}"):
                        for i, choice in enumerate(f.choices):
                            yield RadioButton(
                                Text(inert_line(choice)),  # a str label would be read as markup
                                value=(choice == f.value or (not f.value and i == 0)),
                            )
                else:
                    yield _steady_input(f)
            yield Static("", classes="error", id="form-error", markup=False)
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(
                    self.spec.submit,
                    id="submit",
                    variant="error" if self.spec.danger else "primary",
                )

    def on_mount(self) -> None:
        """Focus the first field without scrolling: Textual's auto-focus centres the field
        (an animated scroll), which at 80x24 opened the note and End-run forms scrolled past
        their titles. The first field follows the title and note, so it is in view too."""
        first = self.spec.fields[0].name if self.spec.fields else None
        target = self.query_one(f"#field-{first}" if first else "#submit")
        self.set_focus(target, scroll_visible=False)

    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in self.spec.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, RadioSet):
                index = widget.pressed_index
                out[f.name] = f.choices[index] if index >= 0 else ""
            else:
                out[f.name] = widget.value.strip()
        return out

    def problem(self, values: dict[str, str]) -> str | None:
        for f in self.spec.fields:
            if f.required and not values[f.name]:
                return f"{f.label} is required"
            if f.validate and values[f.name]:
                message = f.validate(values[f.name])
                if message:
                    return message
        return None

    @on(Input.Submitted)
    @on(Button.Pressed, "#submit")
    def submit(self) -> None:
        if self._answered:  # answered once already (or being): a queued repeat
            return
        values = self.values()
        problem = self.problem(values)
        if problem:
            self.query_one("#form-error", Static).update(inert(problem))
            return
        self._answered = True
        refusal = self.attempt(values) if self.attempt else None
        if refusal:  # the journal's one line (it may quote a plan or a person): kept open
            self._answered = False
            self.query_one("#form-error", Static).update(inert_line(refusal))
            return
        self._close(values)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self._answered:  # a cancel queued behind a submit (or another cancel)
            return
        self._answered = True
        self._close(None)

    def _close(self, result: dict[str, str] | None) -> None:
        if self.app.screen_stack[-1:] == [self]:  # popping one no longer on top raises
            self.dismiss(result)


def _steady_input(f: Field) -> Input:
    """A text field whose cursor does not blink: a blinking cursor repaints twice a second
    (bytes over SSH while a form is open) and made screenshots differ with the moment."""
    field_input = Input(value=f.value, placeholder=f.placeholder, id=f"field-{f.name}")
    field_input.cursor_blink = False
    return field_input
