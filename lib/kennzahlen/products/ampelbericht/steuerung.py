"""What the Ampel (Produkt 4, internal) shows of the steering loop: the explanations beside the
lights and indicators, and the measures: red lights without a measure, open and overdue
measures with the light's course since they began."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from kennzahlen.core import fmt
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.core.vocabulary import ARBEITSFELDER
from kennzahlen.products import common, memo
from kennzahlen.steuerung import erlaeuterungen as erl_mod
from kennzahlen.steuerung import freitext, tabellen
from kennzahlen.steuerung import massnahmen as mn


def _felder() -> dict[str, str]:
    return dict(ARBEITSFELDER)


def _licht(farbe: str) -> str:
    from kennzahlen.products.ampelbericht.bericht import licht

    return licht(farbe)


def _ampel(pool_dir: str | Path | None) -> pd.DataFrame:
    from kennzahlen.pool.load import load_pool

    return load_pool(pool_dir, "ampel")


def erlaeuterungen_zu_lichtern(
    lichter: pd.DataFrame, pool_dir: str | Path | None, quartal: str
) -> list[str]:
    """Per light (row of ``lichter``): its explanations as one escaped text ('' without)."""
    erl = tabellen.load_tabelle(pool_dir, "erlaeuterungen")
    # the quarter's explanations grouped once per table, quarter and configuration
    alle = memo.gemerkt(
        _JE_FELD,
        (memo.tabellen_schluessel(erl, "erlaeuterungen"), quartal),
        lambda: erl_mod.fuer_alle_arbeitsfelder(erl, quartal),
    )
    return [
        html.escape(" / ".join(alle.get((r.sozialraum, r.arbeitsfeld), [])))
        for r in lichter.itertuples()
    ]


_JE_FELD: dict = {}


def erlaeuterungen_zu_indikatoren(
    det: pd.DataFrame, pool_dir: str | Path | None, quartal: str
) -> list[str]:
    """Per indicator row: the explanations of its Kennzahl in its area (escaped; '' without)."""
    erl = tabellen.load_tabelle(pool_dir, "erlaeuterungen")
    rows = erl_mod.des_quartals(erl, quartal)
    out = []
    for r in det.itertuples():
        eigene = rows[(rows["sozialraum"] == r.sozialraum) & (rows["kennzahl"] == r.kennzahl)]
        out.append(html.escape(" / ".join(erl_mod.text(e) for _, e in eigene.iterrows())))
    return out


def begruendungen(
    lichter: pd.DataFrame, pool_dir: str | Path | None, quartal: str, raum: str | None
) -> pd.DataFrame:
    """The table "why each light is as it is" with the explanations of each light (HTML-safe)."""
    from kennzahlen.products.ampelbericht import bericht as ampelbericht

    tab = ampelbericht.begruendungen(lichter, raum)
    rows = lichter if raum is None else lichter[lichter["sozialraum"] == raum]
    tab["Erläuterung"] = erlaeuterungen_zu_lichtern(rows, pool_dir, quartal)
    return tab


def details(
    det: pd.DataFrame, pool_dir: str | Path | None, quartal: str, raum: str
) -> pd.DataFrame:
    """The indicators behind an area's lights with the explanations of their Kennzahl (escaped)."""
    from kennzahlen.products.ampelbericht import bericht as ampelbericht

    tab = ampelbericht.details(det, raum)
    tab["Erläuterung"] = erlaeuterungen_zu_indikatoren(
        det[det["sozialraum"] == raum], pool_dir, quartal
    )
    return tab


def auffaellige_html(
    lichter: pd.DataFrame, pool_dir: str | Path | None, quartal: str
) -> HTML | None:
    """For the city's report: the Sozialräume's red, yellow and switched lights, explained."""
    from kennzahlen.products.ampelbericht import bericht as ampelbericht
    from kennzahlen.products.common import mit_caption

    if lichter.empty:
        return None
    sr = lichter[lichter["sozialraum"] != GESAMTSTADT]
    rows = sr[sr["farbe"].isin(["rot", "gelb"]) | sr["manuell"]]
    kopf = "<h2>Auffällige Ampeln in den Sozialräumen</h2>"
    if rows.empty:
        return HTML(
            kopf + "<p>In keinem Sozialraum steht eine Ampel auf Rot oder Gelb oder wurde "
            "geschaltet.</p>"
        )
    # the city's report: the Sozialräume's lights and rules; their free text is in their reports
    tab = ampelbericht.begruendungen(rows, bericht_raum=GESAMTSTADT)
    erl = erlaeuterungen_zu_lichtern(rows, pool_dir, quartal)
    tab["Erläuterung"] = [
        html.escape(freitext.verweis(r)) if e else "–"
        for e, r in zip(erl, rows["sozialraum"], strict=True)
    ]
    tabelle = tab.to_html(escape=False, index=False, classes="kz-text")
    caption = "Rote, gelbe und manuell geschaltete Ampeln der Sozialräume mit Begründung"
    fuss = (
        "<p class='kz-fuss'>Begründungen von Schaltungen, Erläuterungen und Maßnahmen eines "
        "Sozialraums stehen nur in seinem eigenen Bericht (Kenntnis nach Bedarf).</p>"
    )
    return HTML(kopf + mit_caption(tabelle, caption) + fuss)


def _raum(df: pd.DataFrame, raum: str) -> pd.DataFrame:
    return df if raum == GESAMTSTADT else df[df["sozialraum"] == raum]


def _verlauf_html(ampel: pd.DataFrame, row, quartal: str) -> str:
    schritte = mn.verlauf(ampel, row["sozialraum"], row["arbeitsfeld"], row["quartal"], quartal)
    return (
        " → ".join(f"{html.escape(q.replace('-', ' '))}: {_licht(f)}" for q, f in schritte) or "–"
    )


def massnahmen_tabelle(pool_dir: str | Path | None, quartal: str, raum: str) -> pd.DataFrame:
    """The measures open at the quarter's Stichtag (overdue first) or finished in the quarter, with
    the light's course since each began (HTML-safe cells)."""
    m = _raum(tabellen.load_tabelle(pool_dir, "massnahmen"), raum)
    lage = mn.lage(m, quartal)
    ampel = _ampel(pool_dir)
    felder = _felder()
    eigen = [freitext.eigen(raum, r) for r in lage["sozialraum"]]
    out = pd.DataFrame(
        {
            "Gebiet": [html.escape(str(x)) for x in lage["sozialraum"]],
            "Nr.": [
                f'<span style="white-space:nowrap">{html.escape(str(x))}</span>'
                for x in lage["massnahme_id"]
            ],
            "Arbeitsfeld": [felder.get(a, a) for a in lage["arbeitsfeld"]],
            "Anlass": [html.escape(mn.anlass_text(r)) for _, r in lage.iterrows()],
            "Maßnahme": [
                html.escape(str(x) if e else freitext.verweis(r))
                for x, e, r in zip(lage["massnahme"], eigen, lage["sozialraum"], strict=True)
            ],
            "verantwortlich": [html.escape(str(x)) for x in lage["verantwortlich"]],
            "Status": [
                ("<b>" if r["ueberfaellig"] else "")
                + html.escape(mn.status_text(r, quartal, ergebnis=e))
                + ("</b>" if r["ueberfaellig"] else "")
                for (_, r), e in zip(lage.iterrows(), eigen, strict=True)
            ],
            "Ampel seit Beginn": [_verlauf_html(ampel, r, quartal) for _, r in lage.iterrows()],
        }
    )
    return out if raum == GESAMTSTADT else out.drop(columns="Gebiet")


def rot_ohne_tabelle(pool_dir: str | Path | None, quartal: str, raum: str) -> pd.DataFrame:
    """The red lights of the quarter without a measure (HTML-safe cells)."""
    lichter = _raum(_ampel(pool_dir), raum)
    m = tabellen.load_tabelle(pool_dir, "massnahmen")
    rot = mn.rot_ohne_massnahme(lichter, m, quartal)
    seit = [_rot_seit(lichter, r.sozialraum, r.arbeitsfeld, quartal) for r in rot.itertuples()]
    return pd.DataFrame(
        {
            "Gebiet": [html.escape(str(x)) for x in rot["sozialraum"]],
            "Arbeitsfeld": [_felder().get(a, a) for a in rot["arbeitsfeld"]],
            "Ampel": [_licht("rot")] * len(rot),
            "rot seit": [html.escape(fmt.periode(q)) for q in seit],
            "Begründung": [
                html.escape(
                    str(b)
                    if not m or freitext.eigen(raum, r)
                    else f"manuell geschaltet {freitext.verweis(r)}"
                )
                for b, m, r in zip(
                    rot["begruendung"], rot["manuell"], rot["sozialraum"], strict=True
                )
            ],
        }
    )


def _rot_seit(ampel: pd.DataFrame, sozialraum: str, arbeitsfeld: str, quartal: str) -> str:
    """The first quarter of the unbroken run of red lights that ends in ``quartal``."""
    rows = ampel[(ampel["sozialraum"] == sozialraum) & (ampel["arbeitsfeld"] == arbeitsfeld)]
    rows = rows[rows["quartal"] <= quartal].sort_values("quartal", ascending=False)
    seit = quartal
    for q, f in zip(rows["quartal"], rows["farbe"], strict=True):
        if f != "rot":
            break
        seit = q
    return seit


def massnahmen_abschnitt(pool_dir: str | Path | None, quartal: str, raum: str) -> HTML:
    """Red lights without a measure, then the open, overdue and just finished measures."""
    alle = tabellen.load_tabelle(pool_dir, "massnahmen")
    if not mn.gefuehrt(alle, quartal):
        beginn = (
            f" (die Liste beginnt mit dem {fmt.periode(alle['quartal'].min())})"
            if len(alle)
            else ""
        )
        return common.hinweis(
            f"Für das {fmt.periode(quartal)} liegen keine Maßnahmen vor{beginn}; rote Ampeln ohne "
            "Maßnahme lassen sich daher nicht benennen."
        )
    teile = []
    rot = rot_ohne_tabelle(pool_dir, quartal, raum)
    wo = "in der Gesamtstadt und den Sozialräumen" if raum == GESAMTSTADT else f"in {raum}"
    lichter = _raum(_ampel(pool_dir), raum)
    rote = lichter[(lichter["quartal"] == quartal) & (lichter["farbe"] == "rot")]
    if rote.empty:
        satz = f"Im {fmt.periode(quartal)} steht keine Ampel {wo} auf Rot."
        teile.append(f"<p>{html.escape(satz)}</p>")
    elif rot.empty:
        teile.append(f"<p>Jede rote Ampel {html.escape(wo)} hat eine Maßnahme.</p>")
    else:
        if raum != GESAMTSTADT:
            rot = rot.drop(columns="Gebiet")
        teile.append(_tabelle(rot, f"Rote Ampeln ohne Maßnahme im {fmt.periode(quartal)}"))
    tab = massnahmen_tabelle(pool_dir, quartal, raum)
    if tab.empty:
        teile.append(f"<p>Keine offene Maßnahme {html.escape(wo)}.</p>")
    else:
        cap = f"Maßnahmen: offen am {fmt.datum(mn.stichtag(quartal))} oder im Quartal erledigt"
        teile.append(_tabelle(tab, cap))
    teile.append(
        "<p class='kz-fuss'>Überfällig: am Stichtag noch offen, obwohl die Frist davor lag. Eine "
        "rote Ampel gilt als versorgt, wenn im selben Quartal eine Maßnahme für Gebiet und "
        "Arbeitsfeld beschlossen wurde oder eine frühere noch offen ist. Quelle: Lieferung "
        "massnahmen der Fachkoordination/Fachplanung; verantwortlich ist eine Rolle.</p>"
    )
    return HTML("".join(teile))


def _tabelle(df: pd.DataFrame, caption: str) -> str:
    """An HTML-safe frame as a table with a caption and header cells."""
    body = df.to_html(escape=False, index=False, classes="kz-text")
    return body.replace(
        ">\n  <thead>", f">\n  <caption>{html.escape(caption)}</caption>\n  <thead>", 1
    )


def kernaussagen(pool_dir: str | Path | None, quartal: str, raum: str) -> list[str]:
    """Key messages: every overdue measure, and the red lights without a measure."""
    m = _raum(tabellen.load_tabelle(pool_dir, "massnahmen"), raum)
    lage = mn.lage(m, quartal)
    felder = _felder()
    out = []
    for _, r in lage[lage["ueberfaellig"]].iterrows():
        text = f": „{r['massnahme']}“" if freitext.eigen(raum, r["sozialraum"]) else ""
        out.append(
            f"Überfällige Maßnahme {r['massnahme_id']} ({r['sozialraum']}, "
            f"{felder.get(r['arbeitsfeld'], r['arbeitsfeld'])}){text} – Frist "
            f"{fmt.datum(r['frist'])}, verantwortlich {r['verantwortlich']}, noch offen."
        )
    alle = tabellen.load_tabelle(pool_dir, "massnahmen")
    rot = mn.rot_ohne_massnahme(_raum(_ampel(pool_dir), raum), alle, quartal)
    if len(rot) and mn.gefuehrt(alle, quartal):
        namen = "; ".join(
            f"{r.sozialraum} {felder.get(r.arbeitsfeld, r.arbeitsfeld)}" for r in rot.itertuples()
        )
        out.append(f"Rote Ampel ohne Maßnahme: {namen}.")
    return out
