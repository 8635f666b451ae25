"""What a report run writes beside the reports: the Kennzahlensteckbriefe of its products, the
open data of the public product and the Stadtviertel profiles of Produkt 1.

::

    reports/<periode>/steckbriefe/index.html, steckbrief-<kennzahl>.html   one page per Kennzahl
    reports/<periode>/3_wirkungskennzahlen/offene_daten/<jahr>/…           CSV, GeoJSON, metadata
    reports/<periode>/1_sozialstruktur/stadtviertel/<sozialraum>.html|pdf  one page per Stadtviertel

The profiles (internal, like Produkt 1) are printed to one PDF per Sozialraum when the run prints
Produkt 1 (``kennzahlen report --pdf --produkt 1``).

The open data are written from the publication ledger (the plans recorded before the reports
started, :func:`kennzahlen.runner.batch._veroeffentlichen`), for the report year and every year
its charts show, only when the product is public and at least one of its reports was made. A
failure here is a warning of the run (the reports stand); the files already there stay.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kennzahlen.core.vocabulary import PRODUKTE
from kennzahlen.runner.basis import GEMACHT, OFFENE_DATEN, PROFILE, berichtszeitraum, slug
from kennzahlen.runner.eintrag import Eintrag

if TYPE_CHECKING:
    from playwright.sync_api import Browser


def beilagen(
    out_dir: Path,
    periode: str,
    entries: list[Eintrag],
    pool_dir: Path | None,
    pdf: list[int] | None = None,
) -> list[str]:
    """Write the sheets, the open data and the profiles of a run (``pdf``: the products the run
    prints); return German warnings (empty: all well)."""
    produkte = sorted({e.produkt for e in entries if e.status in GEMACHT})
    warnungen: list[str] = []
    if not produkte or pool_dir is None:
        return warnungen
    try:
        from kennzahlen.products import steckbrief

        steckbrief.schreiben(Path(out_dir) / steckbrief.ORDNER, produkte, pool_dir)
    except (OSError, ValueError, KeyError) as exc:
        warnungen.append(f"Kennzahlensteckbriefe nicht geschrieben: {exc}")
    if 3 in produkte:
        warnungen += offene_daten(Path(out_dir), periode, pool_dir)
    if 1 in produkte:
        warnungen += profile(Path(out_dir), periode, pool_dir, 1 in (pdf or []))
    return warnungen


def offene_daten(out_dir: Path, periode: str, pool_dir: Path) -> list[str]:
    """The open data of Produkt 3 (only when config/disclosure.yaml calls it public)."""
    from kennzahlen.disclosure.config import is_public

    if not is_public(3):
        return []
    from kennzahlen.products.wirkung import berichtsjahre
    from kennzahlen.products.wirkung import offene_daten as od

    ziel = Path(out_dir) / PRODUKTE[3].ordner / OFFENE_DATEN
    try:
        od.schreiben(pool_dir, berichtsjahre(berichtszeitraum(3, periode)), ziel)
    except (OSError, ValueError, KeyError) as exc:
        return [f"Offene Daten der {PRODUKTE[3].titel} nicht geschrieben: {exc}"]
    return []


def profile(out_dir: Path, periode: str, pool_dir: Path, pdf: bool = False) -> list[str]:
    """The Stadtviertel profiles of every Sozialraum (HTML; with ``pdf`` also printed)."""
    from kennzahlen.catalog.geography import sozialraeume
    from kennzahlen.core.safeio import atomic_write
    from kennzahlen.products.sozialstruktur import profil

    jahr = berichtszeitraum(1, periode)
    ziel = Path(out_dir) / PRODUKTE[1].ordner / PROFILE
    ziel.mkdir(parents=True, exist_ok=True)
    try:
        daten = profil.grundlagen(pool_dir, jahr)
        seiten = {
            raum: atomic_write(
                ziel / f"{slug(raum)}.html", profil.dokument(pool_dir, jahr, raum, daten)
            )
            for raum in sozialraeume()
        }
    except (OSError, ValueError, KeyError) as exc:
        return [f"Stadtviertelprofile nicht geschrieben: {exc}"]
    if pdf:
        return profile_drucken(seiten, jahr)
    return []


def profile_drucken(
    seiten: dict[str, Path], jahr: str, browser: Browser | None = None
) -> list[str]:
    """Print each Sozialraum's profiles to one PDF beside its HTML (an A4 page per Stadtviertel)."""
    from kennzahlen.runner.pdf import Drucker, PdfFehler

    try:
        with Drucker(browser) as drucker:
            for raum, quelle in seiten.items():
                drucker.drucke(
                    quelle,
                    quelle.with_suffix(".pdf"),
                    "Stadtviertelprofile",
                    f"Sozialraum {raum}",
                    jahr,
                )
    except (OSError, PdfFehler) as exc:
        return [f"Stadtviertelprofile nicht als PDF gedruckt: {exc}"]
    return []
