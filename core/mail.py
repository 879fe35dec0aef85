"""Email to staff through the SMTP server CARTPATH_SMTP_URL names; nothing else sends mail."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from core.config import Config

SMTP_TIMEOUT = 15
DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


def send_mail(config: Config, *, to: str, subject: str, body: str) -> None:
    """Hand one plain-text message to the server.

    :raises smtplib.SMTPException, OSError: the server refused it or did not answer (a job
        retries it).
    """
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config.mail_from, to, subject
    message.set_content(body)
    server = urlsplit(config.smtp_url)
    connect = smtplib.SMTP_SSL if server.scheme == "smtps" else smtplib.SMTP
    port = server.port or DEFAULT_PORTS[server.scheme]
    with connect(server.hostname, port, timeout=SMTP_TIMEOUT) as client:
        client.ehlo()
        if server.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls()
            client.ehlo()
        if server.username:
            client.login(unquote(server.username), unquote(server.password or ""))
        client.send_message(message)
