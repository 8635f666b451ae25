"""The Sozialindex: status and dynamics of every Stadtviertel, computed as in Berlin's MSS.

Per year (Stichtag 31.12.) and with the rules of ``config/sozialindex.yaml``
(:mod:`kennzahlen.sozialindex.config`):

1. each indicator (a share per Stadtviertel from the pool) is z-standardised across the rated
   Stadtviertel (population at least ``mindestbevoelkerung``, every indicator value present);
   a positive z-value always means "less favourable than the city's Stadtviertel on average";
2. the Status-Index is the weighted sum of the z-values, standardised again, so it reads in
   standard deviations; its class is the first class whose cut-off it does not exceed;
3. the Dynamik-Index does the same with each indicator's change in percentage points over
   ``dynamik.jahre`` years (Stadtviertel rated in both years);
4. "Gebiete mit besonderem Aufmerksamkeitsbedarf" are the overlay cells the config names.

Analysts call the stage itself: ``kz.sozialindex(pool, "2023", klasse="höchste")`` is
:func:`kennzahlen.api.werkbank.sozialindex` (:mod:`kennzahlen.core.aufrufbar`).

This reproduces every status and dynamic class of the published MSS 2021 for Berlin's 536
planning areas from their published indicator values (``tests/test_sozialindex.py``).
The pool gets two tables: ``sozialindex`` (one row per year and Stadtviertel) and
``sozialindex_indikatoren`` (one row per year, Stadtviertel and indicator).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from kennzahlen.core import periods
from kennzahlen.sozialindex.config import Klasse, SozialindexConfig, SozialindexError

NICHT_BEWERTET = "nicht bewertet"
BEV_KENNZAHL = "bev_gesamt"
GEBIET_SPALTEN = [
    "periode",
    "jahr",
    "stadtviertel_nr",
    "sozialraum",
    "bevoelkerung",
    "bewertet",
    "grund",
    "status_summe",
    "status_index",
    "status_klasse",
    "dynamik_summe",
    "dynamik_index",
    "dynamik_klasse",
    "aufmerksamkeit",
    "konfiguration",
]
INDIKATOR_SPALTEN = [
    "periode",
    "stadtviertel_nr",
    "indikator",
    "kennzahl",
    "wert",
    "z",
    "veraenderung",
    "z_dynamik",
]


# ---------------------------------------------------------------------------- the arithmetic
def standardisiert(werte: pd.Series, cfg: SozialindexConfig, bev: pd.Series | None = None):
    """z-values of ``werte`` over its index (the rated Stadtviertel), as the config says.

    ``gewichtung: einwohner`` weights mean and spread by ``bev``; ``streuung: stichprobe``
    divides by n − 1 (MSS: unweighted, n). A constant indicator gives z = 0 everywhere; no
    rated Stadtviertel (a small city) gives no z-value at all.
    """
    x = werte.astype(float)
    if x.empty:
        return pd.Series(np.nan, index=x.index, dtype=float)
    if cfg.standardisierung.gewichtung == "einwohner" and bev is not None:
        w = bev.reindex(x.index).astype(float).to_numpy()
    else:
        w = np.ones(len(x))
    mittel = float(np.average(x, weights=w))
    abw = x.to_numpy() - mittel
    nenner = w.sum() - (1 if cfg.standardisierung.streuung == "stichprobe" else 0)
    sd = float(np.sqrt((w * abw**2).sum() / nenner)) if nenner > 0 else 0.0
    if not np.isfinite(sd) or sd == 0:
        return pd.Series(0.0, index=x.index)
    return pd.Series(abw / sd, index=x.index)


def z_tabelle(
    werte: pd.DataFrame, cfg: SozialindexConfig, ids: Sequence[str], bev: pd.Series | None = None
) -> pd.DataFrame:
    """z-values per indicator (columns ``ids``), signed so that positive = less favourable."""
    richtung = {i.id: i.vorzeichen for i in cfg.indikatoren}
    return pd.DataFrame(
        {i: standardisiert(werte[i], cfg, bev) * richtung[i] for i in ids}, index=werte.index
    )


def index_werte(
    z: pd.DataFrame, cfg: SozialindexConfig, bev: pd.Series | None = None
) -> tuple[pd.Series, pd.Series]:
    """The weighted sum of the z-values and that sum standardised (the index, in SD)."""
    gewicht = {i.id: i.gewicht for i in cfg.indikatoren}
    summe = sum(z[c] * gewicht[c] for c in z.columns)
    return summe, standardisiert(summe, cfg, bev)


def klassen_von(index: pd.Series, klassen: Sequence[Klasse], verschiebung: float = 0.0):
    """The class of each index value: the first whose cut-off (moved by ``verschiebung``) it
    does not exceed; the last class takes the rest."""
    grenzen = []
    for k in klassen[:-1]:  # every class but the last has a cut-off (checked on load)
        if k.bis is None:
            raise SozialindexError(f"Klasse '{k.name}' braucht eine Obergrenze 'bis' (in SD)")
        grenzen.append(k.bis + verschiebung)
    werte = index.to_numpy(dtype=float)
    pos = np.searchsorted(np.asarray(grenzen, float), werte, side="left")
    names = np.array([k.name for k in klassen], dtype=object)
    out = pd.Series(names[pos], index=index.index, dtype=object)
    return out.where(np.isfinite(werte), None)


def in_aufmerksamkeit(status: pd.Series, dynamik: pd.Series, cfg: SozialindexConfig) -> pd.Series:
    """True where the (status, dynamic) pair is a cell the config lists as needing attention."""
    out = pd.Series(False, index=status.index)
    for zelle in cfg.aufmerksamkeit:
        treffer = status == zelle.status
        if zelle.dynamik is not None:
            treffer &= dynamik == zelle.dynamik
        out |= treffer
    return out


def fingerabdruck(cfg: SozialindexConfig) -> str:
    """A short hash of the config: the report tells whether the pool used the same config."""
    text = json.dumps(cfg.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------- from the pool
def _stadtviertel_werte(pool: pd.DataFrame, kennzahlen: Sequence[str]) -> pd.DataFrame:
    """Wide: index (periode, stadtviertel_nr), one column per Kennzahl (31.12. values)."""
    sub = pool[
        (pool["ebene"] == "stadtviertel")
        & pool["kennzahl"].isin(list(kennzahlen))
        & periods.ist_jahresende(pool["periode"])
    ]
    return sub.pivot_table(
        index=["periode", "raum"], columns="kennzahl", values="wert", aggfunc="first"
    ).reindex(columns=list(kennzahlen))


def _jahr_minus(periode: str, jahre: int) -> str:
    """The Stichtag ``jahre`` years before a 31.12. pool period."""
    return periods.jahres_stichtag(int(periods.jahr_von(periode)) - jahre)


def pool_frames(
    pool: pd.DataFrame, raumgliederung: pd.DataFrame, cfg: SozialindexConfig
) -> dict[str, pd.DataFrame]:
    """The pool tables ``sozialindex`` and ``sozialindex_indikatoren`` (every year the pool
    holds all indicators for)."""
    ids = [i.id for i in cfg.indikatoren]
    kz = {i.id: i.kennzahl for i in cfg.indikatoren}
    breit = _stadtviertel_werte(pool, [BEV_KENNZAHL, *kz.values()])
    jahre = sorted(
        p
        for p in breit.index.get_level_values("periode").unique()
        if breit.xs(p, level="periode")[list(kz.values())].notna().any().all()
    )
    stv = raumgliederung["stadtviertel_nr"].astype(str).tolist()
    werte = {p: _jahreswerte(breit, p, stv, kz) for p in jahre}
    gebiete, indikatoren = [], []
    for p in jahre:
        vorher = werte.get(_jahr_minus(p, cfg.dynamik.jahre))
        g, i = jahr_berechnen(werte[p], vorher, cfg, ids)
        gebiete.append(g.assign(periode=p))
        indikatoren.append(i.assign(periode=p))
    return _als_pooltabellen(gebiete, indikatoren, raumgliederung, cfg, kz)


def _jahreswerte(breit: pd.DataFrame, periode: str, stv: list[str], kz: dict[str, str]):
    """index stadtviertel_nr: bevoelkerung and one column per indicator id."""
    df = breit.xs(periode, level="periode").reindex(stv)
    out = pd.DataFrame({i: df[k] for i, k in kz.items()}, index=df.index)
    out.insert(0, "bevoelkerung", df[BEV_KENNZAHL].fillna(0))
    return out


def _bewertet(werte: pd.DataFrame, cfg: SozialindexConfig, ids: Sequence[str]) -> pd.Series:
    """Why a Stadtviertel is not rated in a year ('' when it is)."""
    klein = (werte["bevoelkerung"] < cfg.mindestbevoelkerung).to_numpy(dtype=bool)
    ids = list(ids)
    fehlt = werte[ids].isna().to_numpy(dtype=bool)
    luecke = fehlt.any(axis=1)
    grund = np.full(len(werte), "", dtype=object)
    grund[luecke] = [
        "Werte fehlen: " + ", ".join(c for c, f in zip(ids, zeile, strict=True) if f)
        for zeile in fehlt[luecke].tolist()
    ]
    grund[klein] = f"unter {cfg.mindestbevoelkerung} Einwohner*innen"
    return pd.Series(grund, index=werte.index, dtype=object)


def jahr_berechnen(
    werte: pd.DataFrame,
    vorher: pd.DataFrame | None,
    cfg: SozialindexConfig,
    ids: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One year: per Stadtviertel the index values and classes, and per indicator the z-values.

    ``werte`` / ``vorher``: index stadtviertel_nr, columns ``bevoelkerung`` and one per indicator
    id (this year, and ``dynamik.jahre`` years before; ``vorher`` None: no dynamics).
    """
    ids = list(ids or [i.id for i in cfg.indikatoren])
    grund = _bewertet(werte, cfg, ids)
    rated = grund.index[grund == ""]
    bev = werte["bevoelkerung"]
    s_ids = [i.id for i in cfg.status_indikatoren]
    z = z_tabelle(werte.loc[rated], cfg, s_ids, bev)
    s_summe, s_index = index_werte(z, cfg, bev)
    gebiete = pd.DataFrame(index=werte.index)
    gebiete["bevoelkerung"] = bev.astype("int64")
    gebiete["bewertet"] = grund == ""
    gebiete["grund"] = grund
    gebiete["status_summe"] = s_summe.reindex(werte.index)
    gebiete["status_index"] = s_index.reindex(werte.index)
    klasse = klassen_von(s_index, cfg.status_klassen)
    gebiete["status_klasse"] = klasse.reindex(werte.index).fillna(NICHT_BEWERTET)
    dz, veraenderung = _dynamik(werte, vorher, grund, cfg, gebiete)
    gebiete["aufmerksamkeit"] = in_aufmerksamkeit(
        gebiete["status_klasse"], gebiete["dynamik_klasse"], cfg
    )
    indikatoren = _indikator_zeilen(werte, z, veraenderung, dz, cfg, ids)
    return gebiete.rename_axis("stadtviertel_nr").reset_index(), indikatoren


def _dynamik(werte, vorher, grund, cfg: SozialindexConfig, gebiete: pd.DataFrame):
    """Adds dynamik_summe, dynamik_index, dynamik_klasse; returns (z of changes, changes)."""
    d_ids = [i.id for i in cfg.dynamik_indikatoren]
    leer = pd.DataFrame(index=werte.index, columns=d_ids, dtype=float)
    if vorher is None:
        gebiete["dynamik_summe"] = np.nan
        gebiete["dynamik_index"] = np.nan
        gebiete["dynamik_klasse"] = pd.Series(pd.NA, index=werte.index, dtype=object)
        return leer, leer
    grund_vorher = _bewertet(vorher.reindex(werte.index), cfg, d_ids)
    rated = werte.index[(grund == "") & (grund_vorher == "")]
    veraenderung = werte[d_ids] - vorher.reindex(werte.index)[d_ids]
    dz = z_tabelle(veraenderung.loc[rated], cfg, d_ids, werte["bevoelkerung"])
    d_summe, d_index = index_werte(dz, cfg, werte["bevoelkerung"])
    gebiete["dynamik_summe"] = d_summe.reindex(werte.index)
    gebiete["dynamik_index"] = d_index.reindex(werte.index)
    klasse = klassen_von(d_index, cfg.dynamik_klassen)
    gebiete["dynamik_klasse"] = klasse.reindex(werte.index).fillna(NICHT_BEWERTET)
    return dz.reindex(werte.index), veraenderung


def _indikator_zeilen(werte, z, veraenderung, dz, cfg: SozialindexConfig, ids) -> pd.DataFrame:
    kz = {i.id: i.kennzahl for i in cfg.indikatoren}
    teile = []
    for i in ids:
        teile.append(
            pd.DataFrame(
                {
                    "stadtviertel_nr": werte.index,
                    "indikator": i,
                    "kennzahl": kz[i],
                    "wert": werte[i].to_numpy(dtype=float),
                    "z": z[i].reindex(werte.index).to_numpy(dtype=float) if i in z else np.nan,
                    "veraenderung": veraenderung[i].to_numpy(dtype=float)
                    if i in veraenderung
                    else np.nan,
                    "z_dynamik": dz[i].to_numpy(dtype=float) if i in dz else np.nan,
                }
            )
        )
    return pd.concat(teile, ignore_index=True)


def _als_pooltabellen(gebiete, indikatoren, rg, cfg, kz) -> dict[str, pd.DataFrame]:
    """Both tables with contract columns, dtypes and a stable order (deterministic pool)."""
    sr = dict(zip(rg["stadtviertel_nr"].astype(str), rg["sozialraum"].astype(str), strict=True))
    if gebiete:
        g = pd.concat(gebiete, ignore_index=True)
        i = pd.concat(indikatoren, ignore_index=True)
    else:
        g = pd.DataFrame(columns=GEBIET_SPALTEN)
        i = pd.DataFrame(columns=INDIKATOR_SPALTEN)
    g["jahr"] = g["periode"].astype(str).map(periods.jahr_von)
    g["sozialraum"] = g["stadtviertel_nr"].map(sr)
    g["konfiguration"] = fingerabdruck(cfg)
    g = g[GEBIET_SPALTEN].astype(
        {
            "periode": str,
            "jahr": str,
            "stadtviertel_nr": str,
            "sozialraum": str,
            "bevoelkerung": "int64",
            "bewertet": bool,
            "grund": str,
            "status_klasse": str,
            "aufmerksamkeit": bool,
            "konfiguration": str,
        }
    )
    g["dynamik_klasse"] = g["dynamik_klasse"].astype("string")
    for c in ("status_summe", "status_index", "dynamik_summe", "dynamik_index"):
        g[c] = g[c].astype("float64")
    i = i[INDIKATOR_SPALTEN].astype({"periode": str, "stadtviertel_nr": str})
    for c in ("wert", "z", "veraenderung", "z_dynamik"):
        i[c] = i[c].astype("float64")
    order = {nr: n for n, nr in enumerate(rg["stadtviertel_nr"].astype(str))}
    reihen = {x: n for n, x in enumerate(kz)}
    g = g.sort_values(["periode", "stadtviertel_nr"], key=_ordnung(order), kind="stable")
    i = i.sort_values(
        ["periode", "stadtviertel_nr", "indikator"],
        key=lambda s: s.map(reihen) if s.name == "indikator" else _ordnung(order)(s),
        kind="stable",
    )
    return {
        "sozialindex": g.reset_index(drop=True),
        "sozialindex_indikatoren": i.reset_index(drop=True),
    }


def _ordnung(order: dict[str, int]):
    return lambda s: s.map(order) if s.name == "stadtviertel_nr" else s


__all__ = [
    "NICHT_BEWERTET",
    "fingerabdruck",
    "in_aufmerksamkeit",
    "index_werte",
    "jahr_berechnen",
    "klassen_von",
    "pool_frames",
    "standardisiert",
    "z_tabelle",
]
