"""A browser tab's war room (`cutover web-watch`) ends when its websocket closes, cleanly or
by a dropped connection (cli/web_watch_life.py, `ending_on_quit`). Found by a user pass
(2026-12-02): tabs closed while their war room was still starting lived on, each spinning
on a core, until `cutover serve` ended.

A real `cutover serve` on loopback and a real websocket client (aiohttp, as the user pass
used), speaking textual-serve's protocol as its page does."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import aiohttp
import pytest

from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal import seen
from tests.browser_support import free_port, plain, served
from tests.journal_support import at, new_run
from tests.test_cli_run import begun_last_night
from tests.test_web_watch_life import gone
from tests.waiting import until, until_async

# Ended within this, or never: the tabs that leaked lived until serve ended. Generous for a
# loaded machine (the quit waits in the pipe until the starting war room reads its input).
ENDED_S = 30.0


def tab_of(serve: int, known: set[int]) -> int | None:
    """A `cutover web-watch` child of `serve` not in `known` (textual-serve starts each tab
    through `sh -c 'exec ...'`: the shell's pid becomes the tab's once it has exec'd)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in known:
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == serve and b"web-watch" in command:
            return int(entry)
    return None


async def close(ws: aiohttp.ClientWebSocketResponse, how: str) -> None:
    if how == "clean":
        await ws.close()
    else:  # the connection dropped: no close frame, the socket reset
        ws._response.connection.transport.abort()  # type: ignore[union-attr]


async def open_tab(
    session: aiohttp.ClientSession, port: int, serve: int, known: set[int]
) -> tuple[aiohttp.ClientWebSocketResponse, int]:
    ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
    await ws.send_json(["resize", {"width": 120, "height": 40}])  # as textual-serve's page
    tab = await until_async(lambda: tab_of(serve, known), "the tab's web-watch process")
    known.add(tab)
    return ws, tab


async def drawn(ws: aiohttp.ClientWebSocketResponse, words: str) -> str:
    """What the tab wrote until `words` were on its screen, without escape sequences."""
    seen = ""
    async for message in ws:
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += message.data.decode("utf-8", "replace")
            if words in plain(seen):
                return plain(seen)
    raise AssertionError(f"the websocket closed before {words!r} was drawn")


async def two_tabs(url: str, port: int, serve: int, how: str) -> list[int]:
    """One tab closed at once, while its war room starts (the one that leaked), one once its
    war room has drawn; their processes."""
    known: set[int] = set()
    jar = aiohttp.CookieJar(unsafe=True)  # the token's cookie, on 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(url) as page:
            assert page.status == 200
        early, first = await open_tab(session, port, serve, known)
        await close(early, how)
        late, second = await open_tab(session, port, serve, known)
        await asyncio.wait_for(drawn(late, "read-only"), timeout=60)
        await close(late, how)
    return [first, second]


@pytest.mark.parametrize("how", ["clean", "abort"])
def test_a_served_tab_ends_when_its_websocket_closes(tmp_path: Path, how: str) -> None:
    run, runs = begun_last_night(tmp_path)
    port = free_port()
    tabs: list[int] = []
    with served(run, runs, port) as (url, serve):
        try:
            tabs = asyncio.run(two_tabs(url, port, serve.pid, how))
            for tab in tabs:
                until(
                    lambda tab=tab: gone(tab),
                    f"tab {tab} ended after its websocket closed ({how})",
                    ENDED_S,
                )
            assert serve.poll() is None  # ended with its tab, not with its server
        finally:
            for tab in tabs:
                if not gone(tab):
                    os.kill(tab, signal.SIGKILL)


def test_only_the_web_driver_is_changed() -> None:
    """`cutover web-watch` in a terminal (no textual-serve, no `quit`) keeps its driver."""
    from textual.drivers.linux_driver import LinuxDriver
    from textual.drivers.web_driver import WebDriver

    from cutover_tui.cli.web_watch_life import ending_on_quit

    assert ending_on_quit(LinuxDriver) is LinuxDriver
    assert issubclass(ending_on_quit(WebDriver), WebDriver)


async def one_tab_drawn(url: str, port: int, serve: int) -> tuple[str, int]:
    """A tab opened, drawn and closed: what its screen said, and its process."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(url) as page:
            assert page.status == 200
        ws, tab = await open_tab(session, port, serve, set())
        screen = await asyncio.wait_for(drawn(ws, "read-only"), timeout=60)
        await ws.close()
    return screen, tab


def test_a_served_tab_is_nobody_and_leaves_the_runners_memory_be(
    tmp_path: Path, state: Path
) -> None:
    """The login running `cutover serve` (boss, the commander) last looked at event 1; a note
    came after. A browser tab watches as nobody in particular, and their own war room still
    has the note to tell them: before, each tab was `The Boss: commander` and wrote boss's
    memory of the head (journal/seen.py), as if they had looked."""
    runs = tmp_path / "runs"
    journal = new_run(runs, steps=5)
    seen.remember(journal.run_id, journal.path, *journal.head)
    journal.append(NoteAdded(actor="boss", at=at(2), text="bridge moved", key="n"))
    journal.close()
    port = free_port()
    tab = 0
    with served(journal.run_id, runs, port) as (url, serve):
        try:
            screen, tab = asyncio.run(one_tab_drawn(url, port, serve.pid))
            until(lambda: gone(tab), "the tab ended once closed", ENDED_S)
        finally:
            if tab and not gone(tab):
                os.kill(tab, signal.SIGKILL)
    remembered = seen.recall(journal.run_id, journal.path)
    assert remembered is not None and remembered.seq == 1  # the tab wrote nobody's memory
    assert "browser, read-only" in screen and "commander" not in screen
