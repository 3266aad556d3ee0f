"""`cutover serve`: the war room in headless Chromium (Debian's chromium and chromium-driver,
through Selenium), against a real server, a real run and the real CLI appending to it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from cutover_tui.journal.backend import open_at
from cutover_tui.tui.keys import KEYS
from tests.browser_support import (
    chromium,
    free_port,
    screen_text,
    served,
    wait_for_text,
    why_no_browser,
)
from tests.journal_support import new_run
from tests.waiting import until

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(why_no_browser() is not None, reason=why_no_browser() or "")


def cutover(runs: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *args],
        cwd=ROOT,
        env={**os.environ, "CUTOVER_RUNS": str(runs)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_the_browser_sees_the_run_follows_it_and_cannot_act(
    where: Path | str, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    journal = new_run(where if isinstance(where, str) else runs, steps=5)
    on = ("--journal", where) if isinstance(where, str) else ()  # a run in PostgreSQL
    port = free_port()
    with served(journal.run_id, runs, port, *on) as (url, _), chromium() as browser:
        assert url.startswith(f"http://127.0.0.1:{port}/?token=")  # loopback by default
        browser.get(url)
        screen = wait_for_text(browser, "Journal test")  # the plan's title
        assert "read-only" in screen  # the status line says what this view is
        # A watcher's footer: the keys that look, none that act (as the commander it would
        # show them: this process's login commands the run).
        screen = wait_for_text(browser, "q quit")  # the footer is composed after the frame
        assert "? help" in screen
        acting = [k for k in KEYS if k.label and k.who != "everyone" and len(k.key) == 1]
        assert acting and not [k.key for k in acting if f"{k.key} {k.label}" in screen]
        # Keys that act, from the browser: refused before the journal sees them.
        # Typed as a person types: into the focused terminal (Chromium 150 calls xterm's
        # helper textarea "not interactable" to an element's send_keys). The `?` after them
        # opens the help screen: the keys before it reached the tab too.
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        terminal = browser.find_element("css selector", ".xterm-helper-textarea")
        browser.execute_script("arguments[0].focus()", terminal)
        ActionChains(browser).send_keys("s", "c", "r", "n", "?").perform()
        wait_for_text(browser, "start the highlighted step")  # the help screen's first row
        ActionChains(browser).send_keys(Keys.ESCAPE).perform()  # the war room again
        # The CLI appends: the page shows it.
        said = cutover(runs, "do", journal.run_id, "note", "--note", "bridge moved to room 2", *on)
        assert said.returncode == 0, said.stderr
        wait_for_text(browser, "bridge moved to room 2")
        events = open_at(journal.locator).events()
        assert [e.type for e in events] == ["run-started", "note-added"]  # nothing from keys
        browser.save_screenshot(str(tmp_path / "web.png"))
    assert (tmp_path / "web.png").stat().st_size > 10_000


def test_without_the_token_nothing_is_served(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    journal = new_run(runs, steps=5)
    port = free_port()
    with served(journal.run_id, runs, port) as (url, _), chromium() as browser:
        base = f"http://127.0.0.1:{port}"
        # Waited for, not read at once: under load Chromium 150 once gave the page's source
        # as an empty <pre> just after `get` returned (a text page still being filled in).
        for path in ("/", "/?token=wrong"):
            browser.get(base + path)
            until(lambda: "needs the token" in browser.page_source, f"the refusal of {path}", 30)
        assert screen_text(browser) == ""  # no websocket, no war room
        for path in ("/", "/ws", "/?token=", "/download/x"):
            assert status_of(base + path) == 403, path
        assert status_of(url) == 200


def test_a_run_that_is_not_there_is_one_line(tmp_path: Path) -> None:
    said = cutover(tmp_path / "runs", "serve", "no-such-run", "--port", str(free_port()))
    assert said.returncode == 1 and "Traceback" not in said.stderr
    assert said.stderr.strip().startswith("cutover serve: no run 'no-such-run'")


def _handshake(port: int, token: str, origin: str) -> int:
    """The websocket's opening request, as a page of `origin` holding the cookie makes it."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Cookie": f"cutover_token={token}",
        "Origin": origin,
    }
    try:
        conn.request("GET", "/ws", headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def test_a_page_of_another_origin_cannot_open_the_websocket(tmp_path: Path) -> None:
    """User pass, 2026-12-02: a page on another port of 127.0.0.1 is the same site, so the
    SameSite cookie went with its websocket request and the war room was relayed to it."""
    runs = tmp_path / "runs"
    journal = new_run(runs, steps=5)
    port = free_port()
    with served(journal.run_id, runs, port) as (url, _):
        token = url.split("token=", 1)[1]
        assert _handshake(port, token, "http://127.0.0.1:9999") == 403
        assert _handshake(port, token, "http://evil.example") == 403
        assert _handshake(port, token, f"http://127.0.0.1:{port}") == 101


def test_the_page_loads_nothing_from_another_site(tmp_path: Path) -> None:
    """User pass (2026-12-02): textual-serve's page asked fonts.googleapis.com for its font,
    so every viewer's browser called out of the jump host's network. It names the copy
    textual-serve ships, which this server serves."""
    runs = tmp_path / "runs"
    journal = new_run(runs, steps=5)
    port = free_port()
    with served(journal.run_id, runs, port) as (url, _):
        with urllib.request.urlopen(url, timeout=30) as response:
            page = response.read().decode()
        loads = re.findall(r"""(?:href|src)=["']?(https?://[^"'\s>]+)""", page)
        own = f"http://127.0.0.1:{port}/"
        assert [u for u in loads if not u.startswith(own)] == [] and "googleapis" not in page
        font = re.search(r"url\('([^']+\.ttf)'\)", page)
        assert font is not None, page[:400]
        assert status_of(urllib.parse.urljoin(url, font.group(1))) == 200  # served here
