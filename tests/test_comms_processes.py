"""Comms with real processes: `cutover conduct` SIGKILLed between the SMTP server taking a
message and the journal recording it, 20 rounds (every key arrives, and once per key at a
receiver that drops a second copy by its key); credentials never in the journal, a log or
the output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from cutover_tui.engine.events import RunEnded
from cutover_tui.journal.run_lookup import event_rows
from cutover_tui.journal.store import Journal
from tests.comms_support import (
    Mailbox,
    at,
    comms_config,
    comms_plan,
    new_run,
    queued,
    smtp_server,
)

ROUNDS = 20
MESSAGES = 24


def conduct(run_id: str, runs: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cutover_tui.cli", "conduct", run_id, "--runs", str(runs)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def queued_by_hand(journal: Journal, count: int, *, webhook: bool = False) -> list[str]:
    ids = [f"note-{n:02d}.execs.email" for n in range(count)]
    if webhook:
        journal.append(queued("hook.desk.webhook", key="qh", cause="draft"))
    for n, message in enumerate(ids):
        journal.append(
            queued(message, key=f"q{n}", subject=f"update {n}", body=f"body {n}", cause="draft")
        )
    journal.append(RunEnded(actor="boss", at=at(6), outcome="aborted", reason="test", key="end"))
    return ids


def war_room_comms_screen(journal: Journal) -> str:
    """What the war room's comms screen shows of the run, as text."""
    from rich.console import Console

    from cutover_tui.tui.frame import Frame
    from cutover_tui.tui.screens.comms import contacts_table, draft_lines, outbox_table

    frame = Frame.at(Journal(journal.path).state(), at(7), "boss")
    console = Console(width=300, record=True, color_system=None)
    for part in (outbox_table(frame), draft_lines(frame), contacts_table(frame)):
        console.print(part)
    return console.export_text()


def env_for(tmp_path: Path, config: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CUTOVER_COMMS_CONFIG": str(config),
        "CUTOVER_CONFIG": str(tmp_path / "no-host-config.toml"),
    }


def test_conductor_killed_between_delivery_and_recording_20_rounds(tmp_path: Path) -> None:
    box = Mailbox()
    current: dict[str, int] = {}
    kills = {"left": ROUNDS}
    killed_on: set[str] = set()
    lock = threading.Lock()

    def kill_after_taking(message) -> None:
        # The server has the message; the conductor dies before it hears "250" and records.
        key = message["X-Cutover-Key"]
        with lock:
            if kills["left"] > 0 and key not in killed_on and "pid" in current:
                killed_on.add(key)
                kills["left"] -= 1
                with box.lock:
                    box.messages.append((["ceo@example.com"], message))
                os.kill(current.pop("pid"), signal.SIGKILL)
                return "451 gone"  # never read: the client is dead
        return None

    box.on_data = kill_after_taking
    controller = smtp_server(box)
    runs = tmp_path / "runs"
    try:
        config = comms_config(tmp_path / "comms.toml", controller.port)
        journal = new_run(runs, comms_plan())
        ids = queued_by_hand(journal, MESSAGES)
        env = env_for(tmp_path, config)
        deadline = time.monotonic() + 400
        rounds = 0
        while time.monotonic() < deadline:
            state = Journal(journal.path).state()
            if all(m.closed for m in state.outbox):
                break
            process = conduct(journal.run_id, runs, env)
            with lock:
                current["pid"] = process.pid
            process.wait(timeout=120)
            rounds += 1
        assert kills["left"] == 0, "every round killed a conductor"
        arrivals = Counter(box.keys())
        keys = {f"{journal.run_id}/{m}" for m in ids}
        assert set(arrivals) == keys  # none missing, nothing else
        # A second copy only of the 20 in doubt, each marked as a resend under the same key.
        twice = {k for k, n in arrivals.items() if n > 1}
        assert len(twice) == ROUNDS and all(arrivals[k] == 2 for k in twice)
        for _, message in box.messages:
            if message["X-Cutover-Key"] in twice and message["X-Cutover-Resend"]:
                assert message["X-Cutover-Resend"] == "in-doubt"
        # A receiver that keeps the keys it saw takes each message exactly once.
        deduplicated = list(dict.fromkeys(box.keys()))
        assert len(deduplicated) == MESSAGES
        assert deduplicated == [f"{journal.run_id}/{m}" for m in ids]  # in queue order
        rows = event_rows(Journal(journal.path))
        sent = Counter(r["body"]["message"] for r in rows if r["type"] == "message-sent")
        assert sent == Counter(ids)  # recorded sent exactly once each
        doubted = [r for r in rows if r["type"] == "message-claimed" and r["body"].get("in_doubt")]
        assert len(doubted) == ROUNDS
        assert Journal(journal.path).verify()[0] == []
    finally:
        controller.stop()


def test_credentials_never_reach_the_journal_a_log_or_the_output(tmp_path: Path) -> None:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    password = "S3cret-pa55-" + os.urandom(6).hex()
    hook_secret = "hmac-" + os.urandom(6).hex()
    seen: list[str] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password.decode() == password
        seen.append("ok" if ok else "bad")
        return AuthResult(success=ok)

    box = Mailbox()
    controller = smtp_server(box, authenticator=authenticator, auth_require_tls=False)
    from tests.comms_support import Hooks

    hooks = Hooks()
    try:
        (tmp_path / "smtp-password").write_text(password + "\n")
        (tmp_path / "hook-secret").write_text(hook_secret)
        config = comms_config(
            tmp_path / "comms.toml",
            controller.port,
            extra=f'[webhook]\nsecret_file = "{tmp_path / "hook-secret"}"\n',
        )
        text = config.read_text().replace(
            "timeout = 2\n",
            f'timeout = 2\nusername = "cutover"\npassword_file = "{tmp_path / "smtp-password"}"\n',
        )
        config.write_text(text)
        runs = tmp_path / "runs"
        journal = new_run(runs, comms_plan(hooks.url))
        queued_by_hand(journal, 2, webhook=True)
        env = env_for(tmp_path, config)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "cutover_tui.cli",
                "conduct",
                journal.run_id,
                "--runs",
                str(runs),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert seen and set(seen) == {"ok"}, done.stderr
        assert len(box.messages) == 2
        [(_, headers, body)] = hooks.posts  # signed with the host's HMAC key
        from cutover_tui.comms.channels import signature

        assert headers["X-Cutover-Signature"] == signature(hook_secret, body)
        shown = subprocess.run(
            [
                sys.executable,
                "-m",
                "cutover_tui.cli",
                "comms",
                journal.run_id,
                "--runs",
                str(runs),
                "--outbox",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        everything = [
            done.stdout,
            done.stderr,
            shown.stdout,
            shown.stderr,
            Path(journal.path).read_bytes().decode("utf-8", "replace"),
        ]
        everything += [
            p.read_text("utf-8", "replace")
            for p in runs.rglob("*")
            if p.is_file() and p.suffix != ".db"
        ]
        everything.append(war_room_comms_screen(journal))
        for text in everything:
            assert password not in text and hook_secret not in text
        # A wrong password: the failure is recorded in words, without the password.
        (tmp_path / "smtp-password").write_text("wrong-" + password)
        config.write_text(config.read_text().replace("attempts = 4", "attempts = 1"))
        journal2 = new_run(tmp_path / "runs2", comms_plan(hooks.url))
        queued_by_hand(journal2, 1)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cutover_tui.cli",
                "conduct",
                journal2.run_id,
                "--runs",
                str(tmp_path / "runs2"),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        rows = event_rows(Journal(journal2.path))
        [failure] = [r for r in rows if r["type"] == "message-failed"]
        assert failure["body"].get("retry_at") is None  # undeliverable after its one attempt
        assert failure["body"]["escalated_to"] == ["com"]
        assert password not in Path(journal2.path).read_bytes().decode("utf-8", "replace")
        screen = war_room_comms_screen(journal2)
        assert "undeliverable" in screen and password not in screen
    finally:
        controller.stop()
        hooks.close()


def test_conductor_killed_between_webhook_delivery_and_recording(tmp_path: Path) -> None:
    """The same for webhooks, 5 rounds: the receiver sees each key, a second copy only for
    the in-doubt ones, under the same X-Cutover-Key / Idempotency-Key."""
    from cutover_tui.engine.events import RunEnded
    from tests.comms_support import Hooks

    rounds, count = 5, 6
    hooks = Hooks()
    current: dict[str, int] = {}
    killed_on: set[str] = set()
    arrivals: list[str] = []
    lock = threading.Lock()

    def kill_after_taking(headers: dict[str, str]) -> None:
        key = headers["X-Cutover-Key"]
        with lock:
            arrivals.append(key)
            assert headers["Idempotency-Key"] == key
            if len(killed_on) < rounds and key not in killed_on and "pid" in current:
                killed_on.add(key)
                os.kill(current.pop("pid"), signal.SIGKILL)

    hooks.on_post = kill_after_taking
    runs = tmp_path / "runs"
    try:
        config = comms_config(tmp_path / "comms.toml", 9)
        journal = new_run(runs, comms_plan(hooks.url))
        ids = [f"hook-{n}.desk.webhook" for n in range(count)]
        for n, message in enumerate(ids):
            journal.append(queued(message, key=f"h{n}", subject=f"s{n}"))
        journal.append(RunEnded(actor="boss", at=at(6), outcome="aborted", key="end"))
        env = env_for(tmp_path, config)
        deadline = time.monotonic() + 200
        while time.monotonic() < deadline:
            if all(m.closed for m in Journal(journal.path).state().outbox):
                break
            process = conduct(journal.run_id, runs, env)
            with lock:
                current["pid"] = process.pid
            process.wait(timeout=120)
        counted = Counter(arrivals)
        assert set(counted) == {f"{journal.run_id}/{m}" for m in ids}
        assert sorted(counted.values()) == [1] * (count - rounds) + [2] * rounds
        assert list(dict.fromkeys(arrivals)) == [f"{journal.run_id}/{m}" for m in ids]
    finally:
        hooks.close()
