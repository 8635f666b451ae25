"""A Kennzahl's section: its table with disclosure control, the audit, the time series."""

from __future__ import annotations

import dataclasses
import html
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.catalog.model import Kennzahl
from kennzahlen.core import fmt
from kennzahlen.core.periods import jahr_von
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.core.vocabulary import ARBEITSFELDER, ist_anteil
from kennzahlen.products.common import steckbrief_link
from kennzahlen.statistik import trend

if TYPE_CHECKING:
    from kennzahlen.disclosure.atoms import Plan
from kennzahlen.products.memo import fingerprint
from kennzahlen.products.wirkung import unsicherheit, vergleich
from kennzahlen.products.wirkung.aussage import aussage
from kennzahlen.products.wirkung.plan import (
    TEILE,
    VEROEFFENTLICHUNG,
    _zeichen,
    plan_jahr,
    wert_status_im,
)
from kennzahlen.products.wirkung.werte import (
    NICHT_BEWERTET,
    erreicht,
    fehlt_satz,
    hat_werte,
    kennzahl_schluessel,
    kennzahlen_p3,
    tabellen_wert,
    zaehltabelle,
)


# --------------------------------------------------------------------------- tables with disclosure
@dataclass
class KennzahlTabelle:
    """One Kennzahl's yearly table per area: numbers, display strings, hidden mask, audit."""

    k: Kennzahl
    werte: pd.DataFrame  # zaehler, nenner, wert per area
    anzeige: pd.DataFrame  # strings shown in the report
    gesperrt: pd.Series  # wert not shown per area (hidden, not rated or no value)
    jahr: str = ""
    plan: Plan | None = None  # the year's publication plan (None: internal product)
    status: dict | None = None  # per area: 'wert', 'gesperrt', 'frei', 'leer'
    #: a Kennzahl in Euro: the audit rows of its hidden amounts (kennzahlen.products.wirkung.euro)
    euro_audit: pd.DataFrame | None = None

    @property
    def audit(self) -> pd.DataFrame:
        """One row per hidden count (with the interval a reader can still believe) and value."""
        from kennzahlen.disclosure import suppression as disclosure

        if self.plan is None:
            return pd.DataFrame(columns=disclosure.AUDIT_COLUMNS)
        teile = [
            (teil, col)
            for teil, col in TEILE
            if (self.k.zaehler if col == "zaehler" else self.k.nenner)
        ]
        out = _audit(
            self.plan.intervalle(),
            self.k,
            f"{self.k.id} {self.jahr}",
            list(self.werte.index),
            teile,
            self.status or {},
        )
        if self.euro_audit is not None and len(self.euro_audit):
            out = pd.concat([self.euro_audit, out], ignore_index=True)
        return out

    def verborgen(self) -> list[str]:
        """Areas whose value exists but is hidden (disclosure control or 'nicht bewertet')."""
        return [
            a for a in self.werte.index if self.gesperrt[a] and pd.notna(self.werte.loc[a, "wert"])
        ]


def kennzahl_tabelle(
    pool: pd.DataFrame, k: Kennzahl, jahr: str, produkt: int = 3
) -> KennzahlTabelle:
    """The per-area table of a Kennzahl for a year, with the year's plan if the product is
    public."""
    from kennzahlen.disclosure import config as disclosure_config

    regeln = disclosure_config.load_config().model_dump_json()
    quelle = pool.attrs.get(VEROEFFENTLICHUNG)  # the plans of the publication ledger
    key = (fingerprint(pool), k.id, kennzahl_schluessel(k), str(jahr), produkt, regeln, quelle)
    hit = _ANZEIGEN.get(key)
    if hit is None:
        hit = _kennzahl_tabelle(pool, k, jahr, produkt)
        if len(_ANZEIGEN) >= 1024:
            _ANZEIGEN.clear()
        _ANZEIGEN[key] = hit
    return dataclasses.replace(
        hit,
        werte=hit.werte.copy(),
        anzeige=hit.anzeige.copy(),
        gesperrt=hit.gesperrt.copy(),
        status=dict(hit.status) if hit.status is not None else None,
    )


#: tables already made, by pool content, Kennzahl (its whole catalog entry, so a new Zielwert or
#: definition is never served from an old table), year, product and disclosure rules: every
#: report of a year shows the same per-area table, and a warm kernel makes them once
_ANZEIGEN: dict[tuple, KennzahlTabelle] = {}


def _kennzahl_tabelle(
    pool: pd.DataFrame, k: Kennzahl, jahr: str, produkt: int = 3
) -> KennzahlTabelle:
    from kennzahlen.disclosure import config as disclosure_config

    w = zaehltabelle(pool, k, jahr)
    areas = list(w.index)
    plan = plan_jahr(pool, jahr, produkt)
    teile = [(teil, col) for teil, col in TEILE if (k.zaehler if col == "zaehler" else k.nenner)]
    if plan is None:
        anzeige = pd.DataFrame(
            {teil: [fmt.zahl(v) for v in w[col]] for teil, col in teile}, index=areas, dtype=object
        )
        if k.nenner:
            anzeige["Wert"] = [tabellen_wert(k, x) for x in w["wert"]]
        gesperrt = w["wert"].isna()
        status = {}
    else:
        symbol = disclosure_config.load_config().symbol_sekundaer
        anzeige = pd.DataFrame(
            {teil: [_zeichen(plan, k.id, teil, a, symbol) for a in areas] for teil, _ in teile},
            index=areas,
            dtype=object,
        )
        status = {
            a: wert_status_im(pool, jahr, produkt, plan, k, a, w.loc[a, "wert"]) for a in areas
        }
        if k.nenner:
            anzeige["Wert"] = [
                tabellen_wert(k, w.loc[a, "wert"])
                if status[a] == "wert"
                else {"leer": "–", "frei": NICHT_BEWERTET, "gesperrt": symbol}[status[a]]
                for a in areas
            ]
        gesperrt = pd.Series({a: status[a] != "wert" for a in areas})
    euro_audit = None
    if k.in_euro:
        from kennzahlen.products.wirkung import euro

        anzeige = _euro_spalten(pool, k, jahr, anzeige, w, plan, status)
        euro_audit = euro.audit(pool, k, jahr, anzeige, plan)
    if k.zielwert_im(jahr) is not None:
        anzeige["Zielwert"] = [
            "–"
            if gesperrt[a] or pd.isna(w.loc[a, "wert"])
            else ("erreicht" if erreicht(k, w.loc[a, "wert"], jahr) else "nicht erreicht")
            for a in areas
        ]
    anzeige = unsicherheit.spalten(k, str(jahr), w, gesperrt.astype(bool), anzeige)
    if plan is not None:
        for a in areas:
            if status[a] == "frei":
                anzeige.loc[a] = NICHT_BEWERTET
    return KennzahlTabelle(
        k, w, anzeige, gesperrt.astype(bool), str(jahr), plan, status, euro_audit
    )


def _euro_spalten(
    pool: pd.DataFrame,
    k: Kennzahl,
    jahr: str,
    anzeige: pd.DataFrame,
    w: pd.DataFrame,
    plan: Plan | None,
    status: dict,
) -> pd.DataFrame:
    """A Kennzahl in Euro: its amount in Euro where its cases are shown, the average case, and
    for a change the changes of amount and cases (:mod:`kennzahlen.products.wirkung.euro`)."""
    from kennzahlen.disclosure import config as disclosure_config
    from kennzahlen.products.wirkung import euro

    symbol = disclosure_config.load_config().symbol_sekundaer
    anzeige = euro.euro_anzeige(anzeige, w, k, plan, symbol)
    if k.vergleich == "vorjahr":
        anzeige = euro.zerlegung_spalten(pool, k, jahr, anzeige, status)
    return anzeige


def _audit(
    plan: Plan, k: Kennzahl, name: str, areas: list[str], teile, status: dict[str, str]
) -> pd.DataFrame:
    """One audit row per hidden count of the table (with the reader's interval) and per hidden
    value."""
    from kennzahlen.disclosure import suppression as disclosure
    from kennzahlen.disclosure.plan import interval_text

    rows = []
    for a in areas:
        kleiner = False
        for teil, _ in teile:
            z = plan.zelle(k.id, teil, a)
            if z is None or z.status == "wert":
                continue
            kleiner |= z.grund == disclosure.PRIMAER  # '<k', or a small count shown as 'x'
            rows.append(
                {
                    "tabelle": name,
                    "zeile": a,
                    "spalte": teil,
                    "grund": z.grund,
                    "regel": z.regel,
                    "intervall_min": interval_text(z.intervall[0]),
                    "intervall_max": interval_text(z.intervall[1]),
                }
            )
        if k.nenner and status[a] in ("gesperrt", "frei"):
            grund = (
                NICHT_BEWERTET
                if status[a] == "frei"
                else (disclosure.PRIMAER if kleiner else disclosure.SEKUNDAER)
            )
            rows.append(
                {
                    "tabelle": name,
                    "zeile": a,
                    "spalte": "Wert",
                    "grund": grund,
                    "regel": "Zähler oder Nenner nicht ausgewiesen",
                    "intervall_min": "",
                    "intervall_max": "",
                }
            )
    return pd.DataFrame(rows, columns=disclosure.AUDIT_COLUMNS)


def reihenfolge(tab: pd.DataFrame, raum: str) -> pd.DataFrame:
    """Own area first (for a Sozialraum's report), then Gesamtstadt, then the others."""
    if raum == GESAMTSTADT:
        return tab
    first = [raum, GESAMTSTADT]
    return tab.reindex(first + [i for i in tab.index if i not in first])


def zeitreihe_sicher(
    pool: pd.DataFrame, k: Kennzahl, jahre: list[str], produkt: int = 3
) -> pd.DataFrame:
    """Yearly values per area, each year hidden where that year's plan hides it (for charts)."""
    rows = {}
    for j in jahre:
        t = kennzahl_tabelle(pool, k, j, produkt)
        if t.werte["wert"].notna().any():
            rows[j] = t.werte["wert"].where(~t.gesperrt)
    return pd.DataFrame(rows).T.reindex(columns=[*sozialraeume(), GESAMTSTADT])


def diagramm_titel(k: Kennzahl, punkte: list[tuple[str, trend.Punkt]]) -> str:
    """The chart title: the Gesamtstadt's trend, said only as
    :func:`kennzahlen.statistik.trend.trendwort`
    allows (five values of one definition, a change beyond the noise; else 'etwa gleich' or no
    trend word). ``punkte``: (year, value) of the Gesamtstadt since the last series break."""
    wort = trend.trendwort([p for _, p in punkte])
    if wort is None:
        return textwrap.fill(f"{k.titel}: Zeitreihe", 80)
    return textwrap.fill(f"{k.titel}: in der Gesamtstadt seit {punkte[0][0]} {wort}", 80)


def trend_punkte(
    pool: pd.DataFrame, k: Kennzahl, jahre: list[str], produkt: int = 3
) -> list[tuple[str, trend.Punkt]]:
    """The Gesamtstadt's published yearly values (year, :class:`kennzahlen.statistik.trend.Punkt`),
    from the
    first whole year of the definition valid in the last year (a year with a break mixes two)."""
    ab = 0
    for b in k.brueche(bis=jahre[-1]):
        jahr, quartal = b.quartal.split("-Q")
        ab = int(jahr) if quartal == "1" else int(jahr) + 1
    punkte = []
    for j in jahre:
        t = kennzahl_tabelle(pool, k, j, produkt)
        if int(j) < ab or GESAMTSTADT not in t.werte.index or bool(t.gesperrt.get(GESAMTSTADT)):
            continue
        r = t.werte.loc[GESAMTSTADT]
        if pd.isna(r["wert"]):
            continue
        nenner = r["nenner"] if k.nenner else None
        punkte.append((j, trend.Punkt(r["zaehler"], nenner, k.faktor, ist_anteil(k.einheit))))
    return punkte


def reihen_hinweis(
    pool: pd.DataFrame, k: Kennzahl, reihe: pd.DataFrame, jahr: str, pool_dir: str | Path | None
) -> str:
    """The sentence under a Kennzahl's chart: from when its yearly series runs and why.

    Uses only whether a year has a value at all (any area) and the pool's table ``abdeckung``, never
    a value, so it says nothing about a hidden cell.
    """
    from kennzahlen.pool import abdeckung
    from kennzahlen.products import common

    jahre = [j for j in sorted({jahr_von(p) for p in pool["periode"].unique()}) if j <= str(jahr)]
    vorhanden = pd.DataFrame(
        {
            "kennzahl": k.id,
            "raum": GESAMTSTADT,
            "periode": [j for j in jahre if hat_werte(pool, k, j)],
        }
    )
    text = abdeckung.reihen_hinweis(
        vorhanden,
        common.abdeckung_von(pool_dir),
        [k.id],
        str(reihe.index[0]),
        bis=str(jahr),
        einheit="jahr",
    )
    if k.periodizitaet == "quartal":
        text = text[:-1] + "; ein Jahreswert braucht alle vier Quartale eines Jahres."
    return text


def abschnitt(
    pool: pd.DataFrame,
    k: Kennzahl,
    jahr: str,
    raum: str,
    jahre: list[str],
    produkt: int = 3,
    diagramm: bool = True,
    pool_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Display one Kennzahl: title, definition, statement, table per area, time series with the
    sentence from when it runs and why; return its audit. Without data for the year, one sentence
    says which data are missing instead of an empty table.

    ``pool_dir``: the pool folder the notebook reads (for the table ``abdeckung``).
    """
    from IPython.display import HTML, display

    from kennzahlen.products.common import hinweis, styled

    tab = kennzahl_tabelle(pool, k, jahr, produkt)
    kopf = _kopf_html(k, jahr)
    werte_sichtbar = tab.werte["wert"].where(~tab.gesperrt)
    if not hat_werte(pool, k, jahr):
        satz = fehlt_satz(pool, jahr, [k], pool_dir, "die Kennzahl fehlt daher")
        display(HTML(kopf + "</p>"))
        display(hinweis(satz))
        return tab.audit
    ivs = unsicherheit.sichtbare_intervalle(k, tab.werte, tab.gesperrt)
    satz = aussage(k, jahr, werte_sichtbar, raum, tab.verborgen(), ivs)
    display(HTML(f"{kopf}</p><p><b>{html.escape(satz)}</b></p>"))
    tabelle = reihenfolge(tab.anzeige, raum).rename_axis(None)
    display(
        styled(
            tabelle,
            hervorheben=raum if raum != GESAMTSTADT else None,
            caption=f"{k.titel}: Werte je Gebiet im Jahr {jahr}",
        )
    )
    unsicherheit.zeige(tab, raum)
    ring = vergleich.ring_html(k, jahr, pool_dir, lambda j: eigener_wert(pool, k, j, produkt))
    if ring:
        display(HTML(ring))
    if diagramm:
        _zeige_reihe(pool, k, jahr, raum, jahre, produkt, pool_dir)
    return tab.audit


def eigener_wert(pool: pd.DataFrame, k: Kennzahl, jahr: str, produkt: int = 3) -> float | None:
    """The Gesamtstadt's value of a year as the report publishes it (None: hidden or none)."""
    t = kennzahl_tabelle(pool, k, jahr, produkt)
    if GESAMTSTADT not in t.werte.index or bool(t.gesperrt.get(GESAMTSTADT, True)):
        return None
    w = t.werte.loc[GESAMTSTADT, "wert"]
    return None if pd.isna(w) else float(w)


def _kopf_html(k: Kennzahl, jahr: str) -> str:
    """A Kennzahl's heading with goal and Arbeitsfeld, and its definition, source and target
    valid in the year (the paragraph left open for the statement)."""
    from kennzahlen.products.wirkung import brueche as versionen

    ziel = versionen.zielwert_zusatz(k, jahr)
    return (
        f"<h3>Ziel {k.ziel} · {html.escape(ARBEITSFELDER.get(k.arbeitsfeld or '', ''))}: "
        f"{html.escape(k.titel)}</h3><p class='kz-fuss'><b>Definition:</b> "
        f"{html.escape(k.definition_im(jahr) or '')}<br><b>Quelle:</b> "
        f"{html.escape(k.quelle)}{html.escape(ziel)} · "
        f"{steckbrief_link(k.id, 'Steckbrief der Kennzahl')}"
    )


def _zeige_reihe(
    pool: pd.DataFrame,
    k: Kennzahl,
    jahr: str,
    raum: str,
    jahre: list[str],
    produkt: int,
    pool_dir: str | Path | None,
) -> None:
    """Display the time series with the sentence from when it runs, or why there is none; a
    break in the series and a change of the Zielwert are drawn and said under the chart."""
    from IPython.display import HTML, display

    from kennzahlen.products.common import hinweis
    from kennzahlen.products.wirkung import brueche as versionen

    reihe = zeitreihe_sicher(pool, k, jahre, produkt)
    if len(reihe) >= 2 and reihe.notna().any().any():
        titel = diagramm_titel(k, trend_punkte(pool, k, list(reihe.index), produkt))
        hervor = raum if raum != GESAMTSTADT else GESAMTSTADT
        display(versionen.diagramm(reihe, k, titel, ist_anteil(k.einheit), hervor))
        unter = [
            reihen_hinweis(pool, k, reihe, jahr, pool_dir),
            *versionen.bruch_saetze(k, list(reihe.index)),
        ]
        display(HTML("".join(f"<p class='kz-fuss'>{html.escape(t)}</p>" for t in unter)))
    elif len(reihe):
        display(
            hinweis(
                f"Eine Zeitreihe lässt sich erst ab zwei Jahren zeigen; bis {jahr} liegen Werte "
                f"nur für {reihe.index[0]} vor."
            )
        )


def noch_nicht_erhoben(jahr: str | int | None = None) -> pd.DataFrame:
    """The catalog cells not collected yet (in the catalog of ``jahr``), with the reason. The data
    they need (tables and columns, ``benoetigte_daten``) stay in the catalog for the maintainers:
    a council member reads no column names. Each row links to the Kennzahl's sheet."""
    rows = [
        {
            "Ziel": k.ziel,
            "Arbeitsfeld": ARBEITSFELDER.get(k.arbeitsfeld or "", ""),
            "Kennzahl": k.titel,
            "Grund": k.grund,
        }
        for k in kennzahlen_p3(jahr)
        if not k.erhoben
    ]
    links = [steckbrief_link(k.id, "Steckbrief") for k in kennzahlen_p3(jahr) if not k.erhoben]
    # the row label is Ziel, Arbeitsfeld and Kennzahl: a Ziel alone repeats across Arbeitsfelder
    frame = pd.DataFrame(rows)
    frame["Steckbrief"] = pd.Series(links, dtype=object)  # object dtype: the markup survives
    out = frame.sort_values(["Ziel", "Arbeitsfeld"]).set_index(["Ziel", "Arbeitsfeld", "Kennzahl"])
    out.attrs["caption"] = "Noch nicht erhobene Kennzahlen und warum"
    return out
