"""The messages: who gets which reports, the report checks, subject, body, attachments."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid
from pathlib import Path

from kennzahlen.core import fmt
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.mail.verteiler import Gruppe, Verteiler
from kennzahlen.runner import KEINE_DATEN
from kennzahlen.runner.basis import GEMACHT
from kennzahlen.runner.navigation import als_anhang

SENDBAR = GEMACHT
#: what may be attached (an executed notebook or an audit file never leaves the department)
ANHANG_TYPEN = {
    ".html": ("text", "html"),
    ".pdf": ("application", "pdf"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


class MailRefused(RuntimeError):
    """Nothing was sent: the reports or the setup are not fit to go (``problems`` lists why)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# ---------------------------------------------------------------------------- planning
@dataclass(frozen=True)
class Anhang:
    """One attached file: where it is, its name in the mail, the report it belongs to."""

    path: Path
    name: str
    titel: str


@dataclass
class Nachricht:
    """One message: one address, the reports of all its groups (or, split, one part of them).

    A part (``teile`` > 1) carries ``berichte``; ``alle`` are all reports of the address (the
    summary in every part), ``aufteilung`` the reports of each part in order. A ``nachtrag``
    carries reports still missing after an earlier run delivered ``frueher`` under another split.
    """

    empfaenger: str
    gruppen: list[Gruppe]
    berichte: list[dict]
    betreff: str = ""
    anhaenge: list[Anhang] = field(default_factory=list)
    teil: int = 1
    teile: int = 1
    alle: list[dict] = field(default_factory=list)
    aufteilung: list[list[dict]] = field(default_factory=list)
    frueher: list[dict] = field(default_factory=list)
    nachtrag: bool = False
    groesse: int = (
        0  # planned bytes on the wire (an upper bound: with the longer resend Message-ID)
    )

    @property
    def gruppen_ids(self) -> str:
        return ", ".join(g.id for g in self.gruppen)

    @property
    def geteilt(self) -> bool:
        """True for a part of a split message or a Nachtrag (not the one whole message)."""
        return self.teile > 1 or self.nachtrag

    @property
    def teil_text(self) -> str:
        """'Teil 2 von 3', 'Nachtrag', 'Nachtrag, Teil 1 von 2' or '' for a whole message."""
        teil = f"Teil {self.teil} von {self.teile}" if self.teile > 1 else ""
        if self.nachtrag:
            return f"Nachtrag, {teil}" if teil else "Nachtrag"
        return teil


def check_periode(periode: str) -> str:
    """Validate a quarter label 'YYYY-Qn' (the runner's rule), as a refusal to send."""
    from kennzahlen.runner import RunnerError
    from kennzahlen.runner import check_periode as _check

    try:
        return _check(periode)
    except RunnerError as exc:
        raise MailRefused([str(exc)]) from None


def load_runs(periode_dir: Path) -> dict:
    """``runs.json`` of a period's report folder (written by the runner)."""
    f = periode_dir / "runs.json"
    if not f.exists():
        raise MailRefused(
            [f"{f} fehlt: erst die Berichte erzeugen (kennzahlen report --periode …)"]
        )
    try:
        runs = json.loads(f.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MailRefused([f"{f}: kein gültiges JSON ({exc})"]) from None
    if not isinstance(runs, dict) or not isinstance(runs.get("reports"), list):
        raise MailRefused([f"{f}: erwartet ein Objekt mit der Liste 'reports'"])
    return runs


def _sort_key(entry: dict) -> tuple:
    return (entry.get("produkt", 0), entry.get("raum") != GESAMTSTADT, str(entry.get("raum")))


def plan_messages(verteiler: Verteiler, runs: dict) -> list[Nachricht]:
    """One message per address that gets at least one report of ``runs`` (pure)."""
    out = []
    for adresse in verteiler.adressen():
        gruppen = verteiler.gruppen_von(adresse)
        berichte = [e for e in runs["reports"] if any(g.bekommt(e) for g in gruppen)]
        if berichte:
            out.append(Nachricht(adresse, gruppen, sorted(berichte, key=_sort_key)))
    return out


def pool_hash(pool_dir: Path) -> str | None:
    """SHA-256 of the pool's ``manifest.json`` (None when there is no pool): the pool version."""
    from kennzahlen.pool.store import current

    version = current(Path(pool_dir))
    return version.sha256 if version is not None else None


def _inside(periode_dir: Path, rel: str) -> Path | None:
    p = (periode_dir / rel).resolve()
    try:
        p.relative_to(periode_dir.resolve())
    except ValueError:
        return None
    return p


def _label(entry: dict) -> str:
    return f"Produkt {entry.get('produkt')} {entry.get('raum')}"


def check_reports(entries: list[dict], runs: dict, periode_dir: Path, pool_dir: Path) -> list[str]:
    """Why the given reports may not be sent (empty list: all fit to go): status, files, age
    against the pool, and each file's identity (:mod:`.identitaet`)."""
    from kennzahlen.catalog.stadtkennung import aktuell
    from kennzahlen.mail.identitaet import bericht_probleme

    kennung = aktuell()
    problems = []
    current = pool_hash(pool_dir)
    if current is None:
        problems.append(
            f"Datenpool {Path(pool_dir) / 'manifest.json'} fehlt: ob die Berichte aktuell sind, "
            f"ist nicht prüfbar (--pool angeben)"
        )
    for entry in entries:
        label = _label(entry)
        missing = [k for k in ("produkt", "raum", "html", "status") if k not in entry]
        if missing:
            problems.append(f"{label}: runs.json-Eintrag ohne {', '.join(missing)}")
            continue
        if entry["status"] == KEINE_DATEN:
            continue  # not made for lack of data: nothing to send, and not a failure
        if entry["status"] not in SENDBAR:
            grund = f": {entry['fehler']}" if entry.get("fehler") else ""
            problems.append(f"{label}: Status '{entry['status']}'{grund} – Bericht neu erzeugen")
            continue
        dateien = _datei_probleme(entry, periode_dir, label)
        problems += dateien or bericht_probleme(entry, periode_dir, kennung, label)
        expected = entry.get("pool_manifest_sha256") or runs.get("pool_manifest_sha256")
        if current is not None:
            if not expected:
                problems.append(
                    f"{label}: runs.json nennt keinen pool_manifest_sha256 – Aktualität nicht "
                    "prüfbar"
                )
            elif expected != current:
                problems.append(
                    f"{label}: älter als der Datenpool (der Pool wurde seit dem Bericht neu "
                    f"gebaut) – erst die Berichte neu erzeugen"
                )
    return problems


def _datei_probleme(entry: dict, periode_dir: Path, label: str) -> list[str]:
    """A report's files outside the folder or missing (a missing PDF: see pdf_probleme)."""
    problems = []
    pdf = [entry["pdf"]] if entry.get("pdf") else []
    for rel in [entry["html"], *entry.get("anhaenge", []), *pdf]:
        p = _inside(periode_dir, rel)
        if p is None:
            problems.append(f"{label}: Pfad '{rel}' liegt außerhalb von {periode_dir}")
        elif not p.is_file() and rel not in pdf:
            problems.append(f"{label}: Datei {p} fehlt")
    return problems


def mit_pdf(nachricht: Nachricht, entry: dict) -> bool:
    """Whether the report goes with its PDF to this address (one of its groups that gets the
    report has ``pdf: true``)."""
    return any(g.pdf and g.bekommt(entry) for g in nachricht.gruppen)


def pdf_probleme(nachrichten: list[Nachricht], periode_dir: Path) -> list[str]:
    """Reports a group wants as PDF (``pdf: true``) that have none (yet)."""
    out = {}
    for n in nachrichten:
        for e in n.berichte:
            if not mit_pdf(n, e) or e.get("status") == KEINE_DATEN:
                continue
            p = _inside(periode_dir, e["pdf"]) if e.get("pdf") else None
            if p is None or not p.is_file():
                gruppen = ", ".join(g.id for g in n.gruppen if g.pdf and g.bekommt(e))
                out[(e.get("produkt"), e.get("raum"), e.get("berichtszeitraum"))] = (
                    f"{_label(e)}: Gruppe {gruppen} bekommt den Bericht als PDF (pdf: true in "
                    f"config/verteiler.yaml), es fehlt – erst `kennzahlen report --periode "
                    f"{periode_dir.name} --produkt {e['produkt']} --pdf`"
                )
    return list(out.values())


def _attachments(
    entry: dict, periode_dir: Path, pdf: bool = False
) -> tuple[list[Anhang], list[str]]:
    """The files of a report with their names in the mail (``pdf``: with its PDF); and notes on
    files left out."""
    zeitraum = entry.get("berichtszeitraum") or ""
    ordner = entry.get("produkt_ordner") or f"produkt{entry['produkt']}"
    files, notes = [], []
    extra = [entry["pdf"]] if pdf and entry.get("pdf") else []
    for rel in [entry["html"], *entry.get("anhaenge", []), *extra]:
        p = periode_dir / rel
        suffix = "".join(Path(rel).suffixes[-1:]).lower()
        if suffix not in ANHANG_TYPEN or rel.endswith(".audit.csv"):
            notes.append(f"{_label(entry)}: {rel} wird nicht versendet (nur .html, .xlsx, .pdf)")
            continue
        name = "__".join(x for x in (ordner, zeitraum, Path(rel).stem) if x) + suffix
        files.append(Anhang(p, name, _titel(entry)))
    return files, notes


def subject(periode: str, nachricht: Nachricht) -> str:
    """German subject: '… – Berichte 2023-Q4 – Sozialraum Süd' or the group names (and the part)."""
    bound = sorted({g.sozialraum for g in nachricht.gruppen if g.sozialraum})
    scope = f"Sozialraum {bound[0]}" if bound else "; ".join(g.name for g in nachricht.gruppen)
    teil = f" – {nachricht.teil_text}" if nachricht.geteilt else ""
    return f"Kennzahlensystem Soziales – Berichte {periode} – {scope}{teil}"


def _titel(entry: dict) -> str:
    zeitraum = entry.get("berichtszeitraum")
    teile = [
        entry.get("produkt_titel") or f"Produkt {entry.get('produkt')}",
        str(entry.get("raum")),
    ]
    if zeitraum:
        teile.append(fmt.periode(str(zeitraum)))
    return " – ".join(teile)


def body(periode: str, nachricht: Nachricht, verteiler: Verteiler, max_aussagen: int = 3) -> str:
    """The short German text: period, key messages per report, the attached files (and, for a
    part, the reports in the other parts: every part has the same summary)."""
    n = nachricht
    gruppen = ", ".join(g.name for g in n.gruppen)
    lines = [
        "Guten Tag,",
        "",
        f"anbei erhalten Sie die Berichte des Kennzahlensystems Soziales für das "
        f"{fmt.periode(periode)} (Verteiler: {gruppen}).",
        "",
    ]
    if n.nachtrag:
        lines += [
            f"Dies ist ein Nachtrag{f' (Teil {n.teil} von {n.teile})' if n.teile > 1 else ''}: "
            "er bringt die Berichte, die Ihnen noch fehlen. Die übrigen haben Sie schon mit einer "
            f"früheren Nachricht erhalten.",
            "",
        ]
    elif n.teile > 1:
        lines += [
            f"Die Berichte sind zusammen zu groß für eine E-Mail und kommen in {n.teile} "
            f"Nachrichten. Dies ist Teil {n.teil} von {n.teile}.",
            "",
        ]
    alle = n.alle or n.berichte
    aussagen = [(e, [str(a) for a in (e.get("kernaussagen") or [])[:max_aussagen]]) for e in alle]
    if any(a for _, a in aussagen):
        lines += ["Das Wichtigste in Kürze:", ""]
        for entry, items in aussagen:
            if items:
                lines.append(f"{_titel(entry)}:")
                lines += [f"  • {a}" for a in items]
                lines.append("")
    if n.geteilt:
        lines.append(f"In dieser Nachricht ({n.teil_text}) angehängt ({len(n.anhaenge)} Dateien):")
    else:
        lines.append(f"Angehängt ({len(n.anhaenge)} Dateien):")
    lines += [f"  • {a.name} – {a.titel}" for a in n.anhaenge]
    for nr, berichte in enumerate(n.aufteilung if n.teile > 1 else [], start=1):
        if nr != n.teil:
            teil = f"Teil {nr} von {n.teile}"
            lines += ["", f"In {'Nachtrag, ' + teil if n.nachtrag else teil}:"]
            lines += [f"  • {_titel(e)}" for e in berichte]
    if n.frueher:
        lines += ["", "Schon früher zugestellt:"]
        lines += [f"  • {_titel(e)}" for e in n.frueher]
    lines += [
        "",
        "Die HTML-Berichte öffnen Sie per Doppelklick im Browser; sie brauchen keine "
        "Internetverbindung.",
        "",
        "Diese Nachricht wurde automatisch erstellt. Rückfragen bitte an "
        f"{verteiler.absender.adresse}.",
        "",
        verteiler.absender.name,
    ]
    return "\n".join(lines) + "\n"


def _text_message(
    periode: str, nachricht: Nachricht, verteiler: Verteiler, message_id: str | None = None
) -> EmailMessage:
    """The message without its attachments: headers and text."""
    msg = EmailMessage()
    sender = verteiler.absender
    local, _, domain = sender.adresse.partition("@")
    msg["From"] = Address(display_name=sender.name, username=local, domain=domain)
    msg["To"] = nachricht.empfaenger
    msg["Subject"] = nachricht.betreff or subject(periode, nachricht)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id or make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body(periode, nachricht, verteiler))
    return msg


def anhang_daten(anhang: Anhang) -> bytes:
    """The bytes an attachment carries: the file; a report's HTML as its mailed copy, whose
    link back to the index (not attached) says where the overview is instead."""
    data = anhang.path.read_bytes()
    if anhang.path.suffix.lower() == ".html":
        return als_anhang(data.decode("utf-8")).encode("utf-8")
    return data


def _add(msg: EmailMessage, anhang: Anhang, data: bytes) -> None:
    maintype, subtype = ANHANG_TYPEN[anhang.path.suffix.lower()]
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=anhang.name)


def build_message(
    periode: str, nachricht: Nachricht, verteiler: Verteiler, message_id: str | None = None
) -> EmailMessage:
    """The EmailMessage for one recipient (or one part), with the reports attached."""
    msg = _text_message(periode, nachricht, verteiler, message_id)
    for a in nachricht.anhaenge:
        _add(msg, a, anhang_daten(a))
    return msg


def wire_bytes(msg: EmailMessage) -> bytes:
    """The message as it goes over the wire: serialised by the email generator, CRLF line ends.

    Its length is the size that SMTP's SIZE extension and a server's limit count (RFC 1870:
    with CRLF, without the end marker and dot-stuffing)."""
    return msg.as_bytes(policy=SMTP_POLICY)
