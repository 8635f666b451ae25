"""Produkt 3: a Kennzahl's city value against the comparison rings (delivery ``vergleichswerte``).

Only a published value is compared: the Gesamtstadt's value of the comparison year as the year's
publication plan shows it (``eigener_wert``, given by the caller; a hidden value gets no rank).
The other cities' values are published by their rings; they carry nothing of the city's small
counts.
"""

from __future__ import annotations

from collections.abc import Callable

from kennzahlen.catalog.geography import stadt
from kennzahlen.catalog.model import Kennzahl
from kennzahlen.pool.vergleichswerte import laden
from kennzahlen.products import ringvergleich


def ring_html(
    k: Kennzahl, jahr: str, pool_dir: object, eigener_wert: Callable[[str], float | None]
) -> str:
    """The comparison of a Kennzahl as report HTML: a sentence and a table ('' without values).
    ``eigener_wert(jahr)``: the city's published value of a year (None: hidden or none)."""
    vw = laden(pool_dir)  # type: ignore[arg-type]
    vj = ringvergleich.vergleichsjahr(vw, k, jahr)
    if vj is None:
        return ""
    eigen = eigener_wert(vj)
    satz = ringvergleich.satz(vw, k, str(jahr), vj, eigen, stadt())
    tab = ringvergleich.tabelle(vw, k, vj, eigen, stadt())
    if tab.empty:
        return ""
    return ringvergleich.vergleich_html(tab, satz)
