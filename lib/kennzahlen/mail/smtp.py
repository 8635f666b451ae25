"""The SMTP connection: TLS, login, reconnects, and the server's size limit."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable

from kennzahlen.mail.nachrichten import MailRefused
from kennzahlen.mail.parts import Hoechstgroesse, megabytes
from kennzahlen.mail.verteiler import PASSWORD_ENV, Verteiler

#: waits between reconnect attempts after a dropped connection (seconds)
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
#: waits before sending again after a temporary refusal (4xx), within one run
RETRY_DELAYS = (1.0, 2.0)


# ---------------------------------------------------------------------------- SMTP
class _Transient(Exception):
    """The server refused for now (4xx); another try later may succeed."""


class _Permanent(Exception):
    """The server refused the message (5xx)."""


class _Ambiguous(Exception):
    """The connection broke after the message was handed over, before the server's answer."""


class _Unreachable(Exception):
    """No connection to the server, also after reconnecting with backoff."""


class _SMTP(smtplib.SMTP):
    """smtplib.SMTP that calls ``before_commit`` just before the final ``.`` of DATA."""

    before_commit: Callable[[], None] | None = None
    committed = False

    def data(self, msg):  # same protocol steps as smtplib, with the hook before the end marker
        self.putcmd("data")
        code, repl = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, repl)
        if isinstance(msg, str):
            msg = re.sub(r"(?:\r\n|\n|\r(?!\n))", "\r\n", msg).encode("ascii")
        q = re.sub(rb"(?m)^\.", b"..", msg)
        if q[-2:] != b"\r\n":
            q += b"\r\n"
        self.send(q)
        if self.before_commit is not None:
            self.before_commit()
        self.send(b".\r\n")
        self.committed = True  # from here on, a lost answer leaves the delivery open (ungewiss)
        return self.getreply()


def _is_loopback(host: str) -> bool:
    if host.strip().lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SmtpSender:
    """One SMTP session that reconnects (with backoff) when the server drops the connection."""

    def __init__(
        self,
        host: str,
        port: int,
        verteiler: Verteiler,
        use_tls: bool,
        password: str | None,
        delays: tuple[float, ...] = RECONNECT_DELAYS,
        echo: Callable[[str], None] = print,
    ):
        self.host, self.port, self.verteiler = host, port, verteiler
        self.use_tls, self.password, self.delays, self.echo = use_tls, password, delays, echo
        self.server: _SMTP | None = None

    def open(self) -> _SMTP:
        """A new connection to the server (raises OSError when unreachable)."""
        return _SMTP(self.host, self.port, timeout=self.verteiler.smtp.timeout)

    def greet(self, server: _SMTP) -> None:
        """EHLO, STARTTLS and login on a new connection; it becomes the session's connection."""
        try:
            server.ehlo()
            if self.use_tls:
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if self.verteiler.smtp.benutzer:
                server.login(self.verteiler.smtp.benutzer, self.password or "")
        except BaseException:
            server.close()
            raise
        self.server = server

    def connect(self) -> _SMTP:
        """Open, STARTTLS and log in; raise on any failure."""
        server = self.open()
        self.greet(server)
        return server

    def reconnect(self) -> _SMTP:
        """Connect again after a dropped connection, waiting longer each time."""
        self.close()
        last: BaseException | None = None
        for delay in self.delays:
            time.sleep(delay)
            try:
                server = self.connect()
                self.echo(f"  (Verbindung zu {self.host}:{self.port} wiederhergestellt)")
                return server
            except (smtplib.SMTPException, OSError) as exc:
                last = exc
        raise _Unreachable(f"{type(last).__name__}: {last}" if last else "keine Verbindung")

    def size_limit(self) -> int | None:
        """The largest message the server takes (its SIZE in the EHLO answer), if it says so."""
        server = self.server
        if server is None or not server.does_esmtp or not server.has_extn("size"):
            return None
        value = (server.esmtp_features.get("size") or "").split()
        return (
            int(value[0]) if value and value[0].isdigit() and int(value[0]) > 0 else None
        )  # 0: no limit

    def send(self, msg: bytes, empfaenger: str, before_commit: Callable[[], None]) -> None:
        """Hand one message (its bytes on the wire) over; raise _Transient/_Permanent/_Ambiguous/
        _Unreachable otherwise."""
        for _ in range(len(self.delays) + 1):
            server = self.server
            if server is None or server.sock is None:
                server = self.reconnect()
            server.before_commit, server.committed = before_commit, False
            try:
                server.sendmail(self.verteiler.absender.adresse, [empfaenger], msg)
                return
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()), (0, b""))
                self._refused(code, text)
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                self._refused(exc.smtp_code, exc.smtp_error)
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError) as exc:
                self.close()
                if server.committed:
                    raise _Ambiguous(f"{type(exc).__name__}: {exc}") from None
                self.echo(f"  (Verbindung unterbrochen: {type(exc).__name__}; neuer Versuch)")
        raise _Unreachable("die Verbindung bricht immer wieder ab")

    def _refused(self, code: int, text: bytes | str) -> None:
        reason = (
            f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}".strip()
        )
        if self.server is not None and self.server.sock is None:
            self.close()  # a 421 closes the connection; the next message reconnects
        elif self.server is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.server.rset()  # a clean state for the next message
        if 400 <= code < 500:
            raise _Transient(reason)
        raise _Permanent(reason)

    def close(self) -> None:
        """Say goodbye (or just close a broken connection)."""
        if self.server is None:
            return
        try:
            self.server.quit()
        except (smtplib.SMTPException, OSError):
            self.server.close()
        self.server = None


def open_sender(
    verteiler: Verteiler,
    smtp: str | None,
    starttls: bool,
    delays: tuple[float, ...] = RECONNECT_DELAYS,
    echo: Callable[[str], None] = print,
) -> SmtpSender:
    """Connect to the server; refuse (nothing sent) on any setup problem."""
    host, port = parse_hostport(smtp) if smtp else (verteiler.smtp.host, verteiler.smtp.port)
    use_tls = starttls or verteiler.smtp.starttls
    password = None
    if verteiler.smtp.benutzer:
        if not use_tls and not _is_loopback(host):
            raise MailRefused(
                [
                    f"SMTP-Benutzer '{verteiler.smtp.benutzer}' ist gesetzt, aber die Verbindung "
                    f"zu {host}:{port} "
                    "ist nicht verschlüsselt: das Passwort ginge im Klartext über das Netz. Bitte "
                    "--starttls "
                    f"angeben (oder 'starttls: true' in der Verteiler-Datei): nichts wurde gesendet"
                ]
            )
        password = os.environ.get(PASSWORD_ENV)
        if not password:
            raise MailRefused(
                [
                    f"SMTP-Benutzer '{verteiler.smtp.benutzer}' ist gesetzt, aber die "
                    f"Umgebungsvariable {PASSWORD_ENV} fehlt oder ist leer: nichts wurde gesendet"
                ]
            )
    sender = SmtpSender(host, port, verteiler, use_tls, password, delays, echo)
    try:
        server = sender.open()
    except OSError as exc:
        raise MailRefused(
            [f"SMTP-Server {host}:{port} nicht erreichbar ({exc}): nichts wurde gesendet"]
        ) from None
    try:
        sender.greet(server)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailRefused(
            [
                f"SMTP {host}:{port}: {'STARTTLS/' if use_tls else ''}Anmeldung fehlgeschlagen "
                f"({type(exc).__name__}: {exc}): nichts wurde gesendet"
            ]
        ) from None
    return sender


def effective_limit(verteiler: Verteiler, sender: SmtpSender | None = None) -> Hoechstgroesse:
    """min(config limit, the server's SIZE): the limit that holds for this mailing."""
    eigene = Hoechstgroesse.aus_verteiler(verteiler)
    server = sender.size_limit() if sender is not None else None
    if sender is not None and server is not None and server < eigene.bytes:
        return Hoechstgroesse(
            server,
            f"SIZE des Servers {sender.host}:{sender.port}, kleiner als die "
            f"{megabytes(eigene.bytes)} aus smtp.max_nachricht_mb",
        )
    return eigene


def describe_limit(
    limit: Hoechstgroesse, verteiler: Verteiler, sender: SmtpSender | None = None
) -> str:
    """One German line for the person sending: the limit that holds and why."""
    text = f"Höchstgröße je Nachricht: {megabytes(limit.bytes)} ({limit.quelle})"
    server = sender.size_limit() if sender is not None else None
    if sender is not None and server is not None and server >= limit.bytes:
        text += f"; der Server {sender.host}:{sender.port} nimmt bis {megabytes(server)} an (SIZE)"
    elif sender is not None and server is None:
        text += f"; der Server {sender.host}:{sender.port} nennt keine Grenze (SIZE)"
    return text


def parse_hostport(value: str) -> tuple[str, int]:
    """'host:port' -> (host, port); a clear error otherwise."""
    host, sep, port = (value or "").rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise MailRefused(
            [f"--smtp '{value}' ungültig: erwartet HOST:PORT, z. B. mail.example.org:587"]
        )
    return host, int(port)
