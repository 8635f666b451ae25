"""Kennzahlensteckbriefe: one printable sheet per Kennzahl, generated from the catalog.

A sheet says what a reader needs to read the number right (after Berlin's MSS indicator sheets
and Fingertips' metadata): goal and Arbeitsfeld, the definition in plain German with Zähler and
Nenner, why it matters, which way is good, the Zielwert history, breaks in the series, the source
system, how often it is renewed, its caveats and how it could be gamed, and the Stand of its data.

Each report ends with the sheets of the Kennzahlen it shows (:func:`anhang`), and every table row
or section that shows a Kennzahl links to its sheet: the report stays one
self-contained file, so the links work in a mailed attachment too
(:func:`kennzahlen.products.common.steckbrief_link`). The report run also writes
every sheet as a page of its own (``reports/<periode>/steckbriefe/``, :func:`schreiben`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from kennzahlen.catalog import steckbrief as felder
from kennzahlen.catalog.model import Kennzahl, load_catalog
from kennzahlen.core import fmt
from kennzahlen.core.vocabulary import ARBEITSFELDER, PRODUKTE, lieferung, wert_text

#: the folder of the sheets in a period's report folder
ORDNER = "steckbriefe"
#: the class of a sheet's heading (tests that read a report's sections skip them)
KLASSE = "kz-blatt"
#: a catalog unit in words
EINHEIT_TEXT = {
    "anzahl": "Anzahl",
    "anteil": "Anteil in Prozent",
    "quote": "Quote in Prozent",
    "je_1000": "je 1.000 Einwohner*innen der Bezugsgruppe",
    "euro": "Euro",
    "euro_je_einwohner": "Euro je Einwohner*in der Bezugsgruppe",
    "euro_je_fall": "Euro je Fall (Fälle im Jahresdurchschnitt: Mittel der vier Quartalsenden)",
    "veraenderung": "Veränderung zum Vorjahr in Prozent",
}


def anker(kid: str) -> str:
    """The id of a Kennzahl's sheet in a report (and the name of its page without '.html')."""
    from kennzahlen.products.common import steckbrief_anker

    return steckbrief_anker(kid)


def _ziele() -> dict[int, str]:
    from kennzahlen.products.wirkung.werte import ZIELE

    return ZIELE


def zielwert_verlauf(k: Kennzahl) -> str:
    """The Zielwert history in words: 'seit Beginn 90 %; ab 2023 85 % (Grund)'; or none."""
    if not k.hat_zielwert:
        return "Kein Zielwert festgelegt."
    teile = [f"seit Beginn {_wert(k, k.zielwert)}"]
    for z in k.zielwerte:
        wert = "kein Zielwert mehr" if z.wert is None else _wert(k, z.wert)
        grund = z.grund.strip().rstrip(".")
        teile.append(f"ab {z.gueltig_ab} {wert}" + (f" ({grund})" if grund else ""))
    return "; ".join(teile) + "."


def _wert(k: Kennzahl, wert: float | None) -> str:
    if wert is None:
        return "kein Zielwert"
    return wert_text(wert, k.einheit, 0 if k.einheit in ("anteil", "quote") else None)


def brueche_text(k: Kennzahl) -> str:
    """The breaks in the series in words ('ab dem 3. Quartal 2022: …'), or that there are none."""
    if not k.definitionen:
        return "Keine: die Definition gilt unverändert seit Beginn der Reihe."
    return " ".join(f"Ab dem {fmt.periode(d.gueltig_ab)}: {d.aenderung}" for d in k.definitionen)


def zeilen(k: Kennzahl, jahr: object = None, stand: str = "") -> list[tuple[str, str]]:
    """The sheet as (label, text) rows, in reading order (plain text, not yet escaped)."""
    from kennzahlen.products.common import _auto_definition, terme_text

    ziel = (
        f"Ziel {k.ziel}: {_ziele().get(k.ziel, '')}" if k.ziel else "keinem Ziel zugeordnet"
    ) + (f" · {ARBEITSFELDER[k.arbeitsfeld]}" if k.arbeitsfeld else "")
    produkte = ", ".join(f"{p} {PRODUKTE[p].titel}" for p in k.produkt)
    neueste = k.definitionen[-1].definition if k.definitionen else k.definition
    definition = (k.definition_im(jahr) if jahr is not None else neueste) or k.definition
    rows = [
        ("Ziel und Arbeitsfeld", ziel),
        ("Gezeigt in", f"Produkt {produkte}"),
        ("Definition", definition or _auto_definition(k)),
        ("Zähler", terme_text(k.zaehler) or "noch nicht erhoben"),
    ]
    if k.nenner:
        faktor = " (mal 1.000)" if k.einheit == "je_1000" else ""
        rows.append(("Nenner", terme_text(k.nenner) + faktor))
    rows += [
        ("Einheit", EINHEIT_TEXT[k.einheit]),
        ("Warum diese Kennzahl", k.begruendung),
        ("Richtung", felder.richtung_text(k.richtung)),
        ("Zielwert", zielwert_verlauf(k)),
        ("Zeitreihenbrüche", brueche_text(k)),
        ("Quelle", k.quelle),
        ("Aktualisierung", k.aktualisierung),
        ("Vorbehalte", k.vorbehalte),
    ]
    if k.fehlanreize:
        rows.append(("Mögliche Fehlanreize", k.fehlanreize))
    if not k.erhoben:
        rows.append(("Noch nicht erhoben", k.grund))
    if stand:
        rows.append(("Stand", stand))
    return rows


def stand_text(k: Kennzahl, pool_dir: object) -> str:
    """The Stand of the Kennzahl's data: the newest export of each raw table it reads."""
    from kennzahlen.products.common import stand_tabellen

    if not k.erhoben:
        return ""
    try:
        stand = stand_tabellen(pool_dir, load_catalog().tables_of(k))  # type: ignore[arg-type]
    except (OSError, ValueError, KeyError):
        return ""
    teile = [
        f"{lieferung(t)} {fmt.datum(s)}"
        for t, s in zip(stand["tabelle"], stand["stand"], strict=True)
    ]
    return "Daten: " + ", ".join(teile) if teile else ""


def _text(text: str) -> str:
    """Escaped, with a no-break space between a number and its unit ('80\u00a0%')."""
    return re.sub(r"(\d) (%|‰)", "\\1\u00a0\\2", html.escape(text))


def blatt_html(k: Kennzahl, jahr: object = None, stand: str = "", ebene: int = 3) -> str:
    """One sheet as an HTML section (escaped): heading and a definition list."""
    dl = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{_text(text)}</dd>"
        for label, text in zeilen(k, jahr, stand)
    )
    return (
        f'<section class="kz-steckbrief" id="{anker(k.id)}" aria-labelledby="{anker(k.id)}-t">'
        f'<h{ebene} class="{KLASSE}" id="{anker(k.id)}-t">{html.escape(k.titel)}</h{ebene}>'
        f"<dl>{dl}</dl></section>"
    )


CSS = """
.kz-steckbrief { border-top: 1px solid #cbd2d9; margin: 1em 0; padding-top: .3em;
  break-inside: avoid; }
.kz-steckbrief dl { display: grid; grid-template-columns: minmax(9em, 13em) 1fr;
  gap: .25em 1em; margin: .4em 0; }
.kz-steckbrief dt { font-weight: bold; color: #323f4b; }
.kz-steckbrief dd { margin: 0; }
/* lab's output style floats a dt at 20 % width: here the grid places them */
.jp-OutputArea-output .kz-steckbrief dt, .jp-OutputArea-output .kz-steckbrief dd {
  float: none; width: auto; margin: 0; padding: 0; }
@media (max-width: 600px) { .kz-steckbrief dl { grid-template-columns: 1fr; } }
@media print {  /* in a printed report the sheets run on, compact (a sheet may turn the page) */
  body.jp-Notebook .kz-steckbrief { break-inside: auto; font-size: 9.5px; line-height: 1.3;
    margin: .6em 0; }
  body.jp-Notebook .kz-steckbrief h3 { font-size: 12px; margin: .3em 0; break-after: avoid; }
  body.jp-Notebook .kz-steckbrief dl { gap: .1em .8em; grid-template-columns: 13em 1fr; }
  body.jp-Notebook .kz-steckbrief dt, body.jp-Notebook .kz-steckbrief dd { break-inside: avoid; }
}
"""


def anhang(kennzahl_ids: Iterable[str], jahr: object = None, pool_dir: object = None):
    """The sheets of the Kennzahlen a report shows, as its last section (an IPython HTML).

    The same for every area of a period: kept per process by the Kennzahlen, the year, the pool's
    table ``stand`` (its version folder and file state) and the configuration
    (:func:`kennzahlen.products.memo.gemerkt`), so a warm kernel builds it once per period."""
    from IPython.display import HTML

    from kennzahlen.pool.load import load_pool
    from kennzahlen.products import memo

    ids = tuple(dict.fromkeys(kennzahl_ids))
    try:
        stand = load_pool(pool_dir, "stand")  # type: ignore[arg-type]
        key = (ids, jahr, memo.tabellen_schluessel(stand, "stand"))
        hash(key)
    except (OSError, ValueError, KeyError, TypeError):  # no pool, or a year that is no key
        return HTML(_anhang_html(ids, jahr, pool_dir))
    # the sheets' Stand from the very version the key names (a frame of load_pool: its folder)
    return HTML(memo.gemerkt(_ANHAENGE, key, lambda: _anhang_html(ids, jahr, stand)))


#: the appendix HTML per Kennzahlen, year, pool table ``stand`` and configuration
_ANHAENGE: dict = {}


def _anhang_html(ids: Sequence[str], jahr: object, pool_dir: object) -> str:
    cat = load_catalog()
    blaetter = "".join(
        blatt_html(cat.get(kid), jahr, stand_text(cat.get(kid), pool_dir)) for kid in ids
    )
    return (
        f'<style>{CSS}</style><h2 id="kennzahlensteckbriefe">Kennzahlensteckbriefe</h2>'
        "<p>Je Kennzahl: was sie misst, warum, woher die Daten kommen, wie oft sie neu kommen "
        f"und was beim Lesen zu beachten ist.</p>{blaetter}"
    )


def seite(k: Kennzahl, stand: str = "") -> str:
    """A sheet as a page of its own (self-contained, printable on A4)."""
    titel = f"Kennzahlensteckbrief: {k.titel}"
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(titel)}</title><style>{SEITE_CSS}{CSS}</style></head><body><main>"
        f'<p class="kz-zurueck"><a href="index.html">Alle Steckbriefe</a></p>'
        f"<p class='kz-kennung'>Kennzahlensteckbrief · Kennung {html.escape(k.id)} "
        "(wie in den offenen Daten)</p>"
        f"{blatt_html(k, stand=stand, ebene=1)}</main></body></html>\n"
    )


SEITE_CSS = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; color: #1f2933; max-width: 50em;
  margin: 0 auto; padding: 1.5em 1.2em; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.5em; margin: .2em 0 .6em; }
.kz-kennung { color: #52606d; font-size: 13px; margin: 0; }
a { color: #0b5394; }
@page { size: A4; margin: 18mm 16mm; }
@media print { body { font-size: 11pt; padding: 0; max-width: none; } .kz-zurueck { display: none; }
  .kz-steckbrief { border: 0; } }
"""


def verzeichnis(ks: Sequence[Kennzahl]) -> str:
    """The index page of the sheets, grouped by product."""
    teile = []
    for nr, p in PRODUKTE.items():
        eintraege = [k for k in ks if nr in k.produkt]
        if not eintraege:
            continue
        items = "".join(
            f'<li><a href="{anker(k.id)}.html">{html.escape(k.titel)}</a></li>' for k in eintraege
        )
        teile.append(f"<h2>Produkt {nr}: {html.escape(p.titel)}</h2><ul>{items}</ul>")
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Kennzahlensteckbriefe</title><style>{SEITE_CSS}</style></head><body><main>"
        f"<h1>Kennzahlensteckbriefe</h1>{''.join(teile)}</main></body></html>\n"
    )


def schreiben(ziel: Path, produkte: Iterable[int], pool_dir: object = None) -> list[Path]:
    """Write the sheet of every Kennzahl the products show, and their index, into ``ziel``
    (atomically, file by file). Returns the pages written."""
    from kennzahlen.core.safeio import atomic_write

    nummern = set(produkte)
    ks = [k for k in load_catalog().kennzahlen if nummern & set(k.produkt)]
    ziel.mkdir(parents=True, exist_ok=True)
    out = []
    for k in ks:
        path = ziel / f"{anker(k.id)}.html"
        atomic_write(path, seite(k, stand_text(k, pool_dir)))
        out.append(path)
    atomic_write(ziel / "index.html", verzeichnis(ks))
    return out
