"""Send a planned mailing (or write it as .eml files), logging every delivery at once."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kennzahlen.core import fmt
from kennzahlen.core.safeio import FolderLock, LockBusy, atomic_write
from kennzahlen.mail.check import check_mailing
from kennzahlen.mail.log import GESENDET, UNGEWISS, MailLog, _now, delivery_key
from kennzahlen.mail.nachrichten import MailRefused, Nachricht, build_message, wire_bytes
from kennzahlen.mail.parts import Aufteilung, Hoechstgroesse, _kurz, megabytes, plan_parts
from kennzahlen.mail.plan import Versand, _log_row, _message_id, plan_mailing
from kennzahlen.mail.smtp import (
    RECONNECT_DELAYS,
    RETRY_DELAYS,
    SmtpSender,
    _Ambiguous,
    _Permanent,
    _Transient,
    _Unreachable,
    describe_limit,
    effective_limit,
    open_sender,
)
from kennzahlen.mail.verteiler import Verteiler


# ---------------------------------------------------------------------------- send
def send_messages(
    versand: Versand,
    sender: SmtpSender,
    resend: bool = False,
    retry_delays: tuple[float, ...] = RETRY_DELAYS,
    echo: Callable[[str], None] = print,
    aufteilung: Aufteilung | None = None,
) -> tuple[list[dict], list[Nachricht]]:
    """Send what is not logged as delivered; log each outcome at once. Returns (rows, skipped).

    ``aufteilung`` (see :func:`plan_parts`) says what to send under the size limit; without it
    the messages are planned here with the limit of the Verteiler and the server."""
    log = versand.log
    if aufteilung is None:
        aufteilung = plan_parts(versand, effective_limit(versand.verteiler, sender), log, resend)
    limit = aufteilung.hoechstgroesse
    queue: list[tuple[float, int, Nachricht]] = [(0.0, 0, n) for n in aufteilung.senden]
    rows: list[dict] = []
    while queue:
        not_before, tries, n = queue.pop(0)
        if not_before > time.monotonic():
            time.sleep(not_before - time.monotonic())
        mid = _message_id(versand, n, resend)
        data = wire_bytes(build_message(versand.periode, n, versand.verteiler, message_id=mid))
        row = _log_row(versand, n, "smtp", GESENDET, mid)
        wer = _wer(n)
        if len(data) > limit.bytes:  # planned to fit; a file changed since: never send it larger
            result = (
                f"fehler: nicht gesendet, die Nachricht hat {megabytes(len(data))}, mehr als die "
                f"Höchstgröße {megabytes(limit.bytes)} ({limit.quelle}); erneut aufrufen"
            )
            row = {**row, "zeit": _now(), "ergebnis": result}
            log.append(row)
            rows.append(row)
            echo(f"  {wer}: {result}")
            continue
        try:
            sender.send(data, n.empfaenger, before_commit=functools.partial(log.begin, row))
            result = GESENDET
        except _Transient as exc:
            if tries < len(retry_delays):
                echo(
                    f"  {wer}: vorläufig abgewiesen ({exc}); neuer Versuch in "
                    f"{retry_delays[tries]:g} s"
                )
                queue.append((time.monotonic() + retry_delays[tries], tries + 1, n))
                continue
            result = f"vorläufig abgewiesen: {exc} – beim nächsten Lauf erneut versuchen"
        except (_Permanent, _Ambiguous) as exc:
            result = _ergebnis(exc, len(data))
        except _Unreachable as exc:
            rows += _unreachable(versand, log, [n, *(rest for _, _, rest in queue)], exc, echo)
            break
        row = {**row, "zeit": _now(), "ergebnis": result}
        log.append(row)
        log.end()
        rows.append(row)
        echo(f"  {wer}: {result}")
    return rows, aufteilung.schon_zugestellt


def _wer(n: Nachricht) -> str:
    """The recipient, and the part of a split message: 'a@example.org (Teil 2 von 3)'."""
    return f"{n.empfaenger}{f' ({n.teil_text})' if n.geteilt else ''}"


def _ergebnis(exc: Exception, groesse: int) -> str:
    """The log's result for a refused message (_Permanent) or a lost answer (_Ambiguous)."""
    if isinstance(exc, _Ambiguous):
        return (
            f"{UNGEWISS}: Verbindung brach nach der Übergabe ab ({exc}) – vermutlich zugestellt, "
            f"bei Bedarf mit --resend erneut senden"
        )
    result = f"abgewiesen: {exc}"
    if str(exc).startswith("552"):
        result += (
            f" – die Nachricht ({megabytes(groesse)}) ist dem Server zu groß: "
            "smtp.max_nachricht_mb "
            f"in der Verteiler-Datei verkleinern und erneut aufrufen (Zugestelltes geht nicht noch "
            f"einmal)"
        )
    return result


def _unreachable(
    versand: Versand,
    log: MailLog,
    offen: list[Nachricht],
    exc: Exception,
    echo: Callable[[str], None],
) -> list[dict]:
    """The server is gone: log every message not yet sent as failed, and close the log."""
    result = f"fehler: keine Verbindung zum Server ({exc})"
    rows = []
    for rest in offen:
        r = {**_log_row(versand, rest, "smtp", result)}
        log.append(r)
        rows.append(r)
        echo(f"  {_wer(rest)}: {result}")
    log.end()
    return rows


def eml_name(n: Nachricht) -> str:
    """The dry run's file: '<address>.eml', for a part '<address>__teil-2-von-3.eml'."""
    teil = f"__teil-{n.teil}-von-{n.teile}" if n.teile > 1 else ""
    return f"{_safe_name(n.empfaenger)}{'__nachtrag' if n.nachtrag else ''}{teil}.eml"


def write_dry_run(
    versand: Versand,
    out: Path,
    aufteilung: Aufteilung | None = None,
    echo: Callable[[str], None] = print,
) -> list[dict]:
    """Write each message (each part) as an .eml file (nothing sent); log them as dry run and show
    the plan: the limit, and per address its parts with their sizes and reports."""
    aufteilung = aufteilung or plan_parts(versand, Hoechstgroesse.aus_verteiler(versand.verteiler))
    limit = aufteilung.hoechstgroesse
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    echo(describe_limit(limit, versand.verteiler))
    for n in aufteilung.senden:
        data = wire_bytes(
            build_message(versand.periode, n, versand.verteiler, _message_id(versand, n, False))
        )
        if len(data) > limit.bytes:  # planned to fit; a file changed since
            raise MailRefused(
                [
                    f"{n.empfaenger}: die Nachricht hätte {megabytes(len(data))}, mehr als die "
                    f"Höchstgröße {megabytes(limit.bytes)}; erneut aufrufen"
                ]
            )
        f = out / eml_name(n)
        atomic_write(f, data)
        if n.teil == 1:
            teile = f"{n.teile} Teile" if n.teile > 1 else "1 Nachricht"
            echo(f"  {n.empfaenger}: {teile}")
        echo(
            f"    {n.teil_text + ': ' if n.geteilt else ''}{megabytes(len(data))} – "
            f"{_kurz(n.berichte)} ({len(n.anhaenge)} Dateien) → {f.name}"
        )
        row = _log_row(versand, n, "dry-run", f"geschrieben: {f} ({fmt.zahl(len(data))} Bytes)")
        versand.log.append(row)
        rows.append(row)
    return rows


@dataclass
class MailResult:
    """What a mailing did: one log row per message tried, and what was not sent again."""

    log: list[dict]
    log_file: Path
    hinweise: list[str]
    schon_zugestellt: list[str] = field(default_factory=list)
    #: of those, the messages whose delivery the log calls uncertain (a run stopped at hand-over)
    schon_ungewiss: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[dict]:
        return [
            r for r in self.log if not r["ergebnis"].startswith((GESENDET, "geschrieben", UNGEWISS))
        ]

    @property
    def ungewiss(self) -> list[dict]:
        return [r for r in self.log if r["ergebnis"].startswith(UNGEWISS)]


def _safe_name(adresse: str) -> str:
    return re.sub(r"[^A-Za-z0-9._@+-]", "_", adresse)


def mail_reports(
    periode: str,
    reports_dir: Path | None = None,
    pool_dir: Path | None = None,
    verteiler: Verteiler | Path | None = None,
    dry_run: Path | None = None,
    smtp: str | None = None,
    starttls: bool = False,
    echo: Callable[[str], None] = print,
    resend: bool = False,
    empfaenger: list[str] | None = None,
    wait: float = 0.0,
    reconnect_delays: tuple[float, ...] = RECONNECT_DELAYS,
    retry_delays: tuple[float, ...] = RETRY_DELAYS,
) -> MailResult:
    """Check, then send (or, with ``dry_run``, write as .eml) the period's reports, exactly once.

    Raises MailRefused (nothing sent) when a report is failed, missing, older than the pool or
    alone larger than the message size limit, or when the SMTP setup is incomplete or unsafe.
    Messages over the limit (min of ``smtp.max_nachricht_mb`` and the server's SIZE) are split
    into parts. Each accepted message or part is logged at once; a rerun sends only what is not
    logged as delivered (``resend`` sends again on purpose).
    """
    verteiler, runs, periode_dir, pool_dir = check_mailing(
        periode, reports_dir, pool_dir, verteiler
    )
    versand = plan_mailing(periode, verteiler, runs, periode_dir, pool_dir, nur=empfaenger)
    try:
        lock = FolderLock(periode_dir, "Der Berichtsordner", wait=wait, echo=echo).acquire()
    except LockBusy as exc:
        raise MailRefused([f"{exc} Nichts wurde gesendet."]) from None
    try:
        if dry_run is not None:
            aufteilung = plan_parts(
                versand, Hoechstgroesse.aus_verteiler(verteiler)
            )  # refuses before writing
            return MailResult(
                write_dry_run(versand, dry_run, aufteilung, echo),
                versand.log.path,
                versand.hinweise,
            )
        return _send_smtp(versand, smtp, starttls, resend, reconnect_delays, retry_delays, echo)
    finally:
        lock.release()


def _send_smtp(
    versand: Versand,
    smtp: str | None,
    starttls: bool,
    resend: bool,
    reconnect_delays: tuple[float, ...],
    retry_delays: tuple[float, ...],
    echo: Callable[[str], None],
) -> MailResult:
    """Send a planned, locked mailing over SMTP (after recovering an interrupted run's log)."""
    verteiler = versand.verteiler
    hinweise = list(versand.hinweise)
    recovered = versand.log.recover()
    if recovered:
        hinweise.append(
            f"{recovered['empfaenger']}: Zustellung ungewiss (ein früherer Lauf wurde während "
            f"der Übergabe abgebrochen); nicht erneut gesendet – bei Bedarf --resend "
            f"--empfaenger {recovered['empfaenger']}"
        )
    sender = open_sender(verteiler, smtp, starttls, reconnect_delays, echo)
    try:
        limit = effective_limit(verteiler, sender)
        aufteilung = plan_parts(versand, limit, versand.log, resend)  # refuses before sending
        echo(describe_limit(limit, verteiler, sender))
        for n in aufteilung.senden:
            if n.teil == 1 and n.geteilt:
                echo(
                    f"  {n.empfaenger}: {n.teile} {'Teile' if n.teile > 1 else 'Nachricht'}"
                    f"{' (Nachtrag)' if n.nachtrag else ''}"
                )
        rows, skipped = send_messages(versand, sender, resend, retry_delays, echo, aufteilung)
    finally:
        sender.close()
    return MailResult(
        rows,
        versand.log.path,
        hinweise + aufteilung.hinweise,
        [n.empfaenger for n in skipped],
        _ungewiss(versand, skipped),
    )


def _ungewiss(versand: Versand, skipped: list[Nachricht]) -> list[str]:
    """The addresses of the skipped messages whose logged delivery is only ``ungewiss``."""
    done = versand.log.done()
    key = functools.partial(delivery_key, versand.periode, pool_version=versand.pool_version)
    return [
        n.empfaenger
        for n in skipped
        if done.get(key(n), {}).get("ergebnis", "").startswith(UNGEWISS)
    ]
