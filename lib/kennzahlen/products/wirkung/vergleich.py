"""Produkt 3: a Kennzahl's city value against the comparison rings (delivery ``vergleichswerte``).

Only a published value is compared: the Gesamtstadt's value of the comparison year as the year's
publication plan shows it (a hidden value gets no rank). The other cities' values are published
by their rings; they carry nothing of the city's small counts.
"""

from __future__ import annotations

import pandas as pd

from kennzahlen.catalog.geography import stadt
from kennzahlen.catalog.model import Kennzahl
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.pool.vergleichswerte import laden
from kennzahlen.products import ringvergleich


def eigener_wert(pool: pd.DataFrame, k: Kennzahl, jahr: str, produkt: int = 3) -> float | None:
    """The Gesamtstadt's value of the year as the report publishes it (None: hidden or none)."""
    from kennzahlen.products.wirkung.tabellen import kennzahl_tabelle

    t = kennzahl_tabelle(pool, k, jahr, produkt)
    if GESAMTSTADT not in t.werte.index or bool(t.gesperrt.get(GESAMTSTADT, True)):
        return None
    w = t.werte.loc[GESAMTSTADT, "wert"]
    return None if pd.isna(w) else float(w)


def ring_html(
    pool: pd.DataFrame, k: Kennzahl, jahr: str, pool_dir: object, produkt: int = 3
) -> str:
    """The comparison of a Kennzahl as report HTML: a sentence and a table ('' without values)."""
    vw = laden(pool_dir)  # type: ignore[arg-type]
    vj = ringvergleich.vergleichsjahr(vw, k, jahr)
    if vj is None:
        return ""
    eigen = eigener_wert(pool, k, vj, produkt)
    satz = ringvergleich.satz(vw, k, str(jahr), vj, eigen, stadt())
    tab = ringvergleich.tabelle(vw, k, vj, eigen, stadt())
    if tab.empty:
        return ""
    return ringvergleich.vergleich_html(tab, satz)
