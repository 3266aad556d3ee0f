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

from tests.browser_support import free_port, served
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


async def drawn(ws: aiohttp.ClientWebSocketResponse, words: str) -> None:
    seen = ""
    async for message in ws:
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += message.data.decode("utf-8", "replace")
            if words in seen:
                return
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
