"""The SPC rule (``spc``): XmR chart on a fixed baseline, with the four NHS rules.

Each quarter's light judges the series as it was known then (no later value is used): the
limits come from the baseline (the first ``basis_perioden`` values of the segment, or
``basis_von`` .. ``basis_bis``), "vorläufig" from the values so far while the baseline is not
complete (from ``vorlaeufig_ab`` values on; grau before). A new baseline (``neue_basis``, with the
day it was decided and the reason) starts a new segment. The signals and the assurance are those
of :mod:`kennzahlen.statistik.spc`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from kennzahlen.ampel.config import Parameter
from kennzahlen.ampel.rules.basis import (
    FARB_TEXT,
    _basis_text,
    _periode_text,
    _stat,
    _wert,
    _zu_wenig,
    records,
)
from kennzahlen.ampel.rules.karten import Karte, karte, karten
from kennzahlen.core.periods import quartal_von
from kennzahlen.statistik import spc

#: the signals in words: (rule, where)
SIGNAL_TEXT = {
    "ueber_grenze": "über der oberen Kontrollgrenze",
    "unter_grenze": "unter der unteren Kontrollgrenze",
    "trend_steigend": "Werte in Folge steigend",
    "trend_fallend": "Werte in Folge fallend",
    "zwei_von_drei_ueber": "zwei von drei Werten nahe der oberen Grenze",
    "zwei_von_drei_unter": "zwei von drei Werten nahe der unteren Grenze",
    "lauf_ueber": "Werte in Folge über dem Mittel",
    "lauf_unter": "Werte in Folge unter dem Mittel",
}
#: what the control chart says of the Zielwert (a clause after "Regelkarte: ")
ZIELSICHERHEIT_TEXT = {
    spc.SICHER_ERREICHT: "bleibt der Verlauf so, erreicht er den Zielwert verlässlich",
    spc.SICHER_VERFEHLT: "ändert sich der Verlauf nicht, verfehlt er den Zielwert verlässlich",
    spc.WECHSELND: (
        "der Zielwert liegt innerhalb der üblichen Schwankung: mal erreicht, mal verfehlt"
    ),
}


def farbe(signal: str, hoeher: bool) -> str:
    """The colour of a signal: unfavourable beyond a limit rot, any other unfavourable signal
    gelb; a favourable signal or none gruen."""
    if not signal:
        return "gruen"
    if spc.nach_oben(signal) == hoeher:
        return "gruen"
    return "rot" if signal.endswith("grenze") else "gelb"


def zielsicherheit(p: Parameter, k: Karte | None, periode: str) -> str:
    """The assurance against the Zielwert of the period's year ('' without one or limits)."""
    return zielsicherheit_von(p, k.grenzen if k is not None else None, periode)


def zielsicherheit_von(p: Parameter, g: spc.Grenzen | None, periode: str) -> str:
    """The assurance of limits ``g`` against the Zielwert of the period's year ('' without)."""
    if g is None:
        return ""
    return spc.zielsicherheit(p.kennzahl.zielwert_im(periode), g, p.richtung) or ""


def reihen(series: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The series per area, sorted, values only."""
    return {
        raum: grp.sort_values("periode").reset_index(drop=True)
        for raum, grp in series.dropna(subset=["wert"]).groupby("raum")
    }


def regel_spc(p: Parameter, grid: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """SPC rule: XmR chart; the four rules (as switched on); provisional limits, new baselines."""
    out = grid.copy()
    hoeher = p.richtung == "hoeher_besser"
    charts = karten(p, reihen(series))
    cols: dict[str, list] = {
        c: []
        for c in (
            "vergleichswert", "untere_grenze", "obere_grenze", "signal", "basis",
            "grenzen_vorlaeufig", "zielsicherheit",
        )
    }  # fmt: skip
    nan = float("nan")
    for raum, per, wert in zip(out["sozialraum"], out["periode"], out["wert"], strict=True):
        k = charts.get((raum, per)) if pd.notna(wert) else None
        g = k.grenzen if k is not None else None
        cols["vergleichswert"].append(g.mitte if g else nan)
        cols["untere_grenze"].append(g.unten if g else nan)
        cols["obere_grenze"].append(g.oben if g else nan)
        cols["signal"].append(k.signal if g and k else "")
        cols["basis"].append(k.basis if k else "keine Reihe")
        cols["grenzen_vorlaeufig"].append(bool(g and g.vorlaeufig))
        cols["zielsicherheit"].append(zielsicherheit_von(p, g, per))
    for c, values in cols.items():
        out[c] = values
    no_data = out["wert"].isna() | out["vergleichswert"].isna()
    few = out["wert"].notna() & (out["faelle"].fillna(0) < p.min_faelle)
    out["farbe"] = np.where(
        no_data | few, "grau", [farbe(s, hoeher) for s in out["signal"]]
    )  # fmt: skip
    out["schwelle_gelb"] = np.nan
    out["schwelle_rot"] = out["untere_grenze"] if hoeher else out["obere_grenze"]
    out["vergleich"] = [
        f"Mittel {_stat(m, p)}, Grenzen {_stat(lo, p)} bis {_stat(hi, p)} (Basis {b})"
        if pd.notna(m)
        else f"Basis {b}"
        for m, lo, hi, b in zip(
            out["vergleichswert"], out["untere_grenze"], out["obere_grenze"], out["basis"],
            strict=True,
        )
    ]  # fmt: skip
    out["begruendung"] = [_satz(r, p) for r in records(out)]
    return out.drop(columns=["basis"])


def _satz(row: Mapping[str, Any], p: Parameter) -> str:
    """The reason of one light of the SPC rule, in words."""
    when = _periode_text(row["periode"])
    if pd.isna(row["wert"]):
        return f"{p.name}: kein Wert {when} → grau"
    if pd.isna(row["vergleichswert"]):
        return f"{p.name}: {_wert(row['wert'], p)} {when}; {row['basis']} → grau"
    if row["farbe"] == "grau":
        return _zu_wenig(row, p, _basis_text(row, p))
    return mit_zielsicherheit(_signal_satz(row, p), row, p)


def _signal_satz(row: Mapping[str, Any], p: Parameter) -> str:
    head = f"{p.name}: {_wert(row['wert'], p)} {_periode_text(row['periode'])}"
    limits = f"Grenzen {_stat(row['untere_grenze'], p)} bis {_stat(row['obere_grenze'], p)}"
    mean = f"Mittel {_stat(row['vergleichswert'], p)}"
    sig, colour = row["signal"], FARB_TEXT[row["farbe"]]
    gut = row["farbe"] == "gruen"
    if sig in ("ueber_grenze", "unter_grenze"):
        grenze = row["obere_grenze"] if sig == "ueber_grenze" else row["untere_grenze"]
        verdict = "günstige Entwicklung" if gut else "ungünstige Entwicklung"
        return (
            f"{head} liegt {SIGNAL_TEXT[sig]} {_stat(grenze, p)} ({mean}, Basis "
            f"{row['basis']}): {verdict} → {colour}"
        )
    if sig:
        anzahl = {"lauf": p.lauf, "trend": p.trend}.get(sig.split("_")[0], "")
        verdict = "günstige Verschiebung" if gut else "ungünstige Verschiebung"
        was = f"{anzahl} {SIGNAL_TEXT[sig]}".strip()
        if sig.startswith("lauf"):
            was = was.replace("dem Mittel", f"dem {mean}")
            return f"{head}; {was} der Basis {row['basis']}: {verdict} → {colour}"
        return f"{head}; {was} ({mean}, {limits}, Basis {row['basis']}): {verdict} → {colour}"
    return f"{head} innerhalb der {limits}, kein Signal (Basis {row['basis']}) → {colour}"


def mit_zielsicherheit(satz: str, row: Mapping[str, Any], p: Parameter) -> str:
    """The reason with the assurance of the control chart before its colour: '…; Regelkarte:
    bleibt der Verlauf so, … → grün' (unchanged without a Zielwert or limits)."""
    z = row.get("zielsicherheit") or ""
    if not z or " → " not in satz:
        return satz
    kopf, farbe_text = satz.rsplit(" → ", 1)
    art = "vorläufige Regelkarte" if row.get("grenzen_vorlaeufig") else "Regelkarte"
    return f"{kopf}; {art}: {ZIELSICHERHEIT_TEXT[z]} → {farbe_text}"


def regelkarte(p: Parameter, series: pd.DataFrame, raum: str, periode: str) -> pd.DataFrame:
    """An area's control chart at ``periode`` for a report: per point of the series up to then
    periode, wert, the limits its segment had then (or NaN), whether they were provisional, and
    its signal as seen from ``periode`` (a run marks all its points). Empty without values."""
    s = reihen(series).get(raum)
    cols = ["periode", "wert", "mitte", "unten", "oben", "nah_unten", "nah_oben", "vorlaeufig"]
    if s is None:
        return pd.DataFrame(columns=[*cols, "signal", "segment"])
    s = s[s["periode"] <= periode]
    keys = s["periode"].map(lambda x: quartal_von(str(x)) or "").to_numpy()
    grenzen = [b.ab for b in p.neue_basis]
    teile = []
    for nr, (von, bis) in enumerate(zip(["", *grenzen], [*grenzen, "9999-Q9"], strict=True)):
        sel = s[(keys >= von) & (keys < bis)]
        k = karte(p, s, str(sel["periode"].iloc[-1])) if len(sel) else None
        if k is None:
            continue
        t = k.punkte[["periode", "wert"]].copy()
        g = k.grenzen
        for c in cols[2:7]:
            t[c] = getattr(g, c) if g else np.nan
        t["vorlaeufig"] = bool(g and g.vorlaeufig)
        t["signal"] = k.signale if g else [""] * len(t)
        t["segment"] = nr
        teile.append(t)
    return pd.concat(teile, ignore_index=True) if teile else pd.DataFrame(columns=cols)
