"""Parts every report shares: the header, the key messages, definitions and sources.

Everything that enters a report's HTML is escaped here or by the caller: names from
config/raumgliederung.csv, catalog texts, raw data. Only markup the package builds itself is
passed on as :class:`Html`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown

from kennzahlen.catalog.geography import gesamtstadt_titel
from kennzahlen.catalog.model import load_catalog
from kennzahlen.core import fmt
from kennzahlen.core.periods import quartal_beginn_von_tag, quartal_von_tag, zeitraum
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.pool.load import load_pool
from kennzahlen.products import memo


class Html(str):
    """Markup built by the package itself (e.g. an Ampel light): passed on as HTML, never
    escaped."""


def esc(value: object) -> str:
    """Text for an HTML text node: escaped, unless it is package-built :class:`Html`."""
    if isinstance(value, Html):
        return value
    return html.escape("" if value is None else str(value), quote=False)


def stand_tabellen(pool: str | Path | None, tabellen: Iterable[str] | None = None) -> pd.DataFrame:
    """The newest export date (Stand) per raw table in the pool."""
    stand = load_pool(pool, "stand")
    auswahl = None if tabellen is None else tuple(tabellen)
    # a report asks for every Kennzahl's tables (its Steckbriefe), a warm kernel again per area
    return memo.gemerkt(
        _STAND,
        (memo.tabellen_schluessel(stand, "stand"), auswahl),
        lambda: _stand_je_tabelle(stand, auswahl),
    )


_STAND: dict = {}


def _stand_je_tabelle(stand: pd.DataFrame, tabellen: tuple[str, ...] | None) -> pd.DataFrame:
    if tabellen is not None:
        stand = stand[stand["tabelle"].isin(list(tabellen))]
    return stand.groupby("tabelle", as_index=False)["stand"].max().sort_values("tabelle")


def kopf(
    titel: str,
    zeitraum: str,
    raum: str,
    pool: str | Path | None,
    tabellen: Iterable[str] | None = None,
    empfaenger: str = "",
) -> HTML:
    """The report header: title, period, area, recipients, and the data's Stand."""
    stand = stand_tabellen(pool, tabellen)
    from kennzahlen.core.vocabulary import lieferung

    stand_txt = ", ".join(
        f"{lieferung(t)} {fmt.datum(s)}"
        for t, s in zip(stand["tabelle"], stand["stand"], strict=True)
    )
    ohne = [lieferung(t) for t in (tabellen or []) if t not in set(stand["tabelle"])]
    if ohne:
        stand_txt += ("; " if stand_txt else "") + f"keine Lieferung: {', '.join(sorted(ohne))}"
    gebiet = gesamtstadt_titel() if raum == GESAMTSTADT else f"Sozialraum {raum}"
    emp = f"<br><b>Für:</b> {html.escape(empfaenger)}" if empfaenger else ""
    return HTML(
        f'<div class="kz-kopf"><h1>{html.escape(titel)}</h1>'
        f"<b>Berichtszeitraum:</b> {html.escape(zeitraum)} &nbsp;·&nbsp; <b>Gebiet:</b> "
        f"{html.escape(gebiet)}"
        f'{emp}<br><span class="kz-fuss"><b>Stand der Daten (Exportdatum):</b> '
        f"{html.escape(stand_txt)}</span></div>"
    )


def show_kernaussagen(aussagen: Sequence[str]) -> None:
    """Display the key messages with their metadata (for the runner and the e-mail body)."""
    from IPython.display import display

    items = "".join(f"<li>{html.escape(a)}</li>" for a in aussagen)
    box = f'<div class="kz-kern"><b>Das Wichtigste in Kürze</b><ul>{items}</ul></div>'
    display(HTML(box), metadata={"kernaussagen": list(aussagen)})


def steckbrief_anker(kid: str) -> str:
    """The id of a Kennzahl's sheet (:mod:`kennzahlen.products.steckbrief`) in a report."""
    return f"steckbrief-{kid}"


def steckbrief_link(kid: str, text: str) -> Html:
    """``text`` (escaped) as a link to the Kennzahl's sheet at the end of the same report."""
    return Html(
        f'<a class="kz-steckbrief-link" href="#{steckbrief_anker(kid)}">{html.escape(text)}</a>'
    )


def definitionen(kennzahl_ids: Sequence[str]) -> HTML:
    """Definitions and sources of the Kennzahlen shown, from the catalog; each Kennzahl links to
    its sheet."""
    cat = load_catalog()
    rows = []
    for kid in kennzahl_ids:
        k = cat.get(kid)
        definition = k.definition or _auto_definition(k)
        rows.append(
            f"<tr><td style='text-align:left'>{steckbrief_link(kid, k.titel)}</td>"
            f"<td style='text-align:left'>{html.escape(definition)}</td>"
            f"<td style='text-align:left'>{html.escape(k.quelle)}</td></tr>"
        )
    return HTML(
        '<table class="kz-text"><caption>Definitionen und Quellen der Kennzahlen</caption>'
        "<thead><tr><th>Kennzahl</th><th>Definition / Zählregel</th><th>Quelle</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def mit_caption(tabelle: str, caption: str | None) -> str:
    """An HTML table with a ``<caption>`` (escaped) right after its opening tag (unchanged
    without a caption or when it has one)."""
    if not caption or "<caption" in tabelle:
        return tabelle
    start = tabelle.index("<table")
    ende = tabelle.index(">", start) + 1
    return f"{tabelle[:ende]}<caption>{esc(caption)}</caption>{tabelle[ende:]}"


REGEL_TEXT = {
    "bestand": "Bestand am Stichtag (Beginn am oder vor dem Stichtag, Ende offen oder am/nach dem "
    "Stichtag)",
    "im_verlauf": "Fälle im Verlauf des Zeitraums",
    "ereignisse": "Ereignisse im Zeitraum",
    "jahr_bis_stichtag": "Ereignisse vom 1. Januar bis zum Stichtag",
    "summe": "Summe am Stichtag",
    "summe_zeitraum": "Summe im Zeitraum (an einem Stichtag: seit dem 1. Januar)",
    "bestand_quartalsenden": "Bestände an den vier Quartalsenden des Jahres, summiert",
}


def _auto_definition(k) -> str:
    """A Kennzahl's counting rule in words, from its Basiszahlen and filters (no table, column
    or code names: 'Einwohner*innen, Summe am Stichtag (Alter ab 65 Jahren) / alle
    Einwohner*innen')."""
    from kennzahlen.core.vocabulary import ZAEHLT, wort

    cat = load_catalog()
    text = ""
    for i, t in enumerate(k.zaehler):
        bz = cat.basiszahlen[t.basis]
        filt = ", ".join(_filter_text(c, v) for c, v in t.filter.items())
        zeichen = (
            (" − " if t.vorzeichen < 0 else " + ") if i else ("− " if t.vorzeichen < 0 else "")
        )
        was = ZAEHLT.get(bz.tabelle, wort(bz.tabelle))
        text += zeichen + f"{was}, {REGEL_TEXT[bz.regel]}" + (f" ({filt})" if filt else "")
    if k.nenner:
        nenner = [cat.basiszahlen[t.basis].tabelle for t in k.nenner]
        text += " / alle " + " + ".join(ZAEHLT.get(n, wort(n)) for n in nenner)
    return text


def terme_text(terms: Sequence) -> str:
    """A Zähler or Nenner in words, every summand with its rule and filters ('Fälle der
    Sozialhilfe, Bestand am Stichtag (…) (Leistung: HLU oder GSI) + …'); '' for none."""
    from kennzahlen.core.vocabulary import ZAEHLT, wort

    cat = load_catalog()
    teile = []
    for i, t in enumerate(terms):
        bz = cat.basiszahlen[t.basis]
        filt = ", ".join(_filter_text(c, v) for c, v in t.filter.items())
        zeichen = (" − " if t.vorzeichen < 0 else " + ") if i else ""
        was = ZAEHLT.get(bz.tabelle, wort(bz.tabelle))
        teile.append(zeichen + f"{was}, {REGEL_TEXT[bz.regel]}" + (f" ({filt})" if filt else ""))
    return "".join(teile)


def _filter_text(col: str, value: object) -> str:
    """A filter in words: 'Alter 15 bis 64 Jahre', 'Leistung: HLU oder GSI'."""
    from kennzahlen.core.vocabulary import wort

    if isinstance(value, dict):
        lo, hi = value.get("min"), value.get("max")
        if lo is not None and hi is not None:
            return (
                f"{wort(col)} {lo} bis {hi} Jahre" if col == "alter" else f"{wort(col)} {lo}–{hi}"
            )
        if lo is not None:
            return f"{wort(col)} ab {lo}" + (" Jahren" if col == "alter" else "")
        return f"{wort(col)} bis {hi}" + (" Jahre" if col == "alter" else "")
    werte = value if isinstance(value, list) else [value]
    return f"{wort(col)}: {' oder '.join(wort(v) for v in werte)}"


def md(text: str) -> Markdown:
    """A Markdown block (for generated narrative); HTML in the text is shown as text, never run."""
    return Markdown(html.escape(str(text), quote=False))


def styled(
    df: pd.DataFrame,
    hervorheben: str | None = None,
    caption: str | None = None,
    summen: Sequence[object] = (),
) -> HTML:
    """A plain HTML table of already formatted strings, optionally highlighting one column/row.

    ``summen``: index labels of (sub)total rows, set in bold on the group background.

    Cells, row and column labels and the caption are escaped (pandas' Styler does not escape);
    cells holding package-built :class:`Html` stay markup. Without ``caption`` the frame's
    ``attrs["caption"]`` names the table (every report table has a caption).
    """
    from kennzahlen.products import tabelle_html

    caption = caption or df.attrs.get("caption")
    # written directly, byte for byte as the Styler below (about ten times cheaper); None for a
    # case only the Styler covers
    schnell = tabelle_html.tabelle(df, hervorheben, caption, summen, esc)
    if schnell is not None:
        return HTML(schnell)
    return HTML(styler_html(df, hervorheben, caption, summen))


def styler_html(
    df: pd.DataFrame,
    hervorheben: str | None = None,
    caption: str | None = None,
    summen: Sequence[object] = (),
) -> str:
    """:func:`styled`'s table built with pandas' Styler (its reference and fallback; ``caption``
    as given, not taken from ``df.attrs``)."""
    import hashlib

    texte = df.astype(str)  # the cells as text: for the uuid and the width of the longest
    # a uuid from the content keeps the HTML stable between runs (nbval) and unique per table
    digest = hashlib.sha1(
        pd.util.hash_pandas_object(texte, index=True).values.tobytes()
        + str(caption).encode()
        + str(hervorheben).encode()
        + str(list(summen)).encode()
    ).hexdigest()[:10]
    sty = df.style.set_uuid(digest).format(esc).format_index(esc, axis=0).format_index(esc, axis=1)
    if texte.map(len).to_numpy().max(initial=0) > 40:  # prose cells wrap, numbers do not
        sty = sty.set_table_attributes('class="kz-text"')
    if caption:
        sty = sty.set_caption(esc(caption))
    if len(summen):
        fett = {"font-weight": "bold", "background-color": "#dde7f0"}
        sty = sty.set_properties(subset=pd.IndexSlice[list(summen), :], **fett)
        letzte = {x[-1] if isinstance(x, tuple) else x for x in summen}
        sty = sty.map_index(
            lambda v: "background-color: #dde7f0" if v in letzte else "font-weight: normal",
            axis=0,
            level=df.index.nlevels - 1,
        )
    if hervorheben is not None:
        if hervorheben in df.columns:
            sty = sty.set_properties(
                subset=[hervorheben], **{"background-color": "#fde9d9", "font-weight": "bold"}
            )
        elif hervorheben in df.index:
            sty = sty.set_properties(
                subset=pd.IndexSlice[[hervorheben], :],
                **{"background-color": "#fde9d9", "font-weight": "bold"},
            )
    return sty.to_html()


def show_disclosure(audits: Sequence[pd.DataFrame], produkt: int) -> None:
    """The disclosure note with its symbols; the hidden cells travel as output metadata to the audit
    file."""
    from IPython.display import display

    from kennzahlen.disclosure import config as disclosure_config
    from kennzahlen.disclosure import suppression as disclosure

    cfg = disclosure_config.load_config()
    frames = [a for a in audits if a is not None and len(a)]
    audit = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=disclosure.AUDIT_COLUMNS)
    )
    if disclosure_config.is_public(produkt, cfg):
        text = (
            "<p class='kz-fuss'><b>Geheimhaltung:</b> "
            f"{html.escape(disclosure.legende(cfg.k, cfg.symbol_sekundaer))} "
            f"In diesem Bericht sind {len(audit)} Tabellenfelder gesperrt.</p>"
        )
    else:
        text = (
            "<p class='kz-fuss'>Interner Bericht: exakte Fallzahlen, nicht zur "
            "Veröffentlichung.</p>"
        )
    records = audit[disclosure.AUDIT_COLUMNS].astype(str).to_dict("records")
    display(HTML(text), metadata={"disclosure_audit": records})


def reihen_hinweis(
    pool_dir: str | Path | None,
    daten: pd.DataFrame | None,
    kennzahlen: Sequence[str] | dict[str, str],
    erste_gezeigt: str | None,
    raum: str | None = None,
    bis: str | None = None,
    was: str = "Die Reihe",
    einheit: str = "stichtag",
) -> HTML:
    """One sentence under a time series: from when it runs and why (the pool's table ``abdeckung``).

    ``daten``: the pool's Kennzahlen (None: loaded from ``pool_dir``).
    """
    from kennzahlen.pool import abdeckung

    daten = load_pool(pool_dir) if daten is None else daten
    text = abdeckung.reihen_hinweis(
        daten,
        abdeckung.load(pool_dir),
        kennzahlen,
        erste_gezeigt,
        raum=raum,
        bis=bis,
        was=was,
        einheit=einheit,
    )
    return HTML(f"<p class='kz-fuss'>{html.escape(text)}</p>")


# ---------------------------------------------------------------------------- what the pool holds
#: the raw tables as the noun of "Für 2018 liegen keine … vor"
DATEN = {
    "bevoelkerung": "Bevölkerungsdaten",
    "haushalte": "Haushaltsdaten",
    "transferleistungen": "Transferleistungsdaten",
    "jugendhilfe": "Jugendhilfedaten",
    "hilfen_vor_dem_fall": "Daten der Hilfen vor dem Fall",
    "sozialhilfe": "Sozialhilfedaten",
    "fallmanagement": "Daten des Fallmanagements",
    "beratungen_altenhilfe": "Beratungsdaten der Altenhilfe",
    "teilhabeteam": "Daten der Teilhabeteams",
    "wohnraumsicherung": "Daten der Wohnraumsicherung",
    "ampel_schaltungen": "Ampel-Schaltungen",
    "ausgaben": "Ausgaben aus dem Finanzverfahren",
}


def zeit_text(periode: str) -> str:
    """A pool period after 'Für': '2018', 'das 1. Quartal 2019', 'den 31.12.2018'."""
    text = str(periode)
    if len(text) == 4:
        return text
    if "-Q" in text:
        return f"das {fmt.periode(text)}"
    return f"den {fmt.datum(text)}"


def _ab(ts: pd.Timestamp) -> str:
    """'dem 1. Quartal 2019' for a quarter's first day, else 'dem 15.02.2020'."""
    ts = pd.Timestamp(ts)
    if ts == quartal_beginn_von_tag(ts):
        return f"dem {fmt.periode(quartal_von_tag(ts))}"
    return f"dem {fmt.datum(ts)}"


def _liste(items: Sequence[str]) -> str:
    """'A', 'A und B', 'A, B und C'."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} und {items[-1]}"


def warum_fehlt(abdeckung: pd.DataFrame, tabelle: str, periode: str) -> str | None:
    """Why a raw table cannot answer a pool period (a German clause), None when it covers it.

    Read from the pool's table ``abdeckung`` (``abdeckung.parquet``): a record table covers a span
    of days, a count table its delivered Stichtage.
    """
    first, last = zeitraum(periode)
    rows = abdeckung[abdeckung["tabelle"] == tabelle] if len(abdeckung) else abdeckung
    if rows.empty or pd.isna(rows.iloc[0]["von"]) or pd.isna(rows.iloc[0]["bis"]):
        return "nicht geliefert"
    row = rows.iloc[0]
    von, bis = pd.Timestamp(row["von"]), pd.Timestamp(row["bis"])
    if row["art"] == "stichtage":
        if last < von:
            return f"erst ab dem Stichtag {fmt.datum(von)} geliefert"
        if last > bis:
            return f"nur bis zum Stichtag {fmt.datum(bis)} geliefert"
        return None
    if first < von:
        if row["grund"] == "config":
            return f"erst ab {_ab(von)} vollständig"
        return f"Exporte erst ab {_ab(von)}"
    if last > bis:
        return f"Exporte nur bis zum {fmt.periode(quartal_von_tag(bis))}"
    return None


def fehlende_tabellen(
    abdeckung: pd.DataFrame, tabellen: Iterable[str], periode: str
) -> dict[str, str]:
    """The tables among ``tabellen`` that do not cover the period, each with why."""
    out = {}
    for t in sorted(set(tabellen)):
        warum = warum_fehlt(abdeckung, t, periode)
        if warum is not None:
            out[t] = warum
    return out


def fehlt_satz(
    periode: str,
    fehlend: dict[str, str],
    folge: str,
    gebiet: str | None = None,
    zeit: str | None = None,
) -> str:
    """One German sentence: what is missing for a period, why, and what is left out.

    ``fehlend``: table -> why (:func:`fehlende_tabellen`); empty: the pool has no values although
    the tables cover the period (then ``gebiet`` names the area). ``folge``: the clause after ';'.
    Example: "Für 2018 liegen keine Transferleistungsdaten vor (erst ab dem Stichtag 31.03.2019
    geliefert); die Quoten fehlen daher." ``zeit``: the period in words (default from ``periode``).
    """
    zeit = zeit or zeit_text(periode)
    if not fehlend:
        fuer = f" für {gebiet}" if gebiet else ""
        return f"Für {zeit} liegen{fuer} keine Werte vor; {folge}."
    gruppen: dict[str, list[str]] = {}
    for t, warum in fehlend.items():
        gruppen.setdefault(warum, []).append(DATEN.get(t, f"Daten der Tabelle {t}"))
    if len(gruppen) == 1:
        ((warum, namen),) = gruppen.items()
        return f"Für {zeit} liegen keine {_liste(namen)} vor ({warum}); {folge}."
    teile = [f"keine {_liste(namen)} ({warum})" for warum, namen in gruppen.items()]
    return f"Für {zeit} liegen {_liste(teile)} vor; {folge}."


def fehlen_daher(namen: Sequence[str]) -> str:
    """'daher fehlt „A“' / 'daher fehlen „A“ und „B“' (the clause after the missing data)."""
    quoted = [f"„{n}“" for n in namen]
    return f"daher {'fehlt' if len(quoted) == 1 else 'fehlen'} {_liste(quoted)}"


def abdeckung_von(pool_dir: str | Path | pd.DataFrame | None) -> pd.DataFrame:
    """The pool's table ``abdeckung`` (empty for a pool without one); a frame is taken as that
    table."""
    from kennzahlen.pool import abdeckung

    if isinstance(pool_dir, pd.DataFrame):
        return pool_dir
    return abdeckung.load(pool_dir)


def tabellen_von(kennzahlen: Iterable[str]) -> set[str]:
    """The raw tables the given Kennzahlen read (from the catalog)."""
    cat = load_catalog()
    out: set[str] = set()
    for kid in kennzahlen:
        out |= cat.tables_of(cat.get(kid))
    return out


@dataclass(frozen=True)
class Datenlage:
    """Which of some Kennzahlen the pool holds for a period and area, and one sentence for the
    rest."""

    vorhanden: tuple[str, ...]
    fehlend: tuple[str, ...]
    satz: str = ""

    @property
    def nichts(self) -> bool:
        """True when none of the Kennzahlen has a value."""
        return not self.vorhanden

    def hinweis(self) -> HTML:
        """The sentence as a report paragraph (empty when nothing is missing)."""
        return HTML(f"<p class='kz-fehlt'>{html.escape(self.satz)}</p>" if self.satz else "")


def mit_werten(
    daten: pd.DataFrame, kennzahlen: Iterable[str], periode: str, raum: str | None = None
) -> set[str]:
    """The Kennzahlen with a value for the period (and area: its Sozialraum or Gesamtstadt row)."""
    ids = list(kennzahlen)
    sub = daten[(daten["periode"] == periode) & daten["kennzahl"].isin(ids) & daten["wert"].notna()]
    if raum is not None:
        sub = sub[(sub["raum"] == raum) & (sub["ebene"] != "stadtviertel")]
    return set(sub["kennzahl"])


def datenlage(
    daten: pd.DataFrame,
    kennzahlen: Sequence[str] | dict[str, str],
    periode: str,
    pool_dir: str | Path | pd.DataFrame | None,
    raum: str | None = None,
    folge: str = "diese Angaben fehlen daher",
    gebiet: str | None = None,
    zeit: str | None = None,
) -> Datenlage:
    """What the pool holds of ``kennzahlen`` for ``periode`` (and ``raum``), with the sentence.

    ``kennzahlen``: ids, or ids with labels (then the sentence names the missing ones when some
    are there). ``folge``: the clause when all are missing ("die Quoten fehlen daher").
    ``pool_dir``: the pool folder (None: the default pool), or its table ``abdeckung`` itself.
    """
    ids = list(kennzahlen)
    da = mit_werten(daten, ids, periode, raum)
    vorhanden = tuple(k for k in ids if k in da)
    fehlend = tuple(k for k in ids if k not in da)
    if not fehlend:
        return Datenlage(vorhanden, fehlend)
    labels = dict(kennzahlen) if isinstance(kennzahlen, dict) else {}
    if vorhanden and labels:
        folge = fehlen_daher([labels[k] for k in fehlend])
    tabellen = fehlende_tabellen(abdeckung_von(pool_dir), tabellen_von(fehlend), periode)
    if raum is not None and not tabellen and gebiet is None:
        gebiet = "die Gesamtstadt" if raum == GESAMTSTADT else f"den Sozialraum {raum}"
    return Datenlage(vorhanden, fehlend, fehlt_satz(periode, tabellen, folge, gebiet, zeit))


def hinweis(text: str) -> HTML:
    """A sentence that says what is missing, as a report paragraph."""
    return HTML(f"<p class='kz-fehlt'>{html.escape(text)}</p>")
