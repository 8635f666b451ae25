"""Produkt 2 – Quartalsmeldung: the Erfassungsbogen as numbers and its Excel file for
Controlling C2.

Without charts (no matplotlib): a pool worker writes the Excel file of every Produkt-2 report
and should not import the notebook's chart modules for it. :mod:`.bericht` re-exports these.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core import fmt
from kennzahlen.core.periods import stichtag, vorquartal
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG
from kennzahlen.pool.load import load_pool
from kennzahlen.products import memo
from kennzahlen.products.quartalsmeldung.zeilen import SO_GESAMT, ZEILEN


def spalten() -> list[str]:
    """Columns of the Erfassungsbogen: the Sozialräume, ohne Zuordnung and SO-Gesamt."""
    return [*sozialraeume(), OHNE_ZUORDNUNG, SO_GESAMT]


@memo.je_stand
def erfassungsbogen(pool: pd.DataFrame, periode: str) -> pd.DataFrame:
    """The Erfassungsbogen as numbers: rows (Gruppe, Bereich, Zeile, Quelle), area columns.

    Kept per pool content, period and configuration (a report asks seven times, for three
    quarters; a warm kernel again for every area)."""
    s = stichtag(periode)
    ids = [z.kennzahl for z in ZEILEN]
    sub = pool[
        (pool["periode"] == s) & pool["kennzahl"].isin(ids) & (pool["ebene"] != "stadtviertel")
    ]
    wide = sub.pivot_table(index="kennzahl", columns="raum", values="wert", aggfunc="first")
    wide = wide.rename(columns={GESAMTSTADT: SO_GESAMT}).reindex(index=ids, columns=spalten())
    cat = load_catalog()
    index = pd.MultiIndex.from_tuples(
        [(*z.ort, cat.get(z.kennzahl).quelle) for z in ZEILEN],
        names=["Gruppe", "Bereich", "Zeile", "Quelle"],
    )
    wide.index = index
    return wide


def veraenderungen(pool: pd.DataFrame, periode: str, raum: str) -> pd.DataFrame:
    """For one area: value now, previous quarter and same quarter a year before, with changes."""
    col = SO_GESAMT if raum == GESAMTSTADT else raum
    now = erfassungsbogen(pool, periode)[col]
    vq = erfassungsbogen(pool, vorquartal(periode, 1))[col]
    vj = erfassungsbogen(pool, vorquartal(periode, 4))[col]
    # a count since 1 January compares with the same quarter a year before, never with the
    # previous quarter (a year-to-date count always grows within a year and restarts in Q1)
    vq = vq.where([not seit_jahresbeginn(z.kennzahl) for z in ZEILEN])
    return pd.DataFrame({"aktuell": now, "vorquartal": vq, "vorjahresquartal": vj})


def seit_jahresbeginn(kennzahl_id: str) -> bool:
    """Whether a Kennzahl counts from 1 January to its Stichtag (Hilfen vor dem Fall)."""
    cat = load_catalog()
    k = cat.get(kennzahl_id)
    return any(cat.basiszahlen[t.basis].regel == "jahr_bis_stichtag" for t in k.zaehler)


def write_excel(pool_dir: Path, periode: str, raum: str, path: Path) -> Path:
    """The Erfassungsbogen as an Excel file for Controlling C2 (atomic; no cell can become a
    formula)."""
    from openpyxl.styles import Alignment, Font, PatternFill

    from kennzahlen.core.safeio import neutralise_sheet, replacing

    pool = load_pool(pool_dir)
    bogen = erfassungsbogen(pool, periode)
    v = veraenderungen(pool, periode, raum)
    table = bogen.reset_index()
    col = SO_GESAMT if raum == GESAMTSTADT else raum
    table[f"{col}: Vorquartal"] = v["vorquartal"].to_numpy()
    table[f"{col}: Vorjahresquartal"] = v["vorjahresquartal"].to_numpy()

    with replacing(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        table.to_excel(xw, sheet_name="Erfassungsbogen", index=False, startrow=3)
        ws = xw.sheets["Erfassungsbogen"]
        ws["A1"] = f"Erfassungsbogen Quartalsmeldung – Stichtag {fmt.datum(stichtag(periode))}"
        ws["A1"].font = Font(bold=True, size=14)
        ws["A2"] = (
            "Abteilung Soziales (SO) – Fachbereich Bildung und Soziales – für Controlling C 2"
        )
        for cell in ws[4]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE7F0")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in ws.iter_rows(min_row=5, min_col=5):
            for cell in row:
                cell.number_format = "#,##0"
        widths = {"A": 10, "B": 24, "C": 34, "D": 14}
        for letter, w in widths.items():
            ws.column_dimensions[letter].width = w
        ws.freeze_panes = "E5"
        neutralise_sheet(ws)  # a catalog or config text starting with '=' stays text
        from kennzahlen.products.quartalsmeldung import steuerung as produkt2

        produkt2.excel_blatt(xw, pool_dir, pool, periode)
        from kennzahlen.products.quartalsmeldung import finanzen

        finanzen.excel_blatt(xw, pool, periode, raum)
    return path
