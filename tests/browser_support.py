"""Headless Chromium (Debian's chromium and chromium-driver, through Selenium) against a real
`cutover serve`, and what the served terminal wrote.

The war room is drawn by xterm.js on a canvas, so its text is not in the page's DOM; the
browser is given a script before the page loads that keeps every byte the websocket brings
(`window.__screen`), which is exactly what xterm.js draws. `screen_text` strips the escape
sequences for a test to search.

    python -m tests.browser_support screenshots/web-war-room.png   # the README's picture
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
)
KEEP_BYTES = """
window.__screen = '';
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new Native(...args);
  const decoder = new TextDecoder();
  socket.addEventListener('message', (e) => {
    if (typeof e.data === 'string') return;
    const keep = (b) => { window.__screen += decoder.decode(b, {stream: true}); };
    if (e.data instanceof Blob) e.data.arrayBuffer().then(keep); else keep(e.data);
  });
  return socket;
};
window.WebSocket.prototype = Native.prototype;
"""
_ESCAPES = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-_]")


def why_no_browser() -> str | None:
    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
        return (
            "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "needs selenium (pip install -e '.[test]')"
    return None


@contextmanager
def chromium(width: int = 1400, height: int = 900) -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="cutover-chromium-")
    options.add_argument(f"--user-data-dir={profile}")  # a fresh profile: no cookie from before
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": KEEP_BYTES})
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screen_text(driver) -> str:
    """What the served war room has written so far, without its escape sequences."""
    return plain(driver.execute_script("return window.__screen || ''") or "")


def plain(written: str) -> str:
    """What a terminal was sent, without its escape sequences: the words on screen."""
    return _ESCAPES.sub("", written)


def wait_for_text(driver, words: str, timeout: float = 60.0) -> str:
    """The screen once `words` is on it; AssertionError at the deadline."""
    from tests.waiting import until

    def on_screen() -> str | None:
        text = screen_text(driver)
        return text if words in text else None

    return until(on_screen, f"{words!r} in the browser", timeout)


@contextmanager
def served(run: str, runs: Path, port: int, *extra: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`cutover serve RUN` in its own process: (the URL it printed, the process)."""
    env = {**os.environ, "CUTOVER_RUNS": str(runs)}
    process = subprocess.Popen(
        [sys.executable, "-m", "cutover_tui.cli", "serve", run, "--port", str(port), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        url = ""
        for line in process.stdout:  # the URL is printed before the server listens
            if "token=" in line:
                url = line.strip()
                break
        if not url:
            raise AssertionError(f"cutover serve printed no URL: {process.stderr.read()}")
        _wait_listening(port, process)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_listening(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    import socket

    from tests.waiting import until

    def listening() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"cutover serve ended: {process.stderr.read()}")
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    until(listening, f"cutover serve listening on {port}", timeout)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(target: str) -> int:
    """A real run of a bundled plan, served, drawn by Chromium, saved as a PNG."""
    runs = Path(tempfile.mkdtemp(prefix="cutover-shot-"))
    try:
        env = {**os.environ, "CUTOVER_RUNS": str(runs), "CUTOVER_CONFIG": str(runs / "none.toml")}
        os.environ.update(env)
        cli = [sys.executable, "-m", "cutover_tui.cli"]
        plan = ROOT / "plans" / "online-store.toml"
        started = subprocess.run(
            [*cli, "start", str(plan), "--rehearsal"], env=env, capture_output=True, text=True
        )
        run = started.stdout.strip().splitlines()[0]
        for action in (["start", "enable-maintenance-page"], ["note", "--note", "bridge open"]):
            subprocess.run([*cli, "do", run, *action], env=env, capture_output=True, check=False)
        port = free_port()
        with served(run, runs, port) as (url, _), chromium(1400, 860) as driver:
            driver.get(url)
            wait_for_text(driver, "read-only")
            wait_for_text(driver, "bridge open")  # the comms log has painted the note: a full frame
            driver.save_screenshot(target)
    finally:
        shutil.rmtree(runs, ignore_errors=True)
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
