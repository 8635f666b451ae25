"""The analyst's workbench beyond single values: the Katalog, the Sozialindex, the Ampel, charts.

All four answer in one call and say what they cannot find (:mod:`kennzahlen.api.auswahl`)::

    kz.katalog(pool, suche="SGB II")                     # what exists, with periods in the pool
    kz.sozialindex(pool, "2023", klasse="höchste")       # Stadtviertel of the highest class
    kz.ampel(pool, "Q4/2023", breit=True)                # Sozialräume x Arbeitsfelder
    kz.grafik(kz.zeitreihe(pool, "jh_hze_gesamt", ebene="sozialraum"))

``kz.sozialindex`` and ``kz.ampel`` are the modules :mod:`kennzahlen.sozialindex.berechnung` and
:mod:`kennzahlen.ampel`, made callable (:mod:`kennzahlen.core.aufrufbar`): calling them calls
:func:`sozialindex` and :func:`ampel` here.

``pool`` is everywhere the frame from ``kz.load_pool()`` (then the tables of the same pool
version), a pool folder, or None (``$KENNZAHLEN_POOL``, else data/processed).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import pandas as pd

from kennzahlen.api.auswahl import (
    KennzahlUnbekannt,
    NichtGefunden,
    RaumUnbekannt,
    perioden_fuer,
    raeume,
)
from kennzahlen.catalog.geography import raumgliederung
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core import fmt
from kennzahlen.core.namen import satz, schluessel
from kennzahlen.core.periods import ist_quartal, letzter_tag
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.core.vocabulary import ARBEITSFELDER, EINHEITEN, wert_text
from kennzahlen.pool.load import PoolMissing, load_pool

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Quelle: TypeAlias = pd.DataFrame | str | Path | None
#: the Ebenen from the whole to the smallest (the catalog's ``ebenen`` column)
ORDNUNG = ("gesamtstadt", "sozialraum", "stadtviertel")


def _tabelle(pool: Quelle, table: str) -> pd.DataFrame:
    """A pool table of the same version as ``pool`` (a frame of ``kz.load_pool``) or from a
    folder."""
    return load_pool(pool, table)


# ------------------------------------------------------------------------------ Katalog
def katalog(pool: Quelle = None, *, suche: str | None = None) -> pd.DataFrame:
    """Every Kennzahl of the catalog, one row each (index ``kennzahl``), with what the pool has.

    Columns: ``titel``, ``einheit``, ``periodizitaet``, ``ziel`` (1–7), ``arbeitsfeld``,
    ``produkt`` ('1, 3'), ``gruppe``, ``status`` ('erhoben', 'noch nicht erhoben'),
    ``zielwert``, ``richtung``, ``quelle``, ``von``/``bis`` (first and last period in the pool),
    ``perioden`` (how many), ``ebenen`` (where the pool has values) and ``definition``.
    ``suche`` keeps the Kennzahlen whose id, title or group contain it (case, spaces and
    hyphens ignored); none found raises :class:`~kennzahlen.api.auswahl.KennzahlUnbekannt`.

    >>> k = kz.katalog(pool, suche="SGB II")
    >>> print(k.loc["sgb2_quote", ["einheit", "von", "bis", "perioden"]].to_string())
    einheit           quote
    von          2019-12-31
    bis          2023-12-31
    perioden              5
    >>> kz.katalog(pool).loc["jh_z1_anteil_hilfeende_zielerreichung", "status"]
    'noch nicht erhoben'
    """
    daten = pool if isinstance(pool, pd.DataFrame) else load_pool(pool)
    paare = daten[["kennzahl", "periode"]].drop_duplicates()
    spanne = paare.groupby("kennzahl").agg(
        von=("periode", lambda p: min(p, key=letzter_tag)),
        bis=("periode", lambda p: max(p, key=letzter_tag)),
        perioden=("periode", "size"),
    )
    ebenen = daten[["kennzahl", "ebene"]].drop_duplicates().groupby("kennzahl")["ebene"]
    spanne["ebenen"] = ebenen.agg(lambda e: ", ".join(x for x in ORDNUNG if x in set(e)))
    rows = [_katalog_zeile(k) for k in load_catalog().kennzahlen]
    out = pd.DataFrame(rows).set_index("kennzahl").join(spanne)
    out["ziel"] = out["ziel"].astype("Int64")
    out["perioden"] = out["perioden"].fillna(0).astype("Int64")
    out = out[[*[c for c in out.columns if c != "definition"], "definition"]]
    if suche is None:
        return out
    key = schluessel(suche)
    text = (out.index + " " + out["titel"] + " " + out["gruppe"]).map(schluessel)
    treffer = out[text.str.contains(key, regex=False)] if key else out.iloc[:0]
    if treffer.empty:
        raise KennzahlUnbekannt(
            satz(f"Keine Kennzahl passt zu '{suche}'", suche, [*out.index, *out["titel"]])
            + " kz.katalog() ohne suche listet alle."
        )
    return treffer


def _katalog_zeile(k) -> dict[str, object]:
    return {
        "kennzahl": k.id,
        "titel": k.titel,
        "einheit": k.einheit,
        "periodizitaet": k.periodizitaet,
        "ziel": k.ziel,
        "arbeitsfeld": ARBEITSFELDER.get(k.arbeitsfeld or "", ""),
        "produkt": ", ".join(map(str, k.produkt)),
        "gruppe": k.gruppe,
        "status": "erhoben" if k.erhoben else "noch nicht erhoben",
        "zielwert": k.zielwert,
        "richtung": k.richtung or "",
        "quelle": k.quelle,
        "definition": k.definition,
    }


# ------------------------------------------------------------------------------ Sozialindex
SOZIALINDEX_SPALTEN = [
    "periode",
    "raum",
    "raum_name",
    "sozialraum",
    "bevoelkerung",
    "bewertet",
    "grund",
    "status_index",
    "status_klasse",
    "dynamik_index",
    "dynamik_klasse",
    "aufmerksamkeit",
]


def sozialindex(
    pool: Quelle = None,
    periode: object = None,
    *,
    klasse: str | None = None,
    raum: object = None,
    indikatoren: bool = False,
) -> pd.DataFrame:
    """The Sozialindex of one year: one row per Stadtviertel, highest Status-Index first.

    ``periode``: the year or its 31.12. (default: the newest in the pool). ``klasse``: a status
    class of config/sozialindex.yaml ('sehr niedrig', any case), or 'höchste' / 'niedrigste'
    for the class of the highest / lowest index (the highest index means the least favourable
    situation: in the demo config the class 'sehr niedrig'). ``raum``: a Sozialraum or Stadtviertel
    (or a list). Columns: ``periode``, ``raum`` (Stadtviertel number), ``raum_name``,
    ``sozialraum``, ``bevoelkerung``, ``bewertet``, ``grund`` (why not rated),
    ``status_index``, ``status_klasse``, ``dynamik_index``, ``dynamik_klasse``,
    ``aufmerksamkeit``. ``indikatoren=True``: the indicator values and z-values of the same
    Stadtviertel instead (docs/sozialindex.md explains both).

    >>> si = kz.sozialindex(pool, "2023", klasse="höchste")
    >>> len(si), si["status_klasse"].unique().tolist()
    (4, ['sehr niedrig'])
    >>> si["status_index"].is_monotonic_decreasing
    True
    """
    df = _sozialindex_tabelle(pool, "sozialindex")
    vorhanden = sorted(df["periode"].unique())
    keys = perioden_fuer(vorhanden, periode, "den Sozialindex") if periode is not None else None
    df = df[df["periode"].isin(keys or vorhanden[-1:])]
    if raum is not None:
        df = _in_raeumen(df, raum)
    if klasse is not None:
        df = df[df["status_klasse"] == _klasse(klasse, df)]
    df = df.assign(raum=df["stadtviertel_nr"], raum_name=df["stadtviertel_nr"].map(_sv_namen()))
    df = df.sort_values(["periode", "status_index", "raum"], ascending=[True, False, True])
    out = df[SOZIALINDEX_SPALTEN].reset_index(drop=True)
    if not indikatoren:
        return out
    ind = _sozialindex_tabelle(pool, "sozialindex_indikatoren")
    ind = ind[ind["periode"].isin(out["periode"]) & ind["stadtviertel_nr"].isin(out["raum"])]
    ind = ind.rename(columns={"stadtviertel_nr": "raum"})
    ind.insert(2, "raum_name", ind["raum"].map(_sv_namen()))
    return ind.reset_index(drop=True)


def _sozialindex_tabelle(pool: Quelle, table: str) -> pd.DataFrame:
    try:
        return _tabelle(pool, table)
    except PoolMissing as exc:
        raise NichtGefunden(
            f"Der Datenpool hat keinen Sozialindex ({exc}). Er entsteht beim Bau des Pools, "
            f"wenn config/sozialindex.yaml vorhanden ist (docs/sozialindex.md)."
        ) from None


def _sv_namen() -> dict[str, str]:
    rg = raumgliederung()
    return dict(zip(rg["stadtviertel_nr"], rg["stadtviertel"], strict=True))


def _in_raeumen(df: pd.DataFrame, raum: object) -> pd.DataFrame:
    """Rows of Stadtviertel that lie in the areas named."""
    mask = pd.Series(False, index=df.index)
    for r in raeume(None, raum):
        if r.ebene == "gesamtstadt":
            mask[:] = True
        elif r.ebene == "sozialraum":
            mask |= df["sozialraum"] == r.code
        else:
            mask |= df["stadtviertel_nr"] == r.code
    return df[mask]


def _klasse(klasse: str, df: pd.DataFrame) -> str:
    """A status class named (any case), or the highest/lowest of config/sozialindex.yaml."""
    from kennzahlen.sozialindex import config as sozialindex_config

    if sozialindex_config.vorhanden():
        namen = [k.name for k in sozialindex_config.load().status_klassen]
    else:
        namen = list(df["status_klasse"].dropna().unique())
    relativ = {"hoechste": namen[-1], "niedrigste": namen[0]}
    gefunden = {schluessel(n): n for n in namen}.get(schluessel(klasse))
    gefunden = gefunden or relativ.get(schluessel(klasse))
    if gefunden is None:
        raise NichtGefunden(
            satz(f"Klasse '{klasse}' gibt es nicht", klasse, [*namen, "höchste", "niedrigste"])
            + f" Status-Klassen, vom niedrigsten zum höchsten Index: {', '.join(namen)}; "
            f"oder 'höchste' / 'niedrigste'."
        )
    return gefunden


# ------------------------------------------------------------------------------ Ampel
def ampel(
    pool: Quelle = None,
    quartal: object = None,
    *,
    raum: object = None,
    details: bool = False,
    breit: bool = False,
) -> pd.DataFrame:
    """The Ampel of a quarter: one row per area and Arbeitsfeld (with the rule's reason).

    ``quartal`` in any period form ('2023-Q4', 'Q4/2023', '31.12.2023'; a year: its four
    quarters; default the newest). ``raum``: a Sozialraum, Gesamtstadt or a list.
    ``details=True``: one row per indicator with its values, thresholds and rule.
    ``breit=True``: the colours as a grid, areas × Arbeitsfelder (one quarter), or
    Arbeitsfelder × quarters (one area).

    >>> kz.ampel(pool, "Q4/2023", breit=True).shape
    (6, 5)
    """
    df = _tabelle(pool, "ampel_details" if details else "ampel")
    vorhanden = sorted(df["quartal"].unique())
    keys = perioden_fuer(vorhanden, quartal, "die Ampel") if quartal is not None else None
    df = df[df["quartal"].isin(keys or vorhanden[-1:])]
    if raum is not None:
        namen = []
        for r in raeume(None, raum):
            if r.ebene == "stadtviertel":
                raise RaumUnbekannt(
                    f"Die Ampel gibt es je Sozialraum und für die Gesamtstadt, nicht für das "
                    f"Stadtviertel {r.code} {r.name} (Sozialraum: kz.raumgliederung())."
                )
            namen.append(r.code)
        df = df[df["sozialraum"].isin(namen)]
    df = df.reset_index(drop=True)
    return _ampel_breit(df) if breit else df


def _ampel_breit(df: pd.DataFrame) -> pd.DataFrame:
    if "arbeitsfeld_titel" not in df:
        raise ValueError("breit=True zeigt die Farben der Arbeitsfelder: nicht mit details=True")
    if df["quartal"].nunique() == 1:
        zeilen, spalten = "sozialraum", "arbeitsfeld_titel"
    elif df["sozialraum"].nunique() == 1:
        zeilen, spalten = "arbeitsfeld_titel", "quartal"
    else:
        raise ValueError("breit=True braucht ein Quartal oder einen Raum (raum=...)")
    wide = df.set_index([zeilen, spalten])["farbe"].unstack(spalten)
    return wide.loc[list(dict.fromkeys(df[zeilen])), list(dict.fromkeys(df[spalten]))]


# ------------------------------------------------------------------------------ charts
#: the y-axis label of a unit
ACHSE = {"anzahl": "Anzahl", "anteil": "Anteil", "quote": "Quote", "je_1000": "je 1.000"}
INTERN = "Interne Auswertung: Fallzahlen unter {k} sind nicht gesperrt."


def grafik(daten: pd.DataFrame, titel: str | None = None, *, hervorheben: str | None = None):
    """A chart in the house style of the reports from a tidy frame of ``kz.select`` /
    ``kz.zeitreihe``: lines over the periods, or bars per area for one period.

    One Kennzahl for several areas, or several Kennzahlen of one unit for one area. German
    period labels, shares in percent, the catalog's Zielwert as a dashed line, Gesamtstadt as
    the reference line of a bar chart, an alt text with the values. ``titel``: the finding
    (default: one is stated from the data). ``hervorheben``: an area (or Kennzahl title) drawn
    strong.

    The chart is for internal analysis, like Produkte 1, 2 and 4: small counts are **not**
    suppressed (its alt text says so). A chart that leaves the department goes through the
    disclosure plan of Produkt 3 (:mod:`kennzahlen.disclosure.plan`), not through this call.

    >>> fig = kz.grafik(kz.zeitreihe(pool, "sgb2_quote", ["West", "Gesamtstadt"]))
    >>> fig.axes[0].get_title(loc="left")
    'SGB-II-Quote: West zuletzt unter der Gesamtstadt'
    """
    from kennzahlen.charts import plots

    _pruefe_grafik(daten)
    plots.setup()
    einheit = str(daten["einheit"].iloc[0])
    prozent = EINHEITEN[einheit].anteil if einheit in EINHEITEN else False
    spalte = "raum_name" if daten["kennzahl"].nunique() == 1 else "titel"
    if daten["periode"].nunique() > 1:
        fig = _linien(daten, spalte, titel, prozent, hervorheben)
    else:
        fig = _balken(daten, spalte, titel, prozent, hervorheben)
    from kennzahlen.disclosure.config import load_config

    alt = f"{plots.alt_text(fig) or ''} {INTERN.format(k=load_config().k)}"
    plots.beschreibe(fig, " ".join(alt.split()))  # a wrapped title is one line in the alt text
    return fig


def _pruefe_grafik(daten: pd.DataFrame) -> None:
    fehlt = {"kennzahl", "titel", "raum_name", "periode", "wert", "einheit"} - set(daten.columns)
    if fehlt:
        raise ValueError(
            "kz.grafik braucht die lange Form von kz.select oder kz.zeitreihe (ohne breit=True); "
            f"es fehlen die Spalten {', '.join(sorted(fehlt))}."
        )
    if daten.empty:
        raise ValueError("kz.grafik: die Tabelle ist leer.")
    if daten["kennzahl"].nunique() > 1 and daten["raum_name"].nunique() > 1:
        raise ValueError(
            "kz.grafik zeigt eine Kennzahl für mehrere Räume oder mehrere Kennzahlen für einen "
            "Raum: bitte eine Kennzahl oder einen Raum auswählen."
        )
    if daten["einheit"].nunique() > 1:
        raise ValueError(
            "kz.grafik: die Kennzahlen haben verschiedene Einheiten "
            f"({', '.join(daten['einheit'].unique())}); eine Grafik je Einheit."
        )


def achsen_label(periode: str) -> str:
    """A pool period as a short tick label: '2021', 'Q4 2021', '31.12.21'."""
    if len(periode) == 4:
        return periode
    if ist_quartal(periode):
        return f"Q{periode[-1]} {periode[:4]}"
    return f"{periode[8:10]}.{periode[5:7]}.{periode[2:4]}"


def _linien(daten: pd.DataFrame, spalte: str, titel, prozent: bool, hervorheben) -> Figure:
    from kennzahlen.charts import plots

    linien = daten.assign(linie=daten[spalte].astype(str), wert=daten["wert"].astype(float))
    wide = linien.pivot(index="periode", columns="linie", values="wert")
    wide = wide.loc[sorted(wide.index, key=letzter_tag), list(dict.fromkeys(linien["linie"]))]
    wide.columns.name = None
    letzte = wide.ffill().iloc[-1]
    wide.index = [achsen_label(p) for p in wide.index]
    if titel is None:
        titel = _titel(daten, letzte)
    ziel = None
    if daten["kennzahl"].nunique() == 1:
        k = {k.id: k for k in load_catalog().kennzahlen}.get(daten["kennzahl"].iloc[0])
        ziel = k.zielwert_im(str(daten["periode"].max())[:4]) if k is not None else None
    return plots.zeitreihe(
        wide.astype(float),
        titel,
        prozent=prozent,
        zielwert=ziel,
        hervorheben=hervorheben,
        ylabel=ACHSE.get(str(daten["einheit"].iloc[0]), ""),
    )


def _balken(daten: pd.DataFrame, spalte: str, titel, prozent: bool, hervorheben) -> Figure:
    from kennzahlen.charts import plots

    werte = daten.set_index(spalte)["wert"].astype(float)
    referenz = None
    if GESAMTSTADT in werte.index and len(werte) > 1:
        referenz = float(werte.pop(GESAMTSTADT))
    if titel is None:
        titel = _titel(daten, werte)
    stelle = fmt.prozent(referenz) if prozent else fmt.zahl(referenz, 2) if referenz else ""
    return plots.balken(
        werte,
        titel,
        prozent=prozent,
        hervorheben=hervorheben,
        referenz=referenz,
        referenz_text=f"Gesamtstadt {stelle}" if referenz is not None else "",
        nachkomma=0 if str(daten["einheit"].iloc[0]) == "anzahl" else 2,
    )


def _kurz(titel: str) -> str:
    """A catalog title without its explanation in brackets: 'SGB-II-Quote (Anteil …)' ->
    'SGB-II-Quote'."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", titel) or titel


def _titel(daten: pd.DataFrame, letzte: pd.Series) -> str:
    """A title that states the finding (wrapped to two lines when long)."""
    einheit = str(daten["einheit"].iloc[0])
    if daten["kennzahl"].nunique() > 1:
        text = f"{daten['raum_name'].iloc[0]}: {daten['kennzahl'].nunique()} Kennzahlen im Verlauf"
        return textwrap.fill(text, 70)
    name = _kurz(str(daten["titel"].iloc[0]))
    einzeln = daten["periode"].nunique() == 1
    wann = f" ({fmt.periode(str(daten['periode'].iloc[0]))})" if einzeln else ""
    ohne = letzte.drop(index=GESAMTSTADT, errors="ignore").dropna().astype(float)
    if len(ohne) >= 2:
        wo = "am höchsten" if einzeln else "zuletzt am höchsten"
        text = f"{name}: {wo} in {ohne.idxmax()}{wann}"
    elif len(ohne) == 1 and GESAMTSTADT in letzte and pd.notna(letzte[GESAMTSTADT]):
        lage = "über" if ohne.iloc[0] > float(letzte[GESAMTSTADT]) else "unter"
        lage = "gleichauf mit" if ohne.iloc[0] == float(letzte[GESAMTSTADT]) else lage + " der"
        text = f"{name}: {ohne.index[0]} zuletzt {lage} Gesamtstadt"
    else:
        reihe = daten.sort_values("periode", key=lambda p: p.map(letzter_tag))["wert"]
        a, b = wert_text(float(reihe.iloc[0]), einheit), wert_text(float(reihe.iloc[-1]), einheit)
        raum = str(daten["raum_name"].iloc[0])
        raum = "der Gesamtstadt" if raum == GESAMTSTADT else raum
        text = f"{name} in {raum}: von {a} auf {b}"
    return textwrap.fill(text, 70)
