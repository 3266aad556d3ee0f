"""The channels a message leaves by: email over SMTP, a webhook, or the comms log itself.

`send(outgoing, settings)` hands one message to its channel and returns the server's answer
(the SMTP server's reply to DATA, with its queue id; the HTTP status), or raises
DeliveryError with a reason fit for the journal: never a password, an HMAC key or a secret
webhook URL (each is read at the moment of sending and scrubbed from any reason).

Every message carries its idempotency key (`run id/message id`) where a receiver can use it to
drop a second copy: the email's Message-ID (derived from the key) and `X-Cutover-Key`
header; the webhook's `X-Cutover-Key` and `Idempotency-Key` headers and `key` field.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..inert import inert, inert_line
from .deadline import TimedOut, Watch, within
from .settings import CommsConfigError, CommsSettings, Hook, Smtp

if TYPE_CHECKING:  # SMTP, TLS, email and urllib load when a message is sent, not with the
    # conductor every war room makes (issue 14: first paint)
    import smtplib
    import ssl
    from email.message import EmailMessage

KEY_HEADER = "X-Cutover-Key"
SIGNATURE_HEADER = "X-Cutover-Signature"
RESEND_HEADER = "X-Cutover-Resend"  # "in-doubt": an earlier attempt may have arrived


class DeliveryError(Exception):
    """The channel did not take the message. `permanent`: trying again will not help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    key: str  # the idempotency key: run id / message id
    audience: str
    route: str  # email | webhook | log
    subject: str
    body: str
    to: tuple[str, ...] = ()
    webhook: str | None = None  # the plan's audience webhook (a host setting may replace it)
    resend: bool = False  # an earlier attempt may have arrived (in doubt)
    secrets: list[str] = field(default_factory=list, compare=False)  # filled while sending


def send(out: Outgoing, settings: CommsSettings) -> str:
    """Deliver `out`; the server's answer. Raises DeliveryError (scrubbed of secrets)."""
    out = outgoing_inert(out)
    try:
        if out.route == "log":
            return "recorded in the comms log"
        if out.route == "email":
            return _send_email(out, settings.smtp)
        if out.route == "webhook":
            return _send_webhook(out, settings.hook_for(out.audience))
        raise DeliveryError(f"no channel {out.route!r}", permanent=True)
    except DeliveryError as exc:
        raise DeliveryError(scrub(exc.reason, out.secrets), permanent=exc.permanent) from None
    except CommsConfigError as exc:
        raise DeliveryError(scrub(str(exc), out.secrets), permanent=True) from None
    except (ValueError, TypeError, LookupError) as exc:  # a header the email package refuses
        why = f"cannot be sent: {type(exc).__name__}: {exc}"
        raise DeliveryError(scrub(why, out.secrets), permanent=True) from None


def outgoing_inert(out: Outgoing) -> Outgoing:
    """`out` with its subject and body made inert as terminal output is (cutover_tui/inert.py):
    a reason typed by a person or a plan's template reaches mail readers, chat clients and
    the terminals people read them in, so no ESC, BEL, C1 or bidi control goes out raw."""
    from dataclasses import replace

    return replace(out, subject=inert_line(out.subject), body=inert(out.body))


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


# -- email ---------------------------------------------------------------------------------------


def message_id(key: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@cutover>"


def email_message(out: Outgoing, sender: str) -> EmailMessage:
    from email.message import EmailMessage
    from email.utils import formatdate

    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ", ".join(out.to)
    mail["Subject"] = out.subject
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = message_id(out.key)
    mail[KEY_HEADER] = out.key
    if out.resend:
        mail[RESEND_HEADER] = "in-doubt"  # the receiver may have the first copy
    mail.set_content(out.body)
    return mail


def wire_bytes(mail: EmailMessage) -> bytes:
    """The message as SMTP carries it: CRLF line ends (smtplib leaves bytes as they are, and
    a server reads a bare-LF message as one line over RFC 5321's 1,000), headers folded and
    the body encoded to lines of at most 78. 7-bit: non-ASCII text goes quoted-printable or
    base64, never as raw 8-bit bytes that a relay without 8BITMIME may mangle."""
    from email.policy import SMTP

    return mail.as_bytes(policy=SMTP.clone(cte_type="7bit"))


def _send_email(out: Outgoing, smtp: Smtp | None) -> str:
    import smtplib

    if smtp is None:
        raise DeliveryError("no [smtp] server in this host's comms settings", permanent=True)
    if not out.to:
        raise DeliveryError(f"{out.audience}: no email address", permanent=True)
    password = smtp.password.read() if smtp.username else None
    if password:
        out.secrets.append(password)
    mail = email_message(out, smtp.sender)
    where = f"{smtp.host}:{smtp.port}"
    if smtp.username and not password:
        raise DeliveryError(f"no SMTP password in {smtp.password}", permanent=True)

    def session(watch: Watch) -> str:
        with _connect(smtp, watch) as server:
            if smtp.username and password:
                server.login(smtp.username, password)
            return _transaction(server, smtp.sender, out.to, wire_bytes(mail))

    try:  # `timeout` bounds the whole transaction: a trickling relay holds nothing else
        return within(smtp.timeout, session, "smtp")
    except TimedOut as exc:
        raise DeliveryError(f"{where}: {exc}") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{where} refused the login: {exc.smtp_code}", permanent=True) from None
    except smtplib.SMTPResponseException as exc:
        permanent = 500 <= exc.smtp_code < 600
        raise DeliveryError(
            f"{where} answered {exc.smtp_code} {_text(exc.smtp_error)}", permanent=permanent
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{where}: {type(exc).__name__}: {exc}") from None


def _connect(smtp: Smtp, watch: Watch) -> smtplib.SMTP:
    import smtplib

    if smtp.security == "ssl":
        ssl_class = _watched(smtplib.SMTP_SSL, watch)
        return ssl_class(smtp.host, smtp.port, timeout=smtp.timeout, context=_tls(smtp))
    server = _watched(smtplib.SMTP, watch)(smtp.host, smtp.port, timeout=smtp.timeout)
    try:
        if smtp.security == "starttls":
            server.starttls(context=_tls(smtp))
            watch.add(server.sock)  # the TLS socket that wraps the first
    except BaseException:
        server.close()
        raise
    return server


def _watched(cls: type[smtplib.SMTP], watch: Watch) -> type[smtplib.SMTP]:
    """`cls` with its socket handed to the deadline's watch as it is made (the greeting is
    read in the constructor: a relay trickling it is cut off too)."""

    class Watched(cls):  # type: ignore[valid-type,misc]
        def _get_socket(self, host, port, timeout):
            sock = super()._get_socket(host, port, timeout)
            watch.add(sock)
            return sock

    return Watched


def _tls(smtp: Smtp) -> ssl.SSLContext:
    """Certificates verified, host name checked: the system's CAs, or the host's own."""
    import ssl

    try:
        return ssl.create_default_context(cafile=str(smtp.ca_file) if smtp.ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise DeliveryError(
            f"the CA file {smtp.ca_file} cannot be used: {exc}", permanent=True
        ) from None


def _transaction(server: smtplib.SMTP, sender: str, to: tuple[str, ...], data: bytes) -> str:
    """MAIL, RCPT, DATA by hand: sendmail() drops the server's answer to DATA (its queue id)."""
    import smtplib

    server.ehlo_or_helo_if_needed()
    code, reply = server.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = []
    for address in to:
        code, reply = server.rcpt(address)
        if code not in (250, 251):
            refused.append(f"{address} ({code})")
    if len(refused) == len(to):
        raise DeliveryError(f"every recipient refused: {', '.join(refused)}", permanent=True)
    code, reply = server.data(data)
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    answer = f"{code} {_text(reply)}"
    return answer + (f"; refused {', '.join(refused)}" if refused else "")


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:200]


# -- webhooks -------------------------------------------------------------------------------------


def payload(out: Outgoing, fmt: str) -> dict:
    if fmt == "slack":  # Slack reads <...> and & as markup: sent as text
        text = f"{out.subject}\n{out.body}"
        return {"text": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}
    if fmt == "teams":
        return {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": out.subject,
            "title": out.subject,
            "text": out.body.replace("\n", "\n\n"),  # Teams joins single newlines
        }
    return {
        "key": out.key,
        "audience": out.audience,
        "subject": out.subject,
        "body": out.body,
        "resend": out.resend,
    }


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _send_webhook(out: Outgoing, hook: Hook) -> str:
    import http.client
    import urllib.error

    from .http_post import post

    url = hook.url.read() if hook.url is not None else out.webhook
    if hook.url is not None and url:
        out.secrets.append(url)  # a URL from a secret file is a secret (Slack's are)
    if not url:
        raise DeliveryError(f"{out.audience}: no webhook address", permanent=True)
    if not url.startswith(("https://", "http://")):
        raise DeliveryError(
            f"{out.audience}: the webhook is not an http(s) address", permanent=True
        )
    body = json.dumps(payload(out, hook.format)).encode()
    headers = {"Content-Type": "application/json", KEY_HEADER: out.key, "Idempotency-Key": out.key}
    if out.resend:
        headers[RESEND_HEADER] = "in-doubt"  # as the email says it (clock/delivery.py)
    secret = hook.secret.read()
    if secret:
        out.secrets.append(secret)
        headers[SIGNATURE_HEADER] = signature(secret, body)
    where = f"the webhook of {out.audience}"
    try:  # the deadline bounds the whole request: a trickling receiver holds nothing else
        return f"HTTP {post(url, body, headers, hook.timeout)}"
    except TimedOut as exc:
        raise DeliveryError(f"{where}: {exc}") from None
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 425, 429)
        raise DeliveryError(f"{where} answered HTTP {exc.code}", permanent=permanent) from None
    except (urllib.error.URLError, OSError) as exc:
        why = getattr(exc, "reason", exc)
        raise DeliveryError(f"{where}: {why}") from None
    except http.client.HTTPException as exc:  # a status line or header that is not HTTP
        raise DeliveryError(f"{where}: {type(exc).__name__}: {inert_line(exc, 200)}") from None
