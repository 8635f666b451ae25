"""Produkt 1 – Sozialmonitoring: status and dynamics of the Stadtviertel (the Sozialindex).

Reads the pool tables ``sozialindex`` and ``sozialindex_indikatoren``
(:mod:`kennzahlen.sozialindex.berechnung`) and shows, for the report year: a status map and a
dynamics map
(class colours and codes, the Stadtviertel without a polygon as a table), the overlay of both
(4 × 3 for the MSS classes) with the Stadtviertel in each cell, the "Gebiete mit besonderem
Aufmerksamkeitsbedarf" with the indicators that put them there, and for a Sozialraum report its
Stadtviertel against the city.
The sentences (key messages, stability, method) are in :mod:`.sozialmonitoring_text`.
Produkt 1 is internal; this section shows shares, z-values and classes, never case counts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from kennzahlen.catalog.geography import flaechen, raumgliederung
from kennzahlen.charts import klassen as plots_klassen
from kennzahlen.core import fmt, periods
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.pool.load import PoolMissing, load_pool
from kennzahlen.products import common
from kennzahlen.sozialindex.berechnung import NICHT_BEWERTET, fingerabdruck
from kennzahlen.sozialindex.config import SozialindexConfig, SozialindexError
from kennzahlen.sozialindex.config import load as load_config
from kennzahlen.sozialindex.config import vorhanden as config_vorhanden

MARKE = "◆"  # an overlay cell of the Gebiete mit besonderem Aufmerksamkeitsbedarf
OHNE_DYNAMIK = "ohne Dynamik"


@dataclass
class Lage:
    """What the pool holds of the Sozialindex for one report (year and area)."""

    jahr: str
    raum: str
    cfg: SozialindexConfig | None = None
    gebiete: pd.DataFrame = field(default_factory=pd.DataFrame)  # the year, with 'name'
    indikatoren: pd.DataFrame = field(default_factory=pd.DataFrame)  # the year
    alle: pd.DataFrame = field(default_factory=pd.DataFrame)  # every year, with 'name'
    hinweis: str = ""  # why nothing is shown, or a caveat

    @property
    def periode(self) -> str:
        return periods.jahres_stichtag(self.jahr)

    @property
    def leer(self) -> bool:
        return self.cfg is None or self.gebiete.empty

    @property
    def gebiet(self) -> str:
        return "die Gesamtstadt" if self.raum == GESAMTSTADT else f"den Sozialraum {self.raum}"

    @property
    def gebiet_wer(self) -> str:
        return "Die Gesamtstadt" if self.raum == GESAMTSTADT else f"Der Sozialraum {self.raum}"

    def im_raum(self, df: pd.DataFrame | None = None) -> pd.DataFrame:
        """The rows of the report's area (all for Gesamtstadt)."""
        df = self.gebiete if df is None else df
        return df if self.raum == GESAMTSTADT else df[df["sozialraum"] == self.raum]

    def bewertet(self) -> pd.DataFrame:
        return self.gebiete[self.gebiete["bewertet"]]

    @property
    def config(self) -> SozialindexConfig:
        """The Sozialindex configuration, for the parts shown only when the Lage has one."""
        if self.cfg is None:
            raise SozialindexError(
                self.hinweis or "Für diesen Bericht ist kein Sozialindex geladen."
            )
        return self.cfg

    def titel(self, ind_id: str) -> str:
        return next(i.titel for i in self.config.indikatoren if i.id == ind_id)

    @property
    def dynamik_von(self) -> str:
        return str(int(self.jahr) - self.config.dynamik.jahre)


def load_lage(pool: str | Path | None, jahr: str, raum: str) -> Lage:
    """The Sozialindex of the report year; :attr:`Lage.hinweis` says why when there is none."""
    lage = Lage(str(jahr), raum)
    if not config_vorhanden():
        lage.hinweis = (
            "Für diese Stadt ist kein Sozialindex eingerichtet (config/sozialindex.yaml fehlt); "
            "der Abschnitt entfällt."
        )
        return lage
    try:
        lage.cfg = load_config()
        alle = load_pool(pool, "sozialindex")
        ind = load_pool(pool, "sozialindex_indikatoren")
    except (PoolMissing, SozialindexError) as exc:
        lage.cfg = None
        lage.hinweis = f"Der Sozialindex fehlt im Datenpool: {exc}"
        return lage
    namen = dict(
        zip(
            *(raumgliederung()[c].astype(str) for c in ("stadtviertel_nr", "stadtviertel")),
            strict=True,
        )
    )
    lage.alle = alle.assign(name=alle["stadtviertel_nr"].map(namen).fillna(alle["stadtviertel_nr"]))
    lage.gebiete = lage.alle[lage.alle["periode"] == lage.periode].reset_index(drop=True)
    lage.indikatoren = ind[ind["periode"] == lage.periode].reset_index(drop=True)
    if lage.gebiete.empty:
        jahre = sorted(alle["jahr"].unique())
        bereich = f"er enthält die Jahre {jahre[0]} bis {jahre[-1]}" if jahre else "er ist leer"
        lage.hinweis = (
            f"Für {lage.jahr} enthält der Datenpool keinen Sozialindex ({bereich}): es fehlen "
            f"Indikatorwerte zum 31.12.{lage.jahr}."
        )
    elif set(alle["konfiguration"]) != {fingerabdruck(lage.config)}:
        lage.hinweis = (
            "Hinweis: config/sozialindex.yaml wurde nach dem Bau des Datenpools geändert; "
            "die Ergebnisse stammen noch aus der alten Fassung. Bitte `kennzahlen pool` neu "
            "ausführen."
        )
    return lage


def hinweis(lage: Lage) -> HTML:
    """The note on what is missing (empty when all is there)."""
    return common.hinweis(lage.hinweis) if lage.hinweis else HTML("")


# ---------------------------------------------------------------------------- maps
def _status_kuerzel(lage: Lage) -> dict[str, str]:
    return {k.name: str(i + 1) for i, k in enumerate(lage.config.status_klassen)}


def _dynamik_kuerzel(lage: Lage) -> dict[str, str]:
    namen = [k.name for k in lage.config.dynamik_klassen]
    if len(namen) == 3:
        return dict(zip(namen, ("+", "±", "−"), strict=True))
    return {n: str(i + 1) for i, n in enumerate(namen)}


def _klassen_alt(lage: Lage, spalte: str, namen: list[str]) -> str:
    """'sehr niedrig: <names>; niedrig: …; mittel: 38 Stadtviertel; …' (names up to eight)."""
    teile = []
    for n in namen:
        teil = lage.gebiete[lage.gebiete[spalte] == n]
        stv = teil.sort_values(spalte.replace("klasse", "index"), ascending=False)["name"].tolist()
        if stv:
            teile.append(
                f"{n}: " + (", ".join(stv) if len(stv) <= 8 else f"{len(stv)} Stadtviertel")
            )
    nb = int((~lage.gebiete["bewertet"]).sum())
    if nb:
        teile.append(f"{NICHT_BEWERTET}: {nb} Stadtviertel")
    return "; ".join(teile)


def statuskarte(lage: Lage) -> HTML:
    """The status map (whole city, the Sozialraum outlined) as an image with alt text."""
    karte = flaechen()
    if lage.leer or karte is None or karte.gdf.empty:
        return HTML("")
    namen = [k.name for k in lage.config.status_klassen]
    farben = plots_klassen.klassenfarben(namen, plots_klassen.STATUS_FARBEN)
    klassen = dict(zip(lage.gebiete["stadtviertel_nr"], lage.gebiete["status_klasse"], strict=True))
    schlechteste = lage.bewertet().sort_values("status_index").iloc[-1]["name"]
    titel = f"Status {lage.jahr}: am niedrigsten in {schlechteste}" + _umrandet_text(lage)
    alt = f"Karte der Stadtviertel nach Statusklasse {lage.jahr}. " + _klassen_alt(
        lage, "status_klasse", namen
    )
    fig = plots_klassen.klassenkarte(
        klassen,
        karte.gdf,
        titel,
        farben,
        _status_kuerzel(lage),
        _umrandet(lage),
        nicht_bewertet=f"nicht bewertet (unter {fmt.zahl(lage.config.mindestbevoelkerung)} Einw.)",
        alt=alt,
        namen=_karten_namen(lage, schlechteste),
        ohne_flaeche=_ohne_flaeche(lage, "status_klasse", karte),
    )
    return plots_klassen.bild(fig)


def dynamikkarte(lage: Lage) -> HTML:
    """The dynamics map (change over the dynamic period) as an image with alt text."""
    karte = flaechen()
    if lage.leer or karte is None or karte.gdf.empty:
        return HTML("")
    if lage.gebiete["dynamik_klasse"].isna().all():
        return common.hinweis(
            f"Eine Dynamik lässt sich für {lage.jahr} nicht berechnen: der Datenpool enthält "
            f"keine Werte zum 31.12.{lage.dynamik_von}."
        )
    namen = [k.name for k in lage.config.dynamik_klassen]
    farben = plots_klassen.klassenfarben(namen, plots_klassen.DYNAMIK_FARBEN)
    klassen = dict(
        zip(lage.gebiete["stadtviertel_nr"], lage.gebiete["dynamik_klasse"], strict=True)
    )
    neg = lage.gebiete[lage.gebiete["dynamik_klasse"] == namen[-1]]
    kern = (
        f"{len(neg)} Stadtviertel mit Dynamik {namen[-1]}"
        if len(neg)
        else f"keine Dynamik {namen[-1]}"
    )
    titel = f"Dynamik {lage.dynamik_von}–{lage.jahr}: {kern}" + _umrandet_text(lage)
    alt = (
        f"Karte der Stadtviertel nach Dynamikklasse {lage.dynamik_von} bis {lage.jahr}. "
        + _klassen_alt(lage, "dynamik_klasse", namen)
    )
    fig = plots_klassen.klassenkarte(
        klassen,
        karte.gdf,
        titel,
        farben,
        _dynamik_kuerzel(lage),
        _umrandet(lage),
        nicht_bewertet="nicht bewertet",
        alt=alt,
        namen=_karten_namen(lage),
        ohne_flaeche=_ohne_flaeche(lage, "dynamik_klasse", karte),
    )
    return plots_klassen.bild(fig)


def _karten_namen(lage: Lage, *vorne: str) -> dict[str, str]:
    """The Stadtviertel named on a map: those a sentence names (``vorne``: names), the Gebiete
    mit besonderem Aufmerksamkeitsbedarf, and in a Sozialraum's report its own Stadtviertel."""
    g = lage.gebiete
    wahl = g["name"].isin(vorne) | g.get("aufmerksamkeit", False)
    if lage.raum != GESAMTSTADT:
        wahl = wahl | (g["sozialraum"] == lage.raum)
    return dict(zip(g.loc[wahl, "stadtviertel_nr"], g.loc[wahl, "name"], strict=True))


def _ohne_flaeche(lage: Lage, spalte: str, karte) -> list[tuple[str, str | None]]:
    """(name, class) of the report's Stadtviertel without a polygon (the Ortschaften)."""
    g = lage.gebiete[~lage.gebiete["stadtviertel_nr"].isin(list(karte.gdf.index))]
    return [(r["name"], r[spalte] if pd.notna(r[spalte]) else None) for _, r in g.iterrows()]


def _umrandet(lage: Lage) -> list[str]:
    return [] if lage.raum == GESAMTSTADT else lage.im_raum()["stadtviertel_nr"].tolist()


def _umrandet_text(lage: Lage) -> str:
    return "" if lage.raum == GESAMTSTADT else f"; umrandet: {lage.raum}"


def ohne_polygon(lage: Lage) -> HTML:
    """The Stadtviertel of the report without a polygon (all, without a map) with their classes."""
    if lage.leer:
        return HTML("")
    karte = flaechen()
    g = lage.im_raum()
    if karte is not None:
        g = g[~g["stadtviertel_nr"].isin(list(karte.gdf.index))]
    if g.empty:
        return HTML("")
    tab = pd.DataFrame(
        {
            "Status": [
                _klasse_text(k, i)
                for k, i in zip(g["status_klasse"], g["status_index"], strict=True)
            ],
            f"Dynamik {lage.dynamik_von}–{lage.jahr}": [
                _klasse_text(k, i)
                for k, i in zip(g["dynamik_klasse"], g["dynamik_index"], strict=True)
            ],
        },
        index=[f"{nr} {n}" for nr, n in zip(g["stadtviertel_nr"], g["name"], strict=True)],
    )
    titel = "Ortschaften ohne Grenzlinie in den Karten" if karte is not None else "Stadtviertel"
    return common.styled(
        tab, caption=f"{titel} ({lage.jahr}): Klasse und Abstand zum Durchschnitt in SD"
    )


def _klasse_text(klasse: str | None, index: float | None) -> str:
    """A class in words with its distance from the average in words a reader reads the right
    way: 'sehr niedrig (4,1 SD ungünstiger)', 'hoch (1,1 SD günstiger)' (a positive index is
    always the unfavourable side, which a bare '+4,10' next to 'sehr niedrig' hid)."""
    if klasse is None or pd.isna(klasse):
        return "–"
    if index is None or pd.isna(index):
        return str(klasse)
    abstand = fmt.zahl(abs(float(index)), 1)
    if abstand == fmt.zahl(0, 1):
        return f"{klasse} (durchschnittlich)"
    seite = "ungünstiger" if float(index) > 0 else "günstiger"
    return f"{klasse} ({abstand}{fmt.NBSP}SD {seite})"


def karten_fuss() -> HTML:
    """Source and CRS of the polygons under the maps."""
    karte = flaechen()
    return HTML(f"<p class='kz-fuss'>{html.escape(karte.hinweis())}</p>") if karte else HTML("")


# ---------------------------------------------------------------------------- overlay
def ueberlagerung(lage: Lage) -> HTML:
    """The overlay table: status classes × dynamic classes, the Stadtviertel in each cell."""
    if lage.leer:
        return HTML("")
    g = lage.bewertet()
    zeilen = [k.name for k in lage.config.status_klassen]
    spalten = [k.name for k in lage.config.dynamik_klassen]
    dyn = g["dynamik_klasse"].fillna(OHNE_DYNAMIK).replace(NICHT_BEWERTET, OHNE_DYNAMIK)
    if (dyn == OHNE_DYNAMIK).any():
        spalten.append(OHNE_DYNAMIK)
    eigene = set(lage.im_raum(g)["stadtviertel_nr"])
    zellen = {}
    for s in zeilen:
        for d in spalten:
            teil = g[(g["status_klasse"] == s) & (dyn == d)]
            zellen[(s, d)] = _zelle(lage, teil, eigene, s, d)
    tab = pd.DataFrame(
        [[zellen[(s, d)] for d in spalten] for s in zeilen],
        index=[f"Status {s}" for s in zeilen],
        columns=[d if d == OHNE_DYNAMIK else f"Dynamik {d}" for d in spalten],
    )
    raum = (
        ""
        if lage.raum == GESAMTSTADT
        else f"; genannt die Stadtviertel des Sozialraums {lage.raum}"
    )
    cap = (
        f"Status {lage.jahr} und Dynamik {lage.dynamik_von}–{lage.jahr} der "
        f"{len(g)} bewerteten Stadtviertel (Anzahl je Feld{raum}); {MARKE} = Gebiete mit "
        f"besonderem Aufmerksamkeitsbedarf"
    )
    return HTML(f"<div class='kz-matrix'>{common.styled(tab, caption=cap).data}</div>")


def _zelle(lage: Lage, teil: pd.DataFrame, eigene: set[str], status: str, dynamik: str) -> str:
    achtung = any(
        z.status == status and (z.dynamik is None or z.dynamik == dynamik)
        for z in lage.config.aufmerksamkeit
    )
    marke = f"{MARKE} " if achtung else ""
    if teil.empty:
        return f"{marke}0".strip() if achtung else "0"
    namen = teil[teil["stadtviertel_nr"].isin(eigene)].sort_values("status_index", ascending=False)[
        "name"
    ]
    if lage.raum == GESAMTSTADT:
        return f"{marke}{len(teil)}" + (f": {', '.join(namen)}" if len(namen) else "")
    hier = f"; davon in {lage.raum}: {', '.join(namen)}" if len(namen) else ""
    return f"{marke}{len(teil)} in der Stadt{hier}"


# ---------------------------------------------------------------------------- attention areas
def _auffaellig(lage: Lage, nr: str) -> str:
    """The indicators that put a Stadtviertel where it is: each with a positive z-value (status)
    or a positive z-value of its change (dynamics), largest first."""
    ind = lage.indikatoren[lage.indikatoren["stadtviertel_nr"] == nr]
    teile = []
    for r in ind.sort_values("z", ascending=False).itertuples():
        if pd.notna(r.z) and r.z > 0:
            teile.append(
                f"{lage.titel(r.indikator)} {fmt.prozent(r.wert)} ({fmt.differenz(r.z, 0, 1)} SD)"
            )
    dyn = [
        f"{lage.titel(r.indikator)} {fmt.differenz(r.veraenderung * 100, 0, 1)}{fmt.NBSP}Pp. "
        f"({fmt.differenz(r.z_dynamik, 0, 1)} SD)"
        for r in ind.sort_values("z_dynamik", ascending=False).itertuples()
        if pd.notna(r.z_dynamik) and r.z_dynamik > 0
    ]
    text = "; ".join(teile) or "kein Indikator über dem Durchschnitt"
    if dyn:
        text += f" · seit {lage.dynamik_von}: " + "; ".join(dyn)
    return text


def aufmerksamkeit(lage: Lage) -> HTML:
    """The Gebiete mit besonderem Aufmerksamkeitsbedarf of the area, with the indicators behind."""
    if lage.leer:
        return HTML("")
    alle = lage.gebiete[lage.gebiete["aufmerksamkeit"]]
    g = lage.im_raum(alle).sort_values("status_index", ascending=False)
    stadt = f" (in der Stadt {len(alle)})" if lage.raum != GESAMTSTADT else ""
    if g.empty:
        return HTML(
            f"<p>{html.escape(lage.gebiet_wer)} hat {lage.jahr} kein Gebiet mit besonderem "
            f"Aufmerksamkeitsbedarf{html.escape(stadt)}.</p>"
        )
    tab = pd.DataFrame(
        {
            "Sozialraum": g["sozialraum"].to_numpy(),
            "Status": [
                _klasse_text(k, i)
                for k, i in zip(g["status_klasse"], g["status_index"], strict=True)
            ],
            "Dynamik": [
                _klasse_text(k, i)
                for k, i in zip(g["dynamik_klasse"], g["dynamik_index"], strict=True)
            ],
            "Indikatoren (Wert, Abstand zum Durchschnitt)": [
                _auffaellig(lage, nr) for nr in g["stadtviertel_nr"]
            ],
        },
        index=g["name"].to_numpy(),
    )
    cap = f"Gebiete mit besonderem Aufmerksamkeitsbedarf {lage.jahr}: {len(g)}{stadt}"
    return common.styled(tab, caption=cap)


# ---------------------------------------------------------------------------- area against city
def vergleich(lage: Lage, daten: pd.DataFrame) -> HTML:
    """Sozialraum report: its Stadtviertel against the city (indicator values, index, classes).
    Gesamtstadt report: per Sozialraum how many Stadtviertel fall in each status class."""
    if lage.leer:
        return HTML("")
    if lage.raum == GESAMTSTADT:
        return _je_sozialraum(lage)
    g = lage.im_raum()
    ind = lage.indikatoren.pivot(index="stadtviertel_nr", columns="indikator", values="wert")
    ids = [i.id for i in lage.config.indikatoren]
    zeilen = {}
    for r in g.itertuples():
        werte = [
            fmt.prozent(ind.at[r.stadtviertel_nr, i]) if r.stadtviertel_nr in ind.index else "–"
            for i in ids
        ]
        zeilen[f"{r.stadtviertel_nr} {r.name}"] = [
            *werte,
            _klasse_text(r.status_klasse, r.status_index),
            _klasse_text(r.dynamik_klasse, r.dynamik_index),
        ]
    for ebene, raum, label in (
        ("sozialraum", lage.raum, f"Sozialraum {lage.raum}"),
        ("gesamtstadt", GESAMTSTADT, GESAMTSTADT),
    ):
        zeilen[label] = [*(_gebietswert(daten, lage, i, ebene, raum) for i in ids), "", ""]
    spalten = [
        *(lage.titel(i) for i in ids),
        f"Status {lage.jahr}",
        f"Dynamik {lage.dynamik_von}–{lage.jahr}",
    ]
    tab = pd.DataFrame.from_dict(zeilen, orient="index", columns=spalten)
    cap = (
        f"Stadtviertel des Sozialraums {lage.raum} {lage.jahr} gegen Sozialraum und Stadt "
        f"(Index in SD)"
    )
    return common.styled(tab, caption=cap)


def _gebietswert(daten: pd.DataFrame, lage: Lage, ind_id: str, ebene: str, raum: str) -> str:
    kz = next(i.kennzahl for i in lage.config.indikatoren if i.id == ind_id)
    s = daten[
        (daten["kennzahl"] == kz)
        & (daten["ebene"] == ebene)
        & (daten["raum"] == raum)
        & (daten["periode"] == lage.periode)
    ]["wert"]
    return fmt.prozent(float(s.iloc[0])) if len(s) else "–"


def _je_sozialraum(lage: Lage) -> HTML:
    klassen = [k.name for k in lage.config.status_klassen]
    g = lage.gebiete
    tab = pd.crosstab(g["sozialraum"], g["status_klasse"]).reindex(
        columns=[*klassen, NICHT_BEWERTET], fill_value=0
    )
    tab["Aufmerksamkeit"] = g.groupby("sozialraum")["aufmerksamkeit"].sum()
    tab.loc[GESAMTSTADT] = tab.sum()
    tab = tab.rename_axis(index=None, columns=None)
    tab = tab.astype(int).astype(str)
    tab.columns = [*(f"Status {k}" for k in klassen), NICHT_BEWERTET, f"{MARKE} Aufmerksamkeit"]
    return common.styled(
        tab, caption=f"Stadtviertel je Sozialraum und Statusklasse {lage.jahr} (Anzahl)"
    )


def wechsel(lage: Lage) -> HTML:
    """The Stadtviertel of the area whose status class changed over the years in the pool."""
    if lage.leer:
        return HTML("")
    a = lage.im_raum(lage.alle[lage.alle["jahr"] <= lage.jahr])
    breit = a.pivot(index="name", columns="jahr", values="status_klasse")
    geaendert = breit[breit.nunique(axis=1) > 1]
    if geaendert.empty:
        return HTML(
            f"<p>Seit {breit.columns[0]} hat kein Stadtviertel in {html.escape(lage.gebiet)} "
            "die Statusklasse gewechselt.</p>"
        )
    cap = f"Stadtviertel mit wechselnder Statusklasse {breit.columns[0]}–{lage.jahr}"
    geaendert = geaendert.fillna("–").rename_axis(index=None, columns=None)
    return common.styled(geaendert, caption=cap)
