"""Parts every report shares: the header, the key messages, definitions and sources.

Everything that enters a report's HTML is escaped here or by the caller: names from
config/raumgliederung.csv, catalog texts, raw data. Only markup the package builds itself is
passed on as :class:`Html`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown

from .. import fmt
from ..api import load_pool
from ..catalog import load_catalog
from ..geography import gesamtstadt_titel
from ..schema import GESAMTSTADT


class Html(str):
    """Markup built by the package itself (e.g. an Ampel light): passed on as HTML, never escaped."""


def esc(value: object) -> str:
    """Text for an HTML text node: escaped, unless it is package-built :class:`Html`."""
    if isinstance(value, Html):
        return value
    return html.escape("" if value is None else str(value), quote=False)


def stand_tabellen(pool: str | Path | None, tabellen: Iterable[str] | None = None) -> pd.DataFrame:
    """The newest export date (Stand) per raw table in the pool."""
    stand = load_pool(pool, "stand")
    if tabellen is not None:
        stand = stand[stand["tabelle"].isin(list(tabellen))]
    return stand.groupby("tabelle", as_index=False)["stand"].max().sort_values("tabelle")


def kopf(titel: str, zeitraum: str, raum: str, pool: str | Path | None, tabellen: Iterable[str] | None = None,
         empfaenger: str = "") -> HTML:
    """The report header: title, period, area, recipients, and the data's Stand."""
    stand = stand_tabellen(pool, tabellen)
    stand_txt = ", ".join(f"{t} {fmt.datum(s)}" for t, s in zip(stand["tabelle"], stand["stand"], strict=True))
    gebiet = gesamtstadt_titel() if raum == GESAMTSTADT else f"Sozialraum {raum}"
    emp = f"<br><b>Für:</b> {html.escape(empfaenger)}" if empfaenger else ""
    return HTML(
        f'<div class="kz-kopf"><h1>{html.escape(titel)}</h1>'
        f"<b>Berichtszeitraum:</b> {html.escape(zeitraum)} &nbsp;·&nbsp; <b>Gebiet:</b> {html.escape(gebiet)}"
        f"{emp}<br><span class=\"kz-fuss\"><b>Datenstand (Exportdatum):</b> {html.escape(stand_txt)}</span></div>"
    )


def show_kernaussagen(aussagen: Sequence[str]) -> None:
    """Display the key messages with their metadata (for the runner and the e-mail body)."""
    from IPython.display import display

    items = "".join(f"<li>{html.escape(a)}</li>" for a in aussagen)
    box = f'<div class="kz-kern"><b>Das Wichtigste in Kürze</b><ul>{items}</ul></div>'
    display(HTML(box), metadata={"kernaussagen": list(aussagen)})


def definitionen(kennzahl_ids: Sequence[str]) -> HTML:
    """Definitions and sources of the Kennzahlen shown, from the catalog."""
    cat = load_catalog()
    rows = []
    for kid in kennzahl_ids:
        k = cat.get(kid)
        definition = k.definition or _auto_definition(k)
        rows.append(
            f"<tr><td style='text-align:left'>{html.escape(k.titel)}</td>"
            f"<td style='text-align:left'>{html.escape(definition)}</td>"
            f"<td style='text-align:left'>{html.escape(k.quelle)}</td></tr>"
        )
    return HTML(
        '<table class="kz-text"><thead><tr><th>Kennzahl</th><th>Definition / Zählregel</th><th>Quelle</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


REGEL_TEXT = {
    "bestand": "Bestand am Stichtag (Beginn am oder vor dem Stichtag, Ende offen oder am/nach dem Stichtag)",
    "im_verlauf": "Fälle im Verlauf des Zeitraums",
    "ereignisse": "Ereignisse im Zeitraum",
    "jahr_bis_stichtag": "Ereignisse vom 1. Januar bis zum Stichtag",
    "summe": "Summe am Stichtag",
}


def _auto_definition(k) -> str:
    cat = load_catalog()
    parts = []
    for t in k.zaehler:
        bz = cat.basiszahlen[t.basis]
        filt = ", ".join(_filter_text(c, v) for c, v in t.filter.items())
        parts.append(f"{bz.tabelle}: {REGEL_TEXT[bz.regel]}" + (f" ({filt})" if filt else ""))
    text = " + ".join(parts)
    if k.nenner:
        text += " / " + " + ".join(cat.basiszahlen[t.basis].tabelle for t in k.nenner)
    return text


def _filter_text(col: str, value: object) -> str:
    if isinstance(value, dict):
        parts = []
        if "min" in value:
            parts.append(f"{col} ≥ {value['min']}")
        if "max" in value:
            parts.append(f"{col} ≤ {value['max']}")
        return " und ".join(parts)
    if isinstance(value, list):
        return f"{col} = {' oder '.join(str(v) for v in value)}"
    return f"{col} = {value}"


def md(text: str) -> Markdown:
    """A Markdown block (for generated narrative); HTML in the text is shown as text, never run."""
    return Markdown(html.escape(str(text), quote=False))


def styled(df: pd.DataFrame, hervorheben: str | None = None, caption: str | None = None) -> HTML:
    """A plain HTML table of already formatted strings, optionally highlighting one column/row.

    Cells, row and column labels and the caption are escaped (pandas' Styler does not escape);
    cells holding package-built :class:`Html` stay markup.
    """
    import hashlib

    # a uuid from the content keeps the HTML stable between runs (nbval) and unique per table
    digest = hashlib.sha1(pd.util.hash_pandas_object(df.astype(str), index=True).values.tobytes()
                          + str(caption).encode() + str(hervorheben).encode()).hexdigest()[:10]
    sty = df.style.set_uuid(digest).format(esc).format_index(esc, axis=0).format_index(esc, axis=1)
    if df.astype(str).map(len).to_numpy().max(initial=0) > 40:  # prose cells wrap, numbers do not
        sty = sty.set_table_attributes('class="kz-text"')
    if caption:
        sty = sty.set_caption(esc(caption))
    if hervorheben is not None:
        if hervorheben in df.columns:
            sty = sty.set_properties(subset=[hervorheben], **{"background-color": "#fde9d9", "font-weight": "bold"})
        elif hervorheben in df.index:
            sty = sty.set_properties(subset=pd.IndexSlice[[hervorheben], :],
                                     **{"background-color": "#fde9d9", "font-weight": "bold"})
    return HTML(sty.to_html())


def show_geheimhaltung(audits: Sequence[pd.DataFrame], produkt: int) -> None:
    """The disclosure note with its symbols; the hidden cells travel as output metadata to the audit file."""
    from IPython.display import display

    from .. import disclosure

    cfg = disclosure.load_config()
    frames = [a for a in audits if a is not None and len(a)]
    audit = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=disclosure.AUDIT_COLUMNS)
    if disclosure.is_public(produkt, cfg):
        text = (f"<p class='kz-fuss'><b>Geheimhaltung:</b> {html.escape(disclosure.legende(cfg.k, cfg.symbol_sekundaer))} "
                f"In diesem Bericht sind {len(audit)} Tabellenfelder gesperrt.</p>")
    else:
        text = "<p class='kz-fuss'>Interner Bericht: exakte Fallzahlen, nicht zur Veröffentlichung.</p>"
    records = audit[disclosure.AUDIT_COLUMNS].astype(str).to_dict("records")
    display(HTML(text), metadata={"disclosure_audit": records})


def reihen_hinweis(pool_dir: str | Path | None, daten: pd.DataFrame | None, kennzahlen: Sequence[str] | dict[str, str],
                   erste_gezeigt: str | None, raum: str | None = None, bis: str | None = None,
                   was: str = "Die Reihe", einheit: str = "stichtag") -> HTML:
    """One sentence under a time series: from when it runs and why (the pool's coverage table).

    ``daten``: the pool's Kennzahlen (None: loaded from ``pool_dir``).
    """
    from .. import abdeckung

    daten = load_pool(pool_dir) if daten is None else daten
    text = abdeckung.reihen_hinweis(daten, abdeckung.load(pool_dir), kennzahlen, erste_gezeigt, raum=raum,
                                    bis=bis, was=was, einheit=einheit)
    return HTML(f"<p class='kz-fuss'>{html.escape(text)}</p>")
