"""Email over STARTTLS and SMTPS to a real aiosmtpd server with its own certificate: verified
against the host's CA file (`ca_file`), refused without it."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from cutover_tui.comms.channels import DeliveryError, Outgoing, send
from cutover_tui.comms.settings import load_comms_settings
from tests.comms_support import Mailbox, free_port

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def settings_for(tmp_path: Path, port: int, security: str, ca: Path | None):
    path = tmp_path / f"{security}.toml"
    ca_line = f'ca_file = "{ca}"\n' if ca else ""
    path.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\ntimeout = 5\n{ca_line}'
    )
    return load_comms_settings(path)


MESSAGE = Outgoing("run/m.execs.email", "execs", "email", "Secure", "body", to=("a@example.com",))


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_to_a_relay_with_a_private_ca(tmp_path: Path, certificate, security: str) -> None:
    from aiosmtpd.controller import Controller

    cert, key = certificate
    box, port = Mailbox(), free_port()
    context = server_context(cert, key)
    if security == "starttls":
        controller = Controller(
            box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
        )
    else:
        controller = Controller(box, hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        answer = send(MESSAGE, settings_for(tmp_path, port, security, cert))
        assert answer.startswith("250")
        assert [m["Subject"] for _, m in box.messages] == ["Secure"]
        with pytest.raises(
            DeliveryError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"
        ):
            send(MESSAGE, settings_for(tmp_path, port, security, None))  # the system's CAs
        assert len(box.messages) == 1
    finally:
        controller.stop()
