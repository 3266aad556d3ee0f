"""The host's comms settings: how this jump host reaches people. One small TOML file an admin
writes once, beside the host config (journal/hostconfig.py):

    # /etc/cutover/comms.toml   ($CUTOVER_COMMS_CONFIG names another file)
    [smtp]
    host = "smtp.example.com"
    port = 587
    security = "starttls"              # starttls | ssl (SMTPS) | none
    sender = "cutover@example.com"
    username = "cutover"
    password_file = "/etc/cutover/smtp-password"   # or password_env = "SMTP_PASSWORD"
    ca_file = "/etc/cutover/relay-ca.pem"          # optional: a private CA (else the system's)
    timeout = 10                       # seconds for the whole transaction, not each read
    [webhook]
    format = "json"                    # json | slack | teams
    timeout = 10                       # seconds for the whole request (comms/deadline.py)
    secret_file = "/etc/cutover/webhook-secret"    # HMAC-SHA256 key (X-Cutover-Signature)
    [webhook.audience.it-service-desk] # one audience's hook
    format = "slack"
    url_file = "/etc/cutover/hooks/it-desk"        # a secret URL, kept out of the plan
    [delivery]
    attempts = 5                       # then undeliverable, escalated to the communicator
    backoff = "10s"                    # before the 2nd attempt; doubles, at most max_backoff
    max_backoff = "5m"
    rehearsals = "log"                 # log: a rehearsal's messages go to the comms log only

Addresses live in the plan (its contact matrix); secrets never do. A password or an HMAC key
is read from the file or the environment variable named here, at the moment of sending, and
never written to the journal, a log or the screen. A missing file means no channels but the
log; a bad one is one line naming the file, its line and the key.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..journal.hostconfig import config_path, read_toml
from ..plan.durations import parse_duration

COMMS_CONFIG_ENV = "CUTOVER_COMMS_CONFIG"
PASSWORD_ENV = "CUTOVER_SMTP_PASSWORD"  # read when a username is set and nothing else is named
SECURITY = ("starttls", "ssl", "none")
FORMATS = ("json", "slack", "teams")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class CommsConfigError(Exception):
    """The comms settings cannot be used: one line naming file, line and key."""


@dataclass(frozen=True)
class Secret:
    """Where a secret is: a file or an environment variable. Never the secret itself."""

    file: Path | None = None
    env: str | None = None

    def read(self) -> str | None:
        if self.file is not None:
            try:
                return self.file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise CommsConfigError(f"{self.file}: cannot be read: {exc.strerror}") from None
        if self.env is not None:
            return os.environ.get(self.env) or None
        return None

    def __str__(self) -> str:
        return f"file {self.file}" if self.file else f"${self.env}" if self.env else "none"


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    security: str = "starttls"
    sender: str = "cutover@localhost"
    username: str | None = None
    password: Secret = Secret()
    timeout: float = 10.0  # seconds for the whole transaction (comms/deadline.py)
    ca_file: Path | None = None  # a private CA for the relay's certificate; else the system's


@dataclass(frozen=True)
class Hook:
    format: str = "json"
    url: Secret | None = None  # None: the plan's audience.webhook
    secret: Secret = Secret()
    timeout: float = 10.0  # seconds for the whole request, headers and all (comms/http_post.py)


@dataclass(frozen=True)
class Delivery:
    attempts: int = 5
    backoff: timedelta = timedelta(seconds=10)
    max_backoff: timedelta = timedelta(minutes=5)
    rehearsals: str = "log"

    def retry_after(self, attempt: int) -> timedelta:
        """The wait after failed attempt `attempt` (1-based): backoff, doubling, capped."""
        return min(self.backoff * (2 ** (attempt - 1)), self.max_backoff)


@dataclass(frozen=True)
class CommsSettings:
    path: Path
    found: bool = False
    smtp: Smtp | None = None
    hook: Hook = Hook()
    hooks: dict[str, Hook] = field(default_factory=dict)  # by audience id
    delivery: Delivery = Delivery()
    timeout: float = 10.0

    def hook_for(self, audience: str) -> Hook:
        return self.hooks.get(audience, self.hook)


def comms_config_path() -> Path:
    """$CUTOVER_COMMS_CONFIG, else comms.toml beside the host config."""
    named = os.environ.get(COMMS_CONFIG_ENV)
    return Path(named) if named else config_path().parent / "comms.toml"


def load_comms_settings(path: Path | None = None) -> CommsSettings:
    path = path or comms_config_path()
    read = read_toml(path, CommsConfigError)
    if read is None:
        return CommsSettings(path)
    text, data = read
    return _Reader(path, text).settings(data)


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text = path, text

    def bad(self, key: str, why: str) -> CommsConfigError:
        return CommsConfigError(f"{self.path}:{self._line_of(key)}: {key}: {why}")

    def _line_of(self, key: str) -> int:
        last = key.rsplit(".", 1)[-1]
        pattern = re.compile(
            rf"^\s*(\[[^\]]*{re.escape(last)}[^\]]*\]|[\"']?{re.escape(last)}[\"']?\s*=)"
        )
        for number, line in enumerate(self.text.splitlines(), start=1):
            if pattern.match(line):
                return number
        return 1

    def table(self, data: dict, name: str, keys: tuple[str, ...]) -> dict[str, Any]:
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise self.bad(name, "must be a table, like [" + name + "]")
        for key in table:
            if key not in keys:
                raise self.bad(f"{name}.{key}", f"unknown key (known: {', '.join(keys)})")
        return table

    def settings(self, data: dict) -> CommsSettings:
        for key in data:
            if key not in ("smtp", "webhook", "delivery"):
                raise self.bad(key, "unknown table (known: smtp, webhook, delivery)")
        smtp = self.smtp(data) if "smtp" in data else None
        hook_table = self.table(
            data, "webhook", ("format", "secret_file", "secret_env", "audience", "timeout")
        )
        hook = self.hook("webhook", hook_table, url_allowed=False)
        hooks = {}
        audiences = hook_table.get("audience", {})
        if not isinstance(audiences, dict):
            raise self.bad("webhook.audience", "must be tables, like [webhook.audience.ID]")
        for audience, table in audiences.items():
            keys = ("format", "url_file", "url_env", "secret_file", "secret_env", "timeout")
            self.table(audiences, audience, keys)
            hooks[audience] = self.hook(f"webhook.audience.{audience}", table, default=hook)
        return CommsSettings(
            self.path,
            True,
            smtp,
            hook,
            hooks,
            self.delivery(data),
        )

    def smtp(self, data: dict) -> Smtp:
        keys = (
            "host",
            "port",
            "security",
            "sender",
            "username",
            "password_file",
            "password_env",
            "timeout",
            "ca_file",
        )
        t = self.table(data, "smtp", keys)
        host = t.get("host")
        if not isinstance(host, str) or not host:
            raise self.bad("smtp.host", 'needed: the mail server, e.g. "smtp.example.com"')
        security = t.get("security", "starttls")
        if security not in SECURITY:
            raise self.bad("smtp.security", f"must be one of {', '.join(SECURITY)}")
        port = t.get("port", DEFAULT_PORTS[security])
        if not isinstance(port, int) or not 0 < port < 65536:
            raise self.bad("smtp.port", "must be a port number")
        username = t.get("username")
        password = self.secret(t, "smtp", "password")
        if username and password == Secret():
            password = Secret(env=PASSWORD_ENV)
        ca_file = t.get("ca_file")
        if ca_file is not None and not (isinstance(ca_file, str) and ca_file.startswith("/")):
            raise self.bad("smtp.ca_file", "must be an absolute path in quotes")
        return Smtp(
            host,
            port,
            security,
            str(t.get("sender", "cutover@localhost")),
            username,
            password,
            self.seconds(t, "smtp.timeout"),
            Path(ca_file) if ca_file else None,
        )

    def hook(
        self, where: str, t: dict, *, url_allowed: bool = True, default: Hook = Hook()
    ) -> Hook:
        fmt = t.get("format", default.format)
        if fmt not in FORMATS:
            raise self.bad(f"{where}.format", f"must be one of {', '.join(FORMATS)}")
        url = self.secret(t, where, "url") if url_allowed else Secret()
        secret = self.secret(t, where, "secret")
        timeout = self.seconds(t, f"{where}.timeout") if "timeout" in t else default.timeout
        return Hook(
            fmt,
            url if url != Secret() else None,
            secret if secret != Secret() else default.secret,
            timeout,
        )

    def secret(self, t: dict, where: str, name: str) -> Secret:
        file, env = t.get(f"{name}_file"), t.get(f"{name}_env")
        if file is not None and not (isinstance(file, str) and file.startswith("/")):
            raise self.bad(f"{where}.{name}_file", "must be an absolute path in quotes")
        if env is not None and not (
            isinstance(env, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env)
        ):
            raise self.bad(f"{where}.{name}_env", "must name an environment variable")
        return Secret(Path(file) if file else None, env)

    def seconds(self, t: dict, key: str) -> float:
        value = t.get(key.rsplit(".", 1)[-1], 10)
        if not isinstance(value, int | float) or not 0 < value <= 120:
            raise self.bad(key, "must be seconds, more than 0 and at most 120")
        return float(value)

    def delivery(self, data: dict) -> Delivery:
        t = self.table(data, "delivery", ("attempts", "backoff", "max_backoff", "rehearsals"))
        attempts = t.get("attempts", 5)
        if not isinstance(attempts, int) or not 1 <= attempts <= 20:
            raise self.bad("delivery.attempts", "must be a whole number from 1 to 20")
        rehearsals = t.get("rehearsals", "log")
        if rehearsals not in ("log", "send"):
            raise self.bad("delivery.rehearsals", "must be log or send")
        durations = {}
        for key, default in (("backoff", "10s"), ("max_backoff", "5m")):
            try:
                durations[key] = parse_duration(str(t.get(key, default)))
            except ValueError as exc:
                raise self.bad(f"delivery.{key}", str(exc)) from None
        return Delivery(attempts, durations["backoff"], durations["max_backoff"], rehearsals)
