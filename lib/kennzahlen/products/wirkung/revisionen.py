"""Revisions of Produkt 3: published values that changed between two publications of a year.

A year goes out again with later quarters and after pool rebuilds; a late export can change a
count that was already published. As the UK Code of Practice for Statistics asks, the next report
says what changed, by how much and why: per Kennzahl, area and column the value shown before and
now, and the cause – read from the publication ledger (:mod:`kennzahlen.disclosure.
veroeffentlichungen`): the newer export of a table the Kennzahl reads, a changed definition, or
disclosure control that hides now what the rules decided anew. Both values were published, so the
table tells a reader nothing the publications did not.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kennzahlen.catalog.model import Kennzahl, load_catalog
from kennzahlen.core import fmt
from kennzahlen.core.vocabulary import lieferung
from kennzahlen.products.wirkung.offene_daten import tabelle, veroeffentlichung
from kennzahlen.products.wirkung.plan import VEROEFFENTLICHUNG

SPALTEN = ["Jahr", "Kennzahl", "Gebiet", "Angabe", "bisher", "neu", "Ursache"]
ANGABEN = {"zaehler": "Zähler", "nenner": "Nenner", "wert": "Wert"}


def _vorige(pool: pd.DataFrame, jahr: str):
    """The publication this pool's reports show and the one before it (None each: none)."""
    from kennzahlen.disclosure import veroeffentlichungen as buch
    from kennzahlen.pool import store as poolstore

    jetzt = veroeffentlichung(pool, jahr)
    if jetzt is None:
        return None, None
    root = poolstore.root_of(Path(pool.attrs[VEROEFFENTLICHUNG]))
    frueher = [v for v in buch.load_veroeffentlichungen(root, 3, jahr) if v.nr < jetzt.nr]
    return (frueher[-1] if frueher else None), jetzt


def _terme(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    return {(r.kennzahl, r.teil): r.terms for r in frame.itertuples(index=False)}


def ursache(k: Kennzahl, alt, neu, alt_text: str, neu_text: str) -> str:
    """Why a published value of ``k`` changed between publication ``alt`` and ``neu``."""
    ta, tn = _terme(alt.frame()), _terme(neu.frame())
    if any(ta.get((k.id, t)) != tn.get((k.id, t)) for t in ("Zähler", "Nenner")):
        return "Definition der Kennzahl geändert (Zeitreihenbruch)"
    sa, sn = alt.info.get("stand", {}), neu.info.get("stand", {})
    spaet = [
        f"{lieferung(t)} mit Stand {fmt.datum(sn[t])} (vorher {fmt.datum(sa[t])})"
        for t in sorted(load_catalog().tables_of(k))
        if t in sa and t in sn and sa[t] != sn[t]
    ]
    if _zahl(alt_text) and not _zahl(neu_text):
        grund = "jetzt aus Datenschutzgründen nicht ausgewiesen"
        return f"{grund}: mit den neuen Zahlen neu geprüft" + (
            f" ({'; '.join(spaet)})" if spaet else ""
        )
    if spaet:
        return "Späte Lieferung: " + "; ".join(spaet)
    return "Neu berechnet (Regeln der Geheimhaltung oder Katalog geändert)"


def _zahl(text: str) -> bool:
    return any(c.isdigit() for c in text)


def revisionen(pool: pd.DataFrame, jahre: list[str]) -> pd.DataFrame:
    """Per year the published values that differ from the previous publication of the year
    (:data:`SPALTEN`; empty when nothing changed or a year was published once). ``pool``: a
    frame marked by :func:`kennzahlen.products.wirkung.plan.zur_veroeffentlichung`."""
    from kennzahlen.disclosure import config as disclosure_config

    cfg = disclosure_config.load_config()
    rows = []
    for jahr in jahre:
        alt, neu = _vorige(pool, str(jahr))
        if alt is None:
            continue
        ta = tabelle(alt.frame(), str(jahr), cfg.k, cfg.symbol_sekundaer)
        tn = tabelle(neu.frame(), str(jahr), cfg.k, cfg.symbol_sekundaer)
        both = tn.merge(ta, on=["kennzahl", "raum"], how="left", suffixes=("", "_alt"))
        for r in both.itertuples(index=False):
            rows += _zeilen(r._asdict(), str(jahr), alt, neu)
    return pd.DataFrame(rows, columns=SPALTEN)


def _zeilen(r: dict, jahr: str, alt, neu) -> list[dict]:
    k = load_catalog().get(r["kennzahl"])
    out = []
    for col, angabe in ANGABEN.items():
        bisher = "" if pd.isna(r.get(f"{col}_alt")) else str(r[f"{col}_alt"])
        jetzt = str(r[col])
        if bisher == jetzt or (col == "nenner" and not k.nenner):
            continue
        out.append(
            {
                "Jahr": jahr,
                "Kennzahl": k.titel,
                "Gebiet": r["raum"],
                "Angabe": angabe,
                "bisher": _anzeige(bisher, k, col, alt),
                "neu": _anzeige(jetzt, k, col, neu),
                "Ursache": ursache(k, alt, neu, bisher, jetzt),
            }
        )
    return out


def _anzeige(text: str, k: Kennzahl, col: str, v) -> str:
    """A value of the open data as the report writes it ('1.234', '83,5 %'), with the date of
    its publication."""
    from kennzahlen.core.vocabulary import ist_anteil, wert_text

    if text == "":
        shown = "–"
    elif not _zahl(text) or text.startswith("<"):
        shown = text
    elif col == "wert" and k.einheit != "anzahl":
        x = float(text)
        shown = wert_text(x / 100 if ist_anteil(k.einheit) else x, k.einheit, 1)
    else:
        shown = fmt.zahl(float(text))
    datum = str(v.info.get("erstellt", ""))[:10]
    return f"{shown} ({fmt.datum(datum)})" if datum else shown


def abschnitt(pool: pd.DataFrame, jahre: list[str]) -> None:
    """Display the revisions of the years the report shows, or one sentence that there are
    none."""
    from IPython.display import HTML, display

    from kennzahlen.products.common import hinweis, styled

    tab = revisionen(pool, jahre)
    if tab.empty:
        display(
            hinweis(
                f"Seit der ersten Veröffentlichung hat sich kein veröffentlichter Wert der Jahre "
                f"{jahre[0]} bis {jahre[-1]} geändert."
            )
        )
        return
    display(
        styled(
            tab.set_index(["Jahr", "Kennzahl", "Gebiet", "Angabe"]),
            caption="Geänderte Werte gegenüber der vorigen Veröffentlichung: bisher, neu (mit "
            "dem Tag der Veröffentlichung) und Ursache",
        )
    )
    display(
        HTML(
            "<p class='kz-fuss'>Quelle: das Veröffentlichungsbuch der Wirkungskennzahlen "
            f"({len(tab)} geänderte Angaben). Ein Wert, der früher "
            "verborgen war, bleibt verborgen.</p>"
        )
    )
