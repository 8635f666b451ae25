"""Produkt 4 – Ampel: Sozialraum x Arbeitsfeld lights with the rule, values and switches behind them."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from .. import ampel, fmt
from ..schema import GESAMTSTADT
from .common import Html

FELDER = {"jh": "Jugendhilfe", "egh": "Eingliederungshilfe", "ah": "Altenhilfe", "es": "Existenzsicherung",
          "ws": "Wohnraumsicherung"}
LABEL = {"gruen": "GRÜN", "gelb": "GELB", "rot": "ROT", "grau": "keine Aussage"}
REGEL = {"zielwert": "Zielwert", "anstieg": "Anstieg ggü. Ø 4 Vorquartale", "spc": "SPC (XmR, feste Basis)"}


def licht(farbe: str | None, manuell: bool = False) -> Html:
    """One light as HTML: colour and a text label (readable in greyscale), ✎ for a manual switch."""
    f = farbe if farbe in LABEL else "grau"
    mark = " ✎" if manuell else ""
    return Html(f'<span class="kz-ampel kz-ampel-{f}">{LABEL[f]}{mark}</span>')


def laden(pool: str | Path | None, quartal: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The quarter's lights and indicator details from the pool."""
    return ampel.ampel_fuer(pool, quartal), ampel.ampel_fuer(pool, quartal, details=True)


def raster_html(lichter: pd.DataFrame, hervorheben: str | None = None) -> str:
    """The grid of lights: areas as rows, Arbeitsfelder as columns."""
    felder = [f for f in FELDER if f in set(lichter["arbeitsfeld"])]
    head = "".join(f"<th>{html.escape(FELDER[f])}</th>" for f in felder)
    rows = []
    for raum, grp in lichter.groupby("sozialraum", sort=False):
        by = grp.set_index("arbeitsfeld")
        style = ' style="background:#fde9d9"' if raum == hervorheben else ""
        cells = "".join(
            f'<td style="text-align:center">{licht(by.loc[f, "farbe"], bool(by.loc[f, "manuell"]))}</td>'
            if f in by.index else "<td>–</td>"
            for f in felder
        )
        rows.append(f"<tr{style}><th>{html.escape(raum)}</th>{cells}</tr>")
    return f'<table class="kz-raster"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def begruendungen(lichter: pd.DataFrame, raum: str | None = None, nur_auffaellig: bool = False) -> pd.DataFrame:
    """Per light: colour, what the rules said, and the reason (a manual switch keeps both).

    Every cell is HTML-safe (names and reasons escaped), as the report shows it with
    ``to_html(escape=False)``.
    """
    rows = lichter if raum is None else lichter[lichter["sozialraum"] == raum]
    if nur_auffaellig:
        rows = rows[rows["farbe"].isin(["rot", "gelb"]) | rows["manuell"]]
    out = pd.DataFrame({
        "Gebiet": rows["sozialraum"].map(lambda r: html.escape(str(r))),
        "Arbeitsfeld": rows["arbeitsfeld"].map(FELDER),
        "Ampel": [licht(f, m) for f, m in zip(rows["farbe"], rows["manuell"], strict=True)],
        "nach Regeln": [licht(f) for f in rows["farbe_regel"]],
        "Begründung": [
            (f"<b>Manuell geschaltet am {fmt.datum(d)}:</b> {html.escape(b)}<br><small>Regeln: {html.escape(r or '')}</small>"
             if m else html.escape(b or ""))
            for b, r, m, d in zip(rows["begruendung"], rows["begruendung_regel"], rows["manuell"],
                                  rows["geschaltet_am"], strict=True)
        ],
    })
    if raum is not None:
        out = out.drop(columns="Gebiet")
    return out.reset_index(drop=True)


def details(det: pd.DataFrame, raum: str) -> pd.DataFrame:
    """The indicators behind an area's lights: rule, value, comparison, thresholds, cases (HTML-safe)."""
    rows = det[det["sozialraum"] == raum]

    def wert(x: float, einheit: str) -> str:
        return fmt.prozent(x) if einheit in ("anteil", "quote") else fmt.zahl(x, 0 if float(x).is_integer() else 1)

    def schwelle(x: float, einheit: str) -> str:
        return "–" if pd.isna(x) else wert(x, einheit)

    return pd.DataFrame({
        "Arbeitsfeld": rows["arbeitsfeld"].map(FELDER),
        "Indikator": rows["indikator"].map(lambda x: html.escape(str(x))),
        "Regel": rows["regel"].map(REGEL).fillna(rows["regel"]).map(lambda x: html.escape(str(x))),
        "Wert": [wert(w, e) if pd.notna(w) else "–" for w, e in zip(rows["wert"], rows["einheit"], strict=True)],
        "Vergleich": rows["vergleich"].fillna("–").map(lambda x: html.escape(str(x))),
        "Schwelle gelb": [schwelle(x, e) for x, e in zip(rows["schwelle_gelb"], rows["einheit"], strict=True)],
        "Schwelle rot": [schwelle(x, e) for x, e in zip(rows["schwelle_rot"], rows["einheit"], strict=True)],
        "Fälle": rows["faelle"].map(lambda x: fmt.zahl(x)),
        "Farbe": [licht(f) for f in rows["farbe"]],
    }).reset_index(drop=True)


def kernaussagen(lichter: pd.DataFrame, quartal: str, raum: str) -> list[str]:
    """Key messages: how many lights are red/yellow, which, and the manual switches."""
    rows = lichter if raum == GESAMTSTADT else lichter[lichter["sozialraum"] == raum]
    n = rows["farbe"].value_counts()
    gebiet = "über alle Sozialräume und die Gesamtstadt" if raum == GESAMTSTADT else f"im Sozialraum {raum}"
    out = [
        f"Ampel {fmt.periode(quartal)} {gebiet}: {n.get('rot', 0)} × rot, {n.get('gelb', 0)} × gelb, "
        f"{n.get('gruen', 0)} × grün, {n.get('grau', 0)} ohne Aussage (zu wenige Fälle)."
    ]
    rot = rows[rows["farbe"] == "rot"]
    if len(rot):
        out.append("Handlungsbedarf (rot): " + "; ".join(
            f"{r.sozialraum} {FELDER[r.arbeitsfeld]}" for r in rot.itertuples()) + ".")
    manuell = rows[rows["manuell"]]
    for r in manuell.itertuples():
        wie = (f"auf {ampel.FARB_TEXT[r.farbe]} bestätigt" if r.farbe == r.farbe_regel
               else f"von {ampel.FARB_TEXT[r.farbe_regel]} (Regel) auf {ampel.FARB_TEXT[r.farbe]} geschaltet")
        out.append(f"Manuell: {r.sozialraum} {FELDER[r.arbeitsfeld]} {wie} – {r.begruendung}")
    return out


def regeln_text() -> str:
    """The rules of config/ampel.yaml in words (for the definitions section)."""
    setup = ampel.load_ampel_config()
    r = setup.config.regeln
    return (
        f"Zielwert-Regel: grün, wenn der Zielwert erreicht ist; gelb, wenn er um höchstens "
        f"{fmt.zahl(r.zielwert.toleranz_pp, 1)} Prozentpunkte verfehlt ist; sonst rot. "
        f"Anstiegs-Regel (Bestände, deren Anstieg ein Warnsignal ist): Wert am Stichtag gegenüber dem Mittel der "
        f"{r.anstieg.vorquartale} vorherigen Quartalsenden; Anstieg bis {fmt.zahl(r.anstieg.gelb_ueber_prozent)}{fmt.NBSP}% grün, "
        f"bis {fmt.zahl(r.anstieg.rot_ueber_prozent)}{fmt.NBSP}% gelb, darüber rot. SPC-Regel nach NHS „Making Data Count“: "
        f"Mittelwert und Kontrollgrenzen (± {fmt.zahl(r.spc.grenzfaktor, 2)} × mittlere gleitende Spannweite) auf fester Basis; "
        f"auf einer Basis von {r.spc.basis_perioden} Quartalen; ein Punkt jenseits einer Grenze in ungünstiger Richtung ist rot, {r.spc.lauf} Punkte in Folge auf "
        f"der ungünstigen Seite des Mittels gelb. Unter {r.min_faelle} Fällen: keine Aussage (grau). Ein Arbeitsfeld "
        f"zeigt seinen schlechtesten Indikator. Eine Schaltung der Fachkoordination/Fachplanung (✎) ersetzt die Farbe "
        f"der Regeln; beide werden gezeigt."
    )
