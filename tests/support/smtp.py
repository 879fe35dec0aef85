"""A small SMTP server on a loopback port, in the test process, that keeps what it receives.

It speaks the subset of RFC 5321 that Python's smtplib uses to send one message (EHLO/HELO,
MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), so mail is sent over a real socket
by the real client; no TLS or login. It can refuse every message with a 4xx, as a busy
server would.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message


@dataclass
class Mailbox:
    port: int
    messages: list[Message] = field(default_factory=list)
    refuse: bool = False

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


class _Session(socketserver.StreamRequestHandler):
    mailbox: Mailbox

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 localhost test SMTP")
        while line := self.rfile.readline():
            verb = line[:4].decode("ascii", "replace").upper()
            if verb == "EHLO":
                self.reply("250-localhost")
                self.reply("250 8BITMIME")
            elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self._receive()
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _receive(self) -> None:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        if self.mailbox.refuse:
            self.reply("451 Try again later")
            return
        self.mailbox.messages.append(message_from_bytes(b"".join(lines)))
        self.reply("250 Queued")


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    handler = type("Session", (_Session,), {})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    handler.mailbox = mailbox = Mailbox(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield mailbox
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
