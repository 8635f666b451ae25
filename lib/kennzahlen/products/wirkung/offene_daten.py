"""The open data of Produkt 3: per year a tidy CSV, a GeoJSON of the areas and a metadata JSON,
written from exactly what the publication ledger says was published.

Cities publish their social monitoring as open data next to the report (Berlin's MSS tables and
geodata, Wegweiser Kommune's CSV/JSON under the Datenlizenz Deutschland). Here every value comes
from the recorded publication the year's reports show (:mod:`kennzahlen.disclosure.
veroeffentlichungen`): a count the plan hid is its symbol ('<3', 'x', 'nicht bewertet'), never
the count; a share or rate is computed from its shown Zähler and Nenner and written as the
report's table writes it (the same rounding), so every number of the HTML equals the CSV.

Folder of a year (goes to an open-data portal as it is)::

    <jahr>/wirkungskennzahlen_<jahr>.csv      one row per Kennzahl and area (``;``, decimal point)
    <jahr>/wirkungskennzahlen_<jahr>.geojson  the areas (WGS 84) with their published values
    <jahr>/metadaten.json                     title, period, Stand, licence, source, definitions
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kennzahlen.catalog.model import Kennzahl, load_catalog
from kennzahlen.core import paths
from kennzahlen.core.vocabulary import ARBEITSFELDER, PRODUKTE
from kennzahlen.products.wirkung.plan import VEROEFFENTLICHUNG, plan_jahr
from kennzahlen.products.wirkung.werte import (
    NICHT_BEWERTET,
    ZIELE,
    erreicht,
    tabellen_raeume,
    tabellen_wert,
)

SPALTEN = [
    "jahr",
    "kennzahl",
    "titel",
    "ziel",
    "arbeitsfeld",
    "raum",
    "zaehler",
    "nenner",
    "wert",
    "einheit",
    "zielwert",
    "zielwert_erreicht",
]
#: the columns in words (metadata)
SPALTEN_TEXT = {
    "jahr": "Berichtsjahr",
    "kennzahl": "Kennung der Kennzahl im Kennzahlenkatalog",
    "titel": "Name der Kennzahl",
    "ziel": "strategisches Ziel der Sozialraumorientierung (1–7, GD 072/23)",
    "arbeitsfeld": "Arbeitsfeld",
    "raum": "Gebiet: Sozialraum, 'ohne Zuordnung' (Fälle ohne bekannte Adresse) oder Gesamtstadt",
    "zaehler": "Zähler (Anzahl) wie veröffentlicht",
    "nenner": "Nenner (Anzahl) wie veröffentlicht; leer bei Anzahlen",
    "wert": "Wert in der Einheit, gerundet wie im Bericht (Anteile in Prozent)",
    "einheit": "Einheit des Werts",
    "zielwert": "Zielwert des Jahres in der Einheit des Werts; leer: kein Zielwert",
    "zielwert_erreicht": (
        "wie in der Tabelle des Berichts: 'erreicht', mit dem 95-%-Intervall 'nicht sicher "
        "verfehlt' oder 'verfehlt' ('nicht erreicht' bei einer Anzahl ohne Nenner); leer: nicht "
        "bewertbar"
    ),
}
EINHEIT = {"anzahl": "Anzahl", "anteil": "Prozent", "quote": "Prozent", "je_1000": "je 1.000"}
DATEI = "wirkungskennzahlen_{jahr}"


@dataclass
class OffeneDaten:
    """One year's open data: the tidy table, the GeoJSON and the metadata."""

    jahr: str
    tabelle: pd.DataFrame
    geojson: dict
    metadaten: dict

    def schreiben(self, ordner: Path) -> list[Path]:
        """Write the three files into ``ordner`` (atomically, file by file)."""
        from kennzahlen.core.safeio import atomic_write

        ordner.mkdir(parents=True, exist_ok=True)
        name = DATEI.format(jahr=self.jahr)
        csv = self.tabelle.to_csv(sep=";", index=False, lineterminator="\n")
        return [
            atomic_write(ordner / f"{name}.csv", csv),
            atomic_write(ordner / f"{name}.geojson", _json(self.geojson, kompakt=True)),
            atomic_write(ordner / "metadaten.json", _json(self.metadaten)),
        ]


def _json(daten: dict, kompakt: bool = False) -> str:
    if kompakt:
        return json.dumps(daten, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(daten, ensure_ascii=False, indent=1) + "\n"


# ---------------------------------------------------------------------------- from the ledger
def veroeffentlichung(pool: pd.DataFrame, jahr: str):
    """The recorded publication the year's reports of this pool show (None: none recorded)."""
    from kennzahlen.disclosure import veroeffentlichungen as buch
    from kennzahlen.pool import store as poolstore

    quelle = pool.attrs.get(VEROEFFENTLICHUNG)
    plan = plan_jahr(pool, jahr)
    if quelle is None or plan is None or plan.nr is None:
        return None
    alle = buch.load_veroeffentlichungen(poolstore.root_of(Path(quelle)), 3, jahr)
    return next((v for v in alle if v.nr == plan.nr), None)


def zahl_text(text: str) -> str:
    """A value as the report writes it ('1.234,5 %') in machine form ('1234.5')."""
    return text.replace("\xa0%", "").replace(".", "").replace(",", ".").strip()


def _zeichen(status: str, wert: float, k: int, symbol: str) -> str:
    if status == "wert":
        return str(int(round(wert)))
    return {"klein": f"<{k}", "gesperrt": symbol, "frei": NICHT_BEWERTET}.get(status, "")


def _wert(
    kz: Kennzahl, teile: dict[str, tuple[str, float]], symbol: str, da: bool = True
) -> tuple[str, float]:
    """The value's text and number from the shown counts (as the report's table shows it);
    ``da``: whether the area has a value at all (the report shows '–' where it has none)."""
    st = [s for s, _ in teile.values()]
    if not da or not st or "leer" in st or teile.get("Nenner") == ("wert", 0.0):
        return "", math.nan  # no value (a Nenner of 0 has none either)
    if all(s == "wert" for s in st):
        z = teile["Zähler"][1]
        wert = z / teile["Nenner"][1] * kz.faktor if "Nenner" in teile else z
        return zahl_text(tabellen_wert(kz, wert)), wert
    return (NICHT_BEWERTET if "frei" in st else symbol), math.nan


def tabelle(
    frame: pd.DataFrame,
    jahr: str,
    k: int = 3,
    symbol: str = "x",
    ohne_wert: set[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """The tidy table of one recorded publication (its ledger frame): a row per Kennzahl and
    area, the counts as shown (number, '<k', 'x', 'nicht bewertet', '' for no value).

    ``ohne_wert``: (kennzahl, area) without a value although its counts are published (a yearly
    share of 'ohne Zuordnung' whose quarters are not all there: the report shows '–')."""
    cat = load_catalog()
    orte = {
        (r.kennzahl, r.teil, r.raum): (r.status, float(r.wert))
        for r in frame.itertuples(index=False)
    }
    ids = list(dict.fromkeys(frame["kennzahl"]))
    rows = []
    for kid in ids:
        kz = cat.get(kid)
        if kz.in_euro:  # the ledger holds counts; amounts in Euro are not in the open data yet
            continue
        for raum in tabellen_raeume():
            teile = {
                t: orte[(kid, t, raum)] for t in ("Zähler", "Nenner") if (kid, t, raum) in orte
            }
            da = (kid, raum) not in (ohne_wert or set())
            rows.append(_zeile(kz, jahr, raum, teile, k, symbol, da))
    return pd.DataFrame(rows, columns=SPALTEN)


def _zeile(
    kz: Kennzahl, jahr: str, raum: str, teile: dict, k: int, symbol: str, da: bool = True
) -> dict:
    wert_text, wert = _wert(kz, teile, symbol, da)
    zeichen = {t: _zeichen(s, w, k, symbol) for t, (s, w) in teile.items()}
    ziel = kz.zielwert_im(jahr)
    if wert_text == NICHT_BEWERTET:  # the report shows the whole row so
        zeichen = dict.fromkeys(zeichen, NICHT_BEWERTET)
    return {
        "jahr": str(jahr),
        "kennzahl": kz.id,
        "titel": kz.titel,
        "ziel": kz.ziel or "",
        "arbeitsfeld": ARBEITSFELDER.get(kz.arbeitsfeld or "", ""),
        "raum": raum,
        "zaehler": zeichen.get("Zähler", ""),
        "nenner": zeichen.get("Nenner", ""),
        "wert": wert_text,
        "einheit": EINHEIT[kz.einheit],
        "zielwert": "" if ziel is None else zahl_text(tabellen_wert(kz, ziel)),
        "zielwert_erreicht": _ziel_text(kz, jahr, wert, wert_text, teile),
    }


def _ziel_text(kz: Kennzahl, jahr: str, wert: float, wert_text: str, teile: dict) -> str:
    """The Zielwert judged as the report's table judges it: with the value's 95 % interval
    ('erreicht', 'nicht sicher verfehlt', 'verfehlt') where Zähler and Nenner are shown."""
    from kennzahlen.products.wirkung import unsicherheit

    if wert_text == NICHT_BEWERTET:
        return NICHT_BEWERTET
    if kz.nenner and not math.isnan(wert) and {"Zähler", "Nenner"} <= set(teile):
        lo_hi = unsicherheit.intervall(kz, teile["Zähler"][1], teile["Nenner"][1])
        return unsicherheit.zielvergleich(kz, jahr, wert, lo_hi) or ""
    ok = erreicht(kz, wert, jahr)
    return "" if ok is None else ("erreicht" if ok else "nicht erreicht")


# ---------------------------------------------------------------------------- GeoJSON, metadata
def _eigenschaft(text: str) -> object:
    """A published text as a GeoJSON property: a number where it is one, else the text (None for
    no value)."""
    if text == "":
        return None
    try:
        zahl = float(text)
    except ValueError:
        return text
    return int(zahl) if zahl.is_integer() and "." not in text else zahl


def geojson(tab: pd.DataFrame, jahr: str) -> dict:
    """The areas with their published values (WGS 84); 'ohne Zuordnung' without a geometry."""
    from shapely.geometry import mapping

    from kennzahlen.catalog.geography import gebiets_polygone

    poly = gebiets_polygone()
    features = []
    for raum in tabellen_raeume():
        props: dict[str, object] = {"raum": raum, "jahr": str(jahr)}
        for r in tab[tab["raum"] == raum].itertuples(index=False):
            props[r.kennzahl] = _eigenschaft(r.wert)
            props[f"{r.kennzahl}_zaehler"] = _eigenschaft(r.zaehler)
            if r.nenner != "" or load_catalog().get(r.kennzahl).nenner:
                props[f"{r.kennzahl}_nenner"] = _eigenschaft(r.nenner)
        geom = None
        if poly is not None and raum in poly.index:
            geom = _gerundet(mapping(poly.geometry[raum]))
        features.append({"type": "Feature", "properties": props, "geometry": geom})
    return {"type": "FeatureCollection", "name": DATEI.format(jahr=jahr), "features": features}


def _gerundet(obj: object) -> object:
    """Coordinates to 6 decimals (about 10 cm): small files, no false precision."""
    if isinstance(obj, float):
        return round(obj, 6)
    if isinstance(obj, list | tuple):
        return [_gerundet(x) for x in obj]
    if isinstance(obj, dict):
        return {key: _gerundet(v) for key, v in obj.items()}
    return obj


def katalog_version() -> str:
    """The catalog's version: a hash of config/kennzahlen.yaml (changes with any definition)."""
    text = (paths.CONFIG / "kennzahlen.yaml").read_bytes()
    return "sha256:" + hashlib.sha256(text).hexdigest()[:16]


def definitionen(ids: list[str], jahr: str) -> list[dict]:
    """Per Kennzahl of the table its definition as valid in the year, unit, target and source."""
    from kennzahlen.products.common import terme_text

    out = []
    for kid in ids:
        k = load_catalog().get(kid)
        ziel = k.zielwert_im(jahr)
        out.append(
            {
                "kennzahl": k.id,
                "titel": k.titel,
                "ziel": f"{k.ziel}: {ZIELE[k.ziel]}" if k.ziel else "",
                "arbeitsfeld": ARBEITSFELDER.get(k.arbeitsfeld or "", ""),
                "definition": k.definition_im(jahr) or k.definition,
                "zaehler": terme_text(k.zaehler),
                "nenner": terme_text(k.nenner),
                "einheit": EINHEIT[k.einheit],
                "richtung": k.richtung or "",
                "zielwert": None if ziel is None else zahl_text(tabellen_wert(k, ziel)),
                "quelle": k.quelle,
                "aktualisierung": k.aktualisierung,
                "vorbehalte": k.vorbehalte,
            }
        )
    return out


def metadaten(tab: pd.DataFrame, jahr: str, v, pool: pd.DataFrame) -> dict:
    """Title, period, Stand, licence, publisher, source, catalog version, symbols, columns and
    definitions of a year's open data (``v``: its recorded publication)."""
    from kennzahlen.catalog import veroeffentlichung as vc
    from kennzahlen.catalog.geography import stadt
    from kennzahlen.disclosure import config as disclosure_config
    from kennzahlen.disclosure.suppression import legende
    from kennzahlen.pool.load import load_pool

    cfg, veroeff = disclosure_config.load_config(), vc.load_config()
    ids = list(dict.fromkeys(tab["kennzahl"]))
    tabellen = sorted({t for kid in ids for t in load_catalog().tables_of(load_catalog().get(kid))})
    stand = load_pool(pool, "stand")
    stand = stand[stand["tabelle"].isin(tabellen)].groupby("tabelle")["stand"].max()
    code, name, url = veroeff.lizenz_text()
    titel = f"{PRODUKTE[3].titel} {jahr}" + (f" – {stadt()}" if stadt() else "")
    herausgeber = vc.herausgeber()
    return {
        "titel": titel,
        "beschreibung": (
            "Wirkungskennzahlen der Sozialraumorientierung (7 strategische Ziele × "
            "Arbeitsfelder, GD 072/23) je Sozialraum und für die Gesamtstadt, wie im Bericht "
            "veröffentlicht: kleine Fallzahlen sind aus Datenschutzgründen nicht ausgewiesen."
        ),
        "zeitraum": {"jahr": str(jahr), "von": f"{jahr}-01-01", "bis": f"{jahr}-12-31"},
        "stand": {t: pd.Timestamp(s).date().isoformat() for t, s in stand.items()},
        "veroeffentlichung": {"nr": v.nr, "erstellt": v.info.get("erstellt", "")},
        "herausgeber": herausgeber,
        "lizenz": {"id": code, "name": name, "url": url},
        "namensnennung": f"{herausgeber}: {titel}" if herausgeber else titel,
        "quelle": f"{herausgeber or 'Abteilung Soziales'}; Fachverfahren und Lieferungen: "
        + ", ".join(_quellen(ids)),
        "katalog_version": katalog_version(),
        "geheimhaltung": {
            "mindestfallzahl": cfg.k,
            "zeichen": legende(cfg.k, cfg.symbol_sekundaer),
        },
        "dateien": [
            {
                "name": f"{DATEI.format(jahr=jahr)}.csv",
                "format": "CSV",
                "kodierung": "UTF-8",
                "trennzeichen": ";",
                "dezimalzeichen": ".",
            },
            {
                "name": f"{DATEI.format(jahr=jahr)}.geojson",
                "format": "GeoJSON",
                "koordinaten": "WGS 84 (EPSG:4326)",
            },
        ],
        "spalten": SPALTEN_TEXT,
        "definitionen": definitionen(ids, jahr),
    }


def ohne_wert(pool: pd.DataFrame, v, jahr: str) -> set[tuple[str, str]]:
    """The (kennzahl, area) of a publication without a value in the pool: only whether a value
    exists is read from the pool, never a number."""
    from kennzahlen.products.wirkung.werte import zaehltabelle

    out = set()
    for kid in dict.fromkeys(v.frame()["kennzahl"]):
        werte = zaehltabelle(pool, load_catalog().get(kid), jahr)["wert"]
        out |= {(kid, raum) for raum, w in werte.items() if pd.isna(w)}
    return out


def _quellen(ids: list[str]) -> list[str]:
    """The source systems of the Kennzahlen, each once, in order of first mention."""
    teile = [q.strip() for kid in ids for q in load_catalog().get(kid).quelle.split(";")]
    return list(dict.fromkeys(q for q in teile if q))


def offene_daten(pool: pd.DataFrame, jahr: str) -> OffeneDaten | None:
    """The open data of a year from the recorded publication this pool's reports show (None: no
    publication recorded, e.g. a year without values). ``pool``: a frame marked by
    :func:`kennzahlen.products.wirkung.plan.zur_veroeffentlichung`."""
    from kennzahlen.disclosure import config as disclosure_config

    v = veroeffentlichung(pool, jahr)
    if v is None:
        return None
    cfg = disclosure_config.load_config()
    tab = tabelle(v.frame(), str(jahr), cfg.k, cfg.symbol_sekundaer, ohne_wert(pool, v, str(jahr)))
    return OffeneDaten(str(jahr), tab, geojson(tab, str(jahr)), metadaten(tab, str(jahr), v, pool))


def schreiben(pool_dir: Path | str, jahre: list[str], ziel: Path) -> list[Path]:
    """Write the open data of every year with a recorded publication into ``ziel/<jahr>/`` and
    a page listing them (``ziel/index.html``). Returns the files written."""
    from kennzahlen.core.safeio import atomic_write
    from kennzahlen.pool.load import load_pool
    from kennzahlen.products.wirkung.plan import zur_veroeffentlichung

    pool = zur_veroeffentlichung(load_pool(pool_dir), pool_dir)
    geschrieben, jahre_da = [], []
    for jahr in jahre:
        daten = offene_daten(pool, jahr)
        if daten is not None:
            geschrieben += daten.schreiben(ziel / str(jahr))
            jahre_da.append(daten)
    if jahre_da:
        geschrieben.append(atomic_write(ziel / "index.html", verzeichnis(jahre_da)))
    return geschrieben


def verzeichnis(jahre: list[OffeneDaten]) -> str:
    """A page listing the years and their files (for the index page of the quarter)."""
    import html

    items = "".join(
        f"<li><b>{d.jahr}</b>: "
        + " · ".join(
            f'<a href="{d.jahr}/{html.escape(f["name"])}">{html.escape(f["format"])}</a>'
            for f in d.metadaten["dateien"]
        )
        + f' · <a href="{d.jahr}/metadaten.json">Metadaten</a></li>'
        for d in jahre
    )
    lizenz = jahre[-1].metadaten["lizenz"]
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8"><title>Offene Daten: '
        f"{html.escape(PRODUKTE[3].titel)}</title></head><body><main><h1>Offene Daten: "
        f"{html.escape(PRODUKTE[3].titel)}</h1><p>Je Jahr die veröffentlichten Werte als CSV, die "
        "Gebiete mit ihren Werten als GeoJSON und die Metadaten. Lizenz: "
        f'<a href="{html.escape(lizenz["url"])}">{html.escape(lizenz["name"])}</a>.</p>'
        f"<ul>{items}</ul></main></body></html>\n"
    )
