"""The demo city's geography, population and the count tables (bevoelkerung, haushalte,
transferleistungen)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kennzahlen.catalog.geography import raumgliederung
from kennzahlen.core.schema import TABLES
from kennzahlen.demo.daten import (
    _AREA_AGE,
    _BASE_POP,
    _CARE_HOMES,
    _EGH_FACILITIES,
    _FOREIGN,
    _FOREIGN_SHARE,
    _GROWTH,
    _ORTSCHAFTEN,
    _POP_2023,
    _POP_TOTAL,
    _POVERTY,
    _REFUGEE_HOUSING,
    _SR_AGE,
    _SR_POP,
    _TRANSFER,
    _UMA_FACILITIES,
    N_AGES,
    POP_YEARS,
    QUARTERS,
    SOZIALRAEUME_ULM,
)
from kennzahlen.demo.kalender import _alloc, _quarter_bounds, _sysround, _ymd
from kennzahlen.demo.modell import _Geo
from kennzahlen.demo.sozialindex import trend_faktor


def _geo() -> _Geo:
    rg = raumgliederung()
    nr = rg["stadtviertel_nr"].to_numpy(dtype=object)
    srs = sorted(rg["sozialraum"].unique())
    sr = np.array([srs.index(s) for s in rg["sozialraum"]])
    base = np.array([_BASE_POP.get(x, 2000) for x in nr], float)
    if set(srs) == set(SOZIALRAEUME_ULM):
        total = _POP_TOTAL[2020]
        target = {s: _SR_POP.get(s, 0.0) for s in srs}
        target["Böfingen"] = total - sum(_SR_POP.values())
        for i, s in enumerate(srs):
            m = sr == i
            base[m] *= target[s] / base[m].sum()
    return _Geo(
        nr=nr,
        sr=sr,
        sozialraeume=srs,
        poverty=np.array([_POVERTY.get(x, 1.0) for x in nr]),
        foreign=np.array([_FOREIGN.get(x, 1.0) for x in nr]),
        base=base / base.sum(),
    )


def _is_ulm(geo: _Geo) -> bool:
    return list(geo.sozialraeume) == list(SOZIALRAEUME_ULM)


def _own_sozialraeume(names: pd.Series, geo: _Geo) -> list[str]:
    """The demo's Ampel switches in another city's Sozialräume: the i-th of Ulm's (sorted) becomes
    the city's i-th (round robin), so that every switch names a Sozialraum of the city."""
    if _is_ulm(geo):
        return names.tolist()
    ulm = sorted(SOZIALRAEUME_ULM)
    return [geo.sozialraeume[ulm.index(n) % len(geo.sozialraeume)] for n in names]


# ------------------------------------------------------------------------------ population
def _city_cells_2023() -> np.ndarray:
    """(101 ages, 2 sexes m/w, 2 nationalities deutsch/nichtdeutsch) on 31.12.2023."""
    rows = np.array([[int(v) for v in t.split(",")] for t in _POP_2023.split()], np.int64)
    out = np.zeros((N_AGES, 2, 2), np.int64)
    out[:90, 0, 0], out[:90, 1, 0], out[:90, 0, 1], out[:90, 1, 1] = rows[:90].T
    w = 0.7 ** np.arange(N_AGES - 90)
    rng = np.random.default_rng(0)  # fixed: the 90+ split is part of the reference table
    for j, (s, n) in enumerate(((0, 0), (1, 0), (0, 1), (1, 1))):
        out[90:, s, n] = _alloc(w, int(rows[90, j]), rng)
    return out


def _age_factors(geo: _Geo) -> np.ndarray:
    """(areas, ages) relative age profile of each Stadtviertel."""
    bounds = np.array([0, 18, 30, 65, 80, N_AGES])
    grp = np.searchsorted(bounds, np.arange(N_AGES), side="right") - 1
    eff = np.zeros((geo.n, 5))
    for i in range(geo.n):
        eff[i] += _SR_AGE.get(geo.sozialraeume[geo.sr[i]], (0.0,) * 5)
        eff[i] += _AREA_AGE.get(geo.nr[i], (0.0,) * 5)
    return np.exp(eff[:, grp])


def _population(geo: _Geo, seed: int, scale: float) -> dict[int, np.ndarray]:
    """Per year: counts[area, age, sex (m/w/d), nat (deutsch/nichtdeutsch), mig (nein/ja)]."""
    rng = np.random.default_rng([seed, 1])
    base23 = _city_cells_2023().astype(float)
    foreign23 = base23[:, :, 1].sum()
    german23 = base23[:, :, 0].sum()
    agefac = _age_factors(geo)
    cell_age = np.repeat(np.arange(N_AGES), 4)
    cell_nat = np.tile(np.array([0, 1, 0, 1]), N_AGES)  # cells ordered (age, sex, nat)
    p_mig_de = np.select(
        [
            np.arange(N_AGES) < 18,
            np.arange(N_AGES) < 30,
            np.arange(N_AGES) < 50,
            np.arange(N_AGES) < 65,
        ],
        [0.40, 0.33, 0.26, 0.18],
        0.10,
    )
    mig_area = np.clip(np.sqrt(geo.foreign), 0.5, 1.8)
    growth = np.array([_GROWTH.get(x, 0.0) for x in geo.nr])
    out: dict[int, np.ndarray] = {}
    for y in POP_YEARS:
        total = int(round(_POP_TOTAL[y] * scale))
        cells = base23.copy()
        if y != 2023:
            s = _FOREIGN_SHARE[y]
            cells[:, :, 1] *= s * _POP_TOTAL[y] / foreign23
            cells[:, :, 0] *= (1 - s) * _POP_TOTAL[y] / german23
        if y == 2023 and total == cells.sum():
            t = cells.ravel()  # the yearbook table itself
        else:
            t = _alloc(cells.ravel(), total, rng).astype(float)  # city cell targets
        a = geo.base * (1 + growth) ** (y - 2020)
        a = a / a.sum() * total
        m = a[:, None] * agefac[:, cell_age] * np.where(cell_nat == 1, geo.foreign[:, None], 1.0)
        _fit(m, t, a)
        counts = _sysround(m, rng).reshape(geo.n, N_AGES, 2, 2)
        full = np.zeros((geo.n, N_AGES, 3, 2), np.int64)
        full[:, :, :2, :] = counts
        _divers(full, int(round((3 + y - 2018) * scale)), rng)
        res = np.zeros((geo.n, N_AGES, 3, 2, 2), np.int64)
        res[..., 1, 1] = full[..., 1]  # every foreign national has a migration background
        p = np.clip(p_mig_de[None, :] * mig_area[:, None], 0, 0.9)[:, :, None]
        mig = rng.binomial(full[..., 0], np.broadcast_to(p, full[..., 0].shape))
        res[..., 0, 1] = mig
        res[..., 0, 0] = full[..., 0] - mig
        out[y] = res
    return out


def _fit(m: np.ndarray, t: np.ndarray, a: np.ndarray) -> None:
    """Iterative proportional fitting in place: cell columns to ``t``, area rows to ``a``."""
    for _ in range(40):
        cs = m.sum(axis=0)
        m *= np.divide(t, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
        m *= (a / m.sum(axis=1))[:, None]
    cs = m.sum(axis=0)
    m *= np.divide(t, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]


def _divers(full: np.ndarray, n_d: int, rng: np.random.Generator) -> None:
    """Move a handful (``n_d``) of adults aged 18–40 to sex "divers", in place."""
    elig = np.zeros_like(full, bool)
    elig[:, 18:41, :2, :] = True
    flat = np.flatnonzero(elig.ravel() & (full.ravel() > 0))
    if n_d and flat.size:
        wts = full.ravel()[flat].astype(float)
        pick = rng.choice(flat, size=min(n_d, flat.size), replace=False, p=wts / wts.sum())
        area, age, sex, nat = np.unravel_index(pick, full.shape)
        np.subtract.at(full, (area, age, sex, nat), 1)
        np.add.at(full, (area, age, np.full_like(sex, 2), nat), 1)


def _pop_stats(pop: np.ndarray) -> dict[str, np.ndarray]:
    by_age = pop.sum(axis=(2, 3, 4))
    return {
        "pop": by_age.sum(axis=1).astype(float),
        "u15": by_age[:, :15].sum(axis=1).astype(float),
        "u18": by_age[:, :18].sum(axis=1).astype(float),
        "a18_64": by_age[:, 18:65].sum(axis=1).astype(float),
        "u65": by_age[:, :65].sum(axis=1).astype(float),
        "o65": by_age[:, 65:].sum(axis=1).astype(float),
        "o80": by_age[:, 80:].sum(axis=1).astype(float),
    }


def _area_weights(geo: _Geo, st: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    pov = geo.poverty
    boost = lambda s, f: np.array([f if x in s else 1.0 for x in geo.nr])  # noqa: E731
    return {
        "jh": st["u18"] * pov**0.8,
        "uma": st["pop"] * boost(_UMA_FACILITIES, 12.0),
        "egh": st["a18_64"] * (0.7 + 0.3 * np.sqrt(pov)),
        "egh_bw": st["pop"] * boost(_EGH_FACILITIES, 4.0),
        "hlu": st["a18_64"] * pov,
        "gsi": (st["o65"] + 0.35 * st["a18_64"]) * pov,
        "old": st["o80"] * (0.6 + 0.4 * np.sqrt(pov)),
        "care": st["o80"] * boost(_CARE_HOMES, 5.0),
        "ws": st["pop"] * pov,
        "ah": st["o80"],
    }


# -------------------------------------------------------------------------- count tables
def _bevoelkerung_frame(geo: _Geo, year: int, pop: np.ndarray) -> pd.DataFrame:
    idx = np.nonzero(pop)
    a, age, sex, nat, mig = idx
    return pd.DataFrame(
        {
            "stichtag": np.full(a.size, _ymd(year, 12, 31)),
            "stadtviertel_nr": geo.nr[a],
            "alter": age,
            "geschlecht": np.array(["m", "w", "d"], dtype=object)[sex],
            "staatsangehoerigkeit": np.array(["deutsch", "nichtdeutsch"], dtype=object)[nat],
            "migrationshintergrund": mig.astype(bool),
            "anzahl": pop[idx],
        }
    )


def _haushalte_frame(geo: _Geo, year: int, st: dict[str, np.ndarray], rng) -> pd.DataFrame:
    size = np.full(geo.n, 1.9)
    for i, x in enumerate(geo.nr):
        srn = geo.sozialraeume[geo.sr[i]]
        if x in _ORTSCHAFTEN:
            size[i] = 2.3
        elif x == "154":
            size[i] = 1.35
        elif srn == "Mitte/Ost":
            size[i] = 1.65
        elif srn == "Böfingen":
            size[i] = 2.05
        elif srn == "Eselsberg":
            size[i] = 1.85
    size *= 1 + 0.05 * (geo.poverty - 1).clip(-0.5, 1.0)
    hh = st["pop"] / size
    hh *= st["pop"].sum() / 1.9 / hh.sum()  # city average 1.9 persons per household
    kids = np.minimum(st["u18"] / 1.7, 0.6 * hh)
    r_ae = np.clip(0.33 * geo.poverty**0.3, 0.2, 0.5)
    ae = kids * r_ae
    smk = kids * 0.07
    pmk = kids - ae - smk
    rest = hh - kids
    single = np.where(np.isin(geo.nr, list(_ORTSCHAFTEN)), 0.40, 0.56)
    single = np.where(geo.nr == "154", 0.78, single)
    single = np.where(np.array([geo.sozialraeume[s] == "Mitte/Ost" for s in geo.sr]), 0.63, single)
    ein = rest * single
    soK = rest * 0.07
    poK = rest - ein - soK
    mat = np.stack([ein, poK, pmk, ae, soK, smk], axis=1)
    cnt = np.floor(mat + rng.random(mat.shape)).astype(np.int64)
    types = np.array(TABLES["haushalte"].column("haushaltstyp").codes, dtype=object)
    a, t = np.nonzero(cnt >= 0)
    return pd.DataFrame(
        {
            "stichtag": np.full(a.size, _ymd(year, 12, 31)),
            "stadtviertel_nr": geo.nr[a],
            "haushaltstyp": types[t],
            "anzahl": cnt[a, t],
        }
    )


def _transfer_frames(
    geo: _Geo, pops: dict[int, np.ndarray], seed: int, scale: float
) -> list[tuple[int, pd.DataFrame]]:
    rng = np.random.default_rng([seed, 3])
    pov = geo.poverty
    refugee = np.array([_REFUGEE_HOUSING.get(x, 0.4) for x in geo.nr])
    refugee = np.where(np.isin(geo.nr, list(_ORTSCHAFTEN)), 0.15, refugee)
    drift = {k: np.zeros(geo.n) for k in _TRANSFER}
    out = []
    for qi, (y, q) in enumerate(QUARTERS):
        st = _pop_stats(pops[y])
        base = {
            # pov**1: Mähringer Weg about 4 times the city's SGB-II-Quote, the Ortschaften a
            # quarter of it (demo/sozialindex.py: the Sozialindex needs a realistic spread)
            "sgb2": st["u65"] * pov * trend_faktor(geo.nr, y, q),
            "wohngeld": st["pop"] * (0.5 + 0.5 * pov) * (1 + 0.6 * st["o65"] / st["pop"].clip(1)),
            "asylblg": st["pop"] * refugee,
        }
        rows = []
        for leistung, series in _TRANSFER.items():
            drift[leistung] = 0.85 * drift[leistung] + rng.normal(0, 0.03, geo.n)
            w = base[leistung] * np.exp(drift[leistung])
            oz = 0.004 if leistung == "sgb2" else 0.0
            total = int(round(series[qi] * scale))
            w = np.append(w / w.sum() * (1 - oz), oz)
            n = _alloc(w, total, rng)
            nr = np.append(geo.nr, "")
            keep = (n > 0) | (nr != "")
            rows.append(
                pd.DataFrame(
                    {
                        "stichtag": _quarter_bounds(y, q)[1],
                        "stadtviertel_nr": nr[keep],
                        "leistung": leistung,
                        "personen": n[keep],
                    }
                )
            )
        out.append((qi, pd.concat(rows, ignore_index=True)))
    return out
