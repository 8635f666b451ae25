"""What the Quartalsmeldung (Produkt 2, internal) shows of the spending for Controlling C 2:
gross and net spending and income since the start of the year, per Arbeitsfeld, Hilfeart and
Sozialraum, against the same period of the year before (also as an Excel sheet)."""

from __future__ import annotations

import html
from typing import NamedTuple

import pandas as pd

from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core import fmt
from kennzahlen.core.periods import stichtag
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG
from kennzahlen.core.vocabulary import ARBEITSFELDER
from kennzahlen.products import common, memo
from kennzahlen.products.quartalsmeldung.zeilen import SO_GESAMT


class Finanzzeile(NamedTuple):
    """One row of the finance section: its Arbeitsfeld (code), the row's label, its Kennzahl."""

    arbeitsfeld: str
    zeile: str
    kennzahl: str


#: the rows: per Arbeitsfeld its totals, then net per Hilfeart
ZEILEN: list[Finanzzeile] = [
    Finanzzeile(af, zeile, f"{af}_{teil}")
    for af in ("jh", "egh", "ah", "es")
    for teil, zeile in (
        ("brutto", "Bruttoausgaben"),
        ("einnahmen", "Einnahmen (Erstattungen, Kostenbeiträge)"),
        ("netto", "Nettoausgaben"),
    )
]
HILFEARTEN: list[Finanzzeile] = [
    Finanzzeile("jh", "netto: HzE ambulant", "jh_netto_hze_ambulant"),
    Finanzzeile("jh", "netto: HzE stationär", "jh_netto_hze_stationaer"),
    Finanzzeile("jh", "netto: UMA", "jh_netto_uma"),
    Finanzzeile("egh", "netto: Wohnen in eigenem Wohnraum", "egh_netto_egh_eigener_wohnraum"),
    Finanzzeile("egh", "netto: Wohnen in besonderer Wohnform", "egh_netto_egh_besondere_wohnform"),
    Finanzzeile("egh", "netto: WfbM", "egh_netto_egh_wfbm"),
    Finanzzeile("egh", "netto: Blindenhilfe", "egh_netto_blindenhilfe"),
    Finanzzeile("ah", "netto: HzP ambulant", "ah_netto_hzp_ambulant"),
    Finanzzeile("ah", "netto: HzP stationär", "ah_netto_hzp_stationaer"),
    Finanzzeile("es", "netto: HLU", "es_netto_hlu"),
    Finanzzeile("es", "netto: GSI", "es_netto_gsi"),
]
NETTO = [f"{af}_netto" for af in ("jh", "egh", "ah", "es")]


def _zeilen() -> list[Finanzzeile]:
    """Every row in order: per Arbeitsfeld its totals, then its Hilfearten."""
    out = []
    for af in ("jh", "egh", "ah", "es"):
        out += [z for z in ZEILEN if z.arbeitsfeld == af] + [
            z for z in HILFEARTEN if z.arbeitsfeld == af
        ]
    return out


def kennzahl_ids() -> list[str]:
    """The Kennzahlen the finance section shows (their sheets belong to the report)."""
    return [z.kennzahl for z in _zeilen()]


def _spalten() -> list[str]:
    return [*sozialraeume(), OHNE_ZUORDNUNG, SO_GESAMT]


@memo.je_stand
def finanztabelle(pool: pd.DataFrame, periode: str) -> pd.DataFrame:
    """Euro since the start of the year on the quarter's Stichtag: rows (Arbeitsfeld, row),
    columns = Sozialräume, 'ohne Zuordnung', SO-Gesamt (NaN: no value).

    The same for every area: kept per process by the pool's content, the period and the
    configuration (:func:`kennzahlen.products.memo.je_stand`, a copy handed out); a report asks
    six times, a warm kernel again for every area."""
    tag = stichtag(periode)
    zeilen = _zeilen()
    sub = pool[
        pool["kennzahl"].isin([z.kennzahl for z in zeilen])
        & (pool["periode"] == tag)
        & (pool["ebene"] != "stadtviertel")
    ]
    wide = sub.pivot_table(index="kennzahl", columns="raum", values="wert", aggfunc="first")
    wide = wide.rename(columns={GESAMTSTADT: SO_GESAMT}).reindex(columns=_spalten())
    index = pd.MultiIndex.from_tuples(
        [(ARBEITSFELDER[z.arbeitsfeld], z.zeile) for z in zeilen], names=["Arbeitsfeld", "Zeile"]
    )
    return pd.DataFrame(
        wide.reindex([z.kennzahl for z in zeilen]).to_numpy(), index=index, columns=_spalten()
    )


def vorjahresvergleich(pool: pd.DataFrame, periode: str, raum: str) -> pd.DataFrame:
    """For one area: since the start of the year, the same period of the year before, and the
    change (a fraction)."""
    spalte = SO_GESAMT if raum == GESAMTSTADT else raum
    jahr, q = periode.split("-Q")
    neu = finanztabelle(pool, periode)[spalte]
    alt = finanztabelle(pool, f"{int(jahr) - 1}-Q{q}")[spalte]
    out = pd.DataFrame({"seit Jahresbeginn": neu, "Vorjahreszeitraum": alt})
    out["Veränderung"] = (neu - alt) / alt.where(alt > 0)
    return out


def _fehlt(pool: pd.DataFrame, periode: str, pool_dir: object) -> str | None:
    """One sentence when the pool has no spending for the quarter (and why), else None."""
    if finanztabelle(pool, periode)[SO_GESAMT].notna().any():
        return None
    tabellen = common.fehlende_tabellen(
        common.abdeckung_von(pool_dir), {"ausgaben"}, stichtag(periode)
    )
    return common.fehlt_satz(
        stichtag(periode), tabellen, "die Ausgaben fehlen daher", zeit=fmt.periode(periode)
    )


def kernaussagen(pool: pd.DataFrame, periode: str, raum: str) -> list[str]:
    """The key message of the finance section: net spending since the start of the year in the
    area, against the same period of the year before."""
    v = vorjahresvergleich(pool, periode, raum)
    netto = v.loc[[(ARBEITSFELDER[k.split("_")[0]], "Nettoausgaben") for k in NETTO]]
    if netto["seit Jahresbeginn"].isna().all():
        return []
    summe = netto["seit Jahresbeginn"].sum()
    gebiet = "die Gesamtstadt" if raum == GESAMTSTADT else f"den Sozialraum {raum}"
    satz = (
        f"Nettoausgaben seit Jahresbeginn (bis {fmt.datum(stichtag(periode))}) für {gebiet}: "
        f"{fmt.euro(summe)} in Jugendhilfe, Eingliederungshilfe, Altenhilfe und Existenzsicherung"
    )
    alt = netto["Vorjahreszeitraum"]
    if alt.notna().all() and alt.sum() > 0:
        satz += (
            f"; im Vorjahreszeitraum {fmt.euro(alt.sum())} ({fmt.veraenderung(summe, alt.sum())})"
        )
    return [satz + "."]


def finanzen_abschnitt(pool: pd.DataFrame, periode: str, raum: str, pool_dir: object) -> None:
    """Display the finance section: the comparison with the year before for the area (Euro), and
    every area side by side (thousand Euro)."""
    from IPython.display import HTML, display

    fehlt = _fehlt(pool, periode, pool_dir)
    if fehlt:
        display(common.hinweis(fehlt))
        return
    v = vorjahresvergleich(pool, periode, raum)
    text = pd.DataFrame(
        {
            "seit Jahresbeginn": v["seit Jahresbeginn"].map(fmt.euro).to_numpy(),
            "Vorjahreszeitraum": v["Vorjahreszeitraum"].map(fmt.euro).to_numpy(),
            "Veränderung": v["Veränderung"].map(fmt.prozent_vorzeichen).to_numpy(),
        },
        index=[f"{a}: {z}" for a, z in v.index],
    )
    gebiet = SO_GESAMT if raum == GESAMTSTADT else raum
    summen = [f"{ARBEITSFELDER[n.split('_')[0]]}: Nettoausgaben" for n in NETTO]
    display(
        common.styled(
            text,
            caption=f"Ausgaben {gebiet} seit Jahresbeginn bis {fmt.datum(stichtag(periode))} "
            "und im Vorjahreszeitraum",
            summen=summen,
        )
    )
    breit = finanztabelle(pool, periode).map(fmt.teuro)
    breit.index = [f"{a}: {z}" for a, z in breit.index]
    display(
        common.styled(
            breit,
            hervorheben=gebiet,
            caption="Ausgaben seit Jahresbeginn je Sozialraum in Tausend Euro (T€)",
            summen=[s for s in summen if s in breit.index],
        )
    )
    display(
        HTML(
            "<p class='kz-fuss'>"
            + html.escape(
                "Quelle: Finanzverfahren (Ist-Ergebnis; ein Jahresabschluss ersetzt die "
                "Quartale seines Jahres). Nettoausgaben = Bruttoausgaben − Einnahmen. "
                "„ohne Zuordnung“: Ausgaben ohne Sozialraum (z. B. Frühförderung)."
            )
            + "</p>"
        )
    )


def excel_blatt(xw: pd.ExcelWriter, pool: pd.DataFrame, periode: str, raum: str) -> None:
    """The sheet 'Finanzen' of the Controlling Excel: Euro as numbers (never text or formulas)."""
    from openpyxl.styles import Font

    from kennzahlen.core.safeio import neutralise_sheet

    t = finanztabelle(pool, periode)
    v = vorjahresvergleich(pool, periode, raum)
    spalte = SO_GESAMT if raum == GESAMTSTADT else raum
    t[f"{spalte}: Vorjahreszeitraum"] = v["Vorjahreszeitraum"].to_numpy()
    t[f"{spalte}: Veränderung"] = v["Veränderung"].to_numpy()
    t = t.reset_index()
    t.to_excel(xw, sheet_name="Finanzen", index=False, startrow=3)
    ws = xw.sheets["Finanzen"]
    ws["A1"] = f"Ausgaben seit Jahresbeginn – Stichtag {fmt.datum(stichtag(periode))} (Euro)"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Quelle: Finanzverfahren; Nettoausgaben = Bruttoausgaben − Einnahmen"
    for cell in ws[4]:
        cell.font = Font(bold=True)
    letzte = ws.max_column
    for row in ws.iter_rows(min_row=5, min_col=3):
        for cell in row:
            cell.number_format = "0.0%" if cell.column == letzte else '#,##0 "€"'
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 40
    neutralise_sheet(ws)


def definitionen() -> list[str]:
    """The Kennzahlen of the section (for the report's definitions)."""
    cat = load_catalog()
    return [z.kennzahl for z in _zeilen() if any(k.id == z.kennzahl for k in cat.kennzahlen)]
