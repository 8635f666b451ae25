"""Produkt 3: what chance allows a reader to conclude – a value's 95 % interval, the Zielwert
and the Gesamtstadt compared with it, and the funnel plot of the Sozialräume.

Disclosure: an interval, a comparison and a funnel point are functions of the Zähler and Nenner
of their value; they are shown only where the publication plan shows both (the value's status
'wert'), so they reveal nothing the table does not show (:mod:`kennzahlen.disclosure`). The
funnel's reference is the Gesamtstadt's published value; without it there is no funnel.
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from collections import OrderedDict
from typing import TYPE_CHECKING

import pandas as pd

from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.catalog.model import Kennzahl
from kennzahlen.core.fmt import NBSP
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.core.vocabulary import ist_anteil
from kennzahlen.products.wirkung.werte import tabellen_wert
from kennzahlen.statistik import intervalle as iv

if TYPE_CHECKING:
    from kennzahlen.products.wirkung.tabellen import KennzahlTabelle

INTERVALL = "95-%-Intervall"
GEGEN_STADT = "ggü. Gesamtstadt"


def intervall(k: Kennzahl, zaehler: float, nenner: float) -> tuple[float, float] | None:
    """The 95 % interval of a share or rate from its Zähler and Nenner (None: none; an amount
    in Euro is no count of events, so Euro per case or per resident has none)."""
    if not k.nenner or k.in_euro:
        return None
    lo, hi = iv.intervall(zaehler, nenner, k.faktor, ist_anteil(k.einheit))
    return None if math.isnan(lo) or math.isnan(hi) else (lo, hi)


def sichtbare_intervalle(
    k: Kennzahl, werte: pd.DataFrame, gesperrt: pd.Series
) -> dict[str, tuple[float, float]]:
    """Per area whose value is shown: its 95 % interval (areas with a hidden Zähler or Nenner
    have none)."""
    out = {}
    for a in werte.index:
        if bool(gesperrt.get(a, True)) or pd.isna(werte.loc[a, "wert"]):
            continue
        iv_a = intervall(k, float(werte.loc[a, "zaehler"]), float(werte.loc[a, "nenner"]))
        if iv_a is not None:
            out[a] = iv_a
    return out


def intervall_text(k: Kennzahl, lo_hi: tuple[float, float]) -> str:
    """'60,4 % bis 84,1 %' (in the format of the table's values)."""
    return f"{tabellen_wert(k, lo_hi[0])} bis {tabellen_wert(k, lo_hi[1])}"


def zielvergleich(
    k: Kennzahl, jahr: str | int, wert: float, lo_hi: tuple[float, float] | None
) -> str | None:
    """'erreicht', 'nicht sicher verfehlt' or 'verfehlt' against the Zielwert of the year."""
    lo, hi = lo_hi if lo_hi is not None else (math.nan, math.nan)
    return iv.zielvergleich(wert, lo, hi, k.zielwert_im(jahr), k.richtung)


def spalten(
    k: Kennzahl, jahr: str, werte: pd.DataFrame, gesperrt: pd.Series, anzeige: pd.DataFrame
) -> pd.DataFrame:
    """The table's columns of uncertainty: the interval, the Zielwert judged with it ('erreicht',
    'nicht sicher verfehlt', 'verfehlt') and each Sozialraum against the Gesamtstadt ('höher',
    'niedriger', 'ähnlich'); '–' wherever the value is not shown."""
    if not k.nenner or k.in_euro:  # no interval for an amount in Euro (see intervall)
        return anzeige
    ivs = sichtbare_intervalle(k, werte, gesperrt)
    texte = [intervall_text(k, ivs[a]) if a in ivs else "–" for a in anzeige.index]
    nach = list(anzeige.columns).index("Wert") + 1 if "Wert" in anzeige.columns else len(anzeige)
    anzeige.insert(nach, INTERVALL, texte)
    if k.zielwert_im(jahr) is not None:
        anzeige["Zielwert"] = [
            zielvergleich(k, jahr, float(werte.loc[a, "wert"]), ivs.get(a)) or "–"
            if not bool(gesperrt[a]) and pd.notna(werte.loc[a, "wert"])
            else "–"
            for a in anzeige.index
        ]
    stadt = werte.loc[GESAMTSTADT, "wert"] if GESAMTSTADT in ivs else math.nan
    sr = set(sozialraeume())
    anzeige[GEGEN_STADT] = [
        (iv.gegen_referenz(*ivs[a], stadt) or "–") if a in sr and a in ivs else "–"
        for a in anzeige.index
    ]
    return anzeige


# ------------------------------------------------------------------------------ the funnel plot
def trichter_punkte(tab: KennzahlTabelle) -> pd.DataFrame:
    """The funnel's points: the Sozialräume whose value is shown (nenner, wert); empty without
    a published Gesamtstadt value."""
    w, k = tab.werte, tab.k
    if (
        not k.nenner
        or k.in_euro
        or GESAMTSTADT not in w.index
        or bool(tab.gesperrt.get(GESAMTSTADT, True))
    ):
        return pd.DataFrame(columns=["nenner", "wert"])
    # the columns as lists (the same values ``w.loc[a, ...]`` reads, without a lookup per cell)
    wert = dict(zip(w.index, w["wert"].tolist(), strict=True))
    nenner = dict(zip(w.index, w["nenner"].tolist(), strict=True))
    zeilen = [
        a
        for a in sozialraeume()
        if a in wert and not bool(tab.gesperrt[a]) and pd.notna(wert[a]) and float(nenner[a]) > 0
    ]  # fmt: skip
    return w.loc[zeilen, ["nenner", "wert"]].astype(float)


def trichter_lage(k: Kennzahl, punkte: pd.DataFrame, referenz: float) -> dict[str, str]:
    """Per point: 'innerhalb', 'außerhalb 95 %' or 'außerhalb 99,8 %' (above or below)."""
    out = {}
    for raum, r in punkte.iterrows():
        t = iv.trichter(referenz, [r["nenner"]], k.faktor, ist_anteil(k.einheit))
        w = float(r["wert"])
        if w < t.aussen_unten[0] or w > t.aussen_oben[0]:
            out[str(raum)] = "jenseits 99,8 %"
        elif w < t.innen_unten[0] or w > t.innen_oben[0]:
            out[str(raum)] = "jenseits 95 %"
        else:
            out[str(raum)] = "innerhalb"
    return out


def trichter_titel(k: Kennzahl, jahr: str, lage: dict[str, str]) -> str:
    """The funnel's title states its finding."""
    aussen = [r for r, x in lage.items() if x == "jenseits 99,8 %"]
    auffaellig = [r for r, x in lage.items() if x == "jenseits 95 %"]
    if not aussen and not auffaellig:
        befund = "alle Sozialräume im Bereich des Zufalls um die Gesamtstadt"
    elif aussen:
        befund = f"{_liste(aussen)} jenseits der 99,8-%-Grenzen"
    else:
        befund = f"{_liste(auffaellig)} jenseits der 95-%-Grenzen"
    return textwrap.fill(f"{k.titel} {jahr}: {befund}", 68)


def _liste(namen: list[str]) -> str:
    return namen[0] if len(namen) == 1 else ", ".join(namen[:-1]) + " und " + namen[-1]


def trichter_diagramm(tab: KennzahlTabelle, raum: str):
    """The funnel plot of a Kennzahl's table (None: fewer than two points or no reference)."""
    from kennzahlen.charts import streuung

    punkte = trichter_punkte(tab)
    if len(punkte) < 2:
        return None
    k = tab.k
    referenz = float(tab.werte.loc[GESAMTSTADT, "wert"])
    grenzen, titel, x_label = _trichter_teile(k, tab.jahr, punkte, referenz)
    return streuung.trichter(
        punkte, grenzen, referenz, titel, ist_anteil(k.einheit), raum, x_label=x_label
    )


#: the funnel's limits, title and axis label kept per Kennzahl, year, points and reference: the
#: same in every report of a year (only the highlighted Sozialraum differs); least recently used
#: dropped first
GRENZE_TEILE = 256
_TEILE: OrderedDict[tuple, tuple[iv.Trichter, str, str]] = OrderedDict()


def _trichter_teile(
    k: Kennzahl, jahr: str, punkte: pd.DataFrame, referenz: float
) -> tuple[iv.Trichter, str, str]:
    """The funnel's limits (read-only arrays), title and x axis label, kept by the Kennzahl's
    whole catalog entry, the year, the points (areas, Nenner, values) and the reference."""
    import numpy as np

    from kennzahlen.products.wirkung.werte import kennzahl_schluessel

    key = (
        kennzahl_schluessel(k), str(jahr), float(referenz), tuple(map(str, punkte.index)),
        tuple(map(repr, punkte.index)), punkte["nenner"].to_numpy(dtype="float64").tobytes(),
        punkte["wert"].to_numpy(dtype="float64").tobytes(),
    )  # fmt: skip
    hit = _TEILE.get(key)
    if hit is not None:
        _TEILE.move_to_end(key)
        return hit
    n = np.linspace(max(1.0, punkte["nenner"].min() * 0.3), punkte["nenner"].max() * 1.25, 120)
    grenzen = iv.trichter(referenz, n, k.faktor, ist_anteil(k.einheit))
    for feld in dataclasses.fields(grenzen):
        getattr(grenzen, feld.name).setflags(write=False)  # shared by the reports: not changed
    titel = trichter_titel(k, jahr, trichter_lage(k, punkte, referenz))
    x_label = "Einwohner*innen im Nenner" if k.einheit == "je_1000" else "Fälle im Nenner"
    hit = _TEILE[key] = (grenzen, titel, x_label)
    while len(_TEILE) > GRENZE_TEILE:
        _TEILE.popitem(last=False)
    return hit


#: under every funnel plot: how to read it
TRICHTER_HINWEIS = (
    "So zu lesen: Jeder Punkt ist ein Sozialraum, nach rechts mit wachsender Fallzahl im Nenner. "
    f"Innerhalb der gestrichelten Linien (95{NBSP}%) weicht ein Wert nur so weit von der "
    "Gesamtstadt ab, wie es bei dieser Fallzahl der Zufall erwarten lässt; jenseits der "
    f"gepunkteten Linien (99,8{NBSP}%) ist die Abweichung sehr wahrscheinlich kein Zufall. Gezeigt "
    "werden nur Sozialräume, deren Zähler und Nenner veröffentlicht sind."
)


def zeige(tab: KennzahlTabelle, raum: str) -> None:
    """Display the funnel plot of a Kennzahl's table with how to read it (nothing without one)."""
    from IPython.display import HTML, display

    fig = trichter_diagramm(tab, raum)
    if fig is None:
        return
    display(fig)
    display(HTML(f"<p class='kz-fuss'>{TRICHTER_HINWEIS}</p>"))
