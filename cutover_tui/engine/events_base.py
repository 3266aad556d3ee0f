"""The base of every event (`EventBase`: who, when, the idempotency key, the journal's seq)
and the conductor's actor name; engine/events.py builds the union of all events on it.

Split out of engine/events.py unchanged; events.py re-exports both names.
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict

CONDUCTOR = "conductor"


class EventBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    actor: str
    at: AwareDatetime
    recorded_at: AwareDatetime | None = None
    mono: float | None = None
    boot: str | None = None
    key: str = ""
    seq: int = 0  # assigned by the journal; 0 until appended

    @property
    def step_id(self) -> str | None:
        return getattr(self, "step", None)
