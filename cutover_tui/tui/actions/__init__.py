"""The war room's actions, one module per family, each with its forms.

Each family is a mixin that `WarRoomApp` inherits, not a set of functions taking the app:
Textual finds an action by its method name (`s` runs `action_start`, the palette runs
`run_action("start")`), so a method is what a binding needs, and a mixin lets the key table,
the bindings and the tests keep naming actions as they always did. Every mixin builds on
`ActionCore` (core.py): what an action needs of the app (the folded state, the person, the
clock, the highlighted step, a form, the journal), declared once so a reader of one family
sees in one place what it may call.

- steps.py: start, complete, pass, fail, suspend or resume, skip (one step's progress)
- decisions.py: gates, readiness, notes, overriding a fired trigger (what people decide)
- amend.py: a new estimate, a new step (tonight's plan changed live)
- night.py: rollback, ending the run (the night as a whole)
- checks.py: x runs a checkpoint's check (through the conductor), H the health screen
- views.py: panes, the timeline's zoom and pan, the comms filter, why, comms, help
- fields.py: the forms' field checks (a budget, a person)
"""
