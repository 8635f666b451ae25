"""Erläuterungen (GD 072/23: "Auffälligkeiten … frühzeitig zu erkennen, diese zu begründen"):
which values of a quarter are notable, and which explanation the Fachkoordination/Fachplanung
or a Sozialraumteamleitung delivered for them.

An explanation (table ``erlaeuterungen``) is about one Kennzahl or one Arbeitsfeld in one area
(a Sozialraum or the Gesamtstadt) and quarter. A Fallzahl of the Quartalsmeldung is *notable*
when it changed against the previous quarter or the same quarter a year before beyond the
thresholds of ``config/steuerung.yaml`` (``auffaellig``); it is *explained* by an explanation of
its Kennzahl or of its Arbeitsfeld in the same area and quarter.

Everything here is internal (Produkt 2 and 4); the texts are escaped wherever they enter HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.catalog.model import load_catalog
from kennzahlen.catalog.steuerung import Auffaellig
from kennzahlen.core import fmt
from kennzahlen.core.schema import GESAMTSTADT

OHNE_TEXT = "noch keine Erläuterung"


@dataclass(frozen=True)
class Vergleich:
    """One comparison of a notable change: the label, the earlier value and the threshold."""

    name: str  # "Vorquartal" | "Vorjahresquartal"
    quartale: int  # quarters back
    prozent: float


def vergleiche(cfg: Auffaellig) -> tuple[Vergleich, Vergleich]:
    """The two comparisons of the Quartalsmeldung with their thresholds."""
    return (
        Vergleich("Vorquartal", 1, cfg.vorquartal_prozent),
        Vergleich("Vorjahresquartal", 4, cfg.vorjahr_prozent),
    )


def seit_jahresbeginn(kennzahl: str) -> bool:
    """Whether a Kennzahl counts from 1 January (then only the year before is a fair comparison)."""
    cat = load_catalog()
    k = cat.get(kennzahl)
    return any(cat.basiszahlen[t.basis].regel == "jahr_bis_stichtag" for t in k.zaehler)


def ist_auffaellig(neu: float, alt: float, prozent: float, mindestens: int) -> bool:
    """A change beyond ``prozent`` percent of the earlier value and by at least ``mindestens``."""
    if pd.isna(neu) or pd.isna(alt):
        return False
    diff = abs(neu - alt)
    if diff < mindestens or diff == 0:
        return False
    return alt == 0 or round(diff / abs(alt) * 100, 9) > prozent


def auffaellige(
    daten: pd.DataFrame, quartal: str, kennzahlen: list[str], cfg: Auffaellig, raeume=None
) -> pd.DataFrame:
    """The notable changes of a quarter: one row per area and Kennzahl with its values and why.

    Columns: raum, kennzahl, aktuell, vorquartal, vorjahresquartal, grund (German).
    """
    from kennzahlen.core.periods import stichtag, vorquartal

    raeume = list(raeume) if raeume is not None else [*sozialraeume(), GESAMTSTADT]
    sub = daten[daten["kennzahl"].isin(kennzahlen) & (daten["ebene"] != "stadtviertel")]
    sub = sub[sub["raum"].isin(raeume)]
    wide = sub.pivot_table(index=["raum", "kennzahl"], columns="periode", values="wert")
    rows = []
    for (raum, kid), werte in wide.iterrows():
        neu = werte.get(stichtag(quartal))
        if pd.isna(neu):
            continue
        row = {"raum": raum, "kennzahl": kid, "aktuell": neu}
        gruende = []
        for v in vergleiche(cfg):
            alt = werte.get(stichtag(vorquartal(quartal, v.quartale)))
            row[v.name.lower()] = alt
            if v.quartale == 1 and seit_jahresbeginn(kid):
                continue
            if ist_auffaellig(neu, alt, v.prozent, cfg.mindestens_faelle):
                gruende.append(f"{fmt.veraenderung(neu, alt)} zum {v.name}")
        if gruende:
            rows.append({**row, "grund": "; ".join(gruende)})
    cols = ["raum", "kennzahl", "aktuell", "vorquartal", "vorjahresquartal", "grund"]
    out = pd.DataFrame(rows, columns=cols)
    order = {r: i for i, r in enumerate(raeume)}
    korder = {k: i for i, k in enumerate(kennzahlen)}
    return out.sort_values(
        ["raum", "kennzahl"], key=lambda s: s.map(order if s.name == "raum" else korder)
    ).reset_index(drop=True)


def des_quartals(erl: pd.DataFrame, quartal: str) -> pd.DataFrame:
    """The explanations of a quarter (both kinds), newest first within an area."""
    rows = erl[erl["quartal"] == quartal]
    return rows.sort_values(["sozialraum", "datum"], ascending=[True, False], kind="stable")


def text(row) -> str:
    """An explanation as shown: 'Text (Rolle, 15.01.2024)'."""
    return f"{row['text']} ({row['rolle']}, {fmt.datum(row['datum'])})"


def fuer(erl: pd.DataFrame, quartal: str, raum: str, kennzahl: str) -> list[str]:
    """The explanations of one value: of its Kennzahl, else of its Arbeitsfeld (area, quarter)."""
    rows = des_quartals(erl, quartal)
    rows = rows[rows["sozialraum"] == raum]
    eigene = rows[rows["kennzahl"] == kennzahl]
    af = load_catalog().get(kennzahl).arbeitsfeld
    feld = rows[rows["kennzahl"].isna() & (rows["arbeitsfeld"] == af)] if af else rows.iloc[0:0]
    return [text(r) for _, r in pd.concat([eigene, feld]).iterrows()]


def fuer_alle(erl: pd.DataFrame, quartal: str) -> dict[tuple[str, str], list[str]]:
    """:func:`fuer` of every area and Kennzahl of a quarter in one pass over its explanations:
    (area, Kennzahl) -> the texts; an absent pair has none. The catalog's Kennzahlen only."""
    rows = des_quartals(erl, quartal)
    eigene: dict[tuple[str, str], list[str]] = {}
    feld: dict[tuple[str, str], list[str]] = {}
    for _, r in rows.iterrows():
        raum, kid, af = r["sozialraum"], r["kennzahl"], r["arbeitsfeld"]
        if not pd.isna(kid):
            eigene.setdefault((raum, kid), []).append(text(r))
        elif not pd.isna(af):
            feld.setdefault((raum, af), []).append(text(r))
    raeume = {raum for raum, _ in eigene} | {raum for raum, _ in feld}
    out = {}
    for k in load_catalog().kennzahlen:
        for raum in raeume:
            texte = eigene.get((raum, k.id), []) + (
                feld.get((raum, k.arbeitsfeld), []) if k.arbeitsfeld else []
            )
            if texte:
                out[(raum, k.id)] = texte
    return out


def fuer_arbeitsfeld(erl: pd.DataFrame, quartal: str, raum: str, arbeitsfeld: str) -> list[str]:
    """The explanations of an Arbeitsfeld in an area and quarter, and of its Kennzahlen."""
    rows = des_quartals(erl, quartal)
    rows = rows[rows["sozialraum"] == raum]
    cat = load_catalog()
    ids = {k.id for k in cat.kennzahlen if k.arbeitsfeld == arbeitsfeld}
    feld = rows[(rows["arbeitsfeld"] == arbeitsfeld) | rows["kennzahl"].isin(ids)]
    out = []
    for _, r in feld.iterrows():
        vor = "" if pd.isna(r["kennzahl"]) else f"{cat.get(r['kennzahl']).titel}: "
        out.append(vor + text(r))
    return out


def fuer_alle_arbeitsfelder(erl: pd.DataFrame, quartal: str) -> dict[tuple[str, str], list[str]]:
    """:func:`fuer_arbeitsfeld` of every area and Arbeitsfeld of a quarter in one pass over its
    explanations: (area, Arbeitsfeld) -> the texts; an absent pair has none."""
    cat = load_catalog()
    feld_von = {k.id: k.arbeitsfeld for k in cat.kennzahlen if k.arbeitsfeld}
    out: dict[tuple[str, str], list[str]] = {}
    for _, r in des_quartals(erl, quartal).iterrows():
        kid, af = r["kennzahl"], r["arbeitsfeld"]
        felder = [af] if not pd.isna(af) else []
        if not pd.isna(kid) and feld_von.get(kid) not in (None, *felder):
            felder.append(feld_von[kid])
        if not felder:
            continue
        vor = "" if pd.isna(kid) else f"{cat.get(kid).titel}: "
        for feld in felder:
            out.setdefault((r["sozialraum"], feld), []).append(vor + text(r))
    return out
