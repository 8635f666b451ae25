"""Produkt 1 for the Gesamtstadt: the Stadtviertel grouped by Sozialraum, each with its subtotal.

A reader finds their Sozialraum without scanning every Stadtviertel of the city. The subtotal of
a Sozialraum is the pool's own Sozialraum value (for a count the sum of its Stadtviertel, for a
share the share of the Sozialraum, never a sum of shares), so it equals the Sozialraum's row in
every other table and report. Cases without a Stadtviertel ("ohne Zuordnung") count only for the
city: they get a row of their own where a shown column has any, so the subtotals and that row
add up to the city's total.
"""

from __future__ import annotations

import pandas as pd

from kennzahlen.catalog.geography import raumgliederung, sozialraeume
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG

#: the second-level label of a Sozialraum's subtotal row and of the city's total row
SUMME = "Sozialraum insgesamt"
STADT = "Stadt insgesamt"
OHNE = "ohne Stadtviertel"
INDEX_NAMEN = ["Sozialraum", "Stadtviertel"]


def _werte(pool: pd.DataFrame, ids: list[str], periode: str, ebene: str) -> pd.DataFrame:
    sub = pool[(pool["periode"] == periode) & pool["kennzahl"].isin(ids) & (pool["ebene"] == ebene)]
    return sub.pivot_table(
        index="raum", columns="kennzahl", values="wert", aggfunc="first"
    ).reindex(columns=ids)


def gruppiert(pool: pd.DataFrame, ids: list[str], periode: str) -> pd.DataFrame:
    """The Kennzahlen ``ids`` on a Stichtag per Stadtviertel, grouped by Sozialraum.

    Index: (Sozialraum, Stadtviertel label); after each Sozialraum's Stadtviertel its row
    (Sozialraum, :data:`SUMME`); then (ohne Zuordnung, :data:`OHNE`) when it has a value other
    than 0, and (Gesamtstadt, :data:`STADT`) last. ``attrs["summen"]``: the total rows.
    """
    rg = raumgliederung()
    stv = _werte(pool, ids, periode, "stadtviertel")
    sr = _werte(pool, ids, periode, "sozialraum")
    stadt = _werte(pool, ids, periode, "gesamtstadt").reindex([GESAMTSTADT])
    teile, summen = [], []
    for raum in sozialraeume():
        viertel = rg[rg["sozialraum"] == raum]
        block = stv.reindex(viertel["stadtviertel_nr"])
        block.index = pd.MultiIndex.from_tuples(
            [
                (raum, f"{nr} {name}")
                for nr, name in zip(
                    viertel["stadtviertel_nr"], viertel["stadtviertel"], strict=True
                )
            ]
        )
        summe = sr.reindex([raum])
        summe.index = pd.MultiIndex.from_tuples([(raum, SUMME)])
        teile += [block, summe]
        summen.append((raum, SUMME))
    ohne = sr.reindex([OHNE_ZUORDNUNG])
    if (ohne.fillna(0) != 0).any(axis=None):
        ohne.index = pd.MultiIndex.from_tuples([(OHNE_ZUORDNUNG, OHNE)])
        teile.append(ohne)
        summen.append((OHNE_ZUORDNUNG, OHNE))
    stadt.index = pd.MultiIndex.from_tuples([(GESAMTSTADT, STADT)])
    teile.append(stadt)
    summen.append((GESAMTSTADT, STADT))
    out = pd.concat(teile)
    out.index.names = INDEX_NAMEN
    out.attrs["summen"] = summen
    return out
