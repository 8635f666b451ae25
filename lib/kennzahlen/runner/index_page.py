"""The index page of a quarter (``reports/<periode>/index.html``): the state at a glance.

One screen for a head of department: the period, the data's Stand and how the run went (failed
and not-made reports named); the Ampel grid (Sozialraum × Arbeitsfeld) linking into the Ampel
reports; Produkt 3's Zielwerte reached or missed per area, counted from what each published
report shows (a value the disclosure plan hides is counted as "nicht ausgewiesen", never as
reached or missed); per product the first Kernaussagen of the Gesamtstadt; then every report.

Self-contained HTML, no script, WCAG 2.1 AA (the browser test runs axe-core on it).
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from kennzahlen.core import farben, fmt
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.core.vocabulary import INTERN
from kennzahlen.runner.basis import GEMACHT, Status
from kennzahlen.runner.eintrag import Eintrag

#: how many Kernaussagen of the Gesamtstadt the index shows per product
KERNAUSSAGEN = 3
LICHT_TEXT = {"gruen": "GRÜN", "gelb": "GELB", "rot": "ROT", "grau": "keine Aussage"}
#: the columns of the Zielwert summary: key in a report's ``zielwerte`` -> heading
ZIELWERT_SPALTEN = {
    "erreicht": "✔ erreicht",
    "nicht erreicht": "✘ nicht erreicht",
    "nicht ausgewiesen": "nicht ausgewiesen (Datenschutz)",
    "ohne Wert": "ohne Wert",
}


def esc(value: object) -> str:
    """Text for HTML (escaped)."""
    return html.escape("" if value is None else str(value))


def render_index(
    periode: str, eintraege: Iterable[Eintrag | Mapping], pool_dir: str | Path | None = None
) -> str:
    """The index page of a period from the runs.json entries (and the pool's Ampel and Stand)."""
    entries = [Eintrag.aus_json(e) for e in eintraege]
    from kennzahlen.core.vocabulary import PRODUKTE
    from kennzahlen.runner.navigation import CSS as NAV_CSS
    from kennzahlen.runner.navigation import tabellen_boxen

    ampel, stand = _aus_dem_pool(str(pool_dir) if pool_dir else None, periode)
    teile = [
        _kopf(periode, entries, stand),
        '<div class="kz-raster2">',
        _ampel(periode, entries, ampel),
        _zielwerte(entries),
        "</div>",
        _kernaussagen(entries, PRODUKTE),
        _alle_berichte(periode, entries),
        _termine_und_beilagen(entries),
    ]
    titel = f"Kennzahlensystem Soziales – {fmt.periode(periode)}"
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(titel)} – Übersicht</title><style>{CSS}{NAV_CSS}{farben.ampel_css()}</style>"
        f'</head><body class="kz-index"><main><p class="kz-intern" role="note">{esc(INTERN)}</p>'
        f"<h1>{esc(titel)}</h1>{tabellen_boxen(''.join(teile))}</main></body></html>\n"
    )


@functools.lru_cache(maxsize=8)
def _aus_dem_pool(pool_dir: str | None, periode: str):
    """The quarter's Ampel and the newest export per raw table (None each when not readable)."""
    from kennzahlen import ampel as _ampel
    from kennzahlen.pool.load import load_pool

    if pool_dir is None:
        return None, None
    try:
        lichter = _ampel.ampel_fuer(pool_dir, periode)
    except (OSError, ValueError, KeyError):
        lichter = None
    try:
        stand = load_pool(pool_dir, "stand").groupby("tabelle")["stand"].max().sort_index()
    except (OSError, ValueError, KeyError):
        stand = None
    return lichter, stand


def _zaehlen(entries: list[Eintrag]) -> dict[Status, int]:
    out = {s: 0 for s in Status}
    for e in entries:
        out[e.status] += 1
    return out


def _kopf(periode: str, entries: list[Eintrag], stand) -> str:
    """Periode, the data's Stand, how the run went; failed and not-made reports by name."""
    n = _zaehlen(entries)
    fertig = n[Status.OK] + n[Status.UEBERSPRUNGEN]
    lauf = f"{fertig} von {len(entries)} Berichten liegen vor"
    if n[Status.UEBERSPRUNGEN]:
        lauf += f" ({n[Status.OK]} neu erstellt, {n[Status.UEBERSPRUNGEN]} unverändert)"
    if n[Status.FEHLER]:
        lauf += f"; <strong>{n[Status.FEHLER]} fehlgeschlagen</strong>"
    if n[Status.KEINE_DATEN]:
        lauf += f"; {n[Status.KEINE_DATEN]} mangels Daten nicht erstellt"
    stand_text, stand_liste = _stand(stand)
    zeilen = [
        f"<b>Quartal:</b> {esc(fmt.periode(periode))} (Stichtag {esc(_stichtag(periode))}); "
        "Jahresprodukte (1 und 3) zeigen das letzte vollständige Jahr.",
        f"<b>Berichte:</b> {lauf}.",
        stand_text,
        f"<b>Seite erstellt:</b> {datetime.now().strftime('%d.%m.%Y %H:%M')}",
    ]
    kopf = '<div class="kz-kopf">' + "<br>".join(z for z in zeilen if z) + stand_liste + "</div>"
    return kopf + _probleme(entries)


def _stichtag(periode: str) -> str:
    from kennzahlen.core.periods import stichtag

    return fmt.datum(stichtag(periode))


def _stand(stand) -> tuple[str, str]:
    """The data's Stand in one line, and the export date per table (folded)."""
    if stand is None or not len(stand):
        return "", ""
    tage = sorted(stand.dropna())
    if not tage:
        return "", ""
    spanne = (
        fmt.datum(tage[0])
        if tage[0] == tage[-1]
        else f"{fmt.datum(tage[0])} bis {fmt.datum(tage[-1])}"
    )
    from kennzahlen.core.vocabulary import lieferung

    liste = ", ".join(
        f"{esc(lieferung(t))} {esc(fmt.datum(s))}" for t, s in stand.items() if s == s
    )
    return (
        f"<b>Datenstand:</b> neueste Exporte vom {esc(spanne)} ({len(tage)} Lieferungen)",
        f"<details><summary>Exportdatum je Lieferung</summary>{liste}</details>",
    )


def _probleme(entries: list[Eintrag]) -> str:
    """The failed reports and the products not made for lack of data, by name and reason."""
    out = ""
    failed = [e for e in entries if e.status == Status.FEHLER]
    if failed:
        items = "".join(
            f"<li>Produkt {e.produkt}, {esc(e.raum)}: {esc(e.fehler)}</li>" for e in failed
        )
        out += (
            '<section class="kz-fehler" aria-labelledby="h-fehler">'
            f'<h2 id="h-fehler">Fehlgeschlagene Berichte</h2><ul>{items}</ul></section>'
        )
    ohne: dict[int, Eintrag] = {}
    for e in entries:
        if e.status == Status.KEINE_DATEN:
            ohne.setdefault(e.produkt, e)
    if ohne:
        items = "".join(
            f"<li>Produkt {nr} {esc(e.produkt_titel)} (Berichtszeitraum "
            f"{esc(e.berichtszeitraum)}): {esc(e.grund)}</li>"
            for nr, e in sorted(ohne.items())
        )
        out += (
            '<section class="kz-hinweis" aria-labelledby="h-ohne">'
            f'<h2 id="h-ohne">Nicht erstellte Berichte</h2><ul>{items}</ul></section>'
        )
    return out


def _bericht(entries: list[Eintrag], produkt: int, raum: str) -> Eintrag | None:
    """The runs.json entry of a report that can be opened (made now or unchanged), or None."""
    for e in entries:
        if e.produkt == produkt and e.raum == raum and e.status in GEMACHT:
            return e if e.html else None
    return None


def _ampel(periode: str, entries: list[Eintrag], lichter) -> str:
    """The Ampel grid of the quarter; each light links to the area's Ampel report."""
    titel = f"Ampel {esc(fmt.periode(periode))}"
    kopf = f'<section aria-labelledby="h-ampel"><h2 id="h-ampel">{titel}</h2>'
    if lichter is None or lichter.empty:
        return f"{kopf}<p>Für dieses Quartal liegt keine Ampel vor.</p></section>"
    felder, raster = _raster(lichter)
    head = "".join(f'<th scope="col">{esc(t)}</th>' for t in felder.values())
    rows = []
    for raum, by in raster:
        e = _bericht(entries, 4, raum)
        cells = "".join(_licht_zelle(by, f, t, raum, e) for f, t in felder.items())
        rows.append(f'<tr><th scope="row">{esc(raum)}</th>{cells}</tr>')
    return (
        f'{kopf}<table class="kz-ampeln"><caption>Ampel je Gebiet und Arbeitsfeld '
        "(✎ manuell geschaltet); jede Ampel führt zum Ampelbericht des Gebiets</caption>"
        f'<thead><tr><th scope="col">Gebiet</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


#: the Ampel grid of a frame of lights, by the frame's identity (the frame is kept with it): the
#: index page is written after every report of a run from the same frame (``_aus_dem_pool``)
_RASTER: dict[int, tuple[object, tuple]] = {}


def _raster(lichter) -> tuple[dict[str, str], list[tuple[str, dict[str, tuple[object, bool]]]]]:
    """The Arbeitsfelder (key: title) and per Sozialraum its lights by Arbeitsfeld (colour, set
    by hand), in the frame's order."""
    hit = _RASTER.get(id(lichter))
    if hit is not None and hit[0] is lichter:
        return hit[1]  # type: ignore[return-value]
    felder = dict(zip(lichter["arbeitsfeld"], lichter["arbeitsfeld_titel"], strict=True))
    raster = []
    for raum, grp in lichter.groupby("sozialraum", sort=False):
        by = grp.set_index("arbeitsfeld")
        raster.append(
            (raum, {f: (by.loc[f, "farbe"], bool(by.loc[f, "manuell"])) for f in by.index})
        )
    if len(_RASTER) > 8:
        _RASTER.clear()
    _RASTER[id(lichter)] = (lichter, (felder, raster))
    return felder, raster


def _licht_zelle(
    by: dict[str, tuple[object, bool]], feld: str, titel: str, raum: str, bericht: Eintrag | None
) -> str:
    if feld not in by:
        return "<td>–</td>"
    farbe, manuell = by[feld]
    f = farbe if farbe in LICHT_TEXT else "grau"
    mark = " ✎" if manuell else ""
    licht = (
        f'<span class="kz-ampel kz-ampel-{f}"><span class="kz-sr">{esc(raum)}, {esc(titel)}: '
        f"</span>{LICHT_TEXT[f]}{mark}</span>"
    )
    if bericht is None:
        return f"<td>{licht}</td>"
    return f'<td><a class="kz-licht" href="{esc(bericht.html)}">{licht}</a></td>'


def _zielwerte(entries: list[Eintrag]) -> str:
    """Produkt 3: per area the Zielwerte reached and missed, as its published report shows them."""
    p3 = [e for e in entries if e.produkt == 3 and e.status in GEMACHT and e.zielwerte]
    kopf = '<section aria-labelledby="h-ziel"><h2 id="h-ziel">Wirkungskennzahlen: Zielwerte</h2>'
    if not p3:
        return f"{kopf}<p>Für diesen Lauf liegen keine Wirkungskennzahlen vor.</p></section>"
    jahr = esc(p3[0].berichtszeitraum)
    head = "".join(f'<th scope="col">{esc(t)}</th>' for t in ZIELWERT_SPALTEN.values())
    rows = []
    for e in p3:
        z = (e.zielwerte or [{}])[0]
        zellen = "".join(f"<td>{int(z.get(k, 0))}</td>" for k in ZIELWERT_SPALTEN)
        link = f'<a href="{esc(e.html)}">{esc(e.raum)}</a>'
        rows.append(f'<tr><th scope="row">{link}</th>{zellen}</tr>')
    return (
        f'{kopf}<table class="kz-ziele"><caption>Kennzahlen mit Zielwert im Jahr {jahr}, '
        "gezählt wie im veröffentlichten Bericht des Gebiets</caption>"
        f'<thead><tr><th scope="col">Gebiet</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _kernaussagen(entries: list[Eintrag], produkte: dict) -> str:
    """Per product the first Kernaussagen of the Gesamtstadt's report, with the link to it."""
    karten = []
    for nr, prod in produkte.items():
        e = _bericht(entries, nr, GESAMTSTADT)
        kopf = f'<h3 id="k-{nr}">{nr} {esc(prod.titel)}</h3>'
        if e is None:
            karten.append(f'<div class="kz-karte">{kopf}<p>Kein Bericht der Gesamtstadt.</p></div>')
            continue
        aussagen = "".join(f"<li>{esc(a)}</li>" for a in (e.kernaussagen or [])[:KERNAUSSAGEN])
        zeitraum = esc(e.berichtszeitraum)
        link = (
            f'<a href="{esc(e.html)}" aria-describedby="k-{nr}">'
            f"Bericht Gesamtstadt ({zeitraum}) öffnen</a>"
        )
        karten.append(f'<div class="kz-karte">{kopf}<ul>{aussagen}</ul><p>{link}</p></div>')
    return (
        '<section aria-labelledby="h-kern"><h2 id="h-kern">Das Wichtigste in Kürze: Gesamtstadt'
        f'</h2><div class="kz-karten">{"".join(karten)}</div></section>'
    )


#: how many planned publication dates the index shows
TERMINE = 4


def _termine_und_beilagen(entries: list[Eintrag]) -> str:
    """The next planned publications (config/veroeffentlichung.yaml) and the run's companions:
    the Kennzahlensteckbriefe and the open data of the public product."""
    from kennzahlen.catalog.veroeffentlichung import VeroeffentlichungError, load_config
    from kennzahlen.core.vocabulary import PRODUKTE

    try:
        termine = load_config().naechste(datetime.now().date(), TERMINE)
    except VeroeffentlichungError as exc:
        liste = f'<p class="kz-hinweis">{esc(exc)}</p>'
    else:
        items = "".join(
            f"<li><b>{esc(fmt.datum(t.datum))}</b>: {esc(t.anlass)} "
            f"<small>(Produkt {t.produkt} {esc(PRODUKTE[t.produkt].titel)})</small></li>"
            for t in termine
        )
        liste = f"<ul>{items}</ul>" if items else "<p>Keine weiteren Termine geplant.</p>"
    links = []
    if any(e.status in GEMACHT for e in entries):
        links.append('<li><a href="steckbriefe/index.html">Kennzahlensteckbriefe</a></li>')
    p3 = [e for e in entries if e.produkt == 3 and e.status in GEMACHT]
    if p3:
        from kennzahlen.runner.basis import OFFENE_DATEN

        links.append(
            f'<li><a href="{esc(p3[0].produkt_ordner)}/{OFFENE_DATEN}/index.html">Offene Daten '
            f"der Wirkungskennzahlen</a> (CSV, GeoJSON, Metadaten; dl-de/by-2-0)</li>"
        )
    p1 = [e for e in entries if e.produkt == 1 and e.status in GEMACHT]
    if p1:
        from kennzahlen.catalog.geography import sozialraeume
        from kennzahlen.runner.basis import PROFILE, slug

        profile = " · ".join(
            f'<a href="{esc(p1[0].produkt_ordner)}/{PROFILE}/{esc(slug(r))}.html">{esc(r)}</a>'
            for r in sozialraeume()
        )
        links.append(f"<li>Stadtviertelprofile (intern): {profile}</li>")
    beilagen = (
        f"<h2 id='h-beilagen'>Steckbriefe, Profile und offene Daten</h2><ul>{''.join(links)}</ul>"
    )
    return (
        '<section aria-labelledby="h-termine"><h2 id="h-termine">Nächste Veröffentlichungen</h2>'
        f"{liste}{beilagen if links else ''}</section>"
    )


STATUS_ZELLE = {
    Status.FEHLER: ("fehler", "Fehler"),
    Status.KEINE_DATEN: ("keine-daten", "nicht erstellt: keine Daten"),
}


def _alle_berichte(periode: str, entries: list[Eintrag]) -> str:
    """Every report of the period: products as rows, areas as columns."""
    from kennzahlen.catalog.geography import areas
    from kennzahlen.core.vocabulary import PRODUKTE
    from kennzahlen.runner.basis import berichtszeitraum

    by_key = {e.schluessel: e for e in entries}
    gebiete = areas()
    header = "".join(f'<th scope="col">{esc(a)}</th>' for a in gebiete)
    rows = []
    for nr, prod in PRODUKTE.items():
        cells = "".join(_bericht_zelle(by_key.get((nr, raum))) for raum in gebiete)
        zeitraum = esc(berichtszeitraum(nr, periode))
        rows.append(
            f'<tr><th scope="row">{nr} {esc(prod.titel)}<br><small>Berichtszeitraum {zeitraum}'
            f"</small></th>{cells}</tr>"
        )
    return (
        '<section aria-labelledby="h-alle"><h2 id="h-alle">Alle Berichte</h2>'
        '<table class="kz-alle"><caption>Berichte je Produkt und Gebiet</caption>'
        f'<thead><tr><th scope="col">Produkt</th>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _bericht_zelle(e: Eintrag | None) -> str:
    if e is None:
        return "<td>–</td>"
    if e.status in STATUS_ZELLE:
        klasse, text = STATUS_ZELLE[e.status]
        grund = e.fehler if e.status == Status.FEHLER else e.grund
        return f'<td class="{klasse}" title="{esc(grund)}">{text}</td>'
    extra = "".join(
        f' · <a href="{esc(a)}">{esc(Path(a).suffix[1:].upper())}</a>'
        for a in [*(e.anhaenge or []), *([e.pdf] if e.pdf else [])]
        if not a.endswith(".csv")
    )
    return f'<td><a href="{esc(e.html)}">Bericht</a>{extra}</td>'


CSS = f"""
body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1280px; margin: 0 auto;
  padding: .8rem 1.2rem 2rem; color: {farben.TEXT}; font-size: 15px; line-height: 1.4; }}
h1 {{ font-size: 1.6em; margin: .2em 0 .4em; border-bottom: 3px solid #0072B2; }}
h2 {{ font-size: 1.2em; margin: .9em 0 .3em; color: #0B3D62; }}
h3 {{ font-size: 1em; margin: 0 0 .3em; }}
a {{ color: {farben.LINK}; }}
.kz-kopf {{ background: #EEF4FA; border-left: 6px solid #0072B2; padding: .5em 1em; }}
.kz-kopf details {{ margin-top: .2em; font-size: 13px; }}
.kz-fehler {{ border-left: 6px solid {farben.FEHLER}; padding: .1em 1em; margin: .6em 0; }}
.kz-fehler h2, .kz-fehler li {{ color: {farben.FEHLER}; }}
.kz-hinweis {{ border-left: 6px solid #8A9BA8; padding: .1em 1em; margin: .6em 0; }}
.kz-raster2 {{ display: flex; flex-wrap: wrap; gap: 1.2rem; align-items: flex-start; }}
.kz-raster2 > * {{ flex: 1 1 auto; min-width: 0; }}
.kz-raster2 > :first-child {{ flex-grow: 1.5; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
caption {{ text-align: left; color: {farben.TEXT_LEISE}; font-size: 13px; padding-bottom: .3em; }}
th, td {{ border: 1px solid #CBD2D9; padding: .3em .45em; text-align: left; vertical-align: top; }}
thead th {{ background: #EEF4FA; }}
.kz-ziele td {{ text-align: right; font-variant-numeric: tabular-nums; }}
.kz-ampeln td {{ text-align: center; padding: .25em .2em; }}
.kz-ampeln th {{ font-size: 13px; }}
.kz-ampel {{ display: inline-block; min-width: 4.6em; padding: 1px 4px; border-radius: 4px;
  font-weight: bold; text-align: center; border: 1px solid #333; font-size: 12px; }}
a.kz-licht {{ text-decoration: none; }}
a.kz-licht:hover .kz-ampel, a.kz-licht:focus .kz-ampel {{ outline: 3px solid #0B3D62; }}
.kz-sr {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }}
.kz-karten {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr));
  gap: .8rem; }}
.kz-karte {{ border: 1px solid #CBD2D9; border-top: 4px solid #E69F00; padding: .5em .8em;
  font-size: 14px; }}
.kz-karte ul {{ margin: 0; padding-left: 1.1em; }}
.kz-karte p {{ margin: .4em 0 0; }}
td.fehler {{ color: {farben.FEHLER}; font-weight: bold; }}
td.keine-daten {{ color: {farben.TEXT_LEISE}; }}
/* a phone: the Ampel and the Zielwerte stack, each table scrolls in its own box (no script on
   this page: the cue shows on every narrow screen) */
@media (max-width: 900px) {{ table {{ font-size: 13px; }} .kz-raster2 > * {{ flex-basis: 100%; }} }}
@media (max-width: 800px) {{ body.kz-index .kz-wisch {{ display: block; }} }}
"""
