"""From a rollback invoked to the announcement received, beside a raw smtplib send.

    python benchmarks/comms.py [--rounds 5]

Each round: a fresh live run of the comms test plan (window open now), a real
`cutover conduct` process (its 1 s heartbeat tick), a real SMTP server (aiosmtpd) and a real
HTTP receiver on 127.0.0.1. A warm-up message queued by hand proves the conductor holds the
lease and delivers; then the commander's RollbackInvoked is appended, and the clock runs until
the rollback announcement has reached the SMTP server (executives and service desk) and the
service desk's webhook. Each arrival is seen by polling the receivers every millisecond.

Baseline, in the same run: one smtplib send of a message of the same size to the same server
(connect, MAIL, RCPT, DATA, QUIT), median of 20.

Target (issue 15): under 2 s from rollback invoked to the announcement received, with the
conductor's 1 s tick. The ratio says what the journal, the conductor's tick, the verdict
(live figures, the odds included) and the claim-send-record protocol cost over a bare send.
No timing here is a test.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cutover_tui.engine.events import RollbackInvoked  # noqa: E402
from tests.comms_support import (  # noqa: E402
    Hooks,
    Mailbox,
    comms_config,
    comms_plan,
    new_run,
    queued,
    smtp_server,
)

TARGET_S = 2.0


def wait_for(condition, timeout: float = 30.0) -> float:
    """perf_counter when `condition()` first held."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        if condition():
            return time.perf_counter()
        time.sleep(0.001)
    raise TimeoutError("nothing arrived")


def one_round(work: Path, box: Mailbox, hooks: Hooks, port: int) -> tuple[float, float]:
    """(seconds to the last email, seconds to the webhook) after RollbackInvoked."""
    now = datetime.now(UTC).replace(microsecond=0)
    runs = work / "runs"
    journal = new_run(runs, comms_plan(hooks.url, start=now - timedelta(minutes=10)), started=now)
    env = {
        **os.environ,
        "CUTOVER_COMMS_CONFIG": str(comms_config(work / "comms.toml", port)),
        "CUTOVER_CONFIG": str(work / "none.toml"),
    }
    conductor = subprocess.Popen(
        [sys.executable, "-m", "cutover_tui.cli", "conduct", journal.run_id, "--runs", str(runs)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        mails, posts = len(box.messages), len(hooks.posts)
        warm = "warm-up"
        journal.append(
            queued("warm.execs.email", at=datetime.now(UTC), key="warm", subject=warm, body=warm)
        )
        wait_for(lambda: len(box.messages) > mails, timeout=60)
        mails = len(box.messages)
        start = time.perf_counter()
        journal.append(
            RollbackInvoked(actor="boss", at=datetime.now(UTC), reason="benchmark", key="rb")
        )
        email = wait_for(lambda: len(box.messages) >= mails + 2) - start
        hook = wait_for(lambda: len(hooks.posts) >= posts + 1) - start
        return email, hook
    finally:
        conductor.terminate()
        conductor.wait(timeout=30)


def raw_send(port: int, runs: int = 20) -> float:
    times = []
    for n in range(runs):
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = "a@example.com", "b@example.com", f"raw {n}"
        mail.set_content("x" * 400)
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as server:
            server.send_message(mail)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    box, hooks = Mailbox(), Hooks()
    controller = smtp_server(box)
    try:
        emails, webhooks = [], []
        for n in range(args.rounds):
            with tempfile.TemporaryDirectory() as work:
                email, hook = one_round(Path(work), box, hooks, controller.port)
            emails.append(email)
            webhooks.append(hook)
            print(f"round {n + 1}: email {email * 1000:7.0f} ms   webhook {hook * 1000:7.0f} ms")
        raw = raw_send(controller.port)
    finally:
        controller.stop()
        hooks.close()
    last = max(statistics.median(emails), statistics.median(webhooks))
    print(
        f"rollback invoked -> email received:   median {statistics.median(emails) * 1000:.0f} ms, worst {max(emails) * 1000:.0f} ms"
    )
    print(
        f"rollback invoked -> webhook received: median {statistics.median(webhooks) * 1000:.0f} ms, worst {max(webhooks) * 1000:.0f} ms"
    )
    print(f"raw smtplib send (same server, same run): median {raw * 1000:.1f} ms")
    print(f"ratio (announcement received / raw send): {statistics.median(emails) / raw:.0f}x")
    verdict = "met" if max(max(emails), max(webhooks)) < TARGET_S else "NOT met"
    print(
        f"target: every announcement under {TARGET_S:.0f} s: {verdict} (median of the later {last:.2f} s)"
    )


if __name__ == "__main__":
    main()
