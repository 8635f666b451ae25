"""Before anything is sent: every attachment is the report it claims to be, of this city.

A report's HTML carries its identity (``<meta name="kennzahlen-bericht">``: product, area, period,
city configuration); ``runs.json`` records the SHA-256 of every file of a report when it was
written (``dateien``). The check goes by these, never by a file name: two areas whose files
collided, a report copied or overwritten since, a report folder or pool of another city – each
is refused before the first message, naming the report.
"""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path

from kennzahlen.catalog.stadtkennung import META, SCHLUESSEL, FremdeStadt, Kennung, pruefe

NEU_ERZEUGEN = "Bericht neu erzeugen (kennzahlen report … --force)"


class _Kopf(HTMLParser):
    """Finds ``<meta name="kennzahlen-bericht" content="…">`` (any quoting, any order)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inhalt: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and a.get("name") == META and self.inhalt is None:
            self.inhalt = a.get("content") or ""


def kennung_der_datei(path: Path) -> dict | None:
    """The identity an HTML report carries in its head (None: none, or not readable)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(64 * 1024)  # the meta tag stands in the head, before the styles
    except OSError:
        return None
    kopf = _Kopf()
    kopf.feed(head.decode("utf-8", "replace"))
    if kopf.inhalt is None:
        return None
    try:
        value = json.loads(kopf.inhalt)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def bericht_probleme(entry: dict, periode_dir: Path, kennung: Kennung, label: str) -> list[str]:
    """Why a report's files are not the report its runs.json entry names (empty: they are)."""
    problems = []
    rel = entry["html"]
    ident = kennung_der_datei(periode_dir / rel)
    if ident is None:
        problems.append(f"{label}: {rel} trägt keine Berichtskennung – {NEU_ERZEUGEN}")
    else:
        soll = {k: entry.get(k) for k in ("produkt", "raum", "berichtszeitraum")}
        ist = {k: ident.get(k) for k in soll}
        if ist != soll:
            problems.append(
                f"{label}: {rel} ist laut seiner Kennung Produkt {ist['produkt']} "
                f"{ist['raum']} {ist['berichtszeitraum']}, nicht der Bericht, den runs.json "
                f"nennt (Produkt {soll['produkt']} {soll['raum']} {soll['berichtszeitraum']}) – "
                f"{NEU_ERZEUGEN}"
            )
        try:
            pruefe(ident.get("stadt"), f"{label}: {rel}", kennung, NEU_ERZEUGEN)
        except FremdeStadt as exc:
            problems.append(str(exc))
    dateien: dict = entry["dateien"] if isinstance(entry.get("dateien"), dict) else {}
    pdf = entry.get("pdf")
    pdf_da = isinstance(pdf, str) and bool(pdf) and (periode_dir / pdf).is_file()
    for datei in [rel, *entry.get("anhaenge", []), *([pdf] if pdf_da else [])]:
        soll_sha = dateien.get(datei)
        if soll_sha is None:
            problems.append(
                f"{label}: runs.json nennt keine Prüfsumme für {datei} – {NEU_ERZEUGEN}"
            )
        elif _sha(periode_dir / datei) != soll_sha:
            problems.append(
                f"{label}: {datei} ist nicht mehr die Datei, die der Bericht geschrieben hat "
                f"(Prüfsumme anders als in runs.json: überschrieben oder ersetzt) – {NEU_ERZEUGEN}"
            )
    return problems


def ordner_probleme(
    runs: dict, periode_dir: Path, pool_dir: Path, pool_manifest: dict | None, kennung: Kennung
) -> list[str]:
    """The report folder and the pool belong to the configuration in use (German problems)."""
    problems = []
    checks = [(runs.get(SCHLUESSEL), f"Der Berichtsordner {periode_dir}")]
    if pool_manifest is not None:
        checks.append((pool_manifest.get(SCHLUESSEL), f"Der Datenpool {pool_dir}"))
    for stempel, was in checks:
        try:
            pruefe(stempel, was, kennung, "erst Datenpool und Berichte mit ihr neu erzeugen.")
        except FremdeStadt as exc:
            problems.append(str(exc))
    return problems
