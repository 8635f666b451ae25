"""An SMTP server on 127.0.0.1 (aiosmtpd) that fails on purpose: for the mail tests.

- ``temp_fail[address] = n``: the first n RCPT TO for that address get ``451``;
- ``perm_fail[address] = n``: the first n get ``554``;
- ``drop_at_mail = {k, …}``: the k-th MAIL FROM (counted over the server's life) is answered
  by tearing down the connection (a server or network failure before anything was accepted);
- ``accept_then_drop = {address, …}``: the message is accepted (stored) and the connection is
  torn down before the ``250`` reaches the client (the ambiguous case);
- ``delay``: seconds between accepting a message and answering ``250``.

Like a real mail server (RFC 1047), a message whose end marker has arrived is accepted even if
the client vanishes right after sending it; a message cut off before its end is discarded.
"""

from __future__ import annotations

import asyncio
import email
import socket
from collections import Counter
from email import policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as _AioSMTP


class CommittingSMTP(_AioSMTP):
    """aiosmtpd's SMTP, but an EOF lets the session finish what was fully received."""

    def eof_received(self):
        asyncio.StreamReaderProtocol.eof_received(self)
        return True  # keep the transport until the handler has read the buffered lines


class FaultySink:
    """Handler that stores what it accepts and misbehaves as configured."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.temp_fail: Counter = Counter()
        self.perm_fail: Counter = Counter()
        self.drop_at_mail: set[int] = set()
        self.accept_then_drop: set[str] = set()
        self.delay = 0.0
        self.mails = 0
        self.drops = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        self.mails += 1
        if self.mails in self.drop_at_mail:
            self.drops += 1
            server.transport.abort()
            return "421 4.3.0 Verbindung getrennt"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.temp_fail[address] > 0:
            self.temp_fail[address] -= 1
            return "451 4.3.0 Bitte später erneut versuchen"
        if self.perm_fail[address] > 0:
            self.perm_fail[address] -= 1
            return "554 5.7.1 Empfänger abgelehnt"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        if set(envelope.rcpt_tos) & self.accept_then_drop:
            self.accept_then_drop -= set(envelope.rcpt_tos)
            self.drops += 1
            server.transport.abort()
            return "250 OK"
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"

    def per_recipient(self) -> Counter:
        """How many messages each address received."""
        return Counter(rcpt[0] for _, rcpt, _ in self.received)

    def message_ids(self) -> Counter:
        return Counter((rcpt[0], str(msg["Message-ID"])) for _, rcpt, msg in self.received)


class FaultyController(Controller):
    """aiosmtpd's Controller with :class:`CommittingSMTP` sessions."""

    def factory(self):
        return CommittingSMTP(self.handler, **self.SMTP_kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(sink: FaultySink | None = None) -> tuple[FaultySink, FaultyController, str]:
    """Start a server on a free loopback port; return the sink, its controller and 'host:port'."""
    sink = sink or FaultySink()
    port = free_port()
    controller = FaultyController(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return sink, controller, f"127.0.0.1:{port}"
