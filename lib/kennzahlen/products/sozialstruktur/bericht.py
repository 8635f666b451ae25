"""Produkt 1 – Sozialstrukturelle Daten: population, households and poverty per Stadtviertel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from kennzahlen.catalog.geography import Flaechen, flaechen, raumgliederung, sozialraeume, stadt
from kennzahlen.catalog.model import load_catalog
from kennzahlen.charts import plots
from kennzahlen.core import fmt
from kennzahlen.core.periods import ist_jahresende, jahr_von, jahres_stichtag
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.core.vocabulary import ist_anteil, wert_text
from kennzahlen.products import common
from kennzahlen.products.memo import per_pool

ALTERSGRUPPEN = {
    "bev_0_5": "0–5",
    "bev_6_17": "6–17",
    "bev_18_24": "18–24",
    "bev_25_44": "25–44",
    "bev_45_64": "45–64",
    "bev_65_79": "65–79",
    "bev_80plus": "80+",
}
BEVOELKERUNG = {
    "bev_gesamt": "Einwohner*innen",
    "bev_weiblich": "weiblich",
    "bev_maennlich": "männlich",
    "anteil_unter18": "unter 18",
    "anteil_65plus": "65 und älter",
    "anteil_nichtdeutsch": "nichtdeutsch",
    "anteil_migrationshintergrund": "mit Migrations­hintergrund",
}
HAUSHALTE = {
    "hh_gesamt": "Haushalte",
    "hh_ohne_kinder": "ohne Kinder",
    "hh_mit_kindern": "mit Kindern",
    "hh_alleinerziehend": "Alleinerziehende",
}
ARMUT = {
    "sgb2_personen": "SGB II Personen",
    "sgb2_quote": "SGB-II-Quote",
    "sgb12_personen": "SGB XII Personen",
    "sgb12_quote": "SGB-XII-Quote",
    "wohngeld_personen": "Wohngeld Personen",
    "wohngeld_quote": "Wohngeld-Quote",
    "asylblg_personen": "AsylbLG Personen",
    "asylblg_quote": "AsylbLG-Quote",
}


def _einheit(kennzahl: str) -> str:
    """The catalog unit of a Kennzahl (config/kennzahlen.yaml); a count if it is not there."""
    try:
        return load_catalog().get(kennzahl).einheit
    except KeyError:
        return "anzahl"


def stadtviertel_von(raum: str) -> pd.DataFrame:
    """The Stadtviertel of a Sozialraum (all for Gesamtstadt), with name and Sozialraum."""
    rg = raumgliederung()
    return rg if raum == GESAMTSTADT else rg[rg["sozialraum"] == raum]


def _wide(pool: pd.DataFrame, ids: list[str], periode: str, ebene: str) -> pd.DataFrame:
    return _wide_memo(pool, tuple(ids), periode, ebene)


@per_pool
def _wide_memo(pool: pd.DataFrame, ids: tuple[str, ...], periode: str, ebene: str) -> pd.DataFrame:
    spalten = list(ids)
    sub = pool[
        (pool["periode"] == periode) & pool["kennzahl"].isin(spalten) & (pool["ebene"] == ebene)
    ]
    return sub.pivot_table(
        index="raum", columns="kennzahl", values="wert", aggfunc="first"
    ).reindex(columns=spalten)


def _format(df: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for k, label in labels.items():
        einheit = _einheit(k)
        out[label] = df[k].map(lambda x, e=einheit: wert_text(x, e))
    return out


def tabelle_stadtviertel(
    pool: pd.DataFrame, jahr: str, raum: str, labels: dict[str, str]
) -> pd.DataFrame:
    """Kennzahlen per Stadtviertel of the area, with the Sozialraum total row last; for the
    Gesamtstadt grouped by Sozialraum with subtotals (:mod:`.stadtviertel_gruppiert`)."""
    if raum == GESAMTSTADT:
        from kennzahlen.products.sozialstruktur.gruppiert import gruppiert

        return gruppiert(pool, list(labels), jahres_stichtag(jahr))
    stv = stadtviertel_von(raum)
    wide = _wide(pool, list(labels), jahres_stichtag(jahr), "stadtviertel").reindex(
        stv["stadtviertel_nr"]
    )
    wide.index = [
        f"{nr} {name}" for nr, name in zip(stv["stadtviertel_nr"], stv["stadtviertel"], strict=True)
    ]
    total = _wide(pool, list(labels), jahres_stichtag(jahr), "sozialraum").reindex([raum])
    total.index = [f"Sozialraum {raum}"]
    out = pd.concat([wide, total])
    out.attrs["summen"] = [f"Sozialraum {raum}"]
    return out


def tabelle_sozialraeume(pool: pd.DataFrame, jahr: str, labels: dict[str, str]) -> pd.DataFrame:
    """Kennzahlen per Sozialraum and for the city."""
    wide = _wide(pool, list(labels), jahres_stichtag(jahr), "sozialraum").reindex(sozialraeume())
    total = _wide(pool, list(labels), jahres_stichtag(jahr), "gesamtstadt").reindex([GESAMTSTADT])
    return pd.concat([wide, total])


def formatiert(df: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """German formatted table with readable column names."""
    return _format(df, labels)


def _lage(
    pool: pd.DataFrame,
    ids: dict[str, str] | list[str],
    jahr: str,
    raum: str,
    pool_dir: str | Path | None,
    folge: str,
) -> common.Datenlage:
    """What the pool holds of ``ids`` for the year's Stichtag and the area."""
    return common.datenlage(
        pool, ids, jahres_stichtag(jahr), pool_dir, raum=raum, folge=folge, zeit=str(jahr)
    )


def tabelle(
    pool: pd.DataFrame,
    jahr: str,
    raum: str,
    labels: dict[str, str],
    pool_dir: str | Path | None,
    folge: str,
    caption: str | None = None,
) -> HTML:
    """A section's table per Stadtviertel with the columns the pool holds for the year; what it
    lacks is said in one sentence above (``folge``: the clause when it lacks all of them)."""
    lage = _lage(pool, labels, jahr, raum, pool_dir, folge)
    if lage.nichts:
        return lage.hinweis()
    shown = {k: labels[k] for k in lage.vorhanden}
    werte = tabelle_stadtviertel(pool, jahr, raum, shown)
    gebiet = "Gesamtstadt nach Sozialraum" if raum == GESAMTSTADT else f"Sozialraum {raum}"
    caption = f"{caption or 'Kennzahlen'} nach Stadtviertel, {gebiet}, 31.12.{jahr}"
    table = common.styled(
        formatiert(werte, shown), caption=caption, summen=werte.attrs.get("summen", ())
    )
    return HTML(lage.hinweis().data + table.data)


def altersanteile(pool: pd.DataFrame, jahr: str) -> pd.DataFrame:
    """Age-group shares per Sozialraum and city (the paper's chart), as fractions; areas without
    population figures for the year are left out."""
    counts = tabelle_sozialraeume(pool, jahr, {**ALTERSGRUPPEN, "bev_gesamt": ""})
    shares = counts[list(ALTERSGRUPPEN)].div(
        counts["bev_gesamt"].where(counts["bev_gesamt"] > 0), axis=0
    )
    return shares.rename(columns=ALTERSGRUPPEN).dropna(how="any")


def altersdiagramm(pool: pd.DataFrame, jahr: str, raum: str) -> Figure | None:
    """The age groups of every Sozialraum against the city; None when the pool has no age groups
    for the year (the section's table says so)."""
    anteile = altersanteile(pool, jahr)
    alt = anteile[["65–79", "80+"]].drop(index=GESAMTSTADT, errors="ignore").sum(axis=1)
    if alt.empty:
        return None
    titel = (
        f"{alt.idxmax()} hat den höchsten Anteil älterer Menschen ({fmt.prozent(alt.max(), 0)} "
        "ab 65)"
    )
    return plots.anteile_gestapelt(anteile, titel, hervorheben=raum)


def sgb2_diagramm(pool: pd.DataFrame, jahr: str, raum: str) -> Figure | None:
    """The SGB-II-Quote per Sozialraum against the city; None without Quoten for the year (the
    section's table says so)."""
    quoten = tabelle_sozialraeume(pool, jahr, {"sgb2_quote": ""})["sgb2_quote"]
    stadt_wert = quoten.pop(GESAMTSTADT)
    quoten = quoten.dropna()
    if quoten.empty:
        return None
    stadt_wert = None if pd.isna(stadt_wert) else float(stadt_wert)
    return plots.balken(
        quoten.sort_values(ascending=False),
        f"SGB-II-Quote {jahr}: am höchsten in {quoten.idxmax()} ({fmt.prozent(quoten.max())})",
        prozent=True,
        hervorheben=raum,
        referenz=stadt_wert,
        referenz_text="" if stadt_wert is None else f"Gesamtstadt {fmt.prozent(stadt_wert)}",
    )


def entwicklung(
    pool: pd.DataFrame, raum: str, ids: dict[str, str], bis: str | None = None
) -> pd.DataFrame:
    """Kennzahlen over the years (31.12.) up to ``bis`` (the report year; None: all) for the
    area."""
    ebene = "gesamtstadt" if raum == GESAMTSTADT else "sozialraum"
    sub = pool[pool["kennzahl"].isin(ids) & (pool["raum"] == raum) & (pool["ebene"] == ebene)]
    sub = sub[ist_jahresende(sub["periode"])]
    if bis is not None:
        sub = sub[sub["periode"] <= jahres_stichtag(bis)]
    wide = sub.pivot_table(
        index="periode", columns="kennzahl", values="wert", aggfunc="first"
    ).reindex(columns=list(ids))
    wide.index = [jahr_von(p) for p in wide.index]
    return wide


def entwicklung_tabelle(
    pool: pd.DataFrame, jahr: str, raum: str, ids: dict[str, str], pool_dir: str | Path | None
) -> HTML:
    """The development table up to the report year with the Kennzahlen that have values; those
    without any value up to the year are named in one sentence."""
    verlauf = entwicklung(pool, raum, ids, bis=jahr)
    fehlt = [k for k in ids if not verlauf[k].notna().any()]
    if len(fehlt) == len(ids):
        return _lage(
            pool, ids, jahr, raum, pool_dir, "die Entwicklung über die Jahre fehlt daher"
        ).hinweis()
    da = {k: v for k, v in ids.items() if k not in fehlt}
    gebiet = GESAMTSTADT if raum == GESAMTSTADT else f"Sozialraum {raum}"
    table = common.styled(
        entwicklung_formatiert(verlauf[list(da)], da),
        caption=f"Entwicklung {gebiet} bis {jahr} (jeweils 31.12.)",
    )
    if not fehlt:
        return table
    tabellen = common.fehlende_tabellen(
        common.abdeckung_von(pool_dir), common.tabellen_von(fehlt), jahres_stichtag(jahr)
    )
    gebiet = "die Gesamtstadt" if raum == GESAMTSTADT else f"den Sozialraum {raum}"
    satz = common.fehlt_satz(
        jahres_stichtag(jahr),
        tabellen,
        common.fehlen_daher([ids[k] for k in fehlt]),
        gebiet,
        zeit=str(jahr),
    )
    return HTML(common.hinweis(satz).data + table.data)


def entwicklung_diagramm(
    pool: pd.DataFrame, jahr: str, raum: str, ids: dict[str, str]
) -> Figure | HTML | None:
    """Small multiples of the main figures over the years; a sentence when there are fewer than
    two years; None without any value (the table says so)."""
    reihen = entwicklung(pool, raum, ids, bis=jahr).rename(columns=ids).dropna(axis=1, how="all")
    if reihen.empty:
        return None
    if len(reihen) < 2:
        return common.hinweis(
            f"Eine Entwicklung lässt sich erst ab zwei Jahren zeigen; der Datenpool enthält "
            f"bis {jahr} nur das Jahr {reihen.index[0]}."
        )
    gebiet = GESAMTSTADT if raum == GESAMTSTADT else f"Sozialraum {raum}"
    leit = reihen.iloc[:, 0].dropna()
    if len(leit) >= 2:
        titel = (
            f"{gebiet}: {fmt.veraenderung(leit.iloc[-1], leit.iloc[0])} {reihen.columns[0]} "
            f"seit {leit.index[0]}"
        )
    else:
        titel = f"{gebiet}: Entwicklung seit {reihen.index[0]}"
    return plots.kleine_vielfache(reihen, titel)


def entwicklung_formatiert(df: pd.DataFrame, ids: dict[str, str]) -> pd.DataFrame:
    """Development table formatted, with the change over the whole span in the last row."""
    out = _format(df, ids)
    if len(df) >= 2:
        cells = []
        for k in ids:
            col = df[k].dropna()
            if len(col) < 2:
                cells.append("–")
                continue
            first, last = col.iloc[0], col.iloc[-1]
            change = (
                (fmt.differenz(last * 100, first * 100, 1) + f"{fmt.NBSP}Pp.")
                if ist_anteil(_einheit(k))
                else fmt.veraenderung(last, first)
            )
            cells.append(f"{change} seit {col.index[0]}")
        out.loc["Veränderung"] = cells
    return out


def entwicklung_hinweis(
    pool_dir: str | Path | None,
    pool: pd.DataFrame,
    raum: str,
    ids: dict[str, str],
    jahr: str,
    erstes_jahr: str | None,
) -> object:
    """The sentence under the development over the years: from when it runs and why (None
    without any year: the table says so)."""
    from kennzahlen.products.common import reihen_hinweis

    if erstes_jahr is None:
        return None

    jahresende = pool[ist_jahresende(pool["periode"])]
    return reihen_hinweis(
        pool_dir,
        jahresende,
        ids,
        None if erstes_jahr is None else jahres_stichtag(erstes_jahr),
        raum=raum,
        bis=jahres_stichtag(jahr),
        einheit="jahr",
    )


def mindestbevoelkerung() -> int:
    """Areas with fewer residents are not rated (config/disclosure.yaml)."""
    from kennzahlen.disclosure.config import load_config

    return load_config().mindestbevoelkerung


def kartenwerte(
    pool: pd.DataFrame, jahr: str, kennzahl: str, mindest: int | None = None
) -> dict[str, float]:
    """Values per stadtviertel_nr for a map; Stadtviertel under the population threshold left
    out."""
    per = jahres_stichtag(jahr)
    stv = pool[(pool["periode"] == per) & (pool["ebene"] == "stadtviertel")]
    sub = stv[stv["kennzahl"] == kennzahl]
    bev = stv[stv["kennzahl"] == "bev_gesamt"].set_index("raum")["wert"]
    grenze = mindestbevoelkerung() if mindest is None else mindest
    rated = set(bev[bev >= grenze].index)
    return {r: w for r, w in zip(sub["raum"], sub["wert"], strict=True) if r in rated}


def ohne_polygon(
    pool: pd.DataFrame, jahr: str, raum: str, karte: Flaechen | None = None
) -> pd.DataFrame:
    """The Stadtviertel of the report without a polygon (all without a map), with their values."""
    karte = flaechen() if karte is None else karte
    stv = stadtviertel_von(raum)
    if karte is not None:
        stv = stv[~stv["stadtviertel_nr"].isin(list(karte.gdf.index))]
    labels = {
        "bev_gesamt": "Einwohner*innen",
        "anteil_65plus": "65 und älter",
        "sgb2_quote": "SGB-II-Quote",
    }
    wide = _wide(pool, list(labels), jahres_stichtag(jahr), "stadtviertel").reindex(
        stv["stadtviertel_nr"]
    )
    wide.index = [
        f"{nr} {name}" for nr, name in zip(stv["stadtviertel_nr"], stv["stadtviertel"], strict=True)
    ]
    labels = {k: v for k, v in labels.items() if wide[k].notna().any()}  # columns the year has
    if not labels:
        return pd.DataFrame(index=wide.index[:0])
    return _format(wide[list(labels)], labels)


def show_karte(pool: pd.DataFrame, jahr: str, raum: str) -> None:
    """Display the map of the SGB-II-Quote with its note (source, CRS), and as a table the
    Stadtviertel without a polygon; without polygons, the table replaces the map."""
    import html

    from IPython.display import HTML, display

    from kennzahlen.charts import karten
    from kennzahlen.products.common import styled

    karte = flaechen()
    if karte is None or karte.gdf.empty:
        tabelle_stv = ohne_polygon(pool, jahr, raum, karte)
        if tabelle_stv.empty:
            return  # no Stadtviertel value for the year: the tables above say so
        display(
            HTML(
                "<p>Für die Stadtviertel sind keine Polygone hinterlegt (config/geographie.yaml): "
                "statt einer Karte stehen die Werte je Stadtviertel in der Tabelle.</p>"
            )
        )
        display(styled(tabelle_stv, caption=f"Stadtviertel {jahr}"))
        return
    werte = kartenwerte(pool, jahr, "sgb2_quote")
    if not werte:
        return  # no SGB-II-Quote for the year: the table of the section says so
    stv = stadtviertel_von(raum)
    display(
        karten.karte(
            werte,
            karte.gdf,
            karten_titel(werte, jahr) + ("" if raum == GESAMTSTADT else f"; umrandet: {raum}"),
            prozent=True,
            umrandet=[] if raum == GESAMTSTADT else list(stv["stadtviertel_nr"]),
            legende="SGB-II-Quote (grau schraffiert: unter "
            f"{fmt.zahl(mindestbevoelkerung())} Einwohner*innen, nicht bewertet)",
        )
    )
    display(HTML(f"<p class='kz-fuss'>{html.escape(karte.hinweis())}</p>"))
    rest = ohne_polygon(pool, jahr, raum, karte)
    if len(rest):
        display(HTML("<p>Stadtviertel ohne Polygon in der Karte:</p>"))
        display(styled(rest, caption=f"Stadtviertel ohne Polygon in der Karte, 31.12.{jahr}"))


def karten_titel(werte: dict[str, float], jahr: str) -> str:
    """Map title stating the finding: the Stadtviertel with the highest value."""
    if not werte:
        return f"SGB-II-Quote nach Stadtviertel {jahr}"
    rg = raumgliederung()
    names = dict(zip(rg["stadtviertel_nr"], rg["stadtviertel"], strict=True))
    top = max(werte, key=lambda k: werte[k])
    return f"SGB-II-Quote {jahr}: am höchsten in {names.get(top, top)} ({fmt.prozent(werte[top])})"


class _Werte:
    """The pool's value of a Kennzahl for an area, ebene and period (None without a value)."""

    def __init__(self, pool: pd.DataFrame, raum: str, per: str) -> None:
        self.pool, self.raum, self.per = pool, raum, per
        self.ebene = "gesamtstadt" if raum == GESAMTSTADT else "sozialraum"

    def __call__(
        self, k: str, r: str | None = None, p: str | None = None, e: str | None = None
    ) -> float | None:
        pool = self.pool
        s = pool[
            (pool["kennzahl"] == k)
            & (pool["raum"] == (self.raum if r is None else r))
            & (pool["periode"] == (self.per if p is None else p))
            & (pool["ebene"] == (self.ebene if e is None else e))
        ]
        s = s[s["wert"].notna()]
        return None if s.empty else float(s["wert"].iloc[0])


def kernaussagen(
    pool: pd.DataFrame, jahr: str, raum: str, pool_dir: str | Path | None = None
) -> list[str]:
    """Key messages: size and change, age structure against the city, poverty and its hot spots;
    what the pool lacks for the year is said in one sentence each."""
    per = jahres_stichtag(jahr)
    v = _Werte(pool, raum, per)
    out = [_satz_bevoelkerung(v, pool, jahr, raum, pool_dir)]
    out += _saetze_alter(v, pool, jahr, raum)
    quote = v("sgb2_quote")
    if quote is None:
        out.append(
            _lage(pool, ["sgb2_quote"], jahr, raum, pool_dir, "die SGB-II-Quote fehlt daher").satz
        )
        return out
    out.append(_satz_quote(v, quote, jahr, raum))
    out += _saetze_brennpunkte(pool, per, raum)
    return out


def _satz_bevoelkerung(
    v: _Werte, pool: pd.DataFrame, jahr: str, raum: str, pool_dir: str | Path | None
) -> str:
    """How many people live in the area, and the change to the year before."""
    vorjahr = str(int(jahr) - 1)
    gebiet = (
        (f"In {stadt()}" if stadt() else "In der Gesamtstadt")
        if raum == GESAMTSTADT
        else f"Im Sozialraum {raum}"
    )
    bev = v("bev_gesamt")
    if bev is None:
        return _lage(
            pool, ["bev_gesamt"], jahr, raum, pool_dir, "die Einwohnerzahl fehlt daher"
        ).satz
    bev_vor = v("bev_gesamt", p=jahres_stichtag(vorjahr))
    vergleich = (
        f"{fmt.veraenderung(bev, bev_vor)} gegenüber dem Vorjahr"
        if bev_vor is not None
        else f"für {vorjahr} liegt keine Einwohnerzahl vor"
    )
    return f"{gebiet} lebten am {fmt.datum(v.per)} {fmt.zahl(bev)} Menschen ({vergleich})."


def _saetze_alter(v: _Werte, pool: pd.DataFrame, jahr: str, raum: str) -> list[str]:
    """The age structure: where the oldest and youngest live (city), or the area's shares."""
    if raum == GESAMTSTADT:
        anteile = altersanteile(pool, jahr).drop(index=GESAMTSTADT, errors="ignore")
        if not len(anteile):
            return []
        alt = anteile[["65–79", "80+"]].sum(axis=1)
        jung = anteile[["0–5", "6–17"]].sum(axis=1)
        return [
            f"Den höchsten Anteil älterer Menschen (65+) hat {alt.idxmax()} "
            f"({fmt.prozent(alt.max())}), "
            f"den höchsten Anteil unter 18-Jähriger {jung.idxmax()} ({fmt.prozent(jung.max())})."
        ]
    if v("anteil_unter18") is None or v("anteil_65plus") is None:
        return []
    return [
        f"Anteil unter 18 Jahren {fmt.prozent(v('anteil_unter18'))} (Stadt "
        f"{fmt.prozent(v('anteil_unter18', GESAMTSTADT, e='gesamtstadt'))}), "
        f"Anteil ab 65 Jahren {fmt.prozent(v('anteil_65plus'))} (Stadt "
        f"{fmt.prozent(v('anteil_65plus', GESAMTSTADT, e='gesamtstadt'))})."
    ]


def _satz_quote(v: _Werte, quote: float, jahr: str, raum: str) -> str:
    """The SGB-II-Quote against the city and the year before."""
    vorjahr = str(int(jahr) - 1)
    stadt_quote = v("sgb2_quote", GESAMTSTADT, e="gesamtstadt")
    quote_vor = v("sgb2_quote", p=jahres_stichtag(vorjahr))
    return (
        f"SGB-II-Quote {fmt.prozent(quote)}"
        + (
            ""
            if raum == GESAMTSTADT or stadt_quote is None
            else f" (Stadt {fmt.prozent(stadt_quote)})"
        )
        + (
            f"; Vorjahr {fmt.prozent(quote_vor)}."
            if quote_vor is not None
            else f"; für {vorjahr} liegt keine Quote vor."
        )
    )


def _saetze_brennpunkte(pool: pd.DataFrame, per: str, raum: str) -> list[str]:
    """The three Stadtviertel with the highest SGB-II-Quote (only those large enough to rate)."""
    stv = stadtviertel_von(raum)
    q = pool[
        (pool["kennzahl"] == "sgb2_quote")
        & (pool["periode"] == per)
        & (pool["ebene"] == "stadtviertel")
        & pool["raum"].isin(stv["stadtviertel_nr"])
        & pool["wert"].notna()
    ]
    big = pool[
        (pool["kennzahl"] == "bev_gesamt")
        & (pool["periode"] == per)
        & (pool["ebene"] == "stadtviertel")
        & (pool["wert"] >= mindestbevoelkerung())
    ]["raum"]
    q = q[q["raum"].isin(big)].nlargest(3, "wert")
    if not len(q):
        return []
    names = dict(zip(stv["stadtviertel_nr"], stv["stadtviertel"], strict=True))
    spots = ", ".join(
        f"{names[r]} ({fmt.prozent(w)})" for r, w in zip(q["raum"], q["wert"], strict=True)
    )
    return [
        f"Höchste SGB-II-Quoten (Stadtviertel ab {fmt.zahl(mindestbevoelkerung())} "
        f"Einwohner*innen): {spots}."
    ]
