"""The city against its comparison rings (delivery ``vergleichswerte``): what Produkt 3 and 4 show.

Per Kennzahl the latest year up to the report year for which a ring delivered values; the own
value (Gesamtstadt) of that year against the ring's median, mean and range (of the other cities)
and the rank among all (:mod:`kennzahlen.statistik.vergleich`). The caller gives the own values:
Produkt 3 only those its publication plan shows, Produkt 4 the pool's.
"""

from __future__ import annotations

import pandas as pd

from kennzahlen.catalog.model import Kennzahl
from kennzahlen.core import fmt
from kennzahlen.core.periods import jahres_stichtag
from kennzahlen.core.vocabulary import ist_anteil, wert_text
from kennzahlen.pool.vergleichswerte import werte_des_rings
from kennzahlen.statistik.vergleich import Ringvergleich, ringvergleich

DATENSCHUTZ = "aus Datenschutzgründen nicht ausgewiesen"


def vergleichsjahr(vergleich: pd.DataFrame, k: Kennzahl, jahr: str | int) -> str | None:
    """The latest year up to ``jahr`` with comparison values of the Kennzahl (None: none)."""
    if vergleich.empty:
        return None
    jahre = pd.to_numeric(vergleich.loc[vergleich["kennzahl"].astype(str) == k.id, "jahr"])
    jahre = jahre[jahre <= int(jahr)]
    return str(int(jahre.max())) if len(jahre) else None


def _w(k: Kennzahl, x: float) -> str:
    nachkomma = 1 if ist_anteil(k.einheit) or k.einheit == "je_1000" else 0
    return wert_text(x, k.einheit, nachkomma)


def zeilen(
    vergleich: pd.DataFrame, k: Kennzahl, jahr: str, eigen: float | None, stadt: str
) -> list[tuple[str, Ringvergleich | None, pd.DataFrame]]:
    """Per ring: its name, the comparison (None without an own value) and its rows."""
    out = []
    for ring, rows in werte_des_rings(vergleich, k.id, jahr, stadt).items():
        rv = ringvergleich(eigen, rows["wert"]) if eigen is not None else None
        out.append((ring, rv, rows))
    return out


def tabelle(
    vergleich: pd.DataFrame,
    k: Kennzahl,
    jahr: str,
    eigen: float | None,
    stadt: str,
    eigen_text: str = DATENSCHUTZ,
) -> pd.DataFrame:
    """One row per ring: year, own value, median, mean, range, rank (the caption says what)."""
    rows = []
    for ring, rv, teil in zeilen(vergleich, k, jahr, eigen, stadt):
        werte = teil["wert"].astype(float)
        rows.append(
            {
                "Vergleichsring": ring,
                "Jahr": jahr,
                stadt: _w(k, eigen) if eigen is not None else eigen_text,
                "Median": _w(k, float(werte.median())),
                "Mittelwert": _w(k, float(werte.mean())),
                "Spanne": f"{_w(k, float(werte.min()))} bis {_w(k, float(werte.max()))}",
                "Städte": fmt.zahl(len(werte)),
                "Rang": f"{rv.rang}{fmt.NBSP}von{fmt.NBSP}{rv.von}" if rv is not None else "–",
            }
        )
    out = pd.DataFrame(rows).set_index("Vergleichsring") if rows else pd.DataFrame()
    out.attrs["caption"] = (
        f"{k.titel}: {stadt} im Vergleichsring {jahr} (Median, Mittelwert und Spanne der anderen "
        "Städte; Rang 1 = höchster Wert)"
    )
    return out


def satz(
    vergleich: pd.DataFrame,
    k: Kennzahl,
    jahr: str,
    vj: str,
    eigen: float | None,
    stadt: str,
) -> str:
    """One sentence per Kennzahl: the own value against the ring (and why not the report year)."""
    teile = []
    for ring, rv, rows in zeilen(vergleich, k, vj, eigen, stadt):
        if rv is None:
            teile.append(
                f"im {ring} ist der Wert von {stadt} für {vj} {DATENSCHUTZ} "
                f"(Median der {len(rows)} anderen Städte {_w(k, float(rows['wert'].median()))})"
            )
            continue
        teile.append(
            f"im {ring} lag {stadt} {vj} mit {_w(k, rv.eigen)} {rv.lage(k.richtung)} von "
            f"{_w(k, rv.median)} ({rv.staedte} Städte, Spanne {_w(k, rv.minimum)} bis "
            f"{_w(k, rv.maximum)}): Rang {rv.rang} von {rv.von} (1 = höchster Wert)"
        )
    if not teile:
        return ""
    vorweg = (
        f"Für {jahr} liegen noch keine Vergleichswerte vor; "
        if vj != str(jahr)
        else "Im Vergleich: "
    )
    text = "; ".join(teile)
    return vorweg + (text[0].upper() + text[1:] if vorweg.startswith("Im") else text) + "."


def gesamtstadt_jahreswert(pool: pd.DataFrame, k: Kennzahl, jahr: str) -> float | None:
    """The city's yearly value from the pool (a yearly value, the 31.12., or four quarters)."""
    rows = pool[(pool["kennzahl"] == k.id) & (pool["ebene"] == "gesamtstadt")]
    if k.periodizitaet == "quartal":
        q = rows[rows["periode"].astype(str).str.startswith(f"{jahr}-Q")]
        if q["periode"].nunique() != 4 or not k.nenner:
            return None
        return float(q["zaehler"].sum()) / float(q["nenner"].sum()) * k.faktor
    periode = jahr if k.periodizitaet == "jahr" else jahres_stichtag(jahr)
    w = rows.loc[rows["periode"].astype(str) == periode, "wert"]
    return float(w.iloc[0]) if len(w) else None


def vergleich_html(tab: pd.DataFrame, text: str) -> str:
    """The sentence and the table as report HTML (both escaped)."""
    import html

    from kennzahlen.products.common import mit_caption

    tabelle_html = tab.reset_index().to_html(classes="kz-text", border=0, index=False)
    return f"<p>{html.escape(text)}</p>" + mit_caption(tabelle_html, tab.attrs.get("caption"))
