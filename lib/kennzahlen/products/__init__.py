"""What each product report shows: tables, key messages and attachments.

The notebooks call these functions and display what they return; the runner calls
:func:`anhaenge` to write attachments (the Produkt-2 Excel file) beside the HTML, and
:func:`berichtsperioden` / :func:`keine_daten` before any kernel starts, to skip a product
whose data the pool does not hold for the period.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kennzahlen.core.periods import QUARTALSENDE_MUSTER, ist_jahresende, jahr_von, quartal_von_tag
from kennzahlen.core.vocabulary import PRODUKTE


def anhaenge(produkt: int, pool: Path, periode: str, raum: str, base: Path) -> list[Path]:
    """Write a report's attachments beside its HTML (``base`` without suffix); return their
    paths."""
    if produkt == 2:
        from kennzahlen.products.quartalsmeldung import bogen  # without the charts

        return [bogen.write_excel(pool, periode, raum, base.with_suffix(".xlsx"))]
    return []


def is_public(produkt: int) -> bool:
    """Whether a product leaves the department (disclosure control on), per
    config/disclosure.yaml."""
    from kennzahlen.disclosure.config import is_public as _is_public

    return _is_public(produkt)


def berichtsperioden(
    daten: pd.DataFrame, ampel_details: pd.DataFrame | None = None
) -> dict[int, set[str]]:
    """Per product, the report periods the pool holds any of its data for.

    Produkt 1: years with a value of a Produkt-1 Kennzahl on 31.12.; Produkt 2: quarters with a
    Fallzahl of the Erfassungsbogen on the quarter's Stichtag; Produkt 3: years with a yearly value
    of a Produkt-3 Kennzahl; Produkt 4: quarters with a value behind an Ampel indicator.
    """
    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.products import wirkung
    from kennzahlen.products.quartalsmeldung.zeilen import ZEILEN

    daten = daten[daten["wert"].notna()]
    p1 = [k.id for k in load_catalog().kennzahlen if 1 in k.produkt and k.erhoben]
    sub = daten[daten["kennzahl"].isin(p1) & ist_jahresende(daten["periode"])]
    jahre1 = {jahr_von(p) for p in sub["periode"].unique()}
    p2 = [z.kennzahl for z in ZEILEN]
    sub = daten[daten["kennzahl"].isin(p2) & daten["periode"].str.fullmatch(QUARTALSENDE_MUSTER)]
    quartale2 = {quartal_von_tag(p) for p in sub["periode"].unique()}
    p3 = [k.id for k in wirkung.kennzahlen_p3()]
    jahre3 = set(wirkung.jahre_mit_daten(daten[daten["kennzahl"].isin(p3)]))
    quartale4: set[str] = set()
    if ampel_details is not None and len(ampel_details):
        quartale4 = set(ampel_details.loc[ampel_details["wert"].notna(), "quartal"].unique())
    return {1: jahre1, 2: quartale2, 3: jahre3, 4: quartale4}


def tabellen(produkt: int) -> set[str]:
    """The raw tables a product's reports read (from the catalog; Produkt 4: its indicators')."""
    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.products import common
    from kennzahlen.products.ampelbericht import bericht as ampelbericht

    if produkt == 4:
        return common.tabellen_von(ampelbericht.indikator_kennzahlen())
    cat = load_catalog()
    return common.tabellen_von([k.id for k in cat.kennzahlen if produkt in k.produkt and k.erhoben])


def keine_daten(produkt: int, zeitraum: str, pool_dir: str | Path | None) -> str:
    """Why a product is not made for its report period: one German sentence from the pool's
    Abdeckung.

    ``zeitraum``: the report period ('2018' for the yearly products, '2019-Q1' for the others).
    Example: "Für 2018 liegen keine Jugendhilfedaten … vor (…); die Wirkungskennzahlen fehlen
    daher."
    """
    from kennzahlen.products import common

    fehlend = common.fehlende_tabellen(common.abdeckung_von(pool_dir), tabellen(produkt), zeitraum)
    p = PRODUKTE[produkt]
    folge = f"{p.im_satz} {'fehlen' if p.plural else 'fehlt'} daher"
    return common.fehlt_satz(zeitraum, fehlend, folge)
