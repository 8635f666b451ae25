"""The index page of a period."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from ..vocabulary import PRODUKTE
from .basis import KEINE_DATEN, berichtszeitraum


def _zelle(e: dict | None) -> str:
    """One report's cell: link and attachments, or why it is missing."""
    if e is None:
        return "<td>–</td>"
    if e["status"] == "fehler":
        return f'<td class="fehler" title="{html.escape(str(e.get("fehler", "")))}">Fehler</td>'
    if e["status"] == KEINE_DATEN:
        return (
            f'<td class="keine-daten" title="{html.escape(str(e.get("grund", "")))}">'
            f"nicht erstellt: keine Daten</td>"
        )
    extra = "".join(
        f' · <a href="{html.escape(a)}">{html.escape(Path(a).suffix[1:].upper())}</a>'
        for a in e.get("anhaenge", [])
        if not a.endswith(".csv")
    )
    return f'<td><a href="{html.escape(e["html"])}">Bericht</a>{extra}</td>'


def _listen(entries: list[dict]) -> tuple[str, str]:
    """The lists under the table: failed reports, and products not made for lack of data."""
    failed = [e for e in entries if e["status"] == "fehler"]
    fail_html = ""
    if failed:
        items = "".join(
            f"<li>Produkt {e['produkt']}, {html.escape(e['raum'])}: "
            f"{html.escape(str(e.get('fehler')))}</li>"
            for e in failed
        )
        fail_html = f'<h2>Fehlgeschlagene Berichte</h2><ul class="fehler">{items}</ul>'
    ohne = {}
    for e in entries:
        if e["status"] == KEINE_DATEN:
            ohne.setdefault(e["produkt"], e)
    ohne_html = ""
    if ohne:
        items = "".join(
            f"<li>Produkt {nr} {html.escape(PRODUKTE[nr].titel)} (Berichtszeitraum "
            f"{html.escape(str(e.get('berichtszeitraum', '')))}): "
            f"{html.escape(str(e.get('grund', '')))}</li>"
            for nr, e in sorted(ohne.items())
        )
        ohne_html = f'<h2>Nicht erstellte Berichte</h2><ul class="keine-daten">{items}</ul>'
    return fail_html, ohne_html


def render_index(periode: str, entries: list[dict]) -> str:
    """The index page linking every report of a period (self-contained HTML)."""
    from ..geography import areas

    rows = []
    by_key = {(e["produkt"], e["raum"]): e for e in entries}
    header = "".join(f"<th>{html.escape(a)}</th>" for a in areas())
    for nr, prod in PRODUKTE.items():
        cells = [_zelle(by_key.get((nr, raum))) for raum in areas()]
        zeitraum = berichtszeitraum(nr, periode)
        rows.append(
            f"<tr><th>{nr} {html.escape(prod.titel)}<br><small>Berichtszeitraum "
            f"{html.escape(zeitraum)}</small></th>{''.join(cells)}</tr>"
        )
    fail_html, ohne_html = _listen(entries)
    stamp = datetime.now().strftime("%d.%m.%Y %H:%M")
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">\
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kennzahlensystem Soziales – Berichte {html.escape(periode)}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1100px; margin: 2rem auto; \
color: #1f2933; }}
h1 {{ border-bottom: 3px solid #0072B2; padding-bottom: .2em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #cbd2d9; padding: .5em; text-align: left; vertical-align: top; }}
thead th {{ background: #eef4fa; }}
td.fehler, ul.fehler {{ color: #b00020; font-weight: bold; }}
td.keine-daten {{ color: #52606d; }}
a {{ color: #0b5394; }}
</style></head>
<body>
<h1>Kennzahlensystem Soziales – Berichte {html.escape(periode)}</h1>
<p>Abteilung Soziales. Stand der Berichte: {stamp}. \
Jahresprodukte (1 und 3) zeigen das letzte vollständige Jahr.</p>
<table><thead><tr><th>Produkt</th>{header}</tr></thead><tbody>
{"".join(rows)}
</tbody></table>
{ohne_html}
{fail_html}
</body></html>
"""
