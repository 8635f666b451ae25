"""The goal matrix (7 goals x 4 Arbeitsfelder) and the key messages."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from kennzahlen.catalog.model import Kennzahl
from kennzahlen.core import farben, fmt
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.core.vocabulary import ARBEITSFELDER
from kennzahlen.products.common import steckbrief_link
from kennzahlen.products.wirkung import unsicherheit
from kennzahlen.products.wirkung.aussage import aussage, mit_name
from kennzahlen.products.wirkung.plan import plan_jahr, wert_status_im
from kennzahlen.products.wirkung.tabellen import kennzahl_tabelle
from kennzahlen.products.wirkung.werte import (
    DATENSCHUTZ,
    MATRIX_FELDER,
    NICHT_BEWERTET,
    ZIELE,
    erreicht,
    fehlt_satz,
    format_wert,
    kennzahlen_p3,
    ohne_daten,
    tabellen_wert,
    zaehltabelle,
)


# ---------------------------------------------------------------------------- matrix, key messages
def matrix(pool: pd.DataFrame, jahr: str, raum: str, produkt: int = 3) -> pd.DataFrame:
    """The goals x Arbeitsfelder matrix for one area: per cell Kennzahl, value, target, status.

    In a public product a value the year's plan hides is None with status 'gesperrt' (or
    'nicht bewertet'); ``anzeige`` is the text shown for the value.
    """
    plan = plan_jahr(pool, jahr, produkt)
    rows = []
    for k in kennzahlen_p3(jahr):
        if k.arbeitsfeld not in MATRIX_FELDER:
            continue
        wert, anzeige, status = None, "", _status(k, None, jahr)
        sicher = None
        if k.erhoben:
            t = zaehltabelle(pool, k, jahr)
            roh = (
                float(t.loc[raum, "wert"])
                if raum in t.index and pd.notna(t.loc[raum, "wert"])
                else None
            )
            st = wert_status_im(pool, jahr, produkt, plan, k, raum, roh)
            if st == "wert":
                wert, status, anzeige = roh, _status(k, roh, jahr), tabellen_wert(k, roh)
                iv = unsicherheit.intervall(k, t.loc[raum, "zaehler"], t.loc[raum, "nenner"])
                sicher = unsicherheit.zielvergleich(k, jahr, roh, iv) if roh is not None else None
            elif st == "leer":
                status, anzeige = _status(k, None, jahr), "–"
            else:
                cfg_symbol = _symbol()
                status = "gesperrt" if st == "gesperrt" else NICHT_BEWERTET
                anzeige = cfg_symbol if st == "gesperrt" else NICHT_BEWERTET
        rows.append(
            {
                "ziel": k.ziel,
                "arbeitsfeld": k.arbeitsfeld,
                "kennzahl": k.id,
                "titel": k.titel,
                "wert": wert,
                "anzeige": anzeige,
                "zielwert": k.zielwert_im(jahr),
                "status": status,
                "zielvergleich": sicher or "",
                "k": k,
            }
        )
    return pd.DataFrame(rows)


def _symbol() -> str:
    from kennzahlen.disclosure import config as disclosure_config

    return disclosure_config.load_config().symbol_sekundaer


def _status(k: Kennzahl, wert: float | None, jahr: str | int) -> str:
    if not k.erhoben:
        return "noch nicht erhoben"
    if wert is None:
        return "keine Daten"
    e = erreicht(k, wert, jahr)
    return "ohne Zielwert" if e is None else ("erreicht" if e else "nicht erreicht")


#: status -> (fill, text colour, label); every pair reaches 4.5:1 (kennzahlen.core.farben)
STATUS_STIL = {
    **farben.ZIELWERT,
    "noch nicht erhoben": (*farben.BADGE_LEISE, "noch nicht erhoben"),
    "keine Daten": (*farben.BADGE_LEISE, "keine Daten"),
    "gesperrt": (*farben.BADGE_LEISE, "nicht ausgewiesen (Datenschutz)"),
    NICHT_BEWERTET: (*farben.BADGE_LEISE, "nicht bewertet"),
}


def _sicher_html(r: pd.Series) -> str:
    """Under a missed target: whether its 95 % interval misses it too."""
    wort = r.get("zielvergleich") or ""
    if r["status"] != "nicht erreicht" or wort not in ("verfehlt", "nicht sicher verfehlt"):
        return ""
    text = "sicher verfehlt (95-%-Intervall)" if wort == "verfehlt" else f"{wort} (95-%-Intervall)"
    return f"<br><small>{html.escape(text)}</small>"


#: between two Kennzahlen of one matrix cell
TRENNER = '<hr style="margin:4px 0">'


def matrix_html(m: pd.DataFrame, anzeige: dict[str, str] | None = None) -> str:
    """The matrix as an HTML table; status as colour AND text (readable in greyscale).

    Shows the matrix's own ``anzeige`` texts (protected values); ``anzeige`` (per Kennzahl)
    may override them. A cell with several Kennzahlen (Ziel 7: case density and Euro) shows each.
    """
    anzeige = anzeige or {}
    head = "".join(f"<th>{html.escape(ARBEITSFELDER[a])}</th>" for a in MATRIX_FELDER)
    body = []
    for z in range(1, 8):
        cells = []
        for a in MATRIX_FELDER:
            cell = m[(m["ziel"] == z) & (m["arbeitsfeld"] == a)]
            if cell.empty:
                cells.append("<td>–</td>")
                continue
            teile = TRENNER.join(_zelle_html(r, anzeige) for _, r in cell.iterrows())
            cells.append(
                f'<td style="text-align:left;vertical-align:top;min-width:9em">{teile}</td>'
            )
        body.append(
            f'<tr><th style="vertical-align:top;max-width:14em">Ziel {z}: '
            f"{html.escape(ZIELE[z])}</th>{''.join(cells)}</tr>"
        )
    caption = "Zielmatrix: Kennzahl, Wert, Zielwert und Stand je Ziel und Arbeitsfeld"
    return (
        f'<table class="kz-matrix"><caption>{caption}</caption><thead><tr>'
        f"<th>Strategisches Ziel</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _zelle_html(r: pd.Series, anzeige: dict[str, str]) -> str:
    """One Kennzahl in a matrix cell: title, value, Zielwert and status badge."""
    status = r["status"]
    k = r["k"]
    shown = anzeige.get(k.id, r["anzeige"] if "anzeige" in r else tabellen_wert(k, r["wert"]))
    if status == "noch nicht erhoben":
        shown = ""
    bg, fg, label = STATUS_STIL[status]
    ziel = (
        f"<br><small>Zielwert {html.escape(format_wert(k, r['zielwert']))}</small>"
        if pd.notna(r["zielwert"])
        else ""
    )
    return (
        f"<small>{steckbrief_link(k.id, k.titel)}</small><br>"
        f"<b>{html.escape(str(shown))}</b>{ziel}<br>"
        f'<span style="background:{bg};color:{fg};padding:1px '
        f'5px;border-radius:3px;font-size:12px">{html.escape(label)}</span>{_sicher_html(r)}'
    )


def kernaussagen(
    pool: pd.DataFrame, jahr: str, raum: str, produkt: int = 3, pool_dir: str | Path | None = None
) -> list[str]:
    """Key messages: how many goals are measured and met, and the statements with a target.

    Built from published values only: a hidden value is named as not published. Kennzahlen the
    pool has no data for in the year are named in one sentence (with the reason from its Abdeckung).
    """
    fehlend = ohne_daten(pool, jahr)
    erhoben_alle = [k for k in kennzahlen_p3(jahr) if k.erhoben]
    if erhoben_alle and len(fehlend) == len(erhoben_alle):
        return [fehlt_satz(pool, jahr, fehlend, pool_dir, "die Wirkungskennzahlen fehlen daher")]
    m = matrix(pool, jahr, raum, produkt)
    erhoben = m[m["status"] != "noch nicht erhoben"]
    mit_ziel = m[m["status"].isin(["erreicht", "nicht erreicht"])]
    verborgen = m[m["status"].isin(["gesperrt", NICHT_BEWERTET]) & m["zielwert"].notna()]
    gebiet = "die Gesamtstadt" if raum == GESAMTSTADT else f"den Sozialraum {raum}"
    n_erreicht = int((mit_ziel["status"] == "erreicht").sum())
    ziele = (
        f"Für {gebiet} {fmt.numerus(n_erreicht, 'wurde', 'wurden')} {n_erreicht} von "
        f"{fmt.anzahl(len(mit_ziel), 'Zielwert', 'Zielwerten')} im Jahr {jahr} erreicht"
    )
    if len(verborgen):
        n = len(verborgen)
        ziele += (
            f"; {n} weiterer Wert ist {DATENSCHUTZ}"
            if n == 1
            else f"; {n} weitere Werte sind {DATENSCHUTZ}"
        )
    elif mit_ziel.empty:
        ziele = f"Für {gebiet} liegt im Jahr {jahr} kein Wert einer Kennzahl mit Zielwert vor"
    out = [_belegung_satz(m, erhoben, jahr), ziele + "."]
    out += _fehlt_saetze(pool, jahr, fehlend, pool_dir)
    for k in kennzahlen_p3(jahr):
        if k.erhoben and k.zielwert_im(jahr) is not None:
            t = kennzahl_tabelle(pool, k, jahr, produkt)
            if t.werte["wert"].notna().any():
                ivs = unsicherheit.sichtbare_intervalle(k, t.werte, t.gesperrt)
                werte = t.werte["wert"].where(~t.gesperrt)
                satz = aussage(k, jahr, werte, raum, t.verborgen(), ivs)
                out.append(mit_name(k, satz))
    return out


def _fehlt_saetze(
    pool: pd.DataFrame, jahr: str, fehlend: list[Kennzahl], pool_dir: str | Path | None
) -> list[str]:
    """Why Kennzahlen have no value in the year: data not delivered, or (a change against the
    previous year) no value in the year before although the year's data are there."""
    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.products import common

    ab, cat = common.abdeckung_von(pool_dir), load_catalog()
    vorjahr = [
        k
        for k in fehlend
        if k.vergleich == "vorjahr" and not common.fehlende_tabellen(ab, cat.tables_of(k), jahr)
    ]
    rest = [k for k in fehlend if k not in vorjahr]
    out = [fehlt_satz(pool, jahr, rest, pool_dir)] if rest else []
    if vorjahr:
        out.append(
            f"Für {jahr} lässt sich noch keine Veränderung zum Vorjahr zeigen (für "
            f"{int(jahr) - 1} liegen keine Werte vor); "
            + common.fehlen_daher([k.titel for k in vorjahr])
            + "."
        )
    return out


def _belegung_satz(m: pd.DataFrame, erhoben: pd.DataFrame, jahr: str) -> str:
    """How many of the 28 cells hold a Kennzahl in the year's catalog, and how many are not
    collected yet or hold none that year."""
    felder = {(r["ziel"], r["arbeitsfeld"]) for _, r in m.iterrows()}
    belegt = {(r["ziel"], r["arbeitsfeld"]) for _, r in erhoben.iterrows()}
    ohne = 7 * len(MATRIX_FELDER) - len(felder)
    leer = f"; {ohne} {'hat' if ohne == 1 else 'haben'} {jahr} noch keine Kennzahl im Katalog"
    return (
        f"Von 28 Feldern der Zielmatrix (7 Ziele × 4 Arbeitsfelder) sind {len(belegt)} mit "
        f"Kennzahlen belegt; {len(felder - belegt)} werden noch nicht erhoben"
        + (leer if ohne else "")
        + "."
    )


def anzeige_matrix(
    pool: pd.DataFrame, jahr: str, raum: str, produkt: int = 3
) -> tuple[dict[str, str], pd.DataFrame]:
    """Display strings of the area's values for the matrix (as the year's plan allows), and their
    audit."""
    from kennzahlen.disclosure import suppression as disclosure

    m = matrix(pool, jahr, raum, produkt)
    anzeige = {
        r["kennzahl"]: r["anzeige"] for _, r in m.iterrows() if r["status"] != "noch nicht erhoben"
    }
    rows = [
        {
            "tabelle": f"Zielmatrix {jahr}",
            "zeile": raum,
            "spalte": r["kennzahl"],
            "grund": NICHT_BEWERTET if r["status"] == NICHT_BEWERTET else "gesperrt",
            "regel": "Wert wie in der Tabelle der Kennzahl nicht ausgewiesen",
            "intervall_min": "",
            "intervall_max": "",
        }
        for _, r in m.iterrows()
        if r["status"] in ("gesperrt", NICHT_BEWERTET)
    ]
    return anzeige, pd.DataFrame(rows, columns=disclosure.AUDIT_COLUMNS)


def bericht_audits(
    pool: pd.DataFrame, jahr: str, raum: str, produkt: int = 3
) -> list[pd.DataFrame]:
    """The disclosure audit of one area's report, taken from the year's plan: the matrix's hidden
    cells, then every collected Kennzahl's table in the report's order (each section shows the
    whole table of its Kennzahl). No section hands its audit in: none can be left out."""
    _, audit = anzeige_matrix(pool, jahr, raum, produkt)
    tabellen = [
        kennzahl_tabelle(pool, k, jahr, produkt).audit for k in kennzahlen_p3(jahr) if k.erhoben
    ]
    return [audit, *tabellen]
