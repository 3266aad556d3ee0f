"""Write the README's screenshots: the scripted scenes at a fixed clock, at two sizes.

    python -m cutover_tui.tui.screenshots [OUT_DIR]

Each SVG is the war room exactly as `cutover run` draws it, as the commander sees it.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ..clocks import FixedClock
from ..plan import load_plan
from .app import WarRoomApp
from .scenes import SCENES, script_night
from .source import MemoryRun

PLAN = Path(__file__).resolve().parents[2] / "plans" / "online-store.toml"
SIZES = ((160, 48), (80, 24))


def scene_app(name: str, actor: str = "alice", plan_path: Path = PLAN) -> WarRoomApp:
    """The war room on a scripted scene, its clock stopped at the scene's moment."""
    plan = load_plan(plan_path).plan
    events, now = script_night(plan, SCENES[name])
    return WarRoomApp(MemoryRun(plan, actor, events, run_id=f"scene-{name}"), FixedClock(now))


async def shoot(name: str, size: tuple[int, int], out: Path) -> Path:
    app = scene_app(name)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        path = out / f"warroom-{name}-{size[0]}x{size[1]}.svg"
        app.save_screenshot(path.name, path=str(out))
    return path


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for name in SCENES:
        for size in SIZES:
            print(asyncio.run(shoot(name, size, out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
