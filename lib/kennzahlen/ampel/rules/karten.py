"""The control charts of an indicator at every period at once: per area and point, the limits,
baseline text and signal that :func:`karte` gives for that period.

``karte`` builds one chart per quarter and area (the series up to then, its baseline, its limits
and the signals of all its points). Here each segment of a series is handled once: its limits are
computed once per number of baseline values known (the same :func:`spc.grenzen` on the same
values, so the same floats), and the signal of every point as the last one known comes from
:func:`spc.letzte_signale` over all areas' points together. The results are those of ``karte``
(tests/test_ampel_karten.py compares both on random series)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kennzahlen.ampel.config import NeueBasis, Parameter
from kennzahlen.ampel.rules.basis import _kurz
from kennzahlen.core import fmt
from kennzahlen.core.periods import quartal_von, quartale_range
from kennzahlen.statistik import spc

_GRENZEN = ("mitte", "unten", "oben", "nah_unten", "nah_oben")


@dataclass
class Karte:
    """An area's control chart as known at one period: the points of its segment up to then
    with their signals, the limits (None: too few values), the baseline in words, and the new
    baseline the segment starts with (None: the first)."""

    punkte: pd.DataFrame
    grenzen: spc.Grenzen | None
    basis: str
    signale: list[str] = field(default_factory=list)
    neue_basis: NeueBasis | None = None

    @property
    def signal(self) -> str:
        """The signal of the last point ('' for none)."""
        return self.signale[-1] if self.signale else ""


def _segment(
    p: Parameter, s: pd.DataFrame, periode: str, keys: np.ndarray | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, int, NeueBasis | None]:
    """The segment of the series ``periode`` belongs to, its baseline, the number of baseline
    values it needs, and the new baseline it starts with (``keys``: the quarters of the series'
    periods, when known)."""
    if keys is None:
        keys = s["periode"].map(lambda x: quartal_von(str(x)) or "").to_numpy()
    q = quartal_von(periode) or ""
    neu = [b for b in p.neue_basis if b.ab <= q]
    if neu:
        rb = neu[-1]
        spaeter = [b.ab for b in p.neue_basis if b.ab > rb.ab]
        ende = spaeter[0] if spaeter else "9999-Q9"
        seg = s[(keys >= rb.ab) & (keys < ende)]
        return seg, seg.iloc[: p.basis_perioden], p.basis_perioden, rb
    erste = p.neue_basis[0].ab if p.neue_basis else "9999-Q9"
    seg = s[keys < erste]
    if p.basis_von and p.basis_bis:
        k = seg["periode"].map(lambda x: quartal_von(str(x)) or "")
        base = seg[((k >= p.basis_von) & (k <= p.basis_bis)).to_numpy()]
        quarterly = p.kennzahl.periodizitaet in ("quartal", "stichtag_quartal")
        needed = len(quartale_range(p.basis_von, p.basis_bis)) if quarterly else len(base)
        return seg, base, needed, None
    return seg, seg.iloc[: p.basis_perioden], p.basis_perioden, None


def karte(p: Parameter, s: pd.DataFrame | None, periode: str) -> Karte | None:
    """The control chart of an area's series (sorted, with values) as known at ``periode``."""
    if s is None or not len(s):
        return None
    seg, base, needed, rb = _segment(p, s, periode)
    punkte = seg[seg["periode"] <= periode]
    jetzt = base[base["periode"] <= periode]
    fertig = len(base) >= max(needed, 2) and len(jetzt) == len(base)
    mindest = max(min(p.vorlaeufig_ab, needed), 2)
    if fertig:
        werte, vorlaeufig = base, False
    elif len(jetzt) >= mindest:
        werte, vorlaeufig = jetzt, True
    else:
        text = f"Basis noch unvollständig ({len(jetzt)} von {needed} Werten)"
        return Karte(punkte, None, text, neue_basis=rb)
    g = spc.grenzen(werte["wert"], p.grenzfaktor, p.ausreisser_pruefen, vorlaeufig)
    g = _begrenzt(g, p.anteil)
    label = f"{_kurz(werte['periode'].iloc[0])} bis {_kurz(werte['periode'].iloc[-1])}"
    if vorlaeufig:
        label += f", vorläufige Grenzen aus {len(werte)} von {needed} Werten"
    if rb is not None:
        label += f"; neu gesetzt ab {rb.ab} am {fmt.datum(rb.beschlossen_am)}: {rb.grund}"
    sig = spc.signale(punkte["wert"], g, p.signale, p.lauf, p.trend)
    return Karte(punkte, g, label, sig, rb)


def _begrenzt(g: spc.Grenzen, anteil: bool) -> spc.Grenzen:
    """A count is never below 0 and a share never above 1: clamping changes no signal."""
    hi = 1.0 if anteil else float("inf")

    def clip(x: float) -> float:
        return min(max(x, 0.0), hi)

    return spc.Grenzen(
        g.mitte, clip(g.unten), clip(g.oben), clip(g.nah_unten), clip(g.nah_oben), g.werte,
        g.vorlaeufig,
    )  # fmt: skip


@dataclass(frozen=True)
class Stand:
    """An area's chart as known at one of its periods: limits (None: too few values), the
    baseline in words and the signal of that period's point ('' for none)."""

    grenzen: spc.Grenzen | None
    basis: str
    signal: str = ""


def _rb(p: Parameter, q: str) -> NeueBasis | None:
    neu = [b for b in p.neue_basis if b.ab <= q]
    return neu[-1] if neu else None


def _grenzen_je_stand(
    p: Parameter,
    base: tuple[np.ndarray, list[str]],
    needed: int,
    rb: NeueBasis | None,
    m: int,
) -> tuple[spc.Grenzen | None, str]:
    """The limits and baseline text when ``m`` of the baseline values are known (``karte``;
    ``base``: the baseline's values and periods)."""
    wert, perioden = base
    fertig = len(wert) >= max(needed, 2) and m == len(wert)
    mindest = max(min(p.vorlaeufig_ab, needed), 2)
    if fertig:
        werte, vorlaeufig = wert, False
    elif m >= mindest:
        werte, vorlaeufig = wert[:m], True
    else:
        return None, f"Basis noch unvollständig ({m} von {needed} Werten)"
    g = spc.grenzen(werte, p.grenzfaktor, p.ausreisser_pruefen, vorlaeufig)
    g = _begrenzt(g, p.anteil)
    label = f"{_kurz(perioden[0])} bis {_kurz(perioden[len(werte) - 1])}"
    if vorlaeufig:
        label += f", vorläufige Grenzen aus {len(werte)} von {needed} Werten"
    if rb is not None:
        label += f"; neu gesetzt ab {rb.ab} am {fmt.datum(rb.beschlossen_am)}: {rb.grund}"
    return g, label


def _segmente(p: Parameter, s: pd.DataFrame) -> list[tuple[pd.DataFrame, list]] | None:
    """Per segment of a series: its points, each with (limits, text) as known then; None when
    a segment does not hold exactly the points of its baseline (then point by point)."""
    keys = np.array([quartal_von(str(x)) or "" for x in s["periode"]], dtype=object)
    rbs = [_rb(p, q) for q in keys]
    out = []
    for rb in dict.fromkeys(rbs):
        erste = str(s["periode"].iloc[rbs.index(rb)])
        seg, base, needed, _ = _segment(p, s, erste, keys)
        eigene = {str(x) for x, r in zip(s["periode"], rbs, strict=True) if r is rb}
        if set(seg["periode"].astype(str)) != eigene:
            return None
        bp = base["periode"].astype(str).to_numpy()
        m = np.searchsorted(bp, seg["periode"].astype(str).to_numpy(), side="right")
        basis = (base["wert"].to_numpy(dtype="float64"), [str(x) for x in base["periode"]])
        cache: dict[int, tuple[spc.Grenzen | None, str]] = {}
        for k in dict.fromkeys(m.tolist()):
            cache[k] = _grenzen_je_stand(p, basis, needed, rb, k)
        staende = [cache[k] for k in m.tolist()]
        out.append((seg, staende))
    return out


def karten(p: Parameter, by_area: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], Stand]:
    """(area, period) -> the chart as known at that period, for every point of every series
    (``by_area``: :func:`kennzahlen.ampel.rules.spc.reihen`)."""
    teile = []
    for raum, s in by_area.items():
        if not len(s):
            continue
        segmente = _segmente(p, s) if _geordnet(s) else None
        if segmente is None:
            teile.extend(_einzeln(p, raum, s))
            continue
        teile.extend((raum, seg, staende) for seg, staende in segmente)
    return _signale(p, teile)


def _geordnet(s: pd.DataFrame) -> bool:
    """Periods unique and sorted as text (what the prefix logic relies on)."""
    per = [str(x) for x in s["periode"]]
    return all(a < b for a, b in zip(per, per[1:], strict=False))


def _einzeln(p: Parameter, raum: str, s: pd.DataFrame) -> list:
    """Fallback: ``karte`` point by point."""
    res = []
    for per in s["periode"].astype(str):
        k = karte(p, s, per)
        if k is not None:
            seg = s[s["periode"].astype(str) == per]
            res.append((raum, seg, [(k.grenzen, k.basis)], k.signal if k.grenzen else ""))
    return res


def _signale(p: Parameter, teile: list) -> dict[tuple[str, str], Stand]:
    """The signals of all points of all segments in one vectorised pass."""
    fertig = [t for t in teile if len(t) == 4]
    teile = [t for t in teile if len(t) == 3 and len(t[1])]
    out = {(r, str(seg["periode"].iloc[0])): Stand(g, b, sig) for r, seg, [(g, b)], sig in fertig}
    if not teile:
        return out
    y = np.concatenate([seg["wert"].to_numpy("float64") for _, seg, _ in teile])
    pos = np.concatenate([np.arange(len(seg)) for _, seg, _ in teile])
    alle = [st for _, _, staende in teile for st in staende]
    nan = float("nan")
    g = [np.array([getattr(x, a) if x else nan for x, _ in alle]) for a in _GRENZEN]
    sig = spc.letzte_signale(y, g, pos, p.signale, p.lauf, p.trend)
    i = 0
    for raum, seg, staende in teile:
        for per, (gr, text) in zip(seg["periode"].astype(str), staende, strict=True):
            out[(raum, per)] = Stand(gr, text, str(sig[i]) if gr else "")
            i += 1
    return out
