"""What the Quartalsmeldung (Produkt 2, internal) shows of the steering loop: the notable changes
with their explanations, and the Personalbemessung und Fallverteilung (also as an Excel sheet)."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from kennzahlen.catalog.model import load_catalog
from kennzahlen.catalog.steuerung import load_config
from kennzahlen.core import fmt
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.products import common, memo
from kennzahlen.steuerung import erlaeuterungen as erl_mod
from kennzahlen.steuerung import freitext, personal, tabellen


def _zeilen() -> list[str]:
    from kennzahlen.products.quartalsmeldung.zeilen import ZEILEN

    return [z.kennzahl for z in ZEILEN]


def _label(kid: str) -> str:
    from kennzahlen.products.quartalsmeldung.zeilen import ARBEITSFELD, ZEILEN, zeilen_label

    for z in ZEILEN:
        if z.kennzahl == kid:
            label = zeilen_label(z)
            feld = ARBEITSFELD[z.gruppe]
            return label if label.startswith(feld) else f"{feld}: {label}"
    return load_catalog().get(kid).titel


def _raeume(raum: str) -> list[str] | None:
    return None if raum == GESAMTSTADT else [raum]


def auffaellig_mit_text(daten: pd.DataFrame, erl: pd.DataFrame, quartal: str, raum: str):
    """The notable changes for the report's area (Gesamtstadt: every area), each with its
    explanations (an empty list: none yet)."""
    # once per pool, quarter, area and configuration (a report asks three times)
    auff = memo.gemerkt(
        _AUFFAELLIG,
        (memo.fingerprint(daten), quartal, raum),
        lambda: erl_mod.auffaellige(
            daten, quartal, _zeilen(), load_config().auffaellig, _raeume(raum)
        ),
    )
    alle = _erlaeuterungen(erl, quartal)
    auff["erlaeuterungen"] = [
        alle.get((r, k), []) for r, k in zip(auff["raum"], auff["kennzahl"], strict=True)
    ]
    return auff


def _erlaeuterungen(erl: pd.DataFrame, quartal: str) -> dict[tuple[str, str], list[str]]:
    """The quarter's explanations of every area and Kennzahl (erl_mod.fuer of each), once per
    table, quarter and configuration: a report asks for each notable value and each Fallzahl,
    a warm kernel again for every area."""
    key = (memo.tabellen_schluessel(erl, "erlaeuterungen"), quartal)
    return memo.gemerkt(_ERLAEUTERUNGEN, key, lambda: erl_mod.fuer_alle(erl, quartal))


_ERLAEUTERUNGEN: dict = {}
_AUFFAELLIG: dict = {}


def hinweise(
    daten: pd.DataFrame, pool_dir: str | Path | None, quartal: str, raum: str
) -> dict[str, str]:
    """Per Fallzahl of the area, the column "Erläuterung" of the table of changes: a notable change
    without an explanation is marked; an explained value points to the section below."""
    erl = tabellen.load_tabelle(pool_dir, "erlaeuterungen")
    auff = auffaellig_mit_text(daten, erl, quartal, raum)
    auffaellig = set(auff.loc[auff["raum"] == raum, "kennzahl"])
    out = {}
    alle = _erlaeuterungen(erl, quartal)
    for kid in _zeilen():
        if alle.get((raum, kid)):
            out[kid] = "erläutert (siehe unten)"
        elif kid in auffaellig:
            out[kid] = f"⚠ auffällig, {erl_mod.OHNE_TEXT}"
    return out


def regel_text() -> str:
    """When a change counts as notable (from config/steuerung.yaml)."""
    cfg = load_config().auffaellig
    return (
        f"Auffällig ist eine Veränderung um mehr als {fmt.zahl(cfg.vorquartal_prozent)}{fmt.NBSP}% "
        f"zum Vorquartal oder um mehr als {fmt.zahl(cfg.vorjahr_prozent)}{fmt.NBSP}% zum "
        f"Vorjahresquartal, jeweils um mindestens {cfg.mindestens_faelle} Fälle (Hilfen vor dem "
        "Fall: nur zum Vorjahr, sie zählen seit Jahresbeginn). Erläuterungen liefern die "
        "Fachkoordination/Fachplanung und die Sozialraumteamleitungen."
    )


def auffaellig_abschnitt(
    daten: pd.DataFrame, pool_dir: str | Path | None, quartal: str, raum: str
) -> HTML:
    """The notable changes of the quarter with their explanation or the mark that none is there yet,
    and the other explanations of the quarter."""
    erl = tabellen.load_tabelle(pool_dir, "erlaeuterungen")
    auff = auffaellig_mit_text(daten, erl, quartal, raum)
    teile = [f"<p class='kz-fuss'>{html.escape(regel_text())}</p>"]
    if erl.empty or quartal < str(erl["quartal"].min()):
        ab = f" (die erste gilt dem {fmt.periode(erl['quartal'].min())})" if len(erl) else ""
        teile.append(
            common.hinweis(
                f"Für das {fmt.periode(quartal)} wurden keine Erläuterungen geliefert{ab}."
            ).data
        )
    if auff.empty:
        teile.append(
            common.hinweis(f"Keine auffällige Veränderung im {fmt.periode(quartal)}.").data
        )
    else:
        tab = pd.DataFrame(
            {
                "Fallzahl": [_label(k) for k in auff["kennzahl"]],
                "Wert": [fmt.zahl(x) for x in auff["aktuell"]],
                "Veränderung": auff["grund"],
                "Erläuterung": [
                    _erlaeuterung(t, raum, r)
                    for t, r in zip(auff["erlaeuterungen"], auff["raum"], strict=True)
                ],
            }
        )
        # row labels are unique: the area and the Fallzahl (a Sozialraum's report: the Fallzahl)
        tab.insert(0, "Gebiet", auff["raum"].tolist())
        tab = tab.set_index(["Gebiet", "Fallzahl"] if raum == GESAMTSTADT else ["Fallzahl"])
        tab = tab.drop(columns="Gebiet", errors="ignore")
        ohne = sum(1 for t in auff["erlaeuterungen"] if not t)
        zahl = auffaellig_text(len(auff), ohne)
        cap = f"Auffällige Veränderungen im {fmt.periode(quartal)}: {zahl}"
        teile.append(common.styled(tab, caption=cap).data)
    weitere = _weitere(erl, quartal, raum, auff)
    if weitere is not None:
        teile.append(weitere)
    return HTML("".join(teile))


def _erlaeuterung(texte: list[str], raum: str, zeilen_raum: str) -> str:
    """The cell 'Erläuterung': the texts of the report's own area; of another, where they are."""
    if not texte:
        return f"⚠ {erl_mod.OHNE_TEXT}"
    if freitext.eigen(raum, zeilen_raum):
        return " / ".join(texte)
    return f"erläutert {freitext.verweis(zeilen_raum)}"


def _weitere(erl: pd.DataFrame, quartal: str, raum: str, auff: pd.DataFrame) -> str | None:
    """The explanations of the quarter for the report's own area not shown beside a notable
    change (as HTML, or None); another area's stand in its own report (need-to-know)."""
    rows = erl_mod.des_quartals(erl, quartal)
    rows = rows[[freitext.eigen(raum, r) for r in rows["sozialraum"]]]
    gezeigt = set(zip(auff["raum"], auff["kennzahl"], strict=True))
    cat = load_catalog()
    daten = []
    for _, r in rows.iterrows():
        if pd.notna(r["kennzahl"]) and (r["sozialraum"], r["kennzahl"]) in gezeigt:
            continue
        bezug = (
            cat.get(r["kennzahl"]).titel
            if pd.notna(r["kennzahl"])
            else f"Arbeitsfeld {common_feld(r['arbeitsfeld'])}"
        )
        daten.append({"Gebiet": r["sozialraum"], "Bezug": bezug, "Erläuterung": erl_mod.text(r)})
    if not daten:
        return None
    tab = pd.DataFrame(daten).set_index(["Gebiet", "Bezug"])
    return common.styled(tab, caption=f"Weitere Erläuterungen zum {fmt.periode(quartal)}").data


def common_feld(arbeitsfeld: str) -> str:
    """An Arbeitsfeld's German name."""
    from kennzahlen.core.vocabulary import ARBEITSFELDER

    return ARBEITSFELDER.get(arbeitsfeld, arbeitsfeld)


def auffaellig_text(n: int, ohne: int) -> str:
    """'1 auffällige Veränderung, noch ohne Erläuterung'; '8 auffällige Veränderungen, davon 4
    noch ohne Erläuterung'; '2 auffällige Veränderungen, alle erläutert'."""
    text = fmt.anzahl(n, "auffällige Veränderung", "auffällige Veränderungen")
    if n == 1:
        return text + (", noch ohne Erläuterung" if ohne else ", erläutert")
    if not ohne:
        return text + ", alle erläutert"
    return text + (
        ", noch keine erläutert" if ohne == n else f", davon {ohne} noch ohne Erläuterung"
    )


def kernaussagen(
    daten: pd.DataFrame, pool_dir: str | Path | None, quartal: str, raum: str
) -> list[str]:
    """Key messages: the notable changes without explanation, and the largest staff gap."""
    erl = tabellen.load_tabelle(pool_dir, "erlaeuterungen")
    auff = auffaellig_mit_text(daten, erl, quartal, raum)
    ohne = auff[[not t for t in auff["erlaeuterungen"]]]
    out = []
    if len(auff):
        teile = [
            f"{_label(r.kennzahl)}{'' if raum != GESAMTSTADT else f' in {r.raum}'} ({r.grund})"
            for r in ohne.head(3).itertuples()
        ]
        mehr = f" und {len(ohne) - 3} weitere" if len(ohne) > 3 else ""
        out.append(
            auffaellig_text(len(auff), len(ohne))
            + (f": {'; '.join(teile)}{mehr}." if teile else ".")
        )
    satz = personal_kernaussage(daten, pool_dir, quartal, raum)
    return out + ([satz] if satz else [])


# ------------------------------------------------------------------------------ Personalbemessung
def _bemessung(
    daten: pd.DataFrame, pool_dir: str | Path | None, quartal: str
) -> personal.Bemessung:
    stellen = tabellen.load_tabelle(pool_dir, "personal")
    # once per pool, staff list, quarter and configuration (a report asks twice, a warm kernel
    # again for every area: the same table)
    key = (memo.fingerprint(daten), memo.tabellen_schluessel(stellen, "personal"), quartal)
    return memo.gemerkt(
        _BEMESSUNG, key, lambda: personal.bemessung(daten, stellen, quartal, load_config())
    )


_BEMESSUNG: dict = {}


def personal_kernaussage(
    daten: pd.DataFrame, pool_dir: str | Path | None, quartal: str, raum: str
) -> str:
    """The largest gap between staff and weighted cases (in the area; Gesamtstadt: anywhere)."""
    b = _bemessung(daten, pool_dir, quartal)
    t = b.tabelle.dropna(subset=["differenz"])
    if raum != GESAMTSTADT:
        t = t[t["raum"] == raum]
    if t.empty:
        return ""
    r = t.loc[t["differenz"].abs().idxmax()]
    wo = f" in {r['raum']}" if raum == GESAMTSTADT else ""
    return (
        f"Personal nach gewichteten Fällen: größte Abweichung {r['dienst']}{wo} mit "
        f"{fmt.zahl(r['vzae_ist'], 2)} VZÄ Ist gegenüber {fmt.zahl(r['vzae_soll'], 2)} VZÄ Soll "
        f"({fmt.differenz(r['differenz'], 0.0, 2)} VZÄ)."
    )


def personal_abschnitt(
    daten: pd.DataFrame, pool_dir: str | Path | None, quartal: str, raum: str
) -> HTML:
    """Fälle je VZÄ and Soll/Ist per service and Sozialraum, with the rule and the case weights."""
    cfg = load_config()
    if not cfg.dienste:
        return common.hinweis(
            "Für die Personalbemessung sind noch keine Dienste mit Fallgewichten festgelegt."
        )
    b = _bemessung(daten, pool_dir, quartal)
    teile = [f"<p>{html.escape(personal.REGEL)}</p>"]
    if b.personal_stichtag is None:
        teile.append(
            common.hinweis(
                f"Für das {fmt.periode(quartal)} liegt keine Stellenliste vor (mit einem Stichtag "
                "bis zum Quartalsende); die Personalbemessung fehlt daher."
            ).data
        )
        return HTML("".join(teile))
    teile.append(
        f"<p class='kz-fuss'>Besetzte Stellen (VZÄ) laut Stellenliste zum Stichtag "
        f"{fmt.datum(b.personal_stichtag)}; Fälle am {fmt.datum(_stichtag(quartal))} bzw. im "
        f"{fmt.periode(quartal)}.</p>"
    )
    for name, grp in b.tabelle.groupby("dienst", sort=False):
        tab = personal.formatiert(grp)
        cap = f"{grp['titel'].iloc[0]} – Fallgewichte: {personal.gewichte_text(cfg, name)}"
        teile.append(
            common.styled(tab, hervorheben=None if raum == GESAMTSTADT else raum, caption=cap).data
        )
    if b.fehlend:
        namen = ", ".join(cfg.dienst(d).titel for d in b.fehlend)
        teile.append(
            common.hinweis(
                f"Für {namen} fehlen im {fmt.periode(quartal)} Fallzahlen im Datenpool; ohne sie "
                "wäre die Verteilung schief, sie entfällt daher."
            ).data
        )
    return HTML("".join(teile))


def _stichtag(quartal: str) -> str:
    from kennzahlen.core.periods import stichtag

    return stichtag(quartal)


def excel_blatt(
    xw: pd.ExcelWriter, pool_dir: Path | str | None, daten: pd.DataFrame, quartal: str
) -> None:
    """The sheet 'Personalbemessung' of the Controlling Excel (every service, every area)."""
    from openpyxl.styles import Font

    from kennzahlen.core.safeio import neutralise_sheet

    b = _bemessung(daten, pool_dir, quartal)
    t = b.tabelle.rename(
        columns={
            "titel": "Dienst",
            "raum": "Gebiet",
            "faelle": "Fälle",
            "gewichtet": "gewichtete Fälle",
            "vzae_ist": "VZÄ Ist",
            "faelle_je_vzae": "Fälle je VZÄ",
            "gewichtet_je_vzae": "gewichtete Fälle je VZÄ",
            "vzae_soll": "VZÄ Soll",
            "differenz": "Differenz Ist − Soll",
        }
    ).drop(columns="dienst")
    t.to_excel(xw, sheet_name="Personalbemessung", index=False, startrow=3)
    ws = xw.sheets["Personalbemessung"]
    stand = (
        fmt.datum(b.personal_stichtag) if b.personal_stichtag is not None else "keine Stellenliste"
    )
    ws["A1"] = f"Personalbemessung und Fallverteilung – {fmt.periode(quartal)} (Stellen: {stand})"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = personal.REGEL
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=5, min_col=3):
        for cell in row:
            cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 16
    neutralise_sheet(ws)
