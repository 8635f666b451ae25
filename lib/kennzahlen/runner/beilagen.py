"""What a report run writes beside the reports: the Kennzahlensteckbriefe of its products and the
open data of the public product.

::

    reports/<periode>/steckbriefe/index.html, steckbrief-<kennzahl>.html   one page per Kennzahl
    reports/<periode>/3_wirkungskennzahlen/offene_daten/<jahr>/…           CSV, GeoJSON, metadata

The open data are written from the publication ledger (the plans recorded before the reports
started, :func:`kennzahlen.runner.batch._veroeffentlichen`), for the report year and every year
its charts show, only when the product is public and at least one of its reports was made. A
failure here is a warning of the run (the reports stand); the files already there stay.
"""

from __future__ import annotations

from pathlib import Path

from kennzahlen.core.vocabulary import PRODUKTE
from kennzahlen.runner.basis import OFFENE_DATEN, berichtszeitraum

GEMACHT = ("ok", "uebersprungen")


def beilagen(out_dir: Path, periode: str, entries: list[dict], pool_dir: Path | None) -> list[str]:
    """Write the sheets and the open data of a run; return German warnings (empty: all well)."""
    produkte = sorted({e["produkt"] for e in entries if e["status"] in GEMACHT})
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
