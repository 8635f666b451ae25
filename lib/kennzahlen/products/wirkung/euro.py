"""Produkt 3 in Euro (Ziel 7): the Euro columns of a Kennzahl's table, and the growth of spending
split into cases and cost per case (table and chart).

What a report may show follows the year's publication plan: an amount only where its cases are
shown (:func:`kennzahlen.products.wirkung.plan.euro_sichtbar`), a value per resident or per case
only with its amount and Nenner, a change against the previous year only where the previous
year's parts were shown too (:func:`kennzahlen.products.wirkung.plan.wert_status_im`).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

from kennzahlen.catalog.model import Kennzahl
from kennzahlen.core import fmt
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.core.vocabulary import ARBEITSFELDER
from kennzahlen.products.wirkung.plan import NICHT_BEWERTET, euro_status, wert_status_im
from kennzahlen.products.wirkung.werte import kennzahlen_p3, zaehltabelle
from kennzahlen.statistik.zerlegung import Zerlegung, zerlegung

if TYPE_CHECKING:
    from kennzahlen.disclosure.atoms import Plan

#: the columns of the split (table and chart), in the order of the sentence
TEILE_ZERLEGUNG = ("Nettoausgaben", "Fälle im Jahresdurchschnitt", "Kosten je Fall")


def _symbol(status: list[str], symbol: str) -> str:
    return NICHT_BEWERTET if "frei" in status else symbol


def betrag_text(plan: Plan | None, k: Kennzahl, raum: str, betrag: float, symbol: str) -> str:
    """An amount as a report shows it: '15.614.257 €', or the symbol where its cases are hidden."""
    if betrag is None or pd.isna(betrag):
        return "–"
    if plan is None:
        return fmt.euro(betrag)
    st = euro_status(plan, k, raum)
    return fmt.euro(betrag) if all(s == "wert" for s in st) else _symbol(st, symbol)


def faelle_text(k: Kennzahl, text: str, nenner: float, nachkomma: int = 2) -> str:
    """The Nenner of Euro per case: the stocks of four quarter ends summed, shown as the average
    case of the year ('590,25'); a symbol stays as it is."""
    if k.faktor == 1 or pd.isna(nenner) or fmt.zahl(nenner) != text:
        return text
    return fmt.zahl(nenner / k.faktor, nachkomma)


def euro_anzeige(
    anzeige: pd.DataFrame, w: pd.DataFrame, k: Kennzahl, plan: Plan | None, symbol: str
) -> pd.DataFrame:
    """A Kennzahl in Euro's table: the amount in Euro (hidden where its cases are), the average
    case of the year for Euro per case (with the decimals the column needs)."""
    out = anzeige.copy()
    if "Zähler" in out.columns:
        out["Zähler"] = [betrag_text(plan, k, a, w.loc[a, "zaehler"], symbol) for a in out.index]
    if "Nenner" in out.columns and k.einheit in ("euro_je_fall", "veraenderung"):
        n = fmt.nachkomma_noetig([v / k.faktor for v in w["nenner"] if pd.notna(v)], 0, 2)
        out["Nenner"] = [
            faelle_text(k, out.loc[a, "Nenner"], w.loc[a, "nenner"], n) for a in out.index
        ]
    return out


def audit(
    pool: pd.DataFrame, k: Kennzahl, jahr: str, anzeige: pd.DataFrame, plan: Plan | None
) -> pd.DataFrame:
    """One audit row per hidden amount of the table, with what a reader can still believe of
    it (the attacker over all amounts of the year, :mod:`kennzahlen.disclosure.betraege`)."""
    from kennzahlen.disclosure import suppression as disclosure
    from kennzahlen.disclosure.plan import interval_text
    from kennzahlen.products.wirkung.plan import euro_intervalle

    if plan is None or "Zähler" not in anzeige.columns:
        return pd.DataFrame(columns=disclosure.AUDIT_COLUMNS)
    intervalle = euro_intervalle(pool, jahr, plan)
    rows = []
    for a, text in anzeige["Zähler"].items():
        if text == "–" or "€" in str(text):  # no value, or an amount shown
            continue
        lo, hi = intervalle.get((k.id, a), (None, None))
        rows.append(
            {
                "tabelle": f"{k.id} {jahr}",
                "zeile": a,
                "spalte": "Zähler",
                "grund": NICHT_BEWERTET if text == NICHT_BEWERTET else disclosure.SEKUNDAER,
                "regel": f"Betrag in Euro: verborgen, wo seine Fälle ({k.faelle}) verborgen sind",
                "intervall_min": interval_text(lo),
                "intervall_max": interval_text(hi),
            }
        )
    return pd.DataFrame(rows, columns=disclosure.AUDIT_COLUMNS)


def je_fall(k: Kennzahl, jahr: str) -> Kennzahl | None:
    """The Kennzahl 'Euro je Fall' a change against the previous year compares (same parts)."""
    for x in kennzahlen_p3(jahr):
        if x.einheit == "euro_je_fall" and x.zaehler == k.zaehler and x.nenner == k.nenner:
            return x
    return None


def zerlegung_im(pool: pd.DataFrame, k: Kennzahl, jahr: str, raum: str) -> Zerlegung | None:
    """The split of a change Kennzahl's growth in an area (from the year's and the previous
    year's amount and average cases; None without both)."""
    basis = je_fall(k, jahr) or k
    neu, alt = zaehltabelle(pool, basis, jahr), zaehltabelle(pool, basis, str(int(jahr) - 1))
    if raum not in neu.index or raum not in alt.index:
        return None
    return zerlegung(
        alt.loc[raum, "zaehler"],
        neu.loc[raum, "zaehler"],
        alt.loc[raum, "nenner"],
        neu.loc[raum, "nenner"],
    )


def zerlegung_spalten(
    pool: pd.DataFrame, k: Kennzahl, jahr: str, anzeige: pd.DataFrame, status: dict[str, str]
) -> pd.DataFrame:
    """The table of a change against the previous year: the changes of the amount and of the
    cases beside the change of the cost per case (its value), where the value is shown."""
    out = anzeige.copy()
    spalten: dict[str, list[str]] = {"Nettoausgaben zum Vorjahr": [], "Fälle zum Vorjahr": []}
    for a in out.index:
        z = zerlegung_im(pool, k, jahr, a) if status.get(a, "wert") == "wert" else None
        spalten["Nettoausgaben zum Vorjahr"].append(
            fmt.prozent_vorzeichen(z.ausgaben if z else None)
        )
        spalten["Fälle zum Vorjahr"].append(fmt.prozent_vorzeichen(z.faelle if z else None))
    pos = list(out.columns).index("Wert") if "Wert" in out.columns else len(out.columns)
    for i, (name, werte) in enumerate(spalten.items()):
        out.insert(pos + i, name, werte)
    return out


def zerlegung_tabelle(pool: pd.DataFrame, jahr: str, raum: str, produkt: int = 3) -> pd.DataFrame:
    """Per Arbeitsfeld: the change of net spending, of the average cases and of the cost per case
    against the previous year in an area (NaN where the year's plan does not show it)."""
    from kennzahlen.products.wirkung.plan import plan_jahr

    plan = plan_jahr(pool, jahr, produkt)
    rows = {}
    for k in kennzahlen_p3(jahr):
        if k.vergleich != "vorjahr" or not k.erhoben or k.arbeitsfeld is None:
            continue
        z = zerlegung_im(pool, k, jahr, raum)
        wert = None if z is None else z.je_fall
        if z is None or wert_status_im(pool, jahr, produkt, plan, k, raum, wert) != "wert":
            continue
        rows[ARBEITSFELDER[k.arbeitsfeld]] = dict(
            zip(TEILE_ZERLEGUNG, (z.ausgaben, z.faelle, z.je_fall), strict=True)
        )
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(TEILE_ZERLEGUNG))


def zerlegung_titel(tab: pd.DataFrame, jahr: str) -> str:
    """The chart's title: its finding (where the cost per case grew more than the cases)."""
    if tab.empty:
        return f"Nettoausgaben {jahr} zum Vorjahr"
    mehr = [a for a, r in tab.iterrows() if r["Kosten je Fall"] > r["Fälle im Jahresdurchschnitt"]]
    n = len(tab)
    if len(mehr) == n:
        wo = "in allen Arbeitsfeldern" if n > 1 else f"in der {tab.index[0]}"
        return f"Nettoausgaben {jahr}: {wo} stiegen die Kosten je Fall stärker als die Fallzahlen"
    if not mehr:
        return (
            f"Nettoausgaben {jahr}: die Fallzahlen veränderten sich stärker als die Kosten je Fall"
        )
    return (
        f"Nettoausgaben {jahr}: in {len(mehr)} von {n} Arbeitsfeldern stiegen die Kosten je Fall "
        "stärker als die Fallzahlen"
    )


def zerlegung_abschnitt(pool: pd.DataFrame, jahr: str, raum: str, produkt: int = 3) -> None:
    """Display the split of the growth of net spending per Arbeitsfeld: a sentence, the chart and
    its table (only what the year's plan shows; a Sozialraum's report shows its own area)."""
    from IPython.display import HTML, display

    from kennzahlen.charts.zerlegung import zerlegung_diagramm
    from kennzahlen.products.common import hinweis, styled

    gebiet = "die Gesamtstadt" if raum == GESAMTSTADT else f"den Sozialraum {raum}"
    tab = zerlegung_tabelle(pool, jahr, raum, produkt)
    if tab.empty:
        display(
            hinweis(
                f"Für {gebiet} lässt sich die Veränderung der Nettoausgaben {jahr} nicht zerlegen: "
                "es fehlen Werte des Jahres oder des Vorjahres, oder sie sind aus "
                "Datenschutzgründen nicht ausgewiesen."
            )
        )
        return
    satz = (
        f"Nettoausgaben = Fälle × Kosten je Fall: die Veränderung der Nettoausgaben {jahr} zum "
        f"Vorjahr für {gebiet} zerfällt in die der Fälle im Jahresdurchschnitt und die der Kosten "
        "je Fall ((1 + Ausgaben) = (1 + Fälle) × (1 + Kosten je Fall))."
    )
    display(HTML(f"<p>{html.escape(satz)}</p>"))
    display(zerlegung_diagramm(tab, zerlegung_titel(tab, jahr)))
    text = tab.apply(lambda s: s.map(fmt.prozent_vorzeichen))
    display(styled(text, caption=f"Veränderung zum Vorjahr {jahr}, {gebiet.split(' ', 1)[1]}"))
