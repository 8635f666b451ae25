"""A Produkt-3 Kennzahl's values: per year and area, its target, in its unit, in a sentence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.catalog.model import Kennzahl, load_catalog
from kennzahlen.core.periods import jahr_von, jahres_stichtag
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG
from kennzahlen.core.vocabulary import ist_anteil, wert_text
from kennzahlen.products.memo import fingerprint

NICHT_BEWERTET = "nicht bewertet"

ZIELE = {
    1: "Unterstützung von Selbsthilfekräften der Betroffenen",
    2: "Nutzung von Ressourcen im Familienverbund, der Nachbarschaft und im Sozialraum",
    3: "Ambulante vor stationären Hilfen",
    4: "Förderung der Teilhabe und Selbstständigkeit",
    5: "Hilfen setzen frühzeitig und maßgeschneidert im Lebensumfeld der Betroffenen an",
    6: "Gruppenbezogene Angebote im Nahraum der Klient*innen, wo es notwendig ist",
    7: "Hilfen dauerhaft effektiv und effizient; Kosten steigen weniger stark",
}
MATRIX_FELDER = ["jh", "egh", "ah", "es"]


def kennzahlen_p3(jahr: str | int | None = None) -> list[Kennzahl]:
    """The Produkt-3 Kennzahlen of the catalog that belong to a goal (matrix cells and ws); with
    ``jahr`` only those the catalog holds in that year (``aufgenommen``/``gestrichen``)."""
    return [
        k
        for k in load_catalog().kennzahlen
        if 3 in k.produkt and k.ziel is not None and (jahr is None or k.gilt_im(jahr))
    ]


def berichtsjahre(jahr: str | int) -> list[str]:
    """The years a Produkt-3 report of ``jahr`` shows: the year and the four before it (charts)."""
    return [str(j) for j in range(int(jahr) - 4, int(jahr) + 1)]


#: per pool content: its rows outside the Stadtviertel, split by Kennzahl (the last two pools)
_ZEILEN: dict[str, tuple[pd.DataFrame, dict[str, pd.DataFrame]]] = {}


def _zeilen(pool: pd.DataFrame, kid: str) -> pd.DataFrame:
    """The pool's rows of one Kennzahl outside the Stadtviertel, in the pool's order (the pool is
    split once: a report asks for every Kennzahl in every year)."""
    key = fingerprint(pool)
    hit = _ZEILEN.get(key)
    if hit is None:
        base = pool[pool["ebene"] != "stadtviertel"]
        teile = {str(kid): g for kid, g in base.groupby("kennzahl", sort=False, observed=True)}
        if len(_ZEILEN) >= 2:
            _ZEILEN.clear()
        hit = _ZEILEN[key] = (base.iloc[:0], teile)
    leer, teile = hit
    return teile.get(kid, leer)


class _Spalten:
    """One Kennzahl's pool rows outside the Stadtviertel as arrays: area and period as they are,
    Zähler, Nenner and Wert as ``pd.to_numeric(…, errors="coerce").astype(float)`` makes them."""

    __slots__ = ("nenner", "periode", "raum", "wert", "zaehler")

    def __init__(self, sub: pd.DataFrame) -> None:
        self.raum = sub["raum"].to_numpy(dtype=object)
        self.periode = sub["periode"].to_numpy(dtype=object)
        for col in ("zaehler", "nenner", "wert"):
            werte = pd.to_numeric(sub[col], errors="coerce").astype(float).to_numpy()
            setattr(self, col, werte)


#: per pool content: :class:`_Spalten` of each Kennzahl asked for (the last two pools)
_SPALTEN: dict[str, dict[str, _Spalten]] = {}


def _spalten(pool: pd.DataFrame, kid: str) -> _Spalten:
    """:func:`_zeilen` of a Kennzahl as :class:`_Spalten` (made once per pool content)."""
    key = fingerprint(pool)
    je_kennzahl = _SPALTEN.get(key)
    if je_kennzahl is None:
        if len(_SPALTEN) >= 2:
            _SPALTEN.clear()
        je_kennzahl = _SPALTEN[key] = {}
    hit = je_kennzahl.get(kid)
    if hit is None:
        hit = je_kennzahl[kid] = _Spalten(_zeilen(pool, kid))
    return hit


def jahreswerte(pool: pd.DataFrame, k: Kennzahl, jahr: str) -> pd.DataFrame:
    """Zähler, Nenner and Wert per area (Sozialräume, ohne Zuordnung, Gesamtstadt) for a year."""
    sub = _zeilen(pool, k.id)
    if k.periodizitaet == "quartal":
        sub = sub[sub["periode"].str.startswith(f"{jahr}-Q")]
        if sub["periode"].nunique() == 0:
            return pd.DataFrame(columns=["zaehler", "nenner", "wert", "quartale"])
        g = sub.groupby("raum").agg(
            zaehler=("zaehler", "sum"), nenner=("nenner", "sum"), quartale=("periode", "nunique")
        )
        g = g[g["quartale"] == 4]  # a year's share needs all four quarters
        g["wert"] = g["zaehler"] / g["nenner"] * k.faktor
        return g
    if k.periodizitaet in STICHTAG:
        sub = sub[sub["periode"] == jahres_stichtag(jahr)]
    else:
        sub = sub[sub["periode"] == jahr]
    return sub.set_index("raum")[["zaehler", "nenner", "wert"]]


def zeitreihe(pool: pd.DataFrame, k: Kennzahl, jahre: list[str]) -> pd.DataFrame:
    """Yearly values over several years: rows = years, columns = areas."""
    rows = {}
    for j in jahre:
        w = jahreswerte(pool, k, j)
        if len(w):
            rows[j] = w["wert"]
    return pd.DataFrame(rows).T.reindex(columns=[*sozialraeume(), GESAMTSTADT])


def erreicht(k: Kennzahl, wert: float | None, jahr: str | int) -> bool | None:
    """Whether a value of a year meets the Zielwert valid in that year (None: no Zielwert then, or
    no value). A Zielwert set later never judges an earlier year."""
    ziel = k.zielwert_im(jahr)
    if ziel is None or wert is None or pd.isna(wert):
        return None
    return bool(wert >= ziel) if k.richtung == "hoeher_besser" else bool(wert <= ziel)


def format_wert(k: Kennzahl, wert: float | None, nachkomma: int | None = None) -> str:
    """A value in the Kennzahl's unit, German format; shares in whole percent unless ``nachkomma``
    asks for more (paper style: '80 %')."""
    if nachkomma is None and ist_anteil(k.einheit):
        nachkomma = 0
    return wert_text(wert, k.einheit, nachkomma)


def tabellen_wert(k: Kennzahl, wert: float | None) -> str:
    """A value as the Kennzahl's table shows it ('83,5 %', '0,7'): the one format of a value in
    a table, in the matrix and in every sentence about it, so a sentence never rounds otherwise
    than the table next to it. Counts and Euro whole, shares, rates and changes with one
    decimal."""
    ganz = k.einheit == "anzahl" or (k.in_euro and k.vergleich is None)
    return format_wert(k, wert, 0 if ganz else 1)


def _wert_text(k: Kennzahl, wert: float, jahr: str | int) -> str:
    """A value in a sentence: exactly as its table shows it (``jahr`` kept for the callers)."""
    return tabellen_wert(k, wert)


def zielwert_text(k: Kennzahl, jahr: str | int) -> str:
    """The Zielwert valid in the year: '85 %'."""
    return format_wert(k, k.zielwert_im(jahr))


def zielwert_neu(k: Kennzahl, jahr: str | int) -> str:
    """When the Zielwert was set anew in that year: 'neu seit 2023, bis 2022: 90 %' (no
    brackets, so a caller can put it into one pair); else ''."""
    if k.zielwert_seit(jahr) != int(jahr):
        return ""
    vorher = k.zielwert_im(int(jahr) - 1)
    alt = "kein Zielwert" if vorher is None else format_wert(k, vorher)
    return f"neu seit {jahr}, bis {int(jahr) - 1}: {alt}"


DATENSCHUTZ = "aus Datenschutzgründen nicht ausgewiesen"


def _liste(namen: list[str]) -> str:
    """'A', 'A und B', 'A, B und C'."""
    return namen[0] if len(namen) == 1 else ", ".join(namen[:-1]) + " und " + namen[-1]


def _nicht_ausgewiesen(raeume: list[str]) -> str:
    if not raeume:
        return ""
    if len(raeume) == 1:
        return f"der Wert für {raeume[0]} ist {DATENSCHUTZ}"
    return f"die Werte für {_liste(raeume)} sind {DATENSCHUTZ}"


_TABELLEN: dict[tuple, pd.DataFrame] = {}


def tabellen_raeume() -> list[str]:
    """The rows of a Kennzahl's table: Sozialräume, 'ohne Zuordnung', Gesamtstadt."""
    return [*sozialraeume(), OHNE_ZUORDNUNG, GESAMTSTADT]


def zaehltabelle(pool: pd.DataFrame, k: Kennzahl, jahr: str) -> pd.DataFrame:
    """Zähler, Nenner and Wert per area for a year; 'ohne Zuordnung' completed so that rows add up.

    The pool has no row where the Nenner is 0 (no population 'ohne Zuordnung'); its Zähler and
    Nenner are then the city's minus the Sozialräume's.
    """
    key = (fingerprint(pool), k.id, str(jahr), kennzahl_schluessel(k))
    if key not in _TABELLEN:
        if len(_TABELLEN) > 2000:
            _TABELLEN.clear()
        _TABELLEN[key] = _zaehltabelle(pool, k, jahr)
    return _TABELLEN[key].copy()


def _zaehltabelle(pool: pd.DataFrame, k: Kennzahl, jahr: str) -> pd.DataFrame:
    """:func:`_zaehltabelle_pandas`, for a Kennzahl of one period per year (all but the quarterly
    ones) from the Kennzahl's rows as arrays: the same table, value for value, in a tenth of the
    time (a report kernel builds about 200 of them for the year's publication plans)."""
    if k.periodizitaet == "quartal":
        return _zaehltabelle_pandas(pool, k, jahr)
    areas = tabellen_raeume()
    s = _spalten(pool, k.id)
    periode = jahres_stichtag(jahr) if k.periodizitaet in STICHTAG else jahr
    zeilen = np.flatnonzero(s.periode == periode)
    raeume = s.raum[zeilen]
    if len(set(raeume)) < len(raeume):  # an area twice: reindex refuses it, as before
        return _zaehltabelle_pandas(pool, k, jahr)
    pos = {a: i for i, a in enumerate(areas)}
    ziel = np.array([pos.get(r, -1) for r in raeume], dtype=np.intp)
    da = ziel >= 0
    spalten = {}
    for col in ("zaehler", "nenner", "wert"):
        werte = np.full(len(areas), np.nan)
        if col != "nenner" or k.nenner:
            werte[ziel[da]] = getattr(s, col)[zeilen[da]]
        spalten[col] = werte
    oz, gs = pos[OHNE_ZUORDNUNG], pos[GESAMTSTADT]
    sr = np.arange(len(areas) - 2)  # tabellen_raeume(): the Sozialräume, then these two
    for col in ("zaehler", "nenner") if k.nenner else ("zaehler",):
        w = spalten[col]
        if np.isnan(w[oz]) and not np.isnan(w[gs]) and not np.isnan(w[sr]).any():
            # the sum as Series.sum makes it: numpy's sum over the areas in this order
            w[oz] = w[gs] - np.ascontiguousarray(w[sr]).sum()
    out = pd.DataFrame(index=areas)
    for col, werte in spalten.items():
        out[col] = werte
    return out


#: the periodicities whose yearly value is the one on the year's Stichtag (31.12.)
STICHTAG = ("stichtag_jahr", "stichtag_quartal")


def _zaehltabelle_pandas(pool: pd.DataFrame, k: Kennzahl, jahr: str) -> pd.DataFrame:
    """The table from :func:`jahreswerte` (every periodicity; quarterly Kennzahlen sum their
    quarters)."""
    areas = tabellen_raeume()
    w = jahreswerte(pool, k, jahr).reindex(areas)
    out = pd.DataFrame(index=areas)
    out["zaehler"] = pd.to_numeric(w["zaehler"], errors="coerce").astype(float)
    out["nenner"] = (
        pd.to_numeric(w["nenner"], errors="coerce").astype(float) if k.nenner else float("nan")
    )
    out["wert"] = pd.to_numeric(w["wert"], errors="coerce").astype(float)
    sr = sozialraeume()
    for col in ("zaehler", "nenner") if k.nenner else ("zaehler",):
        if (
            pd.isna(out.loc[OHNE_ZUORDNUNG, col])
            and pd.notna(out.loc[GESAMTSTADT, col])
            and out.loc[sr, col].notna().all()
        ):
            out.loc[OHNE_ZUORDNUNG, col] = out.loc[GESAMTSTADT, col] - out.loc[sr, col].sum()
    return out


#: the content of each Kennzahl object asked for (kept with the object, so an id is never reused)
_INHALTE: dict[int, tuple[Kennzahl, str]] = {}


def kennzahl_schluessel(k: Kennzahl) -> str:
    """A cache key for a Kennzahl's whole catalog entry (definition, versions, Zielwerte): a
    changed catalog never finds a result made with the old one."""
    hit = _INHALTE.get(id(k))
    if hit is None or hit[0] is not k:
        if len(_INHALTE) > 4096:
            _INHALTE.clear()
        hit = _INHALTE[id(k)] = (k, hashlib.sha256(k.model_dump_json().encode()).hexdigest())
    return hit[1]


def hat_werte(pool: pd.DataFrame, k: Kennzahl, jahr: str) -> bool:
    """Whether the pool holds a yearly value of the Kennzahl for any area (hidden or not)."""
    return bool(k.erhoben and zaehltabelle(pool, k, jahr)["wert"].notna().any())


def ohne_daten(pool: pd.DataFrame, jahr: str) -> list[Kennzahl]:
    """The collected Produkt-3 Kennzahlen without a value for the year in any area."""
    return [k for k in kennzahlen_p3(jahr) if k.erhoben and not hat_werte(pool, k, jahr)]


def jahre_mit_daten(pool: pd.DataFrame) -> list[str]:
    """The years for which the pool holds a value of at least one Produkt-3 Kennzahl."""
    jahre = sorted({jahr_von(p) for p in pool["periode"].unique()})
    return [j for j in jahre if any(hat_werte(pool, k, j) for k in kennzahlen_p3(j))]


def fehlt_satz(
    pool: pd.DataFrame,
    jahr: str,
    ks: list[Kennzahl],
    pool_dir: str | Path | None,
    folge: str | None = None,
) -> str:
    """One sentence: which data the pool lacks for the year (from its table ``abdeckung``) and which
    Kennzahlen are missing therefore. Says nothing about any area's value."""
    from kennzahlen.products import common

    tabellen = common.fehlende_tabellen(
        common.abdeckung_von(pool_dir),
        {t for k in ks for t in load_catalog().tables_of(k)},
        str(jahr),
    )
    folge = folge or common.fehlen_daher([k.titel for k in ks])
    return common.fehlt_satz(str(jahr), tabellen, folge)
