"""Produkt 4: the control charts behind the lights, and the city among comparable cities.

The charts show each indicator with a control chart (the SPC rule, and a target rule on a
quarterly series) for the report's area as the quarter's lights saw it: the values, the mean and
limits (provisional ones dotted), the points the four rules flag, a new baseline with its date,
the Zielwert. The comparison shows the city's yearly values of the Kennzahlen of the Ampel's
Arbeitsfelder against the comparison rings (delivery ``vergleichswerte``).
"""

from __future__ import annotations

import html
import textwrap

import numpy as np
import pandas as pd

from kennzahlen import ampel
from kennzahlen.ampel.config import Parameter
from kennzahlen.ampel.rules import spc as spc_regel
from kennzahlen.core import fmt
from kennzahlen.core.periods import periode_fuer, quartal_von
from kennzahlen.core.vocabulary import ARBEITSFELDER, ist_anteil

#: the signals in a chart's title
TITEL_SIGNAL = {
    "ueber_grenze": "über der oberen Grenze",
    "unter_grenze": "unter der unteren Grenze",
    "trend_steigend": "Trend steigend",
    "trend_fallend": "Trend fallend",
    "zwei_von_drei_ueber": "zwei von drei Werten nahe der oberen Grenze",
    "zwei_von_drei_unter": "zwei von drei Werten nahe der unteren Grenze",
    "lauf_ueber": "Lauf über dem Mittel",
    "lauf_unter": "Lauf unter dem Mittel",
}


def mit_karte(p: Parameter) -> bool:
    """Whether an indicator gets a control chart: the SPC rule, or a target on quarterly values."""
    return p.regel == "spc" or (
        p.regel == "zielwert" and p.kennzahl.periodizitaet in ("quartal", "stichtag_quartal")
    )


def reihe(details: pd.DataFrame, p: Parameter, raum: str, quartal: str) -> pd.DataFrame:
    """An indicator's values in an area up to the quarter, from the Ampel's details (raum,
    periode, wert; one row per period)."""
    rows = details[
        (details["kennzahl"] == p.kennzahl.id)
        & (details["regel"] == p.regel)
        & (details["sozialraum"] == raum)
        & (details["quartal"] <= quartal)
        & details["wert"].notna()
    ]
    out = rows[["periode", "wert"]].drop_duplicates("periode").sort_values("periode")
    out.insert(0, "raum", raum)
    return out.reset_index(drop=True)


def titel(p: Parameter, raum: str, karte: pd.DataFrame, hoeher: bool | None) -> str:
    """The chart's title states its finding: the last point's signal (and its direction)."""
    letzte = karte.iloc[-1]
    if pd.isna(letzte["mitte"]):
        befund = "noch zu wenige Werte für Grenzen"
    elif letzte["signal"]:
        gut = spc_regel.farbe(str(letzte["signal"]), bool(hoeher)) == "gruen"
        richtung = "günstig" if gut else "ungünstig"
        befund = f"zuletzt {TITEL_SIGNAL[str(letzte['signal'])]} ({richtung})"
    else:
        befund = "zuletzt innerhalb der üblichen Schwankung"
    if bool(letzte["vorlaeufig"]):
        befund += ", vorläufige Grenzen"
    return textwrap.fill(f"{p.name}, {raum}: {befund}", 62)


def _kurz(periode: str) -> str:
    q = quartal_von(periode)
    return q.replace("-", " ") if q and len(periode) != 4 else periode


def zeige_regelkarten(pool_dir: object, raum: str, quartal: str) -> None:
    """Display the control chart of every indicator with one, for the area and quarter."""
    from IPython.display import HTML, display

    from kennzahlen.charts import streuung
    from kennzahlen.pool.load import load_pool

    details = load_pool(pool_dir, "ampel_details")
    zeilen, spalten = _reihen_index(details)
    gezeigt = 0
    for p in ampel.load_ampel_config().indikatoren:
        if not mit_karte(p):
            continue
        pos = zeilen.get((p.kennzahl.id, p.regel, raum), _KEINE)
        # the same rows as from all details, in their order
        if spalten is None:
            s = reihe(details.iloc[pos], p, raum, quartal)
        else:
            s = _reihe_aus(spalten, pos, raum, quartal)
        periode = periode_fuer(quartal, p.kennzahl.periodizitaet)
        karte = spc_regel.regelkarte(p, s, raum, periode) if len(s) else pd.DataFrame()
        if len(karte) < 2:
            continue
        hoeher = None if p.richtung is None else p.richtung == "hoeher_besser"
        ziele = [p.kennzahl.zielwert_im(str(x)) for x in karte["periode"]]
        fig = streuung.regelkarte(
            karte,
            titel(p, raum, karte, hoeher),
            ist_anteil(p.kennzahl.einheit),
            hoeher,
            ziele,
            [b.ab for b in p.neue_basis],
            {x: _kurz(str(x)) for x in karte["periode"]},
        )
        display(fig)
        display(HTML(f"<p class='kz-fuss'>{html.escape(_unter(p, karte))}</p>"))
        gezeigt += 1
    if not gezeigt:
        display(HTML("<p class='kz-fehlt'>Für dieses Gebiet gibt es noch keine Regelkarte.</p>"))


_KEINE = np.empty(0, dtype=np.intp)
#: the columns :func:`_reihe_aus` reads: quartal, periode, wert and the dtype of periode
Spalten = tuple[np.ndarray, np.ndarray, np.ndarray, object]
#: the details table's rows per (Kennzahl, rule, area) and its columns for :func:`_reihe_aus`,
#: by the table's version and file state (at most 8 tables)
_ZEILEN: dict[tuple, tuple[dict[tuple, np.ndarray], Spalten | None]] = {}


def _zeilen_je_reihe(details: pd.DataFrame) -> dict[tuple, np.ndarray]:
    """The positions of the rows of each (kennzahl, regel, sozialraum) in ``details`` (in their
    order), found once per pool table (every area's report reads the same) instead of comparing
    every row for each chart."""
    return _reihen_index(details)[0]


def _reihen_index(details: pd.DataFrame) -> tuple[dict[tuple, np.ndarray], Spalten | None]:
    """:func:`_zeilen_je_reihe` and the table's columns for :func:`_reihe_aus` (None: a table
    it cannot serve), once per pool table."""
    from kennzahlen.products import memo

    key = memo.tabellen_schluessel(details, "ampel_details")
    hit = _ZEILEN.get(key)
    if hit is None:
        if len(_ZEILEN) >= 8:
            _ZEILEN.pop(next(iter(_ZEILEN)))
        gruppen = details.groupby(["kennzahl", "regel", "sozialraum"], sort=False).indices
        hit = _ZEILEN[key] = ({tuple(k): v for k, v in gruppen.items()}, _spalten(details))
    return hit


def _spalten(details: pd.DataFrame) -> Spalten | None:
    """quartal, periode (texts) and wert (floats) as arrays; None unless every quartal and
    periode is a text and wert a float column (what :func:`_reihe_aus` compares and sorts as
    :func:`reihe` does)."""
    if details["wert"].dtype != np.float64:
        return None
    quartal = details["quartal"].to_numpy(dtype=object)
    periode = details["periode"].to_numpy(dtype=object)
    if not all(type(v) is str for v in (*quartal, *periode)):
        return None
    return quartal, periode, details["wert"].to_numpy(), details["periode"].dtype


def _reihe_aus(spalten: Spalten, pos: np.ndarray, raum: str, quartal: str) -> pd.DataFrame:
    """:func:`reihe` of the rows ``pos`` of one (Kennzahl, rule, area) from the table's arrays:
    the same frame, without a pandas filter, drop_duplicates and sort per chart."""
    quartale, perioden, werte, typ = spalten
    q, per, w = quartale[pos], perioden[pos], werte[pos]
    gilt = (q <= quartal) & ~np.isnan(w)
    # unique sorts and keeps each period's first row, as drop_duplicates and sort_values do
    eindeutig, erste = np.unique(per[gilt], return_index=True)
    out = pd.DataFrame(
        {"periode": pd.array(eindeutig, dtype=typ), "wert": w[gilt][erste]}  # type: ignore[call-overload]
    )
    out.insert(0, "raum", raum)
    return out


def signal_text(p: Parameter) -> str:
    """The rules switched on for an indicator, in words."""
    gelb = {
        "lauf": f"{p.lauf} Werte in Folge auf einer Seite des Mittels",
        "trend": f"{p.trend} Werte in Folge steigend oder fallend",
        "zwei_von_drei": "zwei von drei Werten nahe einer Grenze",
    }
    teile = ["ein Wert jenseits einer Grenze → rot"] if "grenze" in p.signale else []
    g = [gelb[x] for x in p.signale if x in gelb]
    if g:
        teile.append(", ".join(g) + " → gelb")
    return "Signale in ungünstiger Richtung: " + "; ".join(teile) + "."


def _unter(p: Parameter, karte: pd.DataFrame) -> str:
    """The sentence under a chart: the baseline and any new baseline with its reason."""
    letzte = karte[karte["segment"] == karte["segment"].max()]
    n = int(len(letzte))
    text = signal_text(p) + " "
    if bool(letzte["vorlaeufig"].iloc[-1]):
        text += (
            f"Die Grenzen sind vorläufig: sie beruhen auf {n} von {p.basis_perioden} Werten der "
            "Basis. "
        )
    for b in p.neue_basis:
        text += f"Neue Basis ab {b.ab}, beschlossen am {fmt.datum(b.beschlossen_am)}: {b.grund}. "
    return text.strip()


# ------------------------------------------------------------------------------ comparison
def vergleich_html(pool_dir: object, quartal: str) -> str:
    """The city's values of the Ampel's Arbeitsfelder against the comparison rings, as report
    HTML (a sentence when there are none).

    The same for every area of a quarter: kept per process by the quarter, both pool tables read
    (version folder and file state, or content) and the configuration
    (:func:`kennzahlen.products.memo.gemerkt`)."""
    from kennzahlen.pool.load import load_pool
    from kennzahlen.pool.vergleichswerte import laden
    from kennzahlen.products import memo

    vw = laden(pool_dir)  # type: ignore[arg-type]
    try:
        pool = load_pool(pool_dir)  # type: ignore[arg-type]
    except OSError:  # no pool: as before, only an error when there are values to compare
        return _vergleich_html(vw, pool_dir, quartal)
    key = (
        quartal,
        memo.tabellen_schluessel(vw, "vergleichswerte"),
        memo.tabellen_schluessel(pool, "kennzahlen"),
    )
    return memo.gemerkt(_VERGLEICH, key, lambda: _vergleich_html(vw, pool, quartal))


#: the comparison HTML per quarter, pool tables and configuration
_VERGLEICH: dict = {}


def _vergleich_html(vw: pd.DataFrame, pool_dir: object, quartal: str) -> str:
    from kennzahlen.catalog.geography import stadt
    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.pool.load import load_pool
    from kennzahlen.products import ringvergleich as rv

    jahr = str(int(quartal[:4]) - (0 if quartal.endswith("Q4") else 1))
    felder = set(ampel.load_ampel_config().arbeitsfelder)
    ks = [
        k
        for k in load_catalog().kennzahlen
        if k.arbeitsfeld in felder and not vw.empty and k.id in set(vw["kennzahl"].astype(str))
    ]
    if not ks:
        return (
            "<p class='kz-fehlt'>Für die Kennzahlen der Ampel liegen keine Vergleichswerte "
            "anderer Städte vor.</p>"
        )
    pool = load_pool(pool_dir)
    zeilen = []
    for k in ks:
        vj = rv.vergleichsjahr(vw, k, jahr)
        if vj is None:
            continue
        eigen = rv.gesamtstadt_jahreswert(pool, k, vj)
        tab = rv.tabelle(vw, k, vj, eigen, stadt(), "kein Wert")
        for ring, row in tab.iterrows():
            zeilen.append({"Arbeitsfeld": ARBEITSFELDER[k.arbeitsfeld or ""], "Kennzahl": k.titel,
                           "Vergleichsring": ring, **row.to_dict()})  # fmt: skip
    out = pd.DataFrame(zeilen)
    caption = (
        f"{stadt()} im Vergleich mit anderen Städten: letzter Jahreswert bis {jahr} "
        "(Median, Mittelwert, Spanne der anderen Städte des Rings; Rang 1 = höchster Wert)"
    )
    from kennzahlen.products.common import mit_caption

    return mit_caption(out.to_html(index=False, classes="kz-text", border=0), caption)
