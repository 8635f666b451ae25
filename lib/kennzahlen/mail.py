"""Mailing the reports of a period to the Verteiler (``config/verteiler.yaml``).

``kennzahlen mail --periode 2023-Q4`` reads ``reports/<periode>/runs.json`` (written by the
runner), works out which reports each recipient gets (one message per address, with every
report of all its groups), checks every report first and sends nothing if one of them is
not fit to go: its status is not ``ok``/``uebersprungen``, its HTML or an attachment is
missing, or it is older than the data pool.

*Older than the pool* is decided by content, not by file times: the SHA-256 of the pool's
``manifest.json`` now must equal ``pool_manifest_sha256`` in runs.json (per report if the
entry carries one, else the run's). File times would call a report stale after a rebuild of
the pool from the same data, and do not survive copying a reports folder; the manifest hash
changes exactly when the pool's files do.

A group bound to a Sozialraum receives only that Sozialraum's reports and the Gesamtstadt
ones; an address in a bound group may not be in a group with another binding, so a
Sozialraumteamleitung never gets another Sozialraum's report. The SMTP password comes only
from the environment variable ``KENNZAHLEN_SMTP_PASSWORD`` — never from the config file or a
command line option. Every message is logged in ``reports/<periode>/mail_log.csv``.

No message is larger than ``smtp.max_nachricht_mb`` (default 10 MB, 1 MB = 1,000,000 bytes),
measured as the bytes on the wire (the serialised message after base64, CRLF line ends), or
than the server's own limit when it announces one (``SIZE`` in its EHLO answer): a recipient's
reports that do not fit into one message go out in several ("Teil 1 von 3", see
:func:`pack_reports`), each part a delivery of its own in the log. A single report that alone
exceeds the limit is refused before anything is sent.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import ipaddress
import json
import math
import os
import re
import smtplib
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Annotated, Any

import click
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import fmt, paths
from .configfile import read_yaml
from .runner import KEINE_DATEN
from .safeio import FolderLock, LockBusy, atomic_write, fsync_dir
from .schema import GESAMTSTADT
from .vocabulary import PRODUKT_NUMMERN, PRODUKTE

PASSWORD_ENV = "KENNZAHLEN_SMTP_PASSWORD"
SENDBAR = ("ok", "uebersprungen")
#: what may be attached (an executed notebook or an audit file never leaves the department)
ANHANG_TYPEN = {
    ".html": ("text", "html"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_PASSWORD_KEYS = ("passw", "kennwort", "secret", "geheim")
#: one megabyte as mail servers count it here: 1,000,000 bytes (the smaller reading, so that a
#: server configured in MiB is never exceeded either)
MB = 1_000_000
MAX_NACHRICHT_MB = 10.0
MAX_NACHRICHT_MB_BEREICH = (0.1, 1000.0)


class VerteilerError(ValueError):
    """``config/verteiler.yaml`` is invalid; the message names every problem."""


class MailRefused(RuntimeError):
    """Nothing was sent: the reports or the setup are not fit to go (``problems`` lists why)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# ---------------------------------------------------------------------------- the Verteiler
def _address(value: str) -> str:
    v = value.strip()
    if not _ADDRESS.match(v):
        raise ValueError(f"keine gültige E-Mail-Adresse: '{value}'")
    return v.lower()


Adresse = Annotated[str, AfterValidator(_address)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Absender(_Strict):
    """The sender shown in From: (the department's planning office)."""

    name: str = Field(min_length=1)
    adresse: Adresse


class SmtpConfig(_Strict):
    """Where messages go; the password is never here (``KENNZAHLEN_SMTP_PASSWORD``)."""

    host: str = Field("localhost", min_length=1)
    port: int = Field(25, ge=1, le=65535)
    benutzer: str | None = None
    starttls: bool = False
    timeout: float = Field(30.0, gt=0)
    max_nachricht_mb: float = MAX_NACHRICHT_MB

    @field_validator("max_nachricht_mb", mode="before")
    @classmethod
    def _max_mb(cls, v: Any) -> float:
        lo, hi = MAX_NACHRICHT_MB_BEREICH
        ok = (
            isinstance(v, int | float)
            and not isinstance(v, bool)
            and math.isfinite(v)
            and lo <= v <= hi
        )
        if not ok:
            raise ValueError(
                f"die Höchstgröße einer Nachricht ist eine Zahl in MB von {fmt.zahl(lo, 1)} bis {fmt.zahl(hi)} "
                f"(1 MB = 1.000.000 Bytes, gemessen wie auf der Leitung, also nach base64), z. B. 10 oder 7.5 "
                f"(mit Punkt)"
            )
        return float(v)

    @property
    def max_bytes(self) -> int:
        """The configured largest message in bytes on the wire."""
        return round(self.max_nachricht_mb * MB)


class Gruppe(_Strict):
    """A recipient group: which products it gets, optionally bound to one Sozialraum.

    ``oeffentlich: true`` marks a group whose reports may become public (Gemeinderat,
    Fachbereichsausschuss, BM 2: council papers): it may only get products that
    ``config/disclosure.yaml`` calls public (disclosure control on). A group that gets a
    public product must state ``oeffentlich`` (true or false) in the file: the default
    (false, internal) is not taken silently where a report may leave the department.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    produkte: list[int] = Field(min_length=1)
    sozialraum: str | None = None
    oeffentlich: bool = False
    empfaenger: list[Adresse] = Field(min_length=1)

    @field_validator("produkte")
    @classmethod
    def _produkte(cls, v: list[int]) -> list[int]:
        bad = [p for p in v if p not in PRODUKT_NUMMERN]
        if bad:
            raise ValueError(
                f"unbekanntes Produkt {', '.join(map(str, bad))} (bekannt: 1, 2, 3, 4)"
            )
        return sorted(set(v))

    @field_validator("empfaenger")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        dup = sorted({a for a in v if v.count(a) > 1})
        if dup:
            raise ValueError(f"Adresse doppelt in der Gruppe: {', '.join(dup)}")
        return v

    def bekommt(self, entry: dict) -> bool:
        """True when this group receives the report of a runs.json entry (one that was made)."""
        if entry.get("produkt") not in self.produkte or entry.get("status") == KEINE_DATEN:
            return False
        return self.sozialraum is None or entry.get("raum") in (self.sozialraum, GESAMTSTADT)


class Verteiler(_Strict):
    """The validated ``config/verteiler.yaml``."""

    absender: Absender
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    gruppen: list[Gruppe] = Field(min_length=1)

    def adressen(self) -> list[str]:
        """Every recipient address once, in the order of the file."""
        return list(dict.fromkeys(a for g in self.gruppen for a in g.empfaenger))

    def gruppen_von(self, adresse: str) -> list[Gruppe]:
        """The groups an address belongs to."""
        return [g for g in self.gruppen if adresse in g.empfaenger]


def _find_password_keys(node: Any, where: str = "") -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if any(p in str(key).lower() for p in _PASSWORD_KEYS):
                found.append(here)
            found += _find_password_keys(value, here)
    elif isinstance(node, list):
        for n, value in enumerate(node):
            found += _find_password_keys(value, f"{where}[{n}]")
    return found


def _where(loc: tuple, raw: dict) -> str:
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "gruppen" and isinstance(parts[1], int):
        try:
            gid = raw["gruppen"][parts[1]].get("id", "?")
        except (IndexError, AttributeError, KeyError, TypeError):
            gid = "?"
        rest = ".".join(str(x) for x in parts[2:])
        return f"Gruppe '{gid}' (Nr. {parts[1] + 1})" + (f", {rest}" if rest else "")
    return ".".join(str(x) for x in parts) or "(Datei)"


def _gruppen_zeilen(path: Path) -> list[int]:
    """The line (1-based) of each entry under ``gruppen:`` in the file, for messages."""
    import yaml

    from .configfile import StrictLoader

    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=StrictLoader)  # noqa: S506 - a SafeLoader
    except (OSError, yaml.YAMLError):
        return []
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if getattr(key, "value", None) == "gruppen" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


def load_verteiler(
    path: Path | str | None = None,
    sozialraeume: list[str] | None = None,
    disclosure_config: Any = None,
) -> Verteiler:
    """Read and validate the Verteiler; raise VerteilerError listing every problem (German).

    Checks: known products, known Sozialräume (``kennzahlen.geography.sozialraeume()`` unless
    given), valid addresses, unique group ids, no address bound to two different Sozialräume
    (or bound and unbound), no password in the file, no public group (``oeffentlich:
    true``) with a product that ``config/disclosure.yaml`` (or ``disclosure_config``: a
    DisclosureConfig or a path) calls internal, and ``oeffentlich`` stated explicitly by every
    group that gets a product it calls public.
    """
    path = Path(path or paths.CONFIG / "verteiler.yaml")
    raw = read_yaml(path, VerteilerError, "die Verteiler-Datei")
    if not isinstance(raw, dict):
        raise VerteilerError(f"{path}: erwartet die Abschnitte 'absender', 'smtp' und 'gruppen'")
    problems = [
        f"  - {key}: ein Passwort gehört nicht in die Datei; setzen Sie die Umgebungsvariable "
        f"{PASSWORD_ENV}"
        for key in _find_password_keys(raw)
    ]
    if problems:
        raise VerteilerError("\n".join([f"{path}: ungültiger Verteiler:", *problems]))
    try:
        verteiler = Verteiler.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: ungültiger Verteiler:"]
        for e in exc.errors():
            msg = e["msg"].removeprefix("Value error, ")
            lines.append(f"  - {_where(e['loc'], raw)}: {msg} (Wert: {e.get('input')!r})")
        raise VerteilerError("\n".join(lines)) from None

    if sozialraeume is None:
        from .geography import sozialraeume as _sr

        sozialraeume = _sr()
    seen: dict[str, int] = {}
    for n, g in enumerate(verteiler.gruppen, start=1):
        if g.id in seen:
            problems.append(f"  - Gruppe '{g.id}' (Nr. {n}): id doppelt (schon Nr. {seen[g.id]})")
        seen.setdefault(g.id, n)
        if g.sozialraum is not None and g.sozialraum not in sozialraeume:
            problems.append(
                f"  - Gruppe '{g.id}' (Nr. {n}), sozialraum: unbekannter Sozialraum "
                f"'{g.sozialraum}' (bekannt: {', '.join(sozialraeume)})"
            )
    problems += _public_groups(verteiler, disclosure_config, _gruppen_zeilen(path))
    for adresse in verteiler.adressen():
        bindungen = {g.sozialraum for g in verteiler.gruppen_von(adresse)}
        if len(bindungen) > 1 and bindungen != {None}:
            namen = ", ".join(
                f"'{g.id}' ({g.sozialraum or 'alle Sozialräume'})"
                for g in verteiler.gruppen_von(adresse)
            )
            problems.append(
                f"  - Adresse {adresse}: steht in Gruppen mit verschiedener Bindung ({namen}); "
                f"eine an einen Sozialraum gebundene Adresse darf nur dessen Berichte bekommen"
            )
    if problems:
        raise VerteilerError("\n".join([f"{path}: ungültiger Verteiler:", *problems]))
    return verteiler


def _public_groups(
    verteiler: Verteiler, disclosure_config: Any = None, zeilen: list[int] | None = None
) -> list[str]:
    """Problems: a public group that would get an internal product (exact small counts), and a
    group that gets a public product without saying whether it is public (``zeilen``: the
    line of each group in the file)."""
    from . import disclosure

    cfg = disclosure_config
    if cfg is None or isinstance(cfg, str | Path):
        try:
            cfg = disclosure.load_config(cfg)
        except disclosure.DisclosureConfigError as exc:
            return [
                f"  - Geheimhaltungsregeln nicht lesbar, öffentliche Gruppen nicht prüfbar: {exc}"
            ]
    problems = []
    zeilen = zeilen or []
    for n, g in enumerate(verteiler.gruppen, start=1):
        oeffentliche = [p for p in g.produkte if disclosure.is_public(p, cfg)]
        if oeffentliche and "oeffentlich" not in g.model_fields_set:
            zeile = f", Zeile {zeilen[n - 1]}" if n <= len(zeilen) else ""
            namen = ", ".join(f"Produkt {p} ({PRODUKTE[p].titel})" for p in oeffentliche)
            problems.append(
                f"  - Gruppe '{g.id}' (Nr. {n}{zeile}): bekommt {namen}, laut config/disclosure.yaml "
                f"öffentlich; bitte ausdrücklich angeben, ob die Gruppe Berichte an die Öffentlichkeit "
                f"weitergibt: 'oeffentlich: true' (Gemeinderat, Ausschuss, BM 2: dann nur öffentliche "
                f"Produkte) oder 'oeffentlich: false' (intern)"
            )
        if not g.oeffentlich:
            continue
        intern = [p for p in g.produkte if not disclosure.is_public(p, cfg)]
        for p in intern:
            problems.append(
                f"  - Gruppe '{g.id}' (Nr. {n}): die Gruppe ist öffentlich (oeffentlich: true) und darf "
                f"Produkt {p} ({PRODUKTE[p].titel}) nicht bekommen: es ist laut config/disclosure.yaml "
                f"intern und zeigt genaue kleine Fallzahlen"
            )
    return problems


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
    from .runner import RunnerError
    from .runner import check_periode as _check

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
    from .poolstore import current

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
    """Why the given reports may not be sent (empty list: all fit to go)."""
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
        for rel in [entry["html"], *entry.get("anhaenge", [])]:
            p = _inside(periode_dir, rel)
            if p is None:
                problems.append(f"{label}: Pfad '{rel}' liegt außerhalb von {periode_dir}")
            elif not p.is_file():
                problems.append(f"{label}: Datei {p} fehlt")
        expected = entry.get("pool_manifest_sha256") or runs.get("pool_manifest_sha256")
        if current is not None:
            if not expected:
                problems.append(
                    f"{label}: runs.json nennt keinen pool_manifest_sha256 – Aktualität nicht prüfbar"
                )
            elif expected != current:
                problems.append(
                    f"{label}: älter als der Datenpool (der Pool wurde seit dem Bericht neu gebaut) – "
                    f"erst die Berichte neu erzeugen"
                )
    return problems


def _attachments(entry: dict, periode_dir: Path) -> tuple[list[Anhang], list[str]]:
    """The files of a report with their names in the mail; and notes on files left out."""
    zeitraum = entry.get("berichtszeitraum") or ""
    ordner = entry.get("produkt_ordner") or f"produkt{entry['produkt']}"
    files, notes = [], []
    for rel in [entry["html"], *entry.get("anhaenge", [])]:
        p = periode_dir / rel
        suffix = "".join(Path(rel).suffixes[-1:]).lower()
        if suffix not in ANHANG_TYPEN or rel.endswith(".audit.csv"):
            notes.append(f"{_label(entry)}: {rel} wird nicht versendet (nur .html und .xlsx)")
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
            f"er bringt die Berichte, die Ihnen noch fehlen. Die übrigen haben Sie schon mit einer früheren "
            f"Nachricht erhalten.",
            "",
        ]
    elif n.teile > 1:
        lines += [
            f"Die Berichte sind zusammen zu groß für eine E-Mail und kommen in {n.teile} Nachrichten. "
            f"Dies ist Teil {n.teil} von {n.teile}.",
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
        f"Diese Nachricht wurde automatisch erstellt. Rückfragen bitte an {verteiler.absender.adresse}.",
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


def _add(msg: EmailMessage, anhang: Anhang, data: bytes) -> None:
    maintype, subtype = ANHANG_TYPEN[anhang.path.suffix.lower()]
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=anhang.name)


def build_message(
    periode: str, nachricht: Nachricht, verteiler: Verteiler, message_id: str | None = None
) -> EmailMessage:
    """The EmailMessage for one recipient (or one part), with the reports attached."""
    msg = _text_message(periode, nachricht, verteiler, message_id)
    for a in nachricht.anhaenge:
        _add(msg, a, a.path.read_bytes())
    return msg


def wire_bytes(msg: EmailMessage) -> bytes:
    """The message as it goes over the wire: serialised by the email generator, CRLF line ends.

    Its length is the size that SMTP's SIZE extension and a server's limit count (RFC 1870:
    with CRLF, without the end marker and dot-stuffing)."""
    return msg.as_bytes(policy=SMTP_POLICY)


# ---------------------------------------------------------------------------- the delivery log
LOG_FIELDS = [
    "zeit",
    "empfaenger",
    "gruppe",
    "betreff",
    "anhaenge",
    "modus",
    "ergebnis",
    "zustellung",
    "pool_version",
    "message_id",
]
GESENDET = "gesendet"
UNGEWISS = "ungewiss"
#: waits between reconnect attempts after a dropped connection (seconds)
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
#: waits before sending again after a temporary refusal (4xx), within one run
RETRY_DELAYS = (1.0, 2.0)


def delivery_key(periode: str, nachricht: Nachricht, pool_version: str | None) -> str:
    """The identity of one delivery: recipient, report set and pool version (a short hash).

    A part of a split message adds its number, the number of parts and whether it is a
    Nachtrag; a whole message keeps the key it had before messages could be split."""
    berichte = [
        [e.get("produkt"), e.get("raum"), e.get("berichtszeitraum")] for e in nachricht.berichte
    ]
    ident: dict[str, Any] = {
        "empfaenger": nachricht.empfaenger,
        "periode": periode,
        "berichte": berichte,
        "pool": pool_version,
    }
    if nachricht.geteilt:
        ident["teil"] = [nachricht.teil, nachricht.teile]
        ident["nachtrag"] = nachricht.nachtrag
    text = json.dumps(ident, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class MailLog:
    """``mail_log.csv``: one row per message tried, appended, flushed and fsynced at once.

    A delivery counts as done when a row with its ``zustellung`` key says ``gesendet`` (the
    server accepted it) or ``ungewiss`` (the run stopped between handing the message over and
    the server's answer: most likely delivered, so not sent again without ``--resend``).
    Just before the end of a message is handed over, its key is written to
    ``.mail_unterwegs.json``; a run that finds this file finished, logs the key as ``ungewiss``.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.inflight = self.path.with_name(".mail_unterwegs.json")

    def rows(self) -> list[dict]:
        """All rows logged so far (old logs without the newer columns read with them empty)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8", newline="") as fh:
            return [dict(r) for r in csv.DictReader(fh, delimiter=";")]

    def done(self) -> dict[str, dict]:
        """Delivery key -> the row that says it was delivered (or possibly delivered)."""
        out = {}
        for r in self.rows():
            key, ergebnis = r.get("zustellung"), r.get("ergebnis") or ""
            if key and r.get("modus") == "smtp" and ergebnis.startswith((GESENDET, UNGEWISS)):
                out.setdefault(key, r)
        return out

    def zugestellt(self, empfaenger: str, pool_version: str | None) -> set[str]:
        """Names of the files that reached ``empfaenger`` (delivered or possibly delivered) from
        this pool version, over every message and part logged."""
        version = (pool_version or "")[:16]
        out: set[str] = set()
        for r in self.rows():
            ergebnis = r.get("ergebnis") or ""
            if (
                r.get("empfaenger") == empfaenger
                and r.get("modus") == "smtp"
                and r.get("pool_version") == version
                and ergebnis.startswith((GESENDET, UNGEWISS))
            ):
                out.update(x.strip() for x in (r.get("anhaenge") or "").split(" | ") if x.strip())
        return out

    def _migrate(self) -> None:
        """A log written before the ``zustellung`` column: rewrite it once with the new header."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with self.path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh, delimiter=";"), [])
        if header != LOG_FIELDS:
            rows = self.rows()
            buf = io.StringIO()
            w = csv.DictWriter(buf, fieldnames=LOG_FIELDS, delimiter=";", extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
            atomic_write(self.path, buf.getvalue())

    def append(self, row: dict) -> None:
        """Append one row and make it durable (flush + fsync) before anything else happens."""
        self._migrate()
        new = not self.path.exists() or self.path.stat().st_size == 0
        with self.path.open("a", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=LOG_FIELDS, delimiter=";", extrasaction="ignore")
            if new:
                w.writeheader()
            w.writerow(row)
            fh.flush()
            os.fsync(fh.fileno())
        if new:
            fsync_dir(self.path.parent)

    def begin(self, row: dict) -> None:
        """Mark a message as being handed over (durable), just before its final line is sent."""
        atomic_write(self.inflight, json.dumps(row, ensure_ascii=False))

    def end(self) -> None:
        """The message's outcome is logged: clear the mark."""
        with contextlib.suppress(FileNotFoundError):
            self.inflight.unlink()

    def recover(self) -> dict | None:
        """After a killed run: log the message it was handing over as ``ungewiss`` (returned)."""
        try:
            row = json.loads(self.inflight.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError:
            self.end()
            return None
        logged = None
        if row.get("zustellung") not in self.done():
            logged = {
                **row,
                "zeit": _now(),
                "ergebnis": f"{UNGEWISS}: Lauf wurde während der Übergabe "
                f"abgebrochen – vermutlich zugestellt, bei Bedarf mit --resend erneut senden",
            }
            self.append(logged)
        self.end()
        return logged


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


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


def check_mailing(
    periode: str,
    reports_dir: Path | None,
    pool_dir: Path | None,
    verteiler: Verteiler | Path | None,
) -> tuple[Verteiler, dict, Path, Path]:
    """Check the request (period, Verteiler, runs.json); return what planning needs."""
    check_periode(periode)
    periode_dir = Path(reports_dir or paths.REPORTS) / periode
    pool_dir = Path(pool_dir or paths.PROCESSED)
    if not isinstance(verteiler, Verteiler):
        try:
            verteiler = load_verteiler(verteiler)
        except VerteilerError as exc:
            raise MailRefused([str(exc)]) from None
    runs = load_runs(periode_dir)
    if runs.get("periode") not in (None, periode):
        raise MailRefused(
            [f"{periode_dir / 'runs.json'} gehört zur Periode {runs['periode']}, nicht {periode}"]
        )
    return verteiler, runs, periode_dir, pool_dir


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
    problems = check_reports(entries, runs, periode_dir, pool_dir)
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
                f"Gruppe '{g.id}': Produkt {', '.join(map(str, fehlend))} nicht in runs.json – nicht versendet"
            )
    for n in nachrichten:
        n.betreff = subject(periode, n)
        n.anhaenge = [a for e in n.berichte for a in _attachments(e, periode_dir)[0]]
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


# ---------------------------------------------------------------------------- size limit and parts
@dataclass(frozen=True)
class Hoechstgroesse:
    """The largest message allowed, in bytes on the wire, and where that limit comes from."""

    bytes: int
    quelle: str

    @classmethod
    def aus_verteiler(cls, verteiler: Verteiler) -> Hoechstgroesse:
        """The limit of ``smtp.max_nachricht_mb`` in the Verteiler file."""
        return cls(verteiler.smtp.max_bytes, "smtp.max_nachricht_mb in der Verteiler-Datei")


def megabytes(n: int) -> str:
    """Bytes as German megabytes, 1 MB = 1.000.000 Bytes: 1910123 -> '1,91 MB'."""
    return f"{fmt.zahl(n / MB, 2)} MB"


def pack_reports(berichte: list[tuple[Any, int]], capacity: int) -> list[list[int]]:
    """Split reports over the fewest parts of at most ``capacity`` bytes, related ones together.

    ``berichte`` are (product, size) in report order (product, then Gesamtstadt, then the
    Sozialräume A–Z); the size is a report's bytes on the wire (its HTML and its Excel file
    together: they never separate). Returns the indices of each part. The rule:

    1. Everything fits: one part.
    2. Each product is a block. A product too large for one part is cut in report order into
       the fewest runs that fit (a new run starts when the next area no longer fits), so the
       areas of a part are neighbours in the list and Gesamtstadt comes first.
    3. Blocks are packed first-fit-decreasing: the largest block first, each into the first
       part that still has room, else into a new part (ties: the earlier product first).
    4. Within a part, reports keep report order; parts are ordered by their first report.

    Deterministic: the same reports and sizes give the same parts. A report larger than
    ``capacity`` raises ValueError (the caller refuses it before anything is sent).
    """
    too_big = [i for i, (_, size) in enumerate(berichte) if size > capacity]
    if too_big:
        raise ValueError(f"Bericht(e) {too_big} größer als {capacity} Bytes")
    if sum(size for _, size in berichte) <= capacity:
        return [list(range(len(berichte)))] if berichte else []
    blocks: list[list[int]] = []
    for produkt in dict.fromkeys(p for p, _ in berichte):
        run: list[int] = []
        filled = 0
        for i, (p, size) in enumerate(berichte):
            if p != produkt:
                continue
            if run and filled + size > capacity:
                blocks.append(run)
                run, filled = [], 0
            run.append(i)
            filled += size
        blocks.append(run)

    def block_size(b: list[int]) -> int:
        return sum(berichte[i][1] for i in b)

    parts: list[list[int]] = []
    room: list[int] = []
    for block in sorted(blocks, key=lambda b: (-block_size(b), b[0])):
        size = block_size(block)
        for k, free in enumerate(room):
            if size <= free:
                parts[k] += block
                room[k] -= size
                break
        else:
            parts.append(list(block))
            room.append(capacity - size)
    return sorted((sorted(p) for p in parts), key=lambda p: p[0])


def _rid(entry: dict) -> tuple:
    return (entry.get("produkt"), entry.get("raum"), entry.get("berichtszeitraum"))


class _Sizer:
    """Measures bytes on the wire with the email generator: each attachment once (cached), and
    the text and headers of a message; a message is their sum (checked in the tests)."""

    def __init__(self, versand: Versand):
        self.versand = versand
        self._anhang: dict[tuple[Path, str], int] = {}

    @staticmethod
    @functools.cache
    def framing() -> int:
        """Bytes a multipart message adds around each attachment (boundary line, CRLFs)."""

        def msg(k: int) -> EmailMessage:
            m = EmailMessage()
            m.set_content("x")
            for _ in range(k):
                m.add_attachment(b"x", maintype="text", subtype="html", filename="x.html")
            return m

        part = len(msg(1).get_payload()[1].as_bytes(policy=SMTP_POLICY))
        return len(wire_bytes(msg(2))) - len(wire_bytes(msg(1))) - part

    def anhang(self, a: Anhang) -> int:
        """What one attached file adds to a message: its MIME part after base64, with framing."""
        key = (a.path, a.name)
        if key not in self._anhang:
            m = EmailMessage()
            _add(m, a, a.path.read_bytes())
            self._anhang[key] = (
                len(m.get_payload()[0].as_bytes(policy=SMTP_POLICY)) + self.framing()
            )
        return self._anhang[key]

    def text(self, n: Nachricht) -> int:
        """The message without attachments, as a multipart message (headers, text, end line);
        with the longer Message-ID of a resend, so that the plan is an upper bound."""
        msg = _text_message(
            self.versand.periode,
            n,
            self.versand.verteiler,
            _message_id(self.versand, n, resend=True),
        )
        msg.make_mixed()
        return len(wire_bytes(msg))


def _split(
    versand: Versand,
    n: Nachricht,
    berichte: list[dict],
    limit: Hoechstgroesse,
    sizer: _Sizer,
    frueher: list[dict] | None = None,
) -> tuple[list[Nachricht], dict[tuple, str]]:
    """The parts for ``berichte`` of one address, each at most ``limit``; or why a report cannot go."""
    units = [(e, _attachments(e, versand.periode_dir)[0]) for e in berichte]
    sizes = [sum(sizer.anhang(a) for a in files) for _, files in units]

    def parts_of(groups: list[list[int]]) -> list[Nachricht]:
        aufteilung = [[units[i][0] for i in g] for g in groups]
        out = []
        for nr, g in enumerate(groups, start=1):
            part = replace(
                n,
                berichte=aufteilung[nr - 1],
                teil=nr,
                teile=len(groups),
                alle=list(n.berichte),
                aufteilung=aufteilung,
                frueher=list(frueher or []),
                nachtrag=bool(frueher),
                anhaenge=[a for i in g for a in units[i][1]],
                betreff="",
            )
            part.betreff = subject(versand.periode, part)
            part.groesse = sizer.text(part) + sum(sizes[i] for i in g)
            out.append(part)
        return out

    reserve = sizer.text(parts_of([list(range(len(units)))])[0])
    while True:
        capacity = limit.bytes - reserve
        too_big = {
            _rid(e): (
                f"{_label(e)} ({', '.join(a.name for a in files)}): ergibt allein eine Nachricht von "
                f"{megabytes(sizes[i] + reserve)}, mehr als die Höchstgröße von {megabytes(limit.bytes)} "
                f"({limit.quelle}) – den Bericht verkleinern oder, wenn der Mailserver größere "
                f"Nachrichten annimmt, die Höchstgröße erhöhen"
            )
            for i, (e, files) in enumerate(units)
            if sizes[i] > capacity
        }
        if too_big:
            return [], too_big
        parts = parts_of(
            pack_reports(
                [(e.get("produkt"), size) for (e, _), size in zip(units, sizes, strict=True)],
                capacity,
            )
        )
        over = max(p.groesse for p in parts) - limit.bytes
        if over <= 0:
            return parts, {}
        reserve += over  # the text of the parts is longer than planned: plan with less room


@dataclass
class Aufteilung:
    """The messages of a mailing under a size limit: what to send, what the log says is done."""

    senden: list[Nachricht]
    schon_zugestellt: list[Nachricht]
    hinweise: list[str]
    hoechstgroesse: Hoechstgroesse


def plan_parts(
    versand: Versand, limit: Hoechstgroesse, log: MailLog | None = None, resend: bool = False
) -> Aufteilung:
    """Split every message to fit ``limit``; with ``log``, leave out what was delivered.

    Raises MailRefused (nothing sent) when a single report is larger than the limit. With a log
    (a real mailing, not ``resend``), a part whose delivery key is logged is not sent again. If
    some of an address's reports reached it in messages that are not parts of the current split
    (the limit, the server's SIZE or its report set changed since), it gets a *Nachtrag*: only
    the reports it has not had from this pool version, split again, its text listing those
    delivered earlier. So no report goes twice, none is lost, and part numbers never mix two
    splits, whatever changed between the runs.
    """
    sizer = _Sizer(versand)
    problems: dict[tuple, str] = {}
    plans = []
    for n in versand.nachrichten:
        parts, too_big = _split(versand, n, n.berichte, limit, sizer)
        problems.update({k: v for k, v in too_big.items() if k not in problems})
        plans.append((n, parts))
    if problems:
        raise MailRefused(
            [
                f"Versand abgelehnt, nichts wurde gesendet ({len(problems)} Bericht(e) zu groß):",
                *[f"  - {p}" for p in problems.values()],
            ]
        )
    if log is None or resend:
        return Aufteilung([p for _, parts in plans for p in parts], [], [], limit)
    done = log.done()
    senden, schon, hinweise = [], [], []
    for n, parts in plans:
        key = functools.partial(delivery_key, versand.periode, pool_version=versand.pool_version)
        offen = [p for p in parts if key(p) not in done]
        geloggt = [p for p in parts if key(p) in done]
        schon += geloggt
        files = log.zugestellt(n.empfaenger, versand.pool_version)
        erhalten = {
            _rid(e)
            for e in n.berichte
            if {a.name for a in _attachments(e, versand.periode_dir)[0]} <= files
        }
        if erhalten <= {_rid(e) for p in geloggt for e in p.berichte}:
            senden += (
                offen  # what arrived came in parts of this very split: send the others as planned
            )
            continue
        fehlend = [e for e in n.berichte if _rid(e) not in erhalten]
        frueher = [e for e in n.berichte if _rid(e) in erhalten]
        if not fehlend:
            continue
        nachtrag, too_big = _split(versand, n, fehlend, limit, sizer, frueher=frueher)
        if too_big:  # cannot happen: the same reports fitted above; refuse rather than guess
            raise MailRefused(
                [
                    "Versand abgelehnt, nichts wurde gesendet:",
                    *[f"  - {p}" for p in too_big.values()],
                ]
            )
        hinweise.append(
            f"{n.empfaenger}: {len(frueher)} von {len(n.berichte)} Berichten sind laut Protokoll schon "
            f"zugestellt (mit einer anderen Aufteilung); ein Nachtrag bringt die {len(fehlend)} fehlenden"
        )
        senden += nachtrag
    return Aufteilung(senden, schon, hinweise, limit)


def _kurz(berichte: list[dict]) -> str:
    """'Produkt 1: Gesamtstadt, Nord; Produkt 3: Süd' for the plan shown to the sender."""
    by: dict[Any, list[str]] = {}
    for e in berichte:
        by.setdefault(e.get("produkt"), []).append(str(e.get("raum")))
    return "; ".join(f"Produkt {p}: {', '.join(r)}" for p, r in by.items())


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

    def connect(self) -> None:
        """Open, STARTTLS and log in; raise on any failure."""
        self.greet(self.open())

    def reconnect(self) -> None:
        """Connect again after a dropped connection, waiting longer each time."""
        self.close()
        last: BaseException | None = None
        for delay in self.delays:
            time.sleep(delay)
            try:
                self.connect()
                self.echo(f"  (Verbindung zu {self.host}:{self.port} wiederhergestellt)")
                return
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
            if self.server is None or self.server.sock is None:
                self.reconnect()
            server = self.server
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
                    f"SMTP-Benutzer '{verteiler.smtp.benutzer}' ist gesetzt, aber die Verbindung zu {host}:{port} "
                    f"ist nicht verschlüsselt: das Passwort ginge im Klartext über das Netz. Bitte --starttls "
                    f"angeben (oder 'starttls: true' in der Verteiler-Datei): nichts wurde gesendet"
                ]
            )
        password = os.environ.get(PASSWORD_ENV)
        if not password:
            raise MailRefused(
                [
                    f"SMTP-Benutzer '{verteiler.smtp.benutzer}' ist gesetzt, aber die Umgebungsvariable "
                    f"{PASSWORD_ENV} fehlt oder ist leer: nichts wurde gesendet"
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
    if server is not None and server < eigene.bytes:
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
    if server is not None and server >= limit.bytes:
        text += f"; der Server {sender.host}:{sender.port} nimmt bis {megabytes(server)} an (SIZE)"
    elif sender is not None and server is None:
        text += f"; der Server {sender.host}:{sender.port} nennt keine Grenze (SIZE)"
    return text


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
        wer = f"{n.empfaenger}{f' ({n.teil_text})' if n.geteilt else ''}"
        if len(data) > limit.bytes:  # planned to fit; a file changed since: never send it larger
            result = (
                f"fehler: nicht gesendet, die Nachricht hat {megabytes(len(data))}, mehr als die Höchstgröße "
                f"{megabytes(limit.bytes)} ({limit.quelle}); erneut aufrufen"
            )
            row = {**row, "zeit": _now(), "ergebnis": result}
            log.append(row)
            rows.append(row)
            echo(f"  {wer}: {result}")
            continue
        try:
            sender.send(data, n.empfaenger, before_commit=lambda row=row: log.begin(row))
            result = GESENDET
        except _Transient as exc:
            if tries < len(retry_delays):
                echo(
                    f"  {wer}: vorläufig abgewiesen ({exc}); neuer Versuch in {retry_delays[tries]:g} s"
                )
                queue.append((time.monotonic() + retry_delays[tries], tries + 1, n))
                continue
            result = f"vorläufig abgewiesen: {exc} – beim nächsten Lauf erneut versuchen"
        except _Permanent as exc:
            result = f"abgewiesen: {exc}"
            if str(exc).startswith("552"):
                result += (
                    f" – die Nachricht ({megabytes(len(data))}) ist dem Server zu groß: smtp.max_nachricht_mb "
                    f"in der Verteiler-Datei verkleinern und erneut aufrufen (Zugestelltes geht nicht noch "
                    f"einmal)"
                )
        except _Ambiguous as exc:
            result = (
                f"{UNGEWISS}: Verbindung brach nach der Übergabe ab ({exc}) – vermutlich zugestellt, "
                f"bei Bedarf mit --resend erneut senden"
            )
        except _Unreachable as exc:
            result = f"fehler: keine Verbindung zum Server ({exc})"
            for _, _, rest in [(0, 0, n), *queue]:
                r = {**_log_row(versand, rest, "smtp", result)}
                log.append(r)
                rows.append(r)
                echo(
                    f"  {rest.empfaenger}{f' ({rest.teil_text})' if rest.geteilt else ''}: {result}"
                )
            log.end()
            break
        row = {**row, "zeit": _now(), "ergebnis": result}
        log.append(row)
        log.end()
        rows.append(row)
        echo(f"  {wer}: {result}")
    return rows, aufteilung.schon_zugestellt


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
                    f"{n.empfaenger}: die Nachricht hätte {megabytes(len(data))}, mehr als die Höchstgröße "
                    f"{megabytes(limit.bytes)}; erneut aufrufen"
                ]
            )
        f = out / eml_name(n)
        atomic_write(f, data)
        if n.teil == 1:
            teile = f"{n.teile} Teile" if n.teile > 1 else "1 Nachricht"
            echo(f"  {n.empfaenger}: {teile}")
        echo(
            f"    {n.teil_text + ': ' if n.geteilt else ''}{megabytes(len(data))} – {_kurz(n.berichte)} "
            f"({len(n.anhaenge)} Dateien) → {f.name}"
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


def parse_hostport(value: str) -> tuple[str, int]:
    """'host:port' -> (host, port); a clear error otherwise."""
    host, sep, port = (value or "").rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise MailRefused(
            [f"--smtp '{value}' ungültig: erwartet HOST:PORT, z. B. mail.example.org:587"]
        )
    return host, int(port)


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
            rows, versand.log.path, hinweise + aufteilung.hinweise, [n.empfaenger for n in skipped]
        )
    finally:
        lock.release()


@click.command("mail")
@click.option("--periode", required=True, help="Quartal der Berichte, JJJJ-Qn (z. B. 2023-Q4).")
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=paths.REPORTS,
    show_default=True,
    help="Berichtsordner (darin <periode>/runs.json).",
)
@click.option(
    "--pool",
    "pool_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=paths.PROCESSED,
    show_default=True,
    help="Datenpool, gegen den die Aktualität geprüft wird.",
)
@click.option(
    "--verteiler",
    "verteiler_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    show_default="config/verteiler.yaml",
    help="Verteiler-Datei.",
)
@click.option(
    "--dry-run",
    "dry_run",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Nichts senden: je Nachricht eine .eml-Datei in diesen Ordner schreiben und die Aufteilung "
    "mit den Größen zeigen.",
)
@click.option(
    "--smtp",
    "smtp",
    default=None,
    metavar="HOST:PORT",
    help="SMTP-Server statt dem aus der Verteiler-Datei.",
)
@click.option(
    "--starttls", is_flag=True, default=False, help="Verbindung mit STARTTLS verschlüsseln."
)
@click.option(
    "--resend",
    is_flag=True,
    default=False,
    help="Auch senden, was laut mail_log.csv schon zugestellt ist (bewusste Wiederholung).",
)
@click.option(
    "--empfaenger",
    "empfaenger",
    multiple=True,
    metavar="ADRESSE",
    help="Nur an diese Adresse(n) senden (mehrfach angeben; mit --resend für eine gezielte Wiederholung).",
)
@click.option(
    "--warten",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    metavar="SEKUNDEN",
    help="So lange warten, wenn ein anderer Lauf den Berichtsordner gerade benutzt.",
)
def mail_command(
    periode: str,
    reports_dir: Path,
    pool_dir: Path,
    verteiler_file: Path | None,
    dry_run: Path | None,
    smtp: str | None,
    starttls: bool,
    resend: bool,
    empfaenger: tuple[str, ...],
    warten: float,
) -> None:
    """Versendet die Berichte einer Periode an den Verteiler (eine Nachricht je Empfänger*in).

    Keine Nachricht ist größer als smtp.max_nachricht_mb der Verteiler-Datei (Standard 10 MB) oder
    als die Grenze, die der Server nennt; was nicht in eine passt, geht in mehreren Teilen
    („Teil 1 von 3“). Jede Zustellung steht sofort in reports/<periode>/mail_log.csv; ein erneuter
    Aufruf sendet nur, was noch nicht zugestellt ist (--resend: bewusst noch einmal). Das
    SMTP-Passwort kommt nur aus der Umgebungsvariablen KENNZAHLEN_SMTP_PASSWORD.
    """
    try:
        result = mail_reports(
            periode,
            reports_dir,
            pool_dir,
            verteiler_file,
            dry_run,
            smtp,
            starttls,
            echo=click.echo,
            resend=resend,
            empfaenger=list(empfaenger) or None,
            wait=warten,
        )
    except MailRefused as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(
            f"Versand abgebrochen: {exc.strerror or exc} ({getattr(exc, 'filename', '') or ''}). "
            f"Was schon zugestellt ist, steht im Protokoll; ein erneuter Aufruf sendet den Rest.",
            err=True,
        )
        sys.exit(1)
    for h in result.hinweise:
        click.echo(f"Hinweis: {h}", err=True)
    n = len(result.log)
    if dry_run is not None:
        click.echo(f"{n} Nachricht(en) als .eml nach {dry_run} geschrieben (nichts gesendet).")
    else:
        click.echo(f"{n - len(result.failed)} von {n} Nachricht(en) gesendet.")
        if result.schon_zugestellt:
            click.echo(
                f"{len(result.schon_zugestellt)} Nachricht(en) laut Protokoll schon zugestellt, nicht "
                f"erneut gesendet (--resend sendet sie noch einmal)."
            )
    click.echo(f"Protokoll: {result.log_file}")
    if result.failed:
        click.echo(
            f"{len(result.failed)} Nachricht(en) nicht zugestellt: siehe Protokoll; ein erneuter Aufruf "
            f"sendet nur diese.",
            err=True,
        )
        sys.exit(1)


__all__ = [
    "PASSWORD_ENV",
    "Anhang",
    "Aufteilung",
    "Hoechstgroesse",
    "MailRefused",
    "MailLog",
    "MailResult",
    "Nachricht",
    "Verteiler",
    "VerteilerError",
    "build_message",
    "check_mailing",
    "effective_limit",
    "eml_name",
    "check_reports",
    "load_runs",
    "load_verteiler",
    "mail_command",
    "mail_reports",
    "megabytes",
    "pack_reports",
    "plan_mailing",
    "plan_messages",
    "plan_parts",
    "send_messages",
    "wire_bytes",
]
