"""Sending a digest over SMTP: one message per recipient, so no one sees another's address.

`[newsletter] smtp_url` says how to connect: `smtps://host[:465]` is TLS from the first
byte, `smtp://host[:587]` must offer STARTTLS (refused otherwise, unless the desk sets
`starttls = false`, which is for a test server on this machine). The user name and
password are read from the environment variables the desk names, never from the file.
Certificates are checked against the system's trust store (or `SSL_CERT_FILE`).
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from columnist.config import NewsletterSettings
from columnist.errors import ColumnistError
from columnist.newsletter.render import DigestMail

DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


@dataclass(slots=True)
class SendReport:
    sent: int
    refused: list[str]  # "address: why", one a recipient the server refused
    stopped: str | None = None  # why sending stopped before the last recipient (one line)


def _fail(settings: NewsletterSettings, why: str) -> ColumnistError:
    return ColumnistError(f"newsletter.smtp_url: {settings.smtp_url}: {why}")


def sender_address(settings: NewsletterSettings) -> str:
    """The envelope sender: the address in `from` (which may carry a name)."""
    if not settings.sender:
        raise ColumnistError(
            'newsletter.from: is required to send (e.g. "Desk <news@example.org>")'
        )
    address = parseaddr(settings.sender)[1]
    if "@" not in address or "\n" in settings.sender or "\r" in settings.sender:
        raise ColumnistError(f"newsletter.from: not an e-mail address: {settings.sender!r}")
    return address


def credentials(settings: NewsletterSettings) -> tuple[str, str] | None:
    """(user, password) from the environment variables the desk names, or None."""
    if not settings.username_env and not settings.password_env:
        return None
    values = []
    for key, name in (
        ("username_env", settings.username_env),
        ("password_env", settings.password_env),
    ):
        if not name:
            raise ColumnistError(f"newsletter.{key}: is required when the other one is given")
        value = os.environ.get(name)
        if not value:
            raise ColumnistError(f"newsletter.{key}: the environment variable {name} is not set")
        values.append(value)
    return values[0], values[1]


def build_message(
    mail: DigestMail, sender: str, recipient: str, unsubscribe: list[str], domain: str
) -> EmailMessage:
    """One multipart/alternative message (text, then HTML) addressed to one recipient."""
    msg = EmailMessage()
    msg["Subject"] = mail.subject
    msg["From"] = sender
    msg["To"] = recipient
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=domain)
    if unsubscribe:
        msg["List-Unsubscribe"] = ", ".join(f"<{link}>" for link in unsubscribe)
        if any(link.startswith("https://") for link in unsubscribe):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    return msg


def connect(settings: NewsletterSettings) -> smtplib.SMTP:
    """A connection to the desk's SMTP server, encrypted (unless told otherwise) and
    logged in when the desk names credentials; every setting is checked first."""
    sender_address(settings)
    if not settings.smtp_url:
        raise ColumnistError(
            'newsletter.smtp_url: is required to send (e.g. "smtp://mail.example.org:587")'
        )
    parts = urlsplit(settings.smtp_url)
    host = parts.hostname or ""
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    login = credentials(settings)
    context = ssl.create_default_context()
    try:
        if parts.scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=settings.timeout)
        try:
            smtp.ehlo()
            if parts.scheme == "smtp" and settings.starttls:
                if not smtp.has_extn("starttls"):
                    raise _fail(
                        settings,
                        "the server does not offer STARTTLS (use smtps:// or, for a test server "
                        "on this machine only, newsletter.starttls = false)",
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if login is not None:
                smtp.login(*login)
        except BaseException:
            smtp.close()
            raise
    except smtplib.SMTPAuthenticationError as exc:
        raise _fail(settings, f"login refused: {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except ssl.SSLError as exc:
        raise _fail(settings, f"TLS failed: {exc.reason or exc}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise _fail(settings, f"cannot talk to the server: {_reason(exc)}") from None
    return smtp


def send_digest(
    smtp: smtplib.SMTP,
    settings: NewsletterSettings,
    mail: DigestMail,
    recipients: list[str],
    domain: str,
    progress: Callable[[int, int], None] | None = None,
) -> SendReport:
    """Send `mail` to each of `recipients` in a message of its own, on the connection
    `connect` opened (which this closes). A connection lost half way is not raised but
    reported (`stopped`), so the caller can still record those that were sent."""
    sender = sender_address(settings)
    report = SendReport(0, [])
    try:
        for n, recipient in enumerate(recipients, 1):
            msg = build_message(
                mail, settings.sender or sender, recipient, settings.unsubscribe, domain
            )
            try:
                smtp.send_message(msg, from_addr=sender, to_addrs=[recipient])
                report.sent += 1
            except smtplib.SMTPRecipientsRefused as exc:
                code, why = exc.recipients.get(recipient, (0, b""))
                report.refused.append(f"{recipient}: refused by the server: {code} {_text(why)}")
            if progress is not None:
                progress(n, len(recipients))
    except smtplib.SMTPResponseException as exc:
        why = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        report.stopped = str(_fail(settings, f"sending stopped after {report.sent}: {why}"))
    except (smtplib.SMTPException, OSError) as exc:
        why = _reason(exc)
        report.stopped = str(_fail(settings, f"sending stopped after {report.sent}: {why}"))
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return report


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror})"
    return _text(str(exc)) or type(exc).__name__
