"""A war room started by tui/boot.py on a real run file, its takeover held until a test lets it go."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

from cutover_tui.journal.first_facts import read_first_facts
from cutover_tui.tui.boot import WarRoomBoot
from tests.journal_support import new_run

SIZE = (160, 48)


def run_file(directory: Path, steps: int = 150) -> Path:
    """A started run of `steps` steps (above DEFER_STEPS), closed: its file."""
    journal = new_run(directory, steps=steps)
    journal.close()
    return journal.path


def boot_app(path: Path, read_only: bool = False) -> tuple[WarRoomBoot, threading.Event]:
    """The boot on `path`, opened as `cutover run` opens it; the event lets its imports end."""
    from cutover_tui.cli.warroom_boot import import_war_room

    release = threading.Event()

    def prepare() -> None:
        assert release.wait(60), "the test never let the boot's worker go"
        import_war_room()

    def open_war_room():
        from cutover_tui.cli.warroom_commands import war_room_parts
        from cutover_tui.journal.store import Journal

        return war_room_parts(Journal(path), read_only=read_only)

    facts = read_first_facts(path, time.time())
    assert facts is not None, "the run's facts are readable"
    app = WarRoomBoot(facts, open_war_room, prepare=prepare, login="tester", read_only=read_only)
    return app, release


def sketch_text(app: WarRoomBoot) -> str:
    return " ".join(
        app.query_one(f"#status-{n}").text.plain for n in ("left", "clock", "right", "figures")
    )


def taken_over(app) -> bool:
    return type(app).__name__ == "WarRoomApp" and app.frame is not None and app._warming is None


def now() -> datetime:
    return datetime.now().astimezone()
