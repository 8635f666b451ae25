"""Produkt 3 – Wirkungskennzahlen der Sozialraumorientierung: 7 goals x 4 Arbeitsfelder.

Values are yearly; quarterly Kennzahlen (e.g. egh_z2) are summed over the year's quarters
(Zähler and Nenner separately). Statements follow the council paper's manner.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from .. import fmt
from ..catalog import Kennzahl, load_catalog
from ..geography import sozialraeume
from ..schema import GESAMTSTADT, OHNE_ZUORDNUNG

ZIELE = {
    1: "Unterstützung von Selbsthilfekräften der Betroffenen",
    2: "Nutzung von Ressourcen im Familienverbund, der Nachbarschaft und im Sozialraum",
    3: "Ambulante vor stationären Hilfen",
    4: "Förderung der Teilhabe und Selbstständigkeit",
    5: "Hilfen setzen frühzeitig und maßgeschneidert im Lebensumfeld der Betroffenen an",
    6: "Gruppenbezogene Angebote im Nahraum der Klient*innen, wo es notwendig ist",
    7: "Hilfen dauerhaft effektiv und effizient; Kosten steigen weniger stark",
}
ARBEITSFELDER = {"jh": "Jugendhilfe", "egh": "Eingliederungshilfe", "ah": "Altenhilfe",
                 "es": "Existenzsicherung", "ws": "Wohnraumsicherung"}
MATRIX_FELDER = ["jh", "egh", "ah", "es"]


def kennzahlen_p3() -> list[Kennzahl]:
    """The Produkt-3 Kennzahlen of the catalog that belong to a goal (matrix cells and ws)."""
    return [k for k in load_catalog().kennzahlen if 3 in k.produkt and k.ziel is not None]


def jahreswerte(pool: pd.DataFrame, k: Kennzahl, jahr: str) -> pd.DataFrame:
    """Zähler, Nenner and Wert per area (Sozialräume, ohne Zuordnung, Gesamtstadt) for a year."""
    sub = pool[(pool["kennzahl"] == k.id) & (pool["ebene"] != "stadtviertel")]
    if k.periodizitaet == "quartal":
        sub = sub[sub["periode"].str.startswith(f"{jahr}-Q")]
        if sub["periode"].nunique() == 0:
            return pd.DataFrame(columns=["zaehler", "nenner", "wert", "quartale"])
        g = sub.groupby("raum").agg(zaehler=("zaehler", "sum"), nenner=("nenner", "sum"),
                                    quartale=("periode", "nunique"))
        g = g[g["quartale"] == 4]  # a year's share needs all four quarters
        g["wert"] = g["zaehler"] / g["nenner"] * k.faktor
        return g
    if k.periodizitaet in ("stichtag_jahr", "stichtag_quartal"):
        sub = sub[sub["periode"] == f"{jahr}-12-31"]
    else:
        sub = sub[sub["periode"] == jahr]
    return sub.set_index("raum")[["zaehler", "nenner", "wert"]]


def zeitreihe(pool: pd.DataFrame, k: Kennzahl, jahre: list[str]) -> pd.DataFrame:
    """Yearly values over several years: rows = years, columns = areas."""
    rows = {}
    for j in jahre:
        w = jahreswerte(pool, k, j)
        if len(w):
            rows[j] = w["wert"]
    return pd.DataFrame(rows).T.reindex(columns=[*sozialraeume(), GESAMTSTADT])


def erreicht(k: Kennzahl, wert: float | None) -> bool | None:
    """Whether a value meets the Kennzahl's Zielwert (None: no Zielwert or no value)."""
    if k.zielwert is None or wert is None or pd.isna(wert):
        return None
    return bool(wert >= k.zielwert) if k.richtung == "hoeher_besser" else bool(wert <= k.zielwert)


def format_wert(k: Kennzahl, wert: float | None, nachkomma: int | None = None) -> str:
    """A value in the Kennzahl's unit, German format (shares in percent)."""
    if wert is None or pd.isna(wert):
        return "–"
    if k.einheit in ("anteil", "quote"):
        return fmt.prozent(wert, 0 if nachkomma is None else nachkomma)
    if k.einheit == "je_1000":
        return fmt.zahl(wert, 2 if nachkomma is None else nachkomma)
    return fmt.zahl(wert, nachkomma or 0)


def _wert_text(k: Kennzahl, wert: float) -> str:
    """Paper style (80 %), with one decimal where rounding would hide a missed target."""
    text = format_wert(k, wert)
    if k.zielwert is not None and text == format_wert(k, k.zielwert) and erreicht(k, wert) is False:
        text = format_wert(k, wert, 1)
    return text


def aussage(k: Kennzahl, jahr: str, werte: pd.Series, raum: str = GESAMTSTADT) -> str:
    """A German statement in the paper's manner about one Kennzahl in one year."""
    werte = werte.dropna()
    sr = [s for s in sozialraeume() if s in werte.index]
    if GESAMTSTADT not in werte.index:
        return f"Für {jahr} liegen keine Werte vor."
    g = werte[GESAMTSTADT]
    if k.zielwert is not None:
        ziel = format_wert(k, k.zielwert)
        verb = {True: "erreicht", False: "unterschritten" if k.richtung == "hoeher_besser" else "überschritten"}
        verfehlt = [s for s in sr if erreicht(k, werte[s]) is False]
        if raum != GESAMTSTADT and raum in werte.index:
            own = werte[raum]
            text = (f"Im Jahr {jahr} wurde der Zielwert von {ziel} im Sozialraum {raum} mit {_wert_text(k, own)} "
                    f"{verb[bool(erreicht(k, own))]}; die Gesamtstadt hat ihn mit {_wert_text(k, g)} {verb[bool(erreicht(k, g))]}.")
            return text
        text = f"Im Jahr {jahr} wurde der Zielwert von {ziel} für die Gesamtstadt mit {_wert_text(k, g)} {verb[bool(erreicht(k, g))]}"
        if not verfehlt:
            return text + "; alle Sozialräume erfüllten den Zielwert."
        if len(verfehlt) == len(sr) > 1:
            lo, hi = min(werte[s] for s in sr), max(werte[s] for s in sr)
            return text + (f"; auch alle Sozialräume lagen darunter (zwischen {_wert_text(k, lo)} "
                           f"und {_wert_text(k, hi)}).")
        teile = ", ".join(f"in {s} mit {_wert_text(k, werte[s])}" for s in verfehlt)
        return text + f"; {teile} {verb[False]}."
    hoch = max(sr, key=lambda s: werte[s]) if sr else None
    tief = min(sr, key=lambda s: werte[s]) if sr else None
    wer = "die Gesamtstadt" if raum == GESAMTSTADT else f"den Sozialraum {raum}"
    own = g if raum == GESAMTSTADT else werte.get(raum)
    text = f"Im Jahr {jahr} lag der Wert für {wer} bei {format_wert(k, own, 1 if k.einheit != 'anzahl' else 0)}"
    if raum != GESAMTSTADT:
        text += f" (Gesamtstadt {format_wert(k, g, 1 if k.einheit != 'anzahl' else 0)})"
    if hoch and tief and hoch != tief:
        text += (f"; am höchsten in {hoch} ({format_wert(k, werte[hoch], 1 if k.einheit != 'anzahl' else 0)}), "
                 f"am niedrigsten in {tief} ({format_wert(k, werte[tief], 1 if k.einheit != 'anzahl' else 0)})")
    return text + ". Für diese Kennzahl ist kein Zielwert festgelegt."


def matrix(pool: pd.DataFrame, jahr: str, raum: str) -> pd.DataFrame:
    """The goals x Arbeitsfelder matrix for one area: per cell Kennzahl, value, target, status."""
    rows = []
    for k in kennzahlen_p3():
        if k.arbeitsfeld not in MATRIX_FELDER:
            continue
        wert = None
        if k.erhoben:
            w = jahreswerte(pool, k, jahr)
            wert = float(w.loc[raum, "wert"]) if raum in w.index else None
        rows.append({"ziel": k.ziel, "arbeitsfeld": k.arbeitsfeld, "kennzahl": k.id, "titel": k.titel,
                     "wert": wert, "zielwert": k.zielwert, "status": _status(k, wert), "k": k})
    return pd.DataFrame(rows)


def _status(k: Kennzahl, wert: float | None) -> str:
    if not k.erhoben:
        return "noch nicht erhoben"
    if wert is None:
        return "keine Daten"
    e = erreicht(k, wert)
    return "ohne Zielwert" if e is None else ("erreicht" if e else "nicht erreicht")


STATUS_STIL = {
    "erreicht": ("#009E73", "#fff", "✔ erreicht"),
    "nicht erreicht": ("#D55E00", "#fff", "✘ nicht erreicht"),
    "ohne Zielwert": ("#dde7f0", "#000", "ohne Zielwert"),
    "noch nicht erhoben": ("#f2f2f2", "#555", "noch nicht erhoben"),
    "keine Daten": ("#f2f2f2", "#555", "keine Daten"),
    "gesperrt": ("#f2f2f2", "#555", "nicht ausgewiesen (Geheimhaltung)"),
}


def matrix_html(m: pd.DataFrame, anzeige: dict[str, str] | None = None) -> str:
    """The matrix as an HTML table; status as colour AND text (readable in greyscale)."""
    anzeige = anzeige or {}
    head = "".join(f"<th>{ARBEITSFELDER[a]}</th>" for a in MATRIX_FELDER)
    body = []
    for z in range(1, 8):
        cells = []
        for a in MATRIX_FELDER:
            cell = m[(m["ziel"] == z) & (m["arbeitsfeld"] == a)]
            if cell.empty:
                cells.append("<td>–</td>")
                continue
            r = cell.iloc[0]
            status = r["status"]
            if anzeige.get(r["kennzahl"], "").startswith(("x", "<", "nicht bewertet")):
                status = "gesperrt"
            bg, fg, label = STATUS_STIL[status]
            k = r["k"]
            wert = anzeige.get(k.id, format_wert(k, r["wert"], 1)) if r["status"] not in ("noch nicht erhoben",) else ""
            ziel = f"<br><small>Zielwert {format_wert(k, k.zielwert)}</small>" if k.zielwert is not None else ""
            cells.append(
                f'<td style="text-align:left;vertical-align:top;min-width:9em">'
                f'<small>{html.escape(k.titel)}</small><br><b>{html.escape(wert)}</b>{ziel}<br>'
                f'<span style="background:{bg};color:{fg};padding:1px 5px;border-radius:3px;font-size:12px">{label}</span></td>'
            )
        body.append(f'<tr><th style="vertical-align:top;max-width:14em">Ziel {z}: {html.escape(ZIELE[z])}</th>{"".join(cells)}</tr>')
    return f'<table class="kz-matrix"><thead><tr><th>Strategisches Ziel</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def kernaussagen(pool: pd.DataFrame, jahr: str, raum: str) -> list[str]:
    """Key messages: how many goals are measured and met, and the statements with a target."""
    m = matrix(pool, jahr, raum)
    erhoben = m[m["status"] != "noch nicht erhoben"]
    mit_ziel = m[m["status"].isin(["erreicht", "nicht erreicht"])]
    gebiet = "die Gesamtstadt" if raum == GESAMTSTADT else f"den Sozialraum {raum}"
    out = [
        f"Von 28 Feldern der Zielmatrix (7 Ziele × 4 Arbeitsfelder) sind {len(erhoben)} mit Kennzahlen belegt; "
        f"{len(m) - len(erhoben)} werden noch nicht erhoben.",
        f"Für {gebiet} wurden {int((mit_ziel['status'] == 'erreicht').sum())} von {len(mit_ziel)} Zielwerten im Jahr {jahr} erreicht.",
    ]
    for k in kennzahlen_p3():
        if k.erhoben and k.zielwert is not None:
            w = jahreswerte(pool, k, jahr)
            if len(w):
                out.append(aussage(k, jahr, w["wert"], raum))
    return out


# ---------------------------------------------------------------------------- tables with disclosure
@dataclass
class KennzahlTabelle:
    """One Kennzahl's yearly table per area: numbers, display strings, hidden mask, audit."""

    k: Kennzahl
    werte: pd.DataFrame  # zaehler, nenner, wert per area
    anzeige: pd.DataFrame  # strings shown in the report
    gesperrt: pd.Series  # wert hidden per area
    audit: pd.DataFrame


def kennzahl_tabelle(pool: pd.DataFrame, k: Kennzahl, jahr: str, produkt: int = 3) -> KennzahlTabelle:
    """The per-area table of a Kennzahl for a year, with disclosure control if the product is public."""
    from .. import disclosure

    areas = [*sozialraeume(), OHNE_ZUORDNUNG, GESAMTSTADT]
    w = jahreswerte(pool, k, jahr).reindex(areas)
    z = w["zaehler"].astype(float)
    if pd.isna(z.get(OHNE_ZUORDNUNG)) and pd.notna(z.get(GESAMTSTADT)):
        # the pool has no row where the Nenner is 0 (no population 'ohne Zuordnung'); its
        # Zähler is the city's minus the Sozialräume's, so that totals add up
        z[OHNE_ZUORDNUNG] = z[GESAMTSTADT] - z[sozialraeume()].sum()
    counts = pd.DataFrame({"Zähler": z})
    if k.nenner:
        counts["Nenner"] = w["nenner"].astype(float)
        if pd.isna(counts.loc[OHNE_ZUORDNUNG, "Nenner"]):
            counts.loc[OHNE_ZUORDNUNG, "Nenner"] = counts.loc[GESAMTSTADT, "Nenner"] - counts.loc[sozialraeume(), "Nenner"].sum()
    cfg = disclosure.load_config()
    public = disclosure.is_public(produkt, cfg)
    name = f"{k.id} {jahr}"
    res = disclosure.protect_table(counts, produkt, cfg, col_total=GESAMTSTADT, name=name)
    anzeige = res.display.copy()
    audits = [res.audit]
    gesperrt = pd.Series(False, index=areas)
    if k.nenner:
        werte = w[["wert"]].astype(float)
        if public:
            sh = disclosure.suppress_shares(
                werte, counts[["Zähler"]].rename(columns={"Zähler": "wert"}),
                counts[["Nenner"]].rename(columns={"Nenner": "wert"}), cfg.k,
                zaehler_mask=res.mask[["Zähler"]].rename(columns={"Zähler": "wert"}),
                nenner_mask=res.mask[["Nenner"]].rename(columns={"Nenner": "wert"}),
                gegenwert=k.einheit == "anteil", null_sichtbar=cfg.null_sichtbar,
                formatter=lambda x: format_wert(k, x, 1), symbol=cfg.symbol_sekundaer, name=name,
            )
            anzeige["Wert"] = sh.display["wert"]
            gesperrt = sh.mask["wert"].astype(bool)
            audits.append(sh.audit)
        else:
            anzeige["Wert"] = werte["wert"].map(lambda x: format_wert(k, x, 1))
    else:
        gesperrt = res.mask["Zähler"].astype(bool)
    if k.zielwert is not None:
        anzeige["Zielwert"] = [
            "–" if gesperrt[a] or pd.isna(w.loc[a, "wert"]) else ("erreicht" if erreicht(k, w.loc[a, "wert"]) else "nicht erreicht")
            for a in areas
        ]
    if public:
        # areas too small to rate (config: mindestbevoelkerung) show 'nicht bewertet'
        bev = pool[(pool["kennzahl"] == "bev_gesamt") & (pool["periode"] == f"{jahr}-12-31")
                   & (pool["ebene"] != "stadtviertel")].set_index("raum")["wert"]
        klein = [a for a in sozialraeume() if a in anzeige.index and not disclosure.rate_area(bev.get(a), cfg.mindestbevoelkerung)]
        if klein:
            anzeige.loc[klein] = disclosure.NICHT_BEWERTET
            gesperrt[klein] = True
            audits.append(pd.DataFrame({"tabelle": name, "zeile": klein, "spalte": "alle",
                                        "grund": "nicht bewertet",
                                        "regel": f"Gebiet unter {cfg.mindestbevoelkerung} Einwohner*innen"}))
    audit = pd.concat(audits, ignore_index=True)
    return KennzahlTabelle(k, w, anzeige, gesperrt, audit)


def reihenfolge(tab: pd.DataFrame, raum: str) -> pd.DataFrame:
    """Own area first (for a Sozialraum's report), then Gesamtstadt, then the others."""
    if raum == GESAMTSTADT:
        return tab
    first = [raum, GESAMTSTADT]
    return tab.reindex(first + [i for i in tab.index if i not in first])


def zeitreihe_sicher(pool: pd.DataFrame, k: Kennzahl, jahre: list[str], produkt: int = 3) -> pd.DataFrame:
    """Yearly values per area with every value hidden that the report's tables hide (for charts)."""
    rows = {}
    for j in jahre:
        t = kennzahl_tabelle(pool, k, j, produkt)
        if t.werte["wert"].notna().any():
            rows[j] = t.werte["wert"].where(~t.gesperrt)
    return pd.DataFrame(rows).T.reindex(columns=[*sozialraeume(), GESAMTSTADT])


def abschnitt(pool: pd.DataFrame, k: Kennzahl, jahr: str, raum: str, jahre: list[str], produkt: int = 3,
              diagramm: bool = True) -> pd.DataFrame:
    """Display one Kennzahl: title, definition, statement, table per area, time series; return its audit."""
    from IPython.display import HTML, display

    from .. import plots
    from .common import styled

    tab = kennzahl_tabelle(pool, k, jahr, produkt)
    ziel = f" · Zielwert {format_wert(k, k.zielwert)}" if k.zielwert is not None else " · kein Zielwert festgelegt"
    werte_sichtbar = tab.werte["wert"].where(~tab.gesperrt)
    display(HTML(
        f"<h3>Ziel {k.ziel} · {html.escape(ARBEITSFELDER.get(k.arbeitsfeld or '', ''))}: {html.escape(k.titel)}</h3>"
        f"<p class='kz-fuss'><b>Definition:</b> {html.escape(k.definition or '')}<br><b>Quelle:</b> "
        f"{html.escape(k.quelle)}{ziel}</p><p><b>{html.escape(aussage(k, jahr, werte_sichtbar, raum))}</b></p>"
    ))
    tabelle = reihenfolge(tab.anzeige, raum).rename_axis(None)
    display(styled(tabelle, hervorheben=raum if raum != GESAMTSTADT else None))
    reihe = zeitreihe_sicher(pool, k, jahre, produkt)
    if diagramm and len(reihe) >= 2:
        prozent = k.einheit in ("anteil", "quote")
        trend = reihe[GESAMTSTADT].dropna()
        richtung = "gestiegen" if len(trend) >= 2 and trend.iloc[-1] > trend.iloc[0] else "gesunken"
        import textwrap

        titel = textwrap.fill(f"{k.titel}: in der Gesamtstadt seit {reihe.index[0]} {richtung}", 80)
        display(plots.zeitreihe(reihe, titel, prozent=prozent, zielwert=k.zielwert,
                                hervorheben=raum if raum != GESAMTSTADT else GESAMTSTADT))
    return tab.audit


def noch_nicht_erhoben() -> pd.DataFrame:
    """The catalog cells not collected yet, with reason and the data they need."""
    rows = [
        {"Ziel": k.ziel, "Arbeitsfeld": ARBEITSFELDER.get(k.arbeitsfeld or "", ""), "Kennzahl": k.titel,
         "Grund": k.grund, "Benötigte Daten": k.benoetigte_daten}
        for k in kennzahlen_p3()
        if not k.erhoben
    ]
    # the row label is Ziel, Arbeitsfeld and Kennzahl: a Ziel alone repeats across Arbeitsfelder
    return pd.DataFrame(rows).sort_values(["Ziel", "Arbeitsfeld"]).set_index(["Ziel", "Arbeitsfeld", "Kennzahl"])


def anzeige_matrix(pool: pd.DataFrame, jahr: str, raum: str, produkt: int = 3) -> tuple[dict[str, str], pd.DataFrame]:
    """Display strings of the area's values for the matrix (hidden where the tables hide), and audits."""
    anzeige, audits = {}, []
    for k in kennzahlen_p3():
        if not k.erhoben:
            continue
        t = kennzahl_tabelle(pool, k, jahr, produkt)
        col = "Wert" if "Wert" in t.anzeige.columns else "Zähler"
        if raum in t.anzeige.index:
            anzeige[k.id] = t.anzeige.loc[raum, col]
        audits.append(t.audit)
    return anzeige, pd.concat(audits, ignore_index=True) if audits else pd.DataFrame()
