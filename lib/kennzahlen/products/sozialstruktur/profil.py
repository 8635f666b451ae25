"""Stadtviertel profiles (Produkt 1 companion, internal): one A4 page per Stadtviertel.

After Wiesbaden's Stadtteilprofile and Fingertips' area profiles: the key figures of the
Stadtviertel against its Sozialraum and the city (a spine chart, :mod:`kennzahlen.charts.
profil`), its Sozialindex class and history, and a small map. All Stadtviertel of a Sozialraum
form one document (one page each) that the report run prints to one PDF for the team
(:mod:`kennzahlen.runner.pdf`). Internal: exact numbers, like Produkt 1.
"""

from __future__ import annotations

import html
import weakref

import pandas as pd

from kennzahlen.catalog.geography import raumgliederung
from kennzahlen.catalog.model import load_catalog
from kennzahlen.charts import profil as chart
from kennzahlen.core import fmt
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.core.vocabulary import PRODUKTE, wert_text

#: the indicators of the spine chart, in reading order: structure, then poverty
INDIKATOREN = {
    "anteil_unter18": "Anteil unter 18 Jahren",
    "anteil_65plus": "Anteil ab 65 Jahren",
    "anteil_nichtdeutsch": "Anteil ohne deutsche Staatsangehörigkeit",
    "anteil_migrationshintergrund": "Anteil mit Migrationshintergrund",
    "alleinerziehende_anteil": "Alleinerziehende (an Haushalten mit Kindern)",
    "sgb2_quote": "SGB-II-Quote",
    "kinderarmut": "Kinderarmut (SGB II unter 15)",
    "arbeitslosigkeit_sgb2": "Arbeitslosigkeit (SGB II)",
    "transferbezug": "Transferbezug",
    "grundsicherung_alter": "Grundsicherung ab 65",
    "wohngeld_quote": "Wohngeld-Quote",
    "asylblg_quote": "AsylbLG-Quote",
}
#: counts in the head of the page
ANZAHLEN = {"bev_gesamt": "Einwohner*innen", "hh_gesamt": "Haushalte"}


def werte(pool: pd.DataFrame, jahr: str) -> pd.DataFrame:
    """The profile's Kennzahlen on 31.12. of the year: index (ebene, raum), one column each."""
    ids = [*INDIKATOREN, *ANZAHLEN]
    sub = pool[(pool["periode"] == f"{jahr}-12-31") & pool["kennzahl"].isin(ids)]
    if sub.empty:  # no value of the year: every cell '–'
        leer = pd.MultiIndex.from_tuples([], names=["ebene", "raum"])
        return pd.DataFrame(index=leer, columns=ids, dtype=float)
    return sub.pivot_table(index=["ebene", "raum"], columns="kennzahl", values="wert").reindex(
        columns=ids
    )


def spannen(w: pd.DataFrame, bewertet: list[str]) -> dict[str, chart.Spanne]:
    """Per indicator the range and quartiles over the rated Stadtviertel, and the city."""
    if "stadtviertel" not in w.index.get_level_values("ebene"):
        return {}
    sv = w.xs("stadtviertel", level="ebene")
    sv = sv[sv.index.isin(bewertet)] if bewertet else sv
    out = {}
    for kid in INDIKATOREN:
        reihe = sv[kid].dropna()
        stadt = _wert(w, "gesamtstadt", GESAMTSTADT, kid)
        if reihe.empty or stadt is None:
            continue
        out[kid] = chart.Spanne(
            float(min(reihe.min(), stadt)),
            float(reihe.quantile(0.25)),
            float(reihe.quantile(0.75)),
            float(max(reihe.max(), stadt)),
            stadt,
        )
    return out


def _wert(w: pd.DataFrame, ebene: str, raum: str, kid: str) -> float | None:
    """``w.loc[(ebene, raum), kid]`` as a float (None: no row, no value), from a table of ``w``
    made once (a profile page asks 36 times, a Sozialraum's document for every Stadtviertel)."""
    table = _werte_von(w)
    if table is None:  # rows not unique (never from werte()): as before
        try:
            v = w.loc[(ebene, raum), kid]
        except KeyError:
            return None
    else:
        v = table.get((ebene, raum), {}).get(kid)
        if v is None:
            return None
    return None if pd.isna(v) else float(v)


#: per frame of :func:`werte` (by identity, while it lives): its rows as dicts
_WERTE: dict[int, tuple[weakref.ref, dict | None]] = {}


def _werte_von(w: pd.DataFrame) -> dict | None:
    hit = _WERTE.get(id(w))
    if hit is not None and hit[0]() is w:
        return hit[1]
    table = w.to_dict("index") if w.index.is_unique else None
    for key in [key for key, (ref, _) in _WERTE.items() if ref() is None]:
        del _WERTE[key]
    _WERTE[id(w)] = (weakref.ref(w), table)
    return table


def _text(kid: str, v: float | None, einheit: str | None = None) -> str:
    return wert_text(v, einheit or load_catalog().get(kid).einheit, 1)


def indikator_zeilen(w: pd.DataFrame, s: dict, nr: str, sozialraum: str) -> str:
    """The rows of the spine table of one Stadtviertel."""
    rows = []
    katalog = load_catalog()
    for kid, label in INDIKATOREN.items():
        k = katalog.get(kid)
        e = k.einheit
        v, r = _wert(w, "stadtviertel", nr, kid), _wert(w, "sozialraum", sozialraum, kid)
        stadt = _wert(w, "gesamtstadt", GESAMTSTADT, kid)
        lage = chart.lage(v, stadt, k.richtung) if stadt is not None else "ohne Wertung"
        beschreibung = (
            f"{lage}: {label} im Stadtviertel {_text(kid, v, e)}, Sozialraum {_text(kid, r, e)}, "
            f"Gesamtstadt {_text(kid, stadt, e)}"
        )
        svg = chart.spine_svg(s[kid], v, r, beschreibung) if kid in s else ""
        rows.append(
            f'<tr><th scope="row">{html.escape(label)}</th><td>{html.escape(_text(kid, v, e))}</td>'
            f"<td>{html.escape(_text(kid, r, e))}</td><td>{html.escape(_text(kid, stadt, e))}</td>"
            f'<td class="kz-spine-zelle">{svg}</td>'
            f'<td class="kz-lage">{html.escape(lage)}</td></tr>'
        )
    return "".join(rows)


def sozialindex_html(si: pd.DataFrame, nr: str) -> str:
    """The Stadtviertel's Sozialindex: the newest classes, and the history by year."""
    eigene = si[si["stadtviertel_nr"] == nr].sort_values("jahr")
    if eigene.empty:
        return "<p>Für dieses Stadtviertel liegt kein Sozialindex vor.</p>"
    rows = "".join(
        f'<tr><th scope="row">{html.escape(str(r.jahr))}</th>'
        f"<td>{html.escape(_klasse(r, 'status_klasse'))}</td>"
        f"<td>{html.escape(_klasse(r, 'dynamik_klasse'))}</td>"
        f"<td>{'ja' if bool(r.aufmerksamkeit) else 'nein'}</td></tr>"
        for r in eigene.itertuples(index=False)
    )
    jetzt = eigene.iloc[-1]
    satz = (
        f"Status {_klasse(jetzt, 'status_klasse')}, Dynamik {_klasse(jetzt, 'dynamik_klasse')}"
        if bool(jetzt["bewertet"])
        else f"nicht bewertet ({jetzt['grund']})"
    )
    return (
        f"<p><b>Sozialindex {html.escape(str(jetzt['jahr']))}:</b> {html.escape(satz)}</p>"
        '<table class="kz-si"><caption>Sozialindex im Verlauf</caption><thead><tr>'
        '<th scope="col">Jahr</th><th scope="col">Status</th><th scope="col">Dynamik</th>'
        f'<th scope="col">Aufmerksamkeit</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _klasse(r, spalte: str) -> str:
    wert = r[spalte] if isinstance(r, pd.Series) else getattr(r, spalte)
    bewertet = r["bewertet"] if isinstance(r, pd.Series) else r.bewertet
    if not bool(bewertet):
        return "nicht bewertet"
    return "–" if wert is None or pd.isna(wert) else str(wert)


def seite(nr: str, daten: dict) -> str:
    """One Stadtviertel's page (``daten``: from :func:`grundlagen`)."""
    rg, w, jahr = daten["rg"], daten["werte"], daten["jahr"]
    zeile = rg[rg["stadtviertel_nr"] == nr].iloc[0]
    name, sozialraum = str(zeile["stadtviertel"]), str(zeile["sozialraum"])
    anzahlen = " · ".join(
        f"{label}: {fmt.zahl(_wert(w, 'stadtviertel', nr, kid))}" for kid, label in ANZAHLEN.items()
    )
    sr = [str(x) for x in rg.loc[rg["sozialraum"] == sozialraum, "stadtviertel_nr"]]
    formen = daten["formen"]
    karte = (
        chart.karte_svg(formen, nr, sr, f"Lage von {name} im Sozialraum {sozialraum}")
        if nr in formen
        else f"<p class='kz-fuss'>{html.escape(name)} hat kein Polygon (nicht in der Karte).</p>"
    )
    tabelle = (
        '<table class="kz-profil-tab"><caption>Kennzahlen am 31.12.'
        f"{html.escape(jahr)}: Stadtviertel, Sozialraum und Gesamtstadt</caption><thead><tr>"
        '<th scope="col">Kennzahl</th><th scope="col">Stadtviertel</th><th scope="col">'
        'Sozialraum</th><th scope="col">Stadt</th><th scope="col">Lage zwischen allen '
        'Stadtvierteln</th><th scope="col">gegenüber der Stadt</th></tr></thead><tbody>'
        f"{indikator_zeilen(w, daten['spannen'], nr, sozialraum)}</tbody></table>"
    )
    return (
        f'<section class="kz-profil" id="sv-{html.escape(nr)}">'
        f"<h2>{html.escape(nr)} {html.escape(name)}</h2>"
        f'<p class="kz-unter">Sozialraum {html.escape(sozialraum)} · Stand 31.12.{jahr} · '
        f"{html.escape(anzahlen)}</p>"
        f'<div class="kz-oben"><div>{sozialindex_html(daten["si"], nr)}</div>'
        f'<div class="kz-karte">{karte}</div></div>{tabelle}'
        f'<div class="kz-legende">{chart.legende_html()}</div>'
        f'<p class="kz-fuss">{html.escape(daten["fuss"])}</p></section>'
    )


def grundlagen(pool_dir: object, jahr: str) -> dict:
    """What every page needs, read once: values, ranges, Sozialindex, polygons, Raumgliederung."""
    from kennzahlen.catalog.geography import flaechen
    from kennzahlen.pool.load import load_pool

    pool = load_pool(pool_dir)  # type: ignore[arg-type]
    w = werte(pool, jahr)
    try:
        si = load_pool(pool_dir, "sozialindex")  # type: ignore[arg-type]
        si = si[si["jahr"].astype(str) <= str(jahr)]
    except (OSError, ValueError, KeyError):
        si = pd.DataFrame(columns=["jahr", "stadtviertel_nr", "bewertet"])
    aktuell = si[si["jahr"].astype(str) == str(jahr)]
    bewertet = [str(x) for x in aktuell.loc[aktuell["bewertet"].astype(bool), "stadtviertel_nr"]]
    f = flaechen()
    formen = {}  # simplified to 3 m (karten_crs is metric): a page's map stays a few kB
    if f is not None:
        formen = {str(nr): g.simplify(3.0) for nr, g in f.gdf.geometry.items()}
    fuss = (
        f"Intern: {PRODUKTE[1].titel}, exakte Zahlen, nicht zur Veröffentlichung. Spanne, "
        "mittlere Hälfte und Lage: über die im Sozialindex bewerteten Stadtviertel; günstiger "
        "oder ungünstiger nach der Richtung im Kennzahlenkatalog (Kennzahlensteckbrief)."
    )
    return {
        "rg": raumgliederung(),
        "werte": w,
        "spannen": spannen(w, bewertet),
        "si": si,
        "formen": formen,
        "jahr": str(jahr),
        "fuss": fuss,
    }


CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: 'DejaVu Sans', Arial, sans-serif; color: #1f2933; font-size: 10.5px;
  margin: 0 auto; max-width: 190mm; }
h1 { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.kz-profil { break-after: page; break-inside: avoid; padding-top: 2mm; }
.kz-profil h2 { font-size: 17px; margin: 0 0 1mm; border-bottom: 2px solid #0072B2; }
.kz-unter { margin: 0 0 3mm; color: #3e4c59; }
.kz-oben { display: flex; gap: 6mm; align-items: flex-start; justify-content: space-between; }
.kz-oben > div:first-child { flex: 1; }
table { border-collapse: collapse; margin: 2mm 0; }
caption { text-align: left; font-weight: bold; padding-bottom: 1mm; }
th, td { border-bottom: 1px solid #cbd2d9; padding: 1.2mm 1.5mm; text-align: right;
  vertical-align: middle; }
th[scope=row], thead th { text-align: left; }
.kz-profil-tab { width: 100%; }
.kz-spine-zelle { padding: 0 1mm; }
.kz-lage { text-align: left; white-space: nowrap; }
.kz-fuss { color: #52606d; font-size: 9px; }
.kz-si td { text-align: left; }
.kz-legende { margin: 1mm 0; }
"""


def dokument(pool_dir: object, jahr: str, sozialraum: str, daten: dict | None = None) -> str:
    """The profiles of all Stadtviertel of a Sozialraum: one page each (self-contained HTML)."""
    daten = daten or grundlagen(pool_dir, jahr)
    rg = daten["rg"]
    nrn = [str(x) for x in rg.loc[rg["sozialraum"] == sozialraum, "stadtviertel_nr"]]
    titel = f"Stadtviertelprofile Sozialraum {sozialraum} {jahr}"
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        f"<title>{html.escape(titel)}</title><style>{CSS}</style></head><body><main>"
        f"<h1 class='kz-sr-titel'>{html.escape(titel)}</h1>"
        f"{''.join(seite(nr, daten) for nr in nrn)}</main></body></html>\n"
    )
