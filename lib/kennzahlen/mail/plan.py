"""Plan a mailing: the messages, every report checked, notes for the person sending."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kennzahlen.mail.log import MailLog, _now, delivery_key
from kennzahlen.mail.nachrichten import (
    MailRefused,
    Nachricht,
    _attachments,
    _sort_key,
    check_reports,
    mit_pdf,
    pdf_probleme,
    plan_messages,
    pool_hash,
    subject,
)
from kennzahlen.mail.verteiler import Verteiler
from kennzahlen.runner import KEINE_DATEN


# ---------------------------------------------------------------------------- check and plan
@dataclass
class Versand:
    """A checked mailing: the messages, the log, and notes for the person sending."""

    periode: str
    periode_dir: Path
    verteiler: Verteiler
    nachrichten: list[Nachricht]
    pool_version: str | None
    hinweise: list[str] = field(default_factory=list)

    @property
    def log(self) -> MailLog:
        return MailLog(self.periode_dir / "mail_log.csv")


def plan_mailing(
    periode: str,
    verteiler: Verteiler,
    runs: dict,
    periode_dir: Path,
    pool_dir: Path,
    nur: list[str] | None = None,
) -> Versand:
    """The messages to send, every report checked first (MailRefused: nothing may go)."""
    nachrichten = plan_messages(verteiler, runs)
    if nur:
        wanted = {a.strip().lower() for a in nur}
        unknown = sorted(wanted - {n.empfaenger for n in nachrichten})
        if unknown:
            raise MailRefused(
                [
                    f"--empfaenger {', '.join(unknown)}: bekommt keinen Bericht dieser Periode "
                    f"(nicht im Verteiler oder keine passende Gruppe)"
                ]
            )
        nachrichten = [n for n in nachrichten if n.empfaenger in wanted]
    if not nachrichten:
        raise MailRefused(
            [f"Kein Bericht in {periode_dir / 'runs.json'} passt zum Verteiler: nichts zu senden"]
        )
    entries = sorted({id(e): e for n in nachrichten for e in n.berichte}.values(), key=_sort_key)
    problems = check_reports(entries, runs, periode_dir, pool_dir) + pdf_probleme(
        nachrichten, periode_dir
    )
    if problems:
        raise MailRefused(
            [
                f"Versand abgelehnt, nichts wurde gesendet ({len(problems)} Problem(e)):",
                *[f"  - {p}" for p in problems],
            ]
        )
    hinweise: list[str] = []
    for entry in entries:
        hinweise += _attachments(entry, periode_dir)[1]
    vorhanden = {e.get("produkt") for e in runs["reports"]}
    ohne_daten = {e.get("produkt"): e for e in runs["reports"] if e.get("status") == KEINE_DATEN}
    hinweise += [
        f"Produkt {nr}: ohne Daten nicht erstellt, nicht versendet – {e.get('grund')}"
        for nr, e in sorted(ohne_daten.items())
    ]
    for g in verteiler.gruppen:
        fehlend = [p for p in g.produkte if p not in vorhanden]
        if fehlend:
            hinweise.append(
                f"Gruppe '{g.id}': Produkt {', '.join(map(str, fehlend))} nicht in runs.json – "
                "nicht versendet"
            )
    for n in nachrichten:
        n.betreff = subject(periode, n)
        n.anhaenge = [a for e in n.berichte for a in _attachments(e, periode_dir, mit_pdf(n, e))[0]]
    return Versand(periode, periode_dir, verteiler, nachrichten, pool_hash(pool_dir), hinweise)


def _log_row(
    versand: Versand, n: Nachricht, modus: str, ergebnis: str, message_id: str = ""
) -> dict:
    return {
        "zeit": _now(),
        "empfaenger": n.empfaenger,
        "gruppe": n.gruppen_ids,
        "betreff": n.betreff,
        "anhaenge": " | ".join(a.name for a in n.anhaenge),
        "modus": modus,
        "ergebnis": ergebnis,
        "zustellung": delivery_key(versand.periode, n, versand.pool_version),
        "pool_version": (versand.pool_version or "")[:16],
        "message_id": message_id,
    }


def _message_id(versand: Versand, n: Nachricht, resend: bool) -> str:
    """The same delivery gets the same Message-ID (mail programs show a repeat once);
    a deliberate ``--resend`` gets a new one."""
    domain = versand.verteiler.absender.adresse.partition("@")[2]
    key = delivery_key(versand.periode, n, versand.pool_version)
    extra = f".{datetime.now():%Y%m%d%H%M%S}" if resend else ""
    return f"<kennzahlen.{versand.periode}.{key}{extra}@{domain}>"
