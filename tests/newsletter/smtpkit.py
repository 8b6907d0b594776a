"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the newsletter tests: STARTTLS or TLS
from the first byte with a self-signed certificate made here by the openssl command,
AUTH with one user, and every message it accepts kept with its envelope."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "desk", "s3cret word"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Mailbox:
    """What the server accepted, and what it refuses (`refuse`: addresses)."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    fail_after: int | None = None  # messages taken before every DATA gets a 421

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        if self.fail_after is not None and len(self.received) >= self.fail_after:
            return "421 4.3.0 service going away"
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def self_signed(folder: Path) -> Path:
    """cert.pem and key.pem for 127.0.0.1 in `folder`; returns the certificate."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(),
        auth_data.password.decode(),
    ) == (USER, PASSWORD)
    return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535 itself


@contextmanager
def smtp_server(cert: Path | None, *, implicit_tls: bool = False) -> Iterator[tuple[int, Mailbox]]:
    """A server on 127.0.0.1: with `cert`, STARTTLS required before AUTH (or TLS from the
    first byte, `implicit_tls`) and AUTH required; without, plain SMTP and no AUTH."""
    box = Mailbox()
    port = free_port()
    options: dict = {}
    if cert is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, cert.parent / "key.pem")
        options = {"authenticator": _authenticate, "auth_required": True}
        if implicit_tls:  # aiosmtpd counts only STARTTLS as TLS for AUTH: it is TLS here
            options.update(ssl_context=context, auth_require_tls=False)
        else:
            options.update(tls_context=context, require_starttls=True)
    controller = Controller(box, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port, box
    finally:
        controller.stop()
