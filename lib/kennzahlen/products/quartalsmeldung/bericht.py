"""Produkt 2 – Quartalsmeldung: the Erfassungsbogen of the council paper, per quarter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from kennzahlen.charts import plots
from kennzahlen.core import fmt
from kennzahlen.core.periods import QUARTALSENDE_MUSTER, stichtag, vorquartal
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.products import common
from kennzahlen.products.quartalsmeldung.bogen import (  # the charts-free part, re-exported
    erfassungsbogen as erfassungsbogen,
)
from kennzahlen.products.quartalsmeldung.bogen import (
    seit_jahresbeginn as seit_jahresbeginn,
)
from kennzahlen.products.quartalsmeldung.bogen import (
    spalten as spalten,
)
from kennzahlen.products.quartalsmeldung.bogen import (
    veraenderungen as veraenderungen,
)
from kennzahlen.products.quartalsmeldung.bogen import (
    write_excel as write_excel,
)
from kennzahlen.products.quartalsmeldung.zeilen import (
    ARBEITSFELD,
    GRUPPEN,
    HAUPTZAHLEN,
    NACH_ORT,
    ZEILEN,
    Zeilenart,
    zeilen_label,
)
from kennzahlen.products.quartalsmeldung.zeilen import (
    SO_GESAMT as SO_GESAMT,
)
from kennzahlen.statistik import trend


def veraenderungen_formatiert(
    v: pd.DataFrame, periode: str, ohne: list[str] | tuple[str, ...] = ()
) -> pd.DataFrame:
    """German formatted change table (one row per Fallzahl, labelled by Arbeitsfeld and Fallzahl).

    The table has no group heading rows, so the Arbeitsfeld is part of every row label: EGH and AH
    both have a row "Fallmanagement". ``ohne``: comparisons left out ('vorquartal',
    'vorjahresquartal'), e.g. for lack of data.
    """
    out = pd.DataFrame(
        index=pd.MultiIndex.from_tuples(
            [(ARBEITSFELD[g], zeilen_label(NACH_ORT[(g, b, z)])) for g, b, z, _ in v.index]
        )
    )
    out[fmt.datum(stichtag(periode))] = v["aktuell"].map(fmt.zahl).to_numpy()
    if "vorquartal" not in ohne:
        out[f"Vorquartal ({fmt.datum(stichtag(vorquartal(periode)))})"] = (
            v["vorquartal"].map(fmt.zahl).to_numpy()
        )
        out["Veränderung zum Vorquartal"] = [
            fmt.differenz(a, b) for a, b in zip(v["aktuell"], v["vorquartal"], strict=True)
        ]
    if "vorjahresquartal" not in ohne:
        out[f"Vorjahresquartal ({fmt.datum(stichtag(vorquartal(periode, 4)))})"] = (
            v["vorjahresquartal"].map(fmt.zahl).to_numpy()
        )
        out["Veränderung zum Vorjahr"] = [
            fmt.differenz(a, b) for a, b in zip(v["aktuell"], v["vorjahresquartal"], strict=True)
        ]
        out["in %"] = [
            fmt.veraenderung(a, b) for a, b in zip(v["aktuell"], v["vorjahresquartal"], strict=True)
        ]
    return out


def _lage(
    pool: pd.DataFrame,
    periode: str,
    pool_dir: str | Path | None,
    folge: str,
    raum: str | None = None,
    ids: list[str] | None = None,
) -> common.Datenlage:
    """What the pool holds of the Erfassungsbogen's Fallzahlen on the quarter's Stichtag."""
    ids = ids or [z.kennzahl for z in ZEILEN]
    return common.datenlage(
        pool,
        ids,
        stichtag(periode),
        pool_dir,
        raum=raum,
        folge=folge,
        zeit=f"das {fmt.periode(periode)}",
    )


def fehlende_bereiche(pool: pd.DataFrame, periode: str, pool_dir: str | Path | None) -> str:
    """One sentence naming the Bereiche of the form without any Fallzahl for the quarter ('' if
    none)."""
    lage = _lage(pool, periode, pool_dir, "der Erfassungsbogen fehlt daher")
    if not lage.fehlend or lage.nichts:
        return lage.satz
    fehlend = set(lage.fehlend)
    namen = []
    for g in GRUPPEN:
        zeilen = [z for z in ZEILEN if z.gruppe == g]
        if all(z.kennzahl in fehlend for z in zeilen):
            namen.append(GRUPPEN[g])
        else:
            namen += [
                f"{ARBEITSFELD[g]}: {zeilen_label(z)}" for z in zeilen if z.kennzahl in fehlend
            ]
    folge = common.fehlen_daher(namen)
    return _lage(pool, periode, pool_dir, folge, ids=sorted(fehlend)).satz


def bogen_abschnitt(
    pool: pd.DataFrame, periode: str, pool_dir: str | Path | None, hervorheben: str | None = None
) -> HTML:
    """The Erfassungsbogen with the rows the pool holds for the quarter; missing rows in one
    sentence."""
    satz = fehlende_bereiche(pool, periode, pool_dir)
    bogen = erfassungsbogen(pool, periode).dropna(how="all")
    if bogen.empty:
        return common.hinweis(satz)
    caption = f"Erfassungsbogen: Fallzahlen am Stichtag {fmt.datum(stichtag(periode))}"
    tabelle = common.mit_caption(bogen_html(bogen, hervorheben), caption)
    return HTML((common.hinweis(satz).data if satz else "") + tabelle)


def veraenderungen_abschnitt(
    pool: pd.DataFrame,
    periode: str,
    raum: str,
    pool_dir: str | Path | None,
    hinweise: dict[str, str] | None = None,
) -> HTML:
    """The changes to the previous quarter and the same quarter a year before, with what the pool
    holds; a comparison quarter without data is named in one sentence and its columns left out.
    ``hinweise``: per Kennzahl the text of the column "Erläuterung" (kennzahlen.steuerung)."""
    alle = veraenderungen(pool, periode, raum)
    v = alle.dropna(subset=["aktuell"])
    if v.empty:
        return common.hinweis(
            f"Ohne Fallzahlen für das {fmt.periode(periode)} gibt es keine Veränderungen "
            f"(der Grund steht beim Erfassungsbogen)."
        )
    saetze = [fehlende_bereiche(pool, periode, pool_dir)] if len(v) < len(alle) else []
    vergleiche = {"vorquartal": (1, "Vorquartal"), "vorjahresquartal": (4, "Vorjahresquartal")}
    weg = [spalte for spalte in vergleiche if v[spalte].isna().all()]
    if weg:
        zeit = " und ".join(
            f"das {fmt.periode(vorquartal(periode, vergleiche[s][0]))} ({vergleiche[s][1]})"
            for s in weg
        )
        folge = (
            "die Veränderungen fehlen daher"
            if len(weg) == 2
            else f"der Vergleich mit dem {vergleiche[weg[0]][1]} fehlt daher"
        )
        lage = common.datenlage(
            pool,
            [z.kennzahl for z in ZEILEN],
            stichtag(vorquartal(periode, vergleiche[weg[0]][0])),
            pool_dir,
            raum=raum,
            folge=folge,
            zeit=zeit,
        )
        saetze.append(lage.satz)
    table = veraenderungen_formatiert(v, periode, ohne=weg)
    if hinweise is not None:
        table["Erläuterung"] = [hinweise.get(NACH_ORT[i[:3]].kennzahl, "") for i in v.index]
    text = "".join(common.hinweis(s).data for s in saetze)
    gebiet = "Gesamtstadt" if raum == GESAMTSTADT else f"Sozialraum {raum}"
    caption = f"Veränderung der Fallzahlen zum Vorquartal und zum Vorjahresquartal, {gebiet}"
    return HTML(text + common.styled(table, caption=caption).data)


def formatiert(bogen: pd.DataFrame) -> pd.DataFrame:
    """The Erfassungsbogen with German number format."""
    return bogen.apply(lambda c: c.map(fmt.zahl))


def bogen_html(bogen: pd.DataFrame, hervorheben: str | None = None) -> str:
    """The Erfassungsbogen as an HTML table with group header rows (like the paper's form).

    Area names (config) and sources (catalog) are escaped.
    """
    from html import escape

    cols = list(bogen.columns)
    head = "".join(
        "<th "
        f'style="{"background:#fde9d9;" if c == hervorheben else ""}text-align:right">'
        f"{escape(str(c))}</th>"
        for c in cols
    )
    from kennzahlen.products.common import steckbrief_link

    rows, current = [], None
    ids = [z.kennzahl for z in ZEILEN] if len(bogen) == len(ZEILEN) else [None] * len(bogen)
    for ((gruppe, bereich, zeile, quelle), vals), kid in zip(bogen.iterrows(), ids, strict=True):
        if gruppe != current:
            rows.append(
                '<tr class="kz-gruppe"><td '
                f'colspan="{len(cols) + 3}">{escape(GRUPPEN[gruppe])}</td></tr>'
            )
            current = gruppe
        z = NACH_ORT[(gruppe, bereich, zeile)]
        label = zeilen_label(z)
        weight = "font-weight:bold;" if z.art is Zeilenart.GESAMT else ""
        cells = "".join(
            "<td "
            f'style="{weight}{"background:#fde9d9;" if c == hervorheben else ""}">'
            f"{escape(fmt.zahl(vals[c]))}</td>"
            for c in cols
        )
        rows.append(
            f'<tr><th scope="row" style="{weight}">'
            f"{steckbrief_link(kid, label) if kid else escape(label)}</th>"
            f'<td style="text-align:left">{escape(str(quelle))}</td>{cells}</tr>'
        )
    return (
        f'<table class="kz-bogen"><thead><tr><th>Fallzahl</th><th>Quelle</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def zeitreihen(pool: pd.DataFrame, raum: str, bis: str, quartale: int = 12) -> pd.DataFrame:
    """The main case numbers over the last quarters for one area (index: German dates); only
    quarter-end Stichtage, only Fallzahlen with a value in the span."""
    s_bis = stichtag(bis)
    sub = pool[
        pool["kennzahl"].isin(HAUPTZAHLEN)
        & (pool["raum"] == raum)
        & (pool["ebene"] != "stadtviertel")
        & pool["wert"].notna()
    ]
    sub = sub[(sub["periode"] <= s_bis) & sub["periode"].str.fullmatch(QUARTALSENDE_MUSTER)]
    wide = sub.pivot_table(
        index="periode", columns="kennzahl", values="wert", aggfunc="first"
    ).sort_index()
    wide = wide.tail(quartale).dropna(axis=1, how="all")
    wide = wide[[k for k in HAUPTZAHLEN if k in wide.columns]].rename(columns=HAUPTZAHLEN)
    wide.index = [fmt.datum(i) for i in wide.index]
    return wide


def reihen_hinweis(
    pool_dir: str | Path | None, pool: pd.DataFrame, reihen: pd.DataFrame, periode: str, raum: str
) -> HTML | None:
    """The sentence under the chart: from when the series runs and why (None without a series)."""
    if reihen.empty:
        return None
    erste = stichtag(vorquartal(periode, len(reihen) - 1))
    return common.reihen_hinweis(
        pool_dir, pool, HAUPTZAHLEN, erste, raum=raum, bis=stichtag(periode)
    )


def zeitreihen_diagramm(reihen: pd.DataFrame, periode: str) -> Figure | HTML | None:
    """Small multiples of the main case numbers; a sentence when fewer than two quarters are there,
    None without any value (the Erfassungsbogen says so)."""
    if reihen.empty or reihen.shape[1] == 0:
        return None
    if len(reihen) < 2:
        return common.hinweis(
            f"Ein Verlauf lässt sich erst ab zwei Stichtagen zeigen; bis zum "
            f"{fmt.datum(stichtag(periode))} enthält der Datenpool nur den {reihen.index[0]}."
        )
    return plots.kleine_vielfache(reihen, diagrammtitel(reihen))


def diagrammtitel(reihen: pd.DataFrame) -> str:
    """A chart title that states the finding: of the case numbers whose change passes the trend
    rule (:func:`kennzahlen.statistik.trend.trendwort`: five Stichtage, beyond the noise of a
    count), the
    one with the largest change; else that they stayed about the same."""
    allgemein = "Entwicklung der wichtigsten Fallzahlen"
    if len(reihen) < 2:
        return allgemein
    first, last = reihen.iloc[0], reihen.iloc[-1]
    rel = ((last - first) / first.where(first != 0)).dropna()
    for name in rel.abs().sort_values(ascending=False).index:
        wort = trend.trendwort([trend.Punkt(v) for v in reihen[name].dropna()])
        if wort in (trend.GESTIEGEN, trend.GESUNKEN):
            return (
                f"{name} seit {reihen.index[0]} am stärksten {wort} "
                f"({fmt.veraenderung(last[name], first[name])})"
            )
    if len(reihen) >= trend.MINDESTPUNKTE and len(rel):
        return f"Die wichtigsten Fallzahlen seit {reihen.index[0]}: etwa gleich"
    return allgemein


def kernaussagen(
    pool: pd.DataFrame, periode: str, raum: str, pool_dir: str | Path | None = None
) -> list[str]:
    """Key messages: the main case numbers with their change to the same quarter a year before;
    what the pool lacks for the quarter is said in one sentence."""
    v = veraenderungen(pool, periode, raum)
    gebiet = "in der Gesamtstadt" if raum == GESAMTSTADT else f"im Sozialraum {raum}"
    changes, fehlt = [], []
    for z, (_, row) in zip(ZEILEN, v.iterrows(), strict=True):
        k = z.kennzahl
        if k not in HAUPTZAHLEN:
            continue
        a, b = row["aktuell"], row["vorjahresquartal"]
        if pd.isna(a):
            fehlt.append(k)
            continue
        text = f"{HAUPTZAHLEN[k]} {fmt.zahl(a)}" + (
            f" ({fmt.veraenderung(a, b)})" if pd.notna(b) else ""
        )
        rel = abs((a - b) / b) if pd.notna(b) and b else 0.0
        changes.append((rel, text, pd.notna(b)))
    if not changes:
        return [
            _lage(pool, periode, pool_dir, "die Fallzahlen fehlen daher", raum=raum, ids=fehlt).satz
        ]
    am = f"am {fmt.datum(stichtag(periode))}"
    if any(c[2] for c in changes):
        out = [f"Fallzahlen {gebiet} {am}, Veränderung zum Vorjahresquartal in Klammern."]
        changes.sort(key=lambda t: -t[0])
        out.append(f"Stärkste Veränderung: {changes[0][1]}.")
        if len(changes) > 1:
            out.append("Weitere: " + "; ".join(t for _, t, _ in changes[1:]) + ".")
    else:
        vj = fmt.datum(stichtag(vorquartal(periode, 4)))
        out = [
            f"Fallzahlen {gebiet} {am}: " + "; ".join(t for _, t, _ in changes) + ".",
            f"Zum Vorjahresquartal ({vj}) enthält der Datenpool keine Werte; ein Vergleich ist "
            "noch nicht möglich.",
        ]
    if fehlt:
        out.append(
            _lage(
                pool,
                periode,
                pool_dir,
                common.fehlen_daher([HAUPTZAHLEN[k] for k in fehlt]),
                raum=raum,
                ids=fehlt,
            ).satz
        )
    return out
