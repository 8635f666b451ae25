"""PDF of a report for the council paper (Gemeinderatsdrucksache): Chromium's print, via playwright.

Why Chromium (as nbconvert's ``webpdf`` exporter does) and not WeasyPrint: the PDF comes from the
very rendering the browser test checks (axe-core, proofreading), so what passes there is what is
printed; Chromium writes tagged PDF (structure tree, /Lang, outline), embeds font subsets and
keeps text as text; it was about four times faster here (benchmarks/HISTORY.md); and playwright,
a pinned dependency, drives the browser tests too. The price is a browser on the machine: PDF is
opt-in (``kennzahlen report --pdf``, ``config/pdf.yaml``), and without Chromium
``--pdf`` stops with a German message before any report is made.

A4; header with product, area and period, footer with page numbers; no page break inside a
table row, a chart or the report header; headings stay with what follows. The first page
carries the key messages and is filled: the Zielmatrix after them starts there and continues on
the next page (between its rows, with its header repeated) instead of leaving half a page empty.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kennzahlen.core import paths
from kennzahlen.core.configfile import read_yaml

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

    from kennzahlen.runner.eintrag import Eintrag

CHROMIUM_ENV = "KENNZAHLEN_CHROMIUM"
KANDIDATEN = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CONFIG_DATEI = "pdf.yaml"


class PdfFehler(RuntimeError):
    """PDF cannot be made (no browser, bad config): a German sentence saying what to do."""


@dataclass(frozen=True)
class PdfConfig:
    """``config/pdf.yaml``: which products get a PDF with ``--pdf``, and whether always."""

    produkte: tuple[int, ...] = (3,)
    immer: bool = False


def load_config(path: Path | str | None = None) -> PdfConfig:
    """Read ``config/pdf.yaml`` (missing file: Produkt 3, only with ``--pdf``)."""
    path = Path(path or paths.CONFIG / CONFIG_DATEI)
    if not path.exists():
        return PdfConfig()
    raw = read_yaml(path, PdfFehler, "die PDF-Einstellung") or {}
    if not isinstance(raw, dict):
        raise PdfFehler(f"{path}: erwartet eine Zuordnung (produkte:, immer:)")
    unbekannt = sorted(set(raw) - {"produkte", "immer"})
    if unbekannt:
        raise PdfFehler(
            f"{path}: unbekannter Eintrag {', '.join(unbekannt)} (erlaubt: produkte, immer)"
        )
    produkte = raw.get("produkte", [3])
    if not isinstance(produkte, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 4 for p in produkte
    ):
        raise PdfFehler(
            f"{path}: produkte: erwartet eine Liste von Produktnummern 1–4, z. B. [3] "
            f"(Wert: {produkte!r})"
        )
    immer = raw.get("immer", False)
    if not isinstance(immer, bool):
        raise PdfFehler(f"{path}: immer: erwartet true oder false (Wert: {immer!r})")
    return PdfConfig(tuple(sorted(set(produkte))), immer)


def chromium() -> str | None:
    """The Chromium to print with: ``$KENNZAHLEN_CHROMIUM``, else the first on the PATH."""
    env = os.environ.get(CHROMIUM_ENV)
    if env:
        return env if Path(env).is_file() else None
    for name in KANDIDATEN:
        found = shutil.which(name)
        if found:
            return found
    return None


def fehlt() -> str | None:
    """Why no PDF can be made here (a German sentence), or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return (
            "PDF nicht möglich: das Python-Paket playwright fehlt "
            "(`pip install -e .` im Projektordner installiert es)."
        )
    if chromium() is None:
        wo = os.environ.get(CHROMIUM_ENV)
        hinweis = f" ({CHROMIUM_ENV}={wo} ist keine Datei)" if wo else ""
        return (
            f"PDF nicht möglich: kein Chromium gefunden{hinweis}. Chromium installieren "
            f"(Debian/Ubuntu: `apt-get install chromium`) oder den Pfad in {CHROMIUM_ENV} angeben. "
            f"Die HTML-Berichte entstehen auch ohne PDF (`kennzahlen report` ohne --pdf)."
        )
    return None


#: print rules on top of the report's own style (added only for printing)
DRUCK_CSS = """
@page { size: A4; margin: 20mm 14mm 16mm 14mm; }
body.jp-Notebook { max-width: none !important; padding: 0 !important; margin: 0 !important; }
.jp-RenderedHTMLCommon { font-size: 11.5px !important; }
.jp-RenderedHTMLCommon table { font-size: 10px !important; max-width: 100%; }
body.jp-Notebook .kz-matrix td { min-width: 0 !important; }
.jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon td { padding: 2px 5px !important; }
table, .jp-RenderedImage, img, .kz-kopf, .kz-kern, .kz-fehlt, caption { break-inside: avoid; }
tr, th, td { break-inside: avoid; }
thead { display: table-header-group; }
/* the Zielmatrix (a page high) starts on the first page, under the key messages */
.jp-OutputArea-child:has(table.kz-matrix), table.kz-matrix { break-inside: auto !important; }
h1, h2, h3, h4, caption { break-after: avoid; }
/* a heading (with its lead-in) stays on the page of what follows it: a section text cell, an
   output holding a heading (a Kennzahl's title and definition) */
.jp-MarkdownCell, .jp-OutputArea-child:has(h1, h2, h3, h4) { break-after: avoid; }
.jp-OutputArea-output img { max-width: 100% !important; height: auto !important; }
a { color: inherit; text-decoration: none; }
/* no ligatures: the text layer reads "Pflege", not "P\ufb02ege" (search, screen readers) */
* { font-variant-ligatures: none !important; }
"""


def _kopf_fuss(produkt: str, gebiet: str, zeitraum: str) -> tuple[str, str]:
    stil = "font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 8px; color: #333;"
    links = html.escape(f"Kennzahlensystem Soziales · {produkt}")
    rechts = html.escape(f"{gebiet} · {zeitraum}")
    kopf = (
        f'<div style="{stil} width: 100%; margin: 0 14mm; display: flex; '
        f'justify-content: space-between;"><span>{links}</span><span>{rechts}</span></div>'
    )
    fuss = (
        f'<div style="{stil} width: 100%; margin: 0 14mm; display: flex; '
        f'justify-content: space-between;"><span>{rechts}</span><span>Seite '
        '<span class="pageNumber"></span> von <span class="totalPages"></span></span></div>'
    )
    return kopf, fuss


@dataclass
class Drucker:
    """One headless Chromium for all PDFs of a run (started on enter, closed on exit); or a
    browser the caller already has open (``browser``: a playwright Browser, left open)."""

    browser: Browser | None = None
    _pw: Playwright | None = None
    _browser: Browser | None = None

    def __enter__(self) -> Drucker:
        if self.browser is not None:
            self._browser = self.browser
            return self
        grund = fehlt()
        if grund:
            raise PdfFehler(grund)
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(
            executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"]
        )
        return self

    def __exit__(self, *exc) -> None:
        if self._browser is not None and self.browser is None:
            self._browser.close()
        if self._pw is not None:
            self._pw.stop()

    def drucke(self, quelle: Path, ziel: Path, produkt: str, gebiet: str, zeitraum: str) -> None:
        """Print one report (HTML file) to a PDF, written atomically."""
        from kennzahlen.core.safeio import atomic_write

        if self._browser is None:
            raise PdfFehler("Der Drucker ist nicht geöffnet: bitte `with Drucker() as d:` nutzen.")
        # the PDF's language (/Lang) follows the browser's locale: German like the reports
        context = self._browser.new_context(offline=True, locale="de-DE")
        try:
            page = context.new_page()
            page.goto(Path(quelle).resolve().as_uri(), wait_until="load")
            page.add_style_tag(content=DRUCK_CSS)
            page.emulate_media(media="print")
            kopf, fuss = _kopf_fuss(produkt, gebiet, zeitraum)
            data = page.pdf(
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template=kopf,
                footer_template=fuss,
                prefer_css_page_size=True,
                tagged=True,
                outline=True,
            )
        finally:
            context.close()
        atomic_write(Path(ziel), data)


def quelle_hash(html_datei: Path) -> str:
    """The fingerprint of a report's HTML and the print rules (a PDF is redone when either
    changes)."""
    h = hashlib.sha256(Path(html_datei).read_bytes())
    h.update(DRUCK_CSS.encode())
    return h.hexdigest()


def produkte_fuer_pdf(
    gewuenscht: bool, produkte: list[int] | None, config: PdfConfig | None = None
) -> tuple[list[int], str | None]:
    """Which products of a run get a PDF, and a note when the setting wants PDF but cannot.

    ``--pdf`` with ``--produkt``: the products asked for; ``--pdf`` alone: those of
    ``config/pdf.yaml`` (Produkt 3). Without ``--pdf`` only ``immer: true`` asks for PDFs.
    ``--pdf`` on a machine without Chromium raises :class:`PdfFehler` before anything runs;
    ``immer: true`` there gives only the note (``make report`` keeps working).
    """
    config = config or load_config()
    if not (gewuenscht or config.immer):
        return [], None
    wahl = list(produkte) if gewuenscht and produkte else list(config.produkte)
    if produkte:
        wahl = [p for p in wahl if p in produkte]
    grund = fehlt()
    if grund is None:
        return wahl, None
    if gewuenscht:
        raise PdfFehler(grund)
    return [], f"{grund} (config/{CONFIG_DATEI}: immer: true)"


def pdfs_im_lauf(
    out_dir: Path,
    periode: str,
    produkte: list[int],
    pool_dir: Path | None,
    browser: Browser | None = None,
) -> list[dict]:
    """Print the run's reports of ``produkte`` to PDF beside their HTML; keep runs.json and the
    index current. A PDF whose HTML and print rules are unchanged is kept. Returns per report
    ``{"pdf": path, "neu": bool}``."""
    import json

    from kennzahlen.core.safeio import atomic_write
    from kennzahlen.runner.basis import GEMACHT
    from kennzahlen.runner.index_page import render_index
    from kennzahlen.runner.runs import eintraege, write_json

    runs_file = Path(out_dir) / "runs.json"
    runs = json.loads(runs_file.read_text(encoding="utf-8"))
    entries = eintraege(runs)
    todo = [e for e in entries if e.produkt in produkte and e.status in GEMACHT and e.html]
    out: list[dict] = []
    if not todo:
        return out
    with Drucker(browser) as drucker:
        for e in todo:
            rel = str(e.html)
            quelle = Path(out_dir) / rel
            ziel = quelle.with_suffix(".pdf")
            h = quelle_hash(quelle)
            neu = not (ziel.exists() and e.pdf_quelle == h)
            if neu:
                drucker.drucke(quelle, ziel, str(e.produkt_titel), _gebiet(e.raum), _zeit(e))
            e.pdf = str(Path(rel).with_suffix(".pdf"))
            e.pdf_quelle = h
            # the PDF's checksum beside the report's others: mail checks what it attaches
            e.dateien = {**(e.dateien or {}), e.pdf: hashlib.sha256(ziel.read_bytes()).hexdigest()}
            out.append({"pdf": e.pdf, "neu": neu, "produkt": e.produkt, "raum": e.raum})
            write_json(Path(out_dir), {**runs, "reports": [x.als_json() for x in entries]})
    atomic_write(Path(out_dir) / "index.html", render_index(periode, entries, pool_dir))
    return out


def _gebiet(raum: str) -> str:
    from kennzahlen.catalog.geography import gesamtstadt_titel
    from kennzahlen.core.schema import GESAMTSTADT

    return gesamtstadt_titel() if raum == GESAMTSTADT else f"Sozialraum {raum}"


def _zeit(entry: Eintrag) -> str:
    from kennzahlen.core import fmt

    z = str(entry.berichtszeitraum or "")
    return fmt.periode(z) if z else ""
