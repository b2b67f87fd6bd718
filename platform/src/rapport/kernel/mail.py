"""Outgoing email over SMTP (``RAPPORT_SMTP_URL``); in development without one, ``.eml`` files in .data.

Sent from a worker thread with a timeout so a slow mail server cannot stall the event loop.
"""

from __future__ import annotations

import asyncio
import smtplib
import time
import uuid
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import structlog

from rapport.kernel.settings import Environment, Settings

__all__ = ["MailNotConfigured", "send_mail"]

log = structlog.get_logger(__name__)
SMTP_TIMEOUT = 10


class MailNotConfigured(RuntimeError):
    """No SMTP server is configured outside development."""


def _message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@rapport>"
    message.set_content(body)
    return message


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    secure = parts.scheme == "smtps"
    client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with client_class(
        parts.hostname or "localhost", parts.port or (465 if secure else 25), timeout=SMTP_TIMEOUT
    ) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


async def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send one plain-text email. Never logs the body (it may hold a sign-in link)."""
    message = _message(settings, to, subject, body)
    if settings.smtp_url:
        await asyncio.to_thread(_send_smtp, settings.smtp_url, message)
    elif settings.env is Environment.DEVELOPMENT:
        folder = settings.data_dir / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(message))
        log.info("mail_written", to=to, subject=subject, path=str(path))
        return
    else:
        raise MailNotConfigured("set RAPPORT_SMTP_URL to send email")
    log.info("mail_sent", to=to, subject=subject)
