"""Confidence intervals of shares, rates and counts, and what they allow a report to say.

The methods of England's public-health profiles (Fingertips, PHE "Technical Guide: Confidence
Intervals"; the R package PHEindicatormethods):

- a share (Anteil, Quote: Zähler of Nenner): the Wilson score interval;
- a count, and a rate (a count per Nenner, e.g. per 1.000 residents): the interval of the count
  as a Poisson variable, scaled by the Nenner: Byar's approximation from 10 events on, the exact
  (Garwood, chi-square) interval below 10.

Levels: 95 % for a value and its comparison with a Zielwert or the Gesamtstadt; 99,8 % for the
outer limits of a funnel plot (the counterpart of the 3-sigma limits of a control chart).

A comparison with a Zielwert says "erreicht" when the value meets it, "verfehlt" when the whole
95 % interval lies on the wrong side, and "nicht sicher verfehlt" when the value misses it but
the interval still reaches it. A comparison with the Gesamtstadt says "höher"/"niedriger" only
when the area's interval does not contain the city's value, else "ähnlich".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from kennzahlen.catalog.model import Catalog

#: the level of an interval around a value and of every comparison made with it
NIVEAU = 0.95
#: the level of the outer funnel limits (control-limit-like judgements)
NIVEAU_AUSSEN = 0.998
#: from this many events on a Poisson interval uses Byar's approximation, below it the exact one
BYAR_AB = 10

ERREICHT, NICHT_SICHER_VERFEHLT, VERFEHLT = "erreicht", "nicht sicher verfehlt", "verfehlt"
HOEHER, NIEDRIGER, AEHNLICH = "höher", "niedriger", "ähnlich"


def _special() -> Any:
    """``scipy.special``, imported only when a quantile is not in the tables below (0.2 s of a
    pool build's CPU: a pool needs only the tabled ones)."""
    from scipy import special

    return special


#: ``scipy.stats.norm.ppf(1 - (1 - niveau) / 2)`` of the levels used
#: (tests/test_intervalle_quantile.py)
_Z = {0.95: 1.959963984540054, 0.998: 3.090232306167813}

#: ``scipy.stats.chi2.ppf(q, df)`` at the 95 % level's q (``(1 - 0.95) / 2`` and
#: ``1 - (1 - 0.95) / 2``) for df = 2, 4, …, 20: the exact Poisson interval of a whole count
#: below :data:`BYAR_AB` (2k and 2k + 2 degrees of freedom), the same floats
#: (tests/test_intervalle_quantile.py)
_CHI2_DF = (2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0)
_CHI2: dict[float, dict[float, float]] = {
    (1 - 0.95) / 2: dict(
        zip(
            _CHI2_DF,
            (
                0.050635615968579795,
                0.48441855708793014,
                1.237344245791203,
                2.17973074725265,
                3.246972780236842,
                4.403788506981702,
                5.628726103039734,
                6.907664353497005,
                8.230746194756668,
                9.590777392264867,
            ),
            strict=True,
        )
    ),
    1 - (1 - 0.95) / 2: dict(
        zip(
            _CHI2_DF,
            (
                7.377758908227871,
                11.143286781877796,
                14.44937533544792,
                17.534546139484647,
                20.483177350807388,
                23.33666415864534,
                26.11894804503737,
                28.845350723404753,
                31.526378440386626,
                34.16960690283833,
            ),
            strict=True,
        )
    ),
}


class _Chi2:
    """``scipy.stats.chi2.ppf`` without importing ``scipy.stats`` (0.4 s of a pool build's CPU):
    the same special function and the same edge cases (tests/test_intervalle_quantile.py); the
    quantiles of whole counts at 95 % from a table, without importing scipy at all."""

    @staticmethod
    def ppf(q: object, df: object) -> np.ndarray:
        q_, df_ = np.asarray(q, dtype="float64"), np.asarray(df, dtype="float64")
        tabelle = _CHI2.get(float(q_)) if q_.ndim == 0 else None
        if tabelle is not None:
            try:
                werte = [tabelle[d] for d in df_.ravel().tolist()]
            except KeyError:
                pass
            else:
                return np.array(werte, dtype="float64").reshape(df_.shape)[()]
        gut = (df_ > 0) & (q_ >= 0) & (q_ <= 1)
        with np.errstate(all="ignore"):
            x = 2 * _special().gammaincinv(df_ / 2, q_)
        x = np.where(q_ == 0, 0.0, np.where(q_ == 1, np.inf, x))
        return np.where(gut, x, np.nan)[()]


class _Norm:
    """``scipy.stats.norm.ppf`` (standard normal) as its special function ``ndtri``."""

    @staticmethod
    def ppf(q: object) -> np.ndarray:
        q_ = np.asarray(q, dtype="float64")
        return np.where((q_ >= 0) & (q_ <= 1), _special().ndtri(q_), np.nan)[()]


chi2, norm = _Chi2(), _Norm()


def z_wert(niveau: float = NIVEAU) -> float:
    """The two-sided standard normal quantile of a level (1,96 for 95 %, 3,09 for 99,8 %)."""
    z = _Z.get(niveau)
    return z if z is not None else float(norm.ppf(1 - (1 - niveau) / 2))


def wilson(k: float, n: float, niveau: float = NIVEAU) -> tuple[float, float]:
    """Wilson score interval of the share k/n (n > 0)."""
    if not n or n <= 0:
        return (math.nan, math.nan)
    z = z_wert(niveau)
    p = k / n
    mitte = (p + z * z / (2 * n)) / (1 + z * z / n)
    halb = z / (1 + z * z / n) * math.sqrt(max(p * (1 - p) / n + z * z / (4 * n * n), 0.0))
    return max(0.0, mitte - halb), min(1.0, mitte + halb)


def poisson_exakt(k: float, niveau: float = NIVEAU) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson count."""
    a = 1 - niveau
    lo = 0.0 if k <= 0 else float(chi2.ppf(a / 2, 2 * k) / 2)
    return lo, float(chi2.ppf(1 - a / 2, 2 * k + 2) / 2)


def byar(k: float, niveau: float = NIVEAU) -> tuple[float, float]:
    """Byar's approximation to the Poisson interval of a count (Breslow and Day 1987)."""
    z = z_wert(niveau)
    lo = 0.0 if k <= 0 else k * (1 - 1 / (9 * k) - z / (3 * math.sqrt(k))) ** 3
    o = k + 1
    hi = o * (1 - 1 / (9 * o) + z / (3 * math.sqrt(o))) ** 3
    return max(lo, 0.0), hi


def poisson(k: float, niveau: float = NIVEAU) -> tuple[float, float]:
    """The interval of a count: Byar from :data:`BYAR_AB` events on, exact below."""
    return byar(k, niveau) if k >= BYAR_AB else poisson_exakt(k, niveau)


def intervall(
    zaehler: float,
    nenner: float | None = None,
    faktor: float = 1.0,
    anteil: bool = False,
    niveau: float = NIVEAU,
) -> tuple[float, float]:
    """The interval of a value on its own scale: a count (no Nenner), a share (``anteil``:
    Wilson) or a rate per Nenner times ``faktor`` (Poisson of the count); (nan, nan) without a
    usable Zähler or Nenner."""
    if zaehler is None or _nan(zaehler) or zaehler < 0:
        return (math.nan, math.nan)
    if nenner is None or _nan(nenner):
        return poisson(zaehler, niveau)
    if nenner <= 0:
        return (math.nan, math.nan)
    if anteil:
        lo, hi = wilson(zaehler, nenner, niveau)
    else:
        lo, hi = (x / nenner for x in poisson(zaehler, niveau))
    return lo * faktor, hi * faktor


def _nan(x: object) -> bool:
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def intervalle(
    zaehler: Sequence[float] | np.ndarray,
    nenner: Sequence[float] | np.ndarray,
    faktor: float | Sequence[float] | np.ndarray,
    anteil: bool | Sequence[bool] | np.ndarray,
    niveau: float = NIVEAU,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`intervall` for whole columns (NaN where a value has no Nenner or no interval)."""
    k = np.asarray(zaehler, dtype="float64")
    n = np.asarray(nenner, dtype="float64")
    f = np.broadcast_to(np.asarray(faktor, dtype="float64"), k.shape)
    a = np.broadcast_to(np.asarray(anteil, dtype=bool), k.shape)
    ok = np.isfinite(k) & np.isfinite(n) & (n > 0) & (k >= 0)
    lo = np.full(k.shape, np.nan)
    hi = np.full(k.shape, np.nan)
    z = z_wert(niveau)
    w = ok & a
    if w.any():
        kk, nn = k[w], n[w]
        p = kk / nn
        mitte = (p + z * z / (2 * nn)) / (1 + z * z / nn)
        halb = z / (1 + z * z / nn) * np.sqrt(np.maximum(p * (1 - p) / nn + z * z / (4 * nn**2), 0))
        lo[w], hi[w] = np.maximum(mitte - halb, 0.0), np.minimum(mitte + halb, 1.0)
    r = ok & ~a
    if r.any():
        plo, phi = _poisson_spalten(k[r], niveau)
        lo[r], hi[r] = plo / n[r], phi / n[r]
    return lo * f, hi * f


def _poisson_spalten(k: np.ndarray, niveau: float) -> tuple[np.ndarray, np.ndarray]:
    z = z_wert(niveau)
    a = 1 - niveau
    lo, hi = np.empty(len(k)), np.empty(len(k))
    gross = k >= BYAR_AB
    kb = k[gross]
    o = kb + 1
    lo[gross] = np.maximum(kb * (1 - 1 / (9 * kb) - z / (3 * np.sqrt(kb))) ** 3, 0.0)
    hi[gross] = o * (1 - 1 / (9 * o) + z / (3 * np.sqrt(o))) ** 3
    klein = k[~gross]
    positiv = klein > 0
    lo_klein = np.zeros(len(klein))
    lo_klein[positiv] = chi2.ppf(a / 2, 2 * np.maximum(klein[positiv], 1e-12)) / 2
    lo[~gross] = lo_klein
    hi[~gross] = chi2.ppf(1 - a / 2, 2 * klein + 2) / 2
    return lo, hi


# ------------------------------------------------------------------------------ what they allow
def zielvergleich(
    wert: float, unten: float, oben: float, ziel: float | None, richtung: str | None
) -> str | None:
    """'erreicht', 'nicht sicher verfehlt' or 'verfehlt' (None: no Zielwert, direction or value).

    ``richtung``: 'hoeher_besser' or 'niedriger_besser'. Without an interval (NaN) a miss is
    'verfehlt', as without the interval rule."""
    if ziel is None or richtung is None or _nan(wert) or _nan(ziel):
        return None
    hoeher = richtung == "hoeher_besser"
    if (wert >= ziel) if hoeher else (wert <= ziel):
        return ERREICHT
    grenze = oben if hoeher else unten
    if _nan(grenze):
        return VERFEHLT
    erreichbar = grenze >= ziel if hoeher else grenze <= ziel
    return NICHT_SICHER_VERFEHLT if erreichbar else VERFEHLT


def gegen_referenz(unten: float, oben: float, referenz: float) -> str | None:
    """'höher', 'niedriger' or 'ähnlich': an area's interval against a reference value (the
    Gesamtstadt). None without an interval or a reference."""
    if _nan(unten) or _nan(oben) or _nan(referenz):
        return None
    if unten > referenz:
        return HOEHER
    if oben < referenz:
        return NIEDRIGER
    return AEHNLICH


@dataclass(frozen=True)
class Trichter:
    """Funnel limits around a reference value ``ziel`` for Nenner ``n`` (arrays): the inner
    (95 %) and outer (99,8 %) limits, on the value's scale."""

    n: np.ndarray
    innen_unten: np.ndarray
    innen_oben: np.ndarray
    aussen_unten: np.ndarray
    aussen_oben: np.ndarray


def trichter(ziel: float, n: Sequence[float] | np.ndarray, faktor: float, anteil: bool) -> Trichter:
    """Funnel limits: a share ``ziel`` (0–1) with the normal approximation of the binomial,
    p ± z·√(p(1−p)/n), cut to 0–1; a rate with the Poisson interval of the expected count
    (exact, chi-square), divided by the Nenner (Spiegelhalter 2005, "Funnel plots for comparing
    institutional performance")."""
    nn = np.asarray(n, dtype="float64")
    grenzen = []
    for niveau in (NIVEAU, NIVEAU_AUSSEN):
        if anteil:
            p = ziel / faktor
            halb = z_wert(niveau) * np.sqrt(max(p * (1 - p), 0.0) / nn)
            grenzen += [np.clip(p - halb, 0, 1) * faktor, np.clip(p + halb, 0, 1) * faktor]
        else:
            erwartet = ziel / faktor * nn
            a = 1 - niveau
            with np.errstate(divide="ignore", invalid="ignore"):
                lo = np.where(erwartet > 0, chi2.ppf(a / 2, 2 * erwartet) / 2, 0.0)
                hi = chi2.ppf(1 - a / 2, 2 * erwartet + 2) / 2
            grenzen += [lo / nn * faktor, hi / nn * faktor]
    return Trichter(nn, *grenzen)


# ------------------------------------------------------------------------------ the pool
#: the pool's columns of the 95 % interval of each share and rate (NaN for counts)
POOL_SPALTEN = ("ki95_unten", "ki95_oben")


def mit_intervallen(pool: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """The pool with the 95 % interval of every share and rate (``ki95_unten``, ``ki95_oben``,
    on the value's scale; empty for counts, amounts in Euro and where the Nenner is 0)."""
    from kennzahlen.core.vocabulary import ist_anteil

    codes, ids = pd.factorize(pool["kennzahl"])
    ks = {k.id: k for k in catalog.kennzahlen}
    art = [ks.get(str(i)) for i in ids]
    faktor = np.array([float(k.faktor) if k else 1.0 for k in art] + [1.0])[codes]
    anteil = np.array([bool(k and ist_anteil(k.einheit)) for k in art] + [False])[codes]
    # a count of events over a Nenner; an amount in Euro (Ziel 7) is no count: no interval
    mit_nenner = np.array([bool(k and k.nenner and not k.in_euro) for k in art] + [False])[codes]
    nenner = pd.to_numeric(pool["nenner"], errors="coerce").to_numpy(dtype="float64")
    nenner = np.where(mit_nenner, nenner, np.nan)
    zaehler = pd.to_numeric(pool["zaehler"], errors="coerce").to_numpy(dtype="float64")
    lo, hi = intervalle(zaehler, nenner, faktor, anteil)
    out = pool.copy()
    out[POOL_SPALTEN[0]], out[POOL_SPALTEN[1]] = lo, hi
    return out
