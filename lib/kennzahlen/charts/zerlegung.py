"""The chart of Ziel 7: the growth of net spending split into cases and cost per case (house style
of :mod:`kennzahlen.charts.plots`)."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from kennzahlen.charts.plots import OKABE_ITO, _done, _satz, beschreibe, de_achse
from kennzahlen.core import fmt

#: one colour and one hatch per part, so that colour is never the only carrier of meaning
HATCH = ("", "//", "..")


def zerlegung_diagramm(tab: pd.DataFrame, titel: str) -> Figure:
    """Grouped horizontal bars: rows = Arbeitsfelder, bars = the changes (fractions) of the
    columns (net spending, average cases, cost per case), each labelled with its signed percent."""
    n, m = len(tab), tab.shape[1]
    fig, ax = plt.subplots(figsize=(8.0, 0.9 * n + 1.9))
    hoehe = 0.8 / m
    werte = tab.to_numpy(dtype=float)
    for j, col in enumerate(tab.columns):
        y = np.arange(n) - 0.4 + hoehe * (j + 0.5)
        ax.barh(
            y,
            werte[:, j],
            height=hoehe * 0.92,
            color=OKABE_ITO[j % len(OKABE_ITO)],
            hatch=HATCH[j % len(HATCH)],
            edgecolor="white",
            label=col,
        )
        for yy, v in zip(y, werte[:, j], strict=True):
            if np.isfinite(v):
                ax.text(
                    v,
                    yy,
                    f" {fmt.prozent_vorzeichen(v)} ",
                    va="center",
                    ha="left" if v >= 0 else "right",
                    fontsize=8.5,
                )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(np.arange(n), [str(i) for i in tab.index])
    ax.invert_yaxis()
    spanne = np.nanmax(np.abs(werte)) if np.isfinite(werte).any() else 0.01
    lo = min(0.0, float(np.nanmin(werte))) if np.isfinite(werte).any() else 0.0
    ax.set_xlim(
        lo - 0.35 * spanne if lo < 0 else 0, max(0.0, float(np.nanmax(werte))) + 0.35 * spanne
    )
    ax.xaxis.set_major_formatter(de_achse(prozent=True))
    ax.set_xlabel("Veränderung zum Vorjahr")
    ax.set_title(textwrap.fill(titel, 70))
    ax.legend(ncol=m, loc="upper center", bbox_to_anchor=(0.5, -0.2 - 0.05 / max(n, 1)), fontsize=9)
    zeilen = [
        f"{a}: " + ", ".join(f"{c} {fmt.prozent_vorzeichen(v)}" for c, v in tab.loc[a].items())
        for a in tab.index
    ]
    beschreibe(
        fig,
        f"Gruppierte Balken je Arbeitsfeld: Veränderung zum Vorjahr von {', '.join(tab.columns)}.",
        _satz(titel),
        "; ".join(zeilen) + ".",
    )
    return _done(fig)
