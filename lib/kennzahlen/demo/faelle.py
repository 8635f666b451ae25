"""Case histories and events, simulated and calibrated (Jugendhilfe, Sozialhilfe, Fallmanagement,
…)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kennzahlen.core.schema import TABLES
from kennzahlen.demo.bevoelkerung import _is_ulm
from kennzahlen.demo.daten import (
    _AH_BERATUNGEN,
    _AH_VERBLEIB,
    _AH_VERMEIDUNG,
    _BOOST_2023,
    _FALLMANAGEMENT,
    _HVDF,
    _HZE_BEFORE,
    _HZE_STAT_SHARE,
    _HZE_VERLAUF,
    _JH_STAT_SHARE_2023,
    _PARAGRAPH_AMB,
    _PARAGRAPH_STAT,
    _PARAGRAPH_UMA_AMB,
    _PARAGRAPH_UMA_STAT,
    _SEASON_EVENTS,
    _SEASON_FLAT,
    _SEASON_JH,
    _SOZIALHILFE,
    _SR_INDEX,
    _TT_BASE,
    _TT_OFFSET,
    _UMA_VERLAUF,
    _WS,
    _WS_STELLE,
    OPEN,
    QUARTERS,
    SIM_START,
    SIM_YEARS,
    YEARS,
)
from kennzahlen.demo.kalender import (
    _alloc,
    _choice_codes,
    _days_in_year,
    _month_end,
    _month_start,
    _quarter_bounds,
    _sysround,
    _workday,
    _ymd,
)
from kennzahlen.demo.modell import _Fix, _Geo


def _simulate_cases(
    rng: np.random.Generator,
    v_plan: np.ndarray,
    mean_days: np.ndarray,
    shape: np.ndarray,
    fixes: list[_Fix],
    season: np.ndarray,
    monthly: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Case histories (group, beginn, ende as day numbers) such that the cases in the course of
    year y (beginn <= 31.12., ende >= 01.01.) number exactly ``v_plan[g, y]`` per group (as long
    as the carried-in cases do not exceed it) and the stocks named in ``fixes`` are exact."""
    n_groups = v_plan.shape[0]
    theta = mean_days / shape
    t0 = _ymd(SIM_START, 1, 1)
    l0 = np.rint(v_plan[:, 0] * mean_days / (mean_days + 365)).astype(np.int64)
    g = np.repeat(np.arange(n_groups), l0)
    length = rng.gamma(shape[g] + 1, theta[g])  # length-biased: the stock on 01.01.
    age = rng.random(g.size) * length
    b = t0 - 1 - np.floor(age).astype(np.int64)
    e = np.maximum(b + np.maximum(1, np.rint(length)).astype(np.int64), t0)
    if monthly:
        b, e = _month_start(b), _month_end(e)
    for yi, y in enumerate(SIM_YEARS):
        a_day = _ymd(y, 1, 1)
        carry = (b < a_day) & (e >= a_day)
        c = np.bincount(g[carry], minlength=n_groups)
        n_new = np.maximum(v_plan[:, yi] - c, 0)
        ng, nb = _days_in_year(rng, y, n_new, season)
        ne = nb + np.maximum(1, np.rint(rng.gamma(shape[ng], theta[ng]))).astype(np.int64)
        if monthly:
            nb, ne = _month_start(nb), _month_end(ne)
        g, b, e = np.concatenate([g, ng]), np.concatenate([b, nb]), np.concatenate([e, ne])
        for fx in fixes:
            if a_day <= fx.day <= _ymd(y, 12, 31):
                _fix_stock(rng, g, b, e, fx, a_day, theta, shape, monthly)
    return g, b, e


def _fix_stock(rng, g, b, e, fx: _Fix, a_day: int, theta, shape, monthly: bool) -> None:
    """Set the stock of fx.groups on fx.day to fx.target by moving the ende of a few cases that
    are in the course of the year anyway (no yearly count changes)."""
    s = fx.day
    in_g = np.isin(g, fx.groups)
    running = in_g & (b <= s) & (e >= s)
    d = fx.target - int(running.sum())
    if d > 0:
        cand = np.flatnonzero(in_g & (e >= a_day) & (e < s))
        if cand.size < d and not fx.v_exact:
            extra = np.flatnonzero(in_g & (e < a_day) & (e >= a_day - 365))
            cand = np.concatenate([cand, extra])
        if cand.size < d:
            raise RuntimeError("Demo: zu wenige Fälle, um den Bestand am Stichtag zu setzen")
        pick = rng.choice(cand, size=d, replace=False)
        new = s + 1 + np.rint(rng.gamma(shape[g[pick]], theta[g[pick]])).astype(np.int64)
        e[pick] = _month_end(new) if monthly else new
    elif d < 0:
        limit = _month_start(np.array([s]))[0] if monthly else s
        cand = np.flatnonzero(running & (np.maximum(b, a_day) < limit))
        if cand.size < -d:
            raise RuntimeError("Demo: zu wenige Fälle, um den Bestand am Stichtag zu setzen")
        pick = rng.choice(cand, size=-d, replace=False)
        lo = np.maximum(b[pick], a_day)
        new = lo + np.floor(rng.random(pick.size) * (limit - lo)).astype(np.int64)
        e[pick] = _month_end(new) if monthly else new


def _sr_shares(geo: _Geo, w: np.ndarray, oz: float) -> np.ndarray:
    s = geo.sr_sum(w)
    return np.append(s / s.sum() * (1 - oz), oz)


def _assign_areas(rng, geo: _Geo, sr_of: np.ndarray, w: np.ndarray) -> np.ndarray:
    """A Stadtviertel for every record of Sozialraum sr_of (index == len(srs): no address)."""
    out = np.full(sr_of.size, "", dtype=object)
    for i in range(len(geo.sozialraeume)):
        idx = np.flatnonzero(sr_of == i)
        areas = np.flatnonzero(geo.sr == i)
        if idx.size:
            p = w[areas] / w[areas].sum()
            out[idx] = geo.nr[areas[rng.choice(areas.size, size=idx.size, p=p)]]
    return out


def _ids(prefix: str, beginn: np.ndarray, rng) -> np.ndarray:
    order = np.lexsort((rng.random(beginn.size), beginn))
    num = np.empty(beginn.size, np.int64)
    num[order] = np.arange(1, beginn.size + 1) + 100
    width = max(6, len(str(num.max() if num.size else 0)))
    return np.char.add(f"{prefix}-", np.char.zfill(num.astype(str), width)).astype(object)


def _year_table(
    tab: dict[int, tuple], geo: _Geo, scale: float, weights: np.ndarray, oz: float, rng
) -> dict[int, np.ndarray]:
    """Per-year counts for the five Sozialräume + ohne Zuordnung (scaled / other cities)."""
    out = {}
    for y, row in tab.items():
        arr = np.array(row, float)
        if _is_ulm(geo) and scale == 1:
            out[y] = arr.astype(np.int64)
        else:
            total = int(round(arr.sum() * scale))
            if _is_ulm(geo):
                out[y] = _alloc(arr, total, rng)
            else:
                out[y] = _alloc(_sr_shares(geo, weights, oz), total, rng)
    return out


def _jh_plan(geo, w, scale, rng, n_sr: int) -> np.ndarray:
    """Cases in the course of each year per group: uma (0/1) x setting (0 amb, 1 stat) x
    Sozialraum (incl. ohne Zuordnung)."""
    verlauf = _year_table(_HZE_VERLAUF, geo, scale, w["jh"], 0.01, rng)
    v19 = verlauf[2019]
    for y, f in _HZE_BEFORE.items():
        verlauf[y] = np.rint(v19 * f).astype(np.int64)
    uma_sh = _sr_shares(geo, w["uma"], 0.0)
    v_plan = np.zeros((4 * n_sr, len(SIM_YEARS)), np.int64)
    stat_share = np.array(_HZE_STAT_SHARE if _is_ulm(geo) else (0.2,) * n_sr)
    for yi, y in enumerate(SIM_YEARS):
        share = stat_share.copy()
        if y == 2023 and _is_ulm(geo):
            for s, v in _JH_STAT_SHARE_2023.items():
                share[_SR_INDEX[s]] = v
        stat = np.rint(verlauf[y] * share).astype(np.int64)
        v_plan[0:n_sr, yi] = verlauf[y] - stat
        v_plan[n_sr : 2 * n_sr, yi] = stat
        us, ua = _UMA_VERLAUF[y]
        v_plan[2 * n_sr : 3 * n_sr, yi] = _alloc(uma_sh, int(round(ua * scale)), rng)
        v_plan[3 * n_sr : 4 * n_sr, yi] = _alloc(uma_sh, int(round(us * scale)), rng)
    return v_plan


def _jugendhilfe(geo, w, seed, scale):
    rng = np.random.default_rng([seed, 10])
    n_sr = len(geo.sozialraeume) + 1
    v_plan = _jh_plan(geo, w, scale, rng, n_sr)
    mean = np.repeat([450.0, 620.0, 300.0, 700.0], n_sr)
    shape = np.repeat([3.5, 3.0, 2.0, 2.5], n_sr)
    s_day = _ymd(2021, 12, 31)
    sc = lambda v: int(round(v * scale))  # noqa: E731
    fixes = [
        _Fix(np.arange(0, n_sr), s_day, sc(425)),
        _Fix(np.arange(n_sr, 2 * n_sr), s_day, sc(123)),
        _Fix(np.arange(2 * n_sr, 3 * n_sr), s_day, sc(5), v_exact=False),
        _Fix(np.arange(3 * n_sr, 4 * n_sr), s_day, sc(19), v_exact=False),
    ]
    g, b, e = _simulate_cases(rng, v_plan, mean, shape, fixes, _SEASON_JH)
    keep = e >= _ymd(2019, 1, 1)
    g, b, e = g[keep], b[keep], e[keep]
    uma = g >= 2 * n_sr
    stat = (g // n_sr) % 2 == 1
    sr = g % n_sr
    n = g.size
    para = np.empty(n, dtype=object)
    for m, spec in (
        (~uma & ~stat, _PARAGRAPH_AMB),
        (~uma & stat, _PARAGRAPH_STAT),
        (uma & ~stat, _PARAGRAPH_UMA_AMB),
        (uma & stat, _PARAGRAPH_UMA_STAT),
    ):
        para[m] = _choice_codes(rng, spec, int(m.sum()))
    nr = np.empty(n, dtype=object)
    nr[~uma] = _assign_areas(rng, geo, sr[~uma], w["jh"])
    nr[uma] = _assign_areas(rng, geo, sr[uma], w["uma"])
    team = np.array([f"SRT {s}" for s in geo.sozialraeume] + ["Zentrale Dienste"], dtype=object)[sr]
    return pd.DataFrame(
        {
            "fall_id": _ids("JH", b, rng),
            "paragraph": para,
            "setting": np.where(stat, "stationaer", "ambulant").astype(object),
            "uma": uma,
            "beginn": b,
            "ende": np.where(e > _ymd(2030, 1, 1), OPEN, e),
            "stadtviertel_nr": nr,
            "team": team,
        }
    )


def _stream_cases(streams, geo, w, seed, scale, key, monthly):
    rng = np.random.default_rng([seed, key])
    n_sr = len(geo.sozialraeume) + 1
    years = np.array(SIM_YEARS)
    v_plan = np.zeros((len(streams) * n_sr, years.size), np.int64)
    mean = np.repeat([s.mean_days for s in streams], n_sr)
    shape = np.repeat([s.shape for s in streams], n_sr)
    fixes = []
    for k, s in enumerate(streams):
        stock = np.array(s.stock, float) * scale
        growth = (stock[2] / stock[0]) ** 0.5
        path = {
            y: stock[y - 2019] if y >= 2019 else stock[0] * growth ** (y - 2019)
            for y in range(SIM_START - 1, 2024)
        }
        sh = _sr_shares(geo, w[s.weights], 0.006)
        for yi, y in enumerate(SIM_YEARS):
            mid = 0.5 * (path[y - 1] + path[y])
            v = mid * (1 + 365 / s.mean_days)
            vs = sh * v
            if y == 2023 and _is_ulm(geo):
                for (code, setting, srn), f in _BOOST_2023.items():
                    if code == s.code and setting == s.setting:
                        vs[_SR_INDEX[srn]] *= f
            v_plan[k * n_sr : (k + 1) * n_sr, yi] = _sysround(vs, rng)
        fixes.append(
            _Fix(
                np.arange(k * n_sr, (k + 1) * n_sr),
                _ymd(2021, 12, 31),
                int(round(s.stock[2] * scale)),
                v_exact=False,
            )
        )
    g, b, e = _simulate_cases(rng, v_plan, mean, shape, fixes, _SEASON_FLAT, monthly=monthly)
    keep = e >= _ymd(2019, 1, 1)
    g, b, e = g[keep], b[keep], e[keep]
    k, sr = g // n_sr, g % n_sr
    nr = np.empty(g.size, dtype=object)
    for j, s in enumerate(streams):
        m = k == j
        nr[m] = _assign_areas(rng, geo, sr[m], w[s.weights])
    codes = np.array([s.code for s in streams], dtype=object)[k]
    settings = np.array([s.setting for s in streams], dtype=object)[k]
    return rng, g, b, np.where(e > _ymd(2030, 1, 1), OPEN, e), nr, codes, settings


def _sozialhilfe(geo, w, seed, scale):
    rng, _, b, e, nr, codes, settings = _stream_cases(_SOZIALHILFE, geo, w, seed, scale, 11, True)
    return pd.DataFrame(
        {
            "fall_id": _ids("SH", b, rng),
            "leistung": codes,
            "setting": settings,
            "beginn": b,
            "ende": e,
            "stadtviertel_nr": nr,
        }
    )


def _fallmanagement(geo, w, seed, scale):
    rng, _, b, e, nr, codes, _s = _stream_cases(_FALLMANAGEMENT, geo, w, seed, scale, 12, False)
    return pd.DataFrame(
        {
            "fall_id": _ids("FM", b, rng),
            "bereich": codes,
            "beginn": b,
            "ende": e,
            "stadtviertel_nr": nr,
        }
    )


# ------------------------------------------------------------------------------- events
def _hilfen_vor_dem_fall(geo, w, seed, scale):
    rng = np.random.default_rng([seed, 20])
    tab = _year_table(_HVDF, geo, scale, w["jh"], 0.008, rng)
    names = np.array([*geo.sozialraeume, ""], dtype=object)
    parts = []
    for y in YEARS:
        season = _SEASON_EVENTS.copy()
        if y == 2020:
            season[3:5] = (0.7, 0.8)  # first lockdown
        g, d = _days_in_year(rng, y, tab[y], season)
        parts.append(pd.DataFrame({"beginn": _workday(d), "sozialraum": names[g]}))
    df = pd.concat(parts, ignore_index=True)
    df.insert(0, "beratung_id", _ids("HV", df["beginn"].to_numpy(), rng))
    return df


def _beratungen_altenhilfe(geo, w, seed, scale):
    rng = np.random.default_rng([seed, 21])
    parts = []
    for y in YEARS:
        n = int(round(_AH_BERATUNGEN[y] * scale))
        _, d = _days_in_year(rng, y, np.array([n]), _SEASON_EVENTS)
        verm = np.zeros(n, bool)
        verb = np.zeros(n, bool)
        order = rng.permutation(n)
        n_verm = int(round(_AH_VERMEIDUNG[y] * scale))
        verm[order[:n_verm]] = True
        verb[order[: int(round(_AH_VERBLEIB[y] * scale))]] = True  # a subset of vermeidung
        parts.append(
            pd.DataFrame(
                {
                    "datum": _workday(d),
                    "vermeidung_stationaer": verm,
                    "verbleib_haeuslichkeit": verb,
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    sr = rng.choice(
        len(_sr_shares(geo, w["ah"], 0.01)), size=len(df), p=_sr_shares(geo, w["ah"], 0.01)
    )
    df.insert(1, "stadtviertel_nr", _assign_areas(rng, geo, sr, w["ah"]))
    df.insert(0, "beratung_id", _ids("AB", df["datum"].to_numpy(), rng))
    return df[TABLES["beratungen_altenhilfe"].column_names]


def _teilhabeteam(geo, w, seed, scale):
    rng = np.random.default_rng([seed, 22])
    n_sr = len(geo.sozialraeume)
    base = np.array(_TT_BASE if _is_ulm(geo) else (20,) * n_sr, float)
    off = np.array(_TT_OFFSET if _is_ulm(geo) else (0.0,) * n_sr)
    names = np.array([*geo.sozialraeume, ""], dtype=object)
    codes = np.array(["institutionell", "institutionell_und_nahfeld", "nahfeld"], dtype=object)
    parts = []
    for qi, (y, q) in enumerate(QUARTERS[7:]):  # collected since 2020-Q4
        a, z = _quarter_bounds(y, q)
        lam = np.append(base * (1 + 0.01 * qi), 0.6) * scale
        n = rng.poisson(lam)
        p = np.clip(0.815 + off + 0.0075 * qi + rng.normal(0, 0.015, n_sr), 0.78, 0.96)
        sr = np.repeat(np.arange(n_sr + 1), n)
        res = np.zeros(sr.size, np.int64)
        start = np.cumsum(n) - n
        for i in range(n_sr + 1):
            m = n[i]
            n_nah = int(round((p[i] if i < n_sr else 0.85) * m))
            r = np.zeros(m, np.int64)
            r[:n_nah] = np.where(rng.random(n_nah) < 0.72, 1, 2)
            res[start[i] : start[i] + m] = rng.permutation(r)
        d = _workday(a + np.floor(rng.random(sr.size) * (z - a + 1)).astype(np.int64))
        parts.append(pd.DataFrame({"datum": d, "sozialraum": names[sr], "ressourcen": codes[res]}))
    df = pd.concat(parts, ignore_index=True).sort_values("datum", kind="stable")
    df.insert(0, "beratung_id", _ids("TT", df["datum"].to_numpy(), rng))
    return df.reset_index(drop=True)


def _wohnraumsicherung(geo, w, seed, scale):
    rng = np.random.default_rng([seed, 23])
    parts = []
    for art, tab in _WS.items():
        for y in YEARS:
            n = int(round(tab[y] * scale))
            _, d = _days_in_year(rng, y, np.array([n]), _SEASON_EVENTS)
            parts.append(
                pd.DataFrame(
                    {
                        "datum": _workday(d),
                        "art": art,
                        "meldende_stelle": _choice_codes(rng, _WS_STELLE[art], n),
                    }
                )
            )
    df = pd.concat(parts, ignore_index=True).sort_values("datum", kind="stable")
    sh = _sr_shares(geo, w["ws"], 0.01)
    sr = rng.choice(sh.size, size=len(df), p=sh)
    df["stadtviertel_nr"] = _assign_areas(rng, geo, sr, w["ws"])
    df.insert(0, "meldung_id", _ids("WS", df["datum"].to_numpy(), rng))
    return df.reset_index(drop=True)
