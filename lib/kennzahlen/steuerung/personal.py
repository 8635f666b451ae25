"""Personalbemessung und Fallverteilung (GD 072/23: "Zudem können anhand der Zahlen
Stellenumfänge berechnet und Fallverteilungen vorgenommen werden").

Per staff service (``config/steuerung.yaml``, ``personalbemessung.dienste``) and quarter:

- Fälle: the unweighted sum of the service's case numbers in the Sozialraum (stocks on the
  quarter's Stichtag, events in the quarter), from the pool;
- gewichtete Fälle G: the same with the configured weights;
- Ist: the VZÄ of the ``personal`` delivery with the latest Stichtag on or before the quarter end;
- Soll: the service's VZÄ in the Sozialräume shared in proportion to G:
  ``Soll(SR) = Σ Ist(Sozialräume) × G(SR) / Σ G(Sozialräume)``; Differenz = Ist − Soll.

Cases without a known address ("ohne Zuordnung") and staff not assigned to a Sozialraum
("ohne Zuordnung", e.g. a central service) are shown, but not shared: they belong to no team.
The differences of the Sozialräume therefore add up to 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.catalog.steuerung import SteuerungConfig
from kennzahlen.core import fmt, periods
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG

SPALTEN = [
    "dienst",
    "titel",
    "raum",
    "faelle",
    "gewichtet",
    "vzae_ist",
    "faelle_je_vzae",
    "gewichtet_je_vzae",
    "vzae_soll",
    "differenz",
]
REGEL = (
    "Soll-VZÄ eines Sozialraums = alle VZÄ des Dienstes in den Sozialräumen × gewichtete Fälle des "
    "Sozialraums ÷ gewichtete Fälle aller Sozialräume; Differenz = Ist − Soll (positiv: mehr "
    "Personal, als dem Anteil an den gewichteten Fällen entspricht). Fälle ohne Zuordnung und "
    "Stellen ohne Sozialraum werden gezeigt, aber nicht verteilt; die Differenzen der Sozialräume "
    "ergeben zusammen 0."
)


@dataclass(frozen=True)
class Bemessung:
    """The staff table of one quarter, with the Stichtag of the staff list used (None: none)."""

    quartal: str
    tabelle: pd.DataFrame  # SPALTEN; per Dienst one row per area and Gesamtstadt
    personal_stichtag: pd.Timestamp | None
    fehlend: dict[str, list[str]]  # services left out -> the case numbers the pool lacks


def _periode(quartal: str, periodizitaet: str) -> str:
    return quartal if periodizitaet == "quartal" else periods.stichtag(quartal)


def stellen_stichtag(personal: pd.DataFrame, quartal: str) -> pd.Timestamp | None:
    """The Stichtag of the staff list that applies to a quarter: the latest on or before its end."""
    ende = periods.quartal_ende(quartal)
    tage = pd.to_datetime(personal["stichtag"]) if len(personal) else pd.Series(dtype="M8[ns]")
    tage = tage[tage <= ende]
    return None if tage.empty else pd.Timestamp(tage.max())


def faelle(
    daten: pd.DataFrame, gewichte: dict[str, float], quartal: str, catalog=None
) -> tuple[pd.DataFrame, list[str]]:
    """Per area (Sozialräume, ohne Zuordnung): unweighted and weighted cases of one service, and
    the weighted Kennzahlen the pool has no value of for the quarter."""
    from kennzahlen.catalog.model import load_catalog

    catalog = catalog or load_catalog()
    areas = [*sozialraeume(), OHNE_ZUORDNUNG]
    out = pd.DataFrame({"faelle": 0.0, "gewichtet": 0.0}, index=areas)
    fehlend = []
    for kid, w in gewichte.items():
        per = _periode(quartal, catalog.get(kid).periodizitaet)
        rows = daten[
            (daten["kennzahl"] == kid)
            & (daten["periode"] == per)
            & (daten["ebene"] == "sozialraum")
        ]
        if rows.empty:
            fehlend.append(kid)
            continue
        n = rows.set_index("raum")["wert"].reindex(areas).fillna(0.0)
        out["faelle"] += n
        out["gewichtet"] += n * w
    return out, fehlend


def bemessung(
    daten: pd.DataFrame, personal: pd.DataFrame, quartal: str, cfg: SteuerungConfig
) -> Bemessung:
    """The staff table of a quarter: cases, weighted cases, Ist, cases per VZÄ, Soll, Differenz.

    A service is left out (named in ``fehlend``) when the pool lacks one of its case numbers for
    the quarter: a share of weighted cases with a part missing would mislead.
    """
    tag = stellen_stichtag(personal, quartal)
    stellen = personal[pd.to_datetime(personal["stichtag"]) == tag] if tag is not None else None
    teile, fehlend = [], {}
    for name in cfg.dienste:
        dienst = cfg.dienst(name)
        f, ohne = faelle(daten, dienst.fallgewichte, quartal)
        if ohne:
            fehlend[name] = ohne
            continue
        if stellen is None:
            f["vzae_ist"] = np.nan
        else:
            ist = stellen[stellen["dienst"] == name].groupby("sozialraum")["vzae"].sum()
            f["vzae_ist"] = ist.reindex(f.index).fillna(0.0)
        teile.append(_verteilen(f, name, dienst.titel))
    tabelle = pd.concat(teile, ignore_index=True) if teile else pd.DataFrame(columns=SPALTEN)
    return Bemessung(quartal, tabelle, tag, fehlend)


def _verteilen(f: pd.DataFrame, name: str, titel: str) -> pd.DataFrame:
    """Soll and Differenz of one service (rows: Sozialräume, ohne Zuordnung) plus Gesamtstadt."""
    sr = [a for a in f.index if a != OHNE_ZUORDNUNG]
    g_sr = f.loc[sr, "gewichtet"].sum()
    v_sr = f.loc[sr, "vzae_ist"].sum(min_count=1)
    f["vzae_soll"] = np.nan
    if g_sr > 0 and pd.notna(v_sr):
        f.loc[sr, "vzae_soll"] = v_sr * f.loc[sr, "gewichtet"] / g_sr
    f["differenz"] = f["vzae_ist"] - f["vzae_soll"]
    oz = f.loc[OHNE_ZUORDNUNG]
    if oz["faelle"] == 0 and not (oz["vzae_ist"] > 0):
        f = f.drop(index=OHNE_ZUORDNUNG)
    total = f[["faelle", "gewichtet", "vzae_ist"]].sum(min_count=1)
    total["vzae_soll"] = v_sr if g_sr > 0 else np.nan
    total["differenz"] = np.nan
    f.loc[GESAMTSTADT] = total
    f["faelle_je_vzae"] = f["faelle"] / f["vzae_ist"].where(f["vzae_ist"] > 0)
    f["gewichtet_je_vzae"] = f["gewichtet"] / f["vzae_ist"].where(f["vzae_ist"] > 0)
    f = f.rename_axis("raum").reset_index()
    f["dienst"], f["titel"] = name, titel
    return f[SPALTEN]


def gewichte_text(cfg: SteuerungConfig, name: str, catalog=None) -> str:
    """'Hilfen zur Erziehung ohne UMA, ambulant: Gewicht 1; … stationär: Gewicht 1,5' for one
    service (the word 'Gewicht' keeps a weight of 1 from reading as 'Quartal 1')."""
    from kennzahlen.catalog.model import load_catalog

    catalog = catalog or load_catalog()
    teile = [
        f"{catalog.get(kid).titel}: Gewicht {fmt.zahl(w, fmt.nachkomma_noetig([w], hoechstens=2))}"
        for kid, w in cfg.dienst(name).fallgewichte.items()
    ]
    return "; ".join(teile)


def formatiert(tabelle: pd.DataFrame) -> pd.DataFrame:
    """One service's rows in German format, labelled by area (for the report and the Excel)."""
    out = pd.DataFrame(index=pd.Index(tabelle["raum"].tolist(), name=None))
    out["Fälle"] = [fmt.zahl(x) for x in tabelle["faelle"]]
    out["gewichtete Fälle"] = [fmt.zahl(x, 1) for x in tabelle["gewichtet"]]
    out["VZÄ Ist"] = [fmt.zahl(x, 2) for x in tabelle["vzae_ist"]]
    out["Fälle je VZÄ"] = [fmt.zahl(x, 1) for x in tabelle["faelle_je_vzae"]]
    out["gewichtete Fälle je VZÄ"] = [fmt.zahl(x, 1) for x in tabelle["gewichtet_je_vzae"]]
    out["VZÄ Soll"] = [fmt.zahl(x, 2) for x in tabelle["vzae_soll"]]
    out["Differenz Ist − Soll"] = [
        "–" if pd.isna(x) else fmt.differenz(x, 0.0, 2) for x in tabelle["differenz"]
    ]
    return out
