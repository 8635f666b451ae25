"""Produkt 3 – Wirkungskennzahlen der Sozialraumorientierung: 7 goals x 4 Arbeitsfelder.

Values are yearly; quarterly Kennzahlen (e.g. egh_z2) are summed over the year's quarters
(Zähler and Nenner separately). Statements follow the council paper's manner.
"""

from __future__ import annotations

import hashlib
import html
import textwrap
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from .. import fmt
from ..catalog import Kennzahl, load_catalog
from ..geography import sozialraeume
from ..periods import jahr_von, jahres_stichtag
from ..schema import GESAMTSTADT, OHNE_ZUORDNUNG
from ..vocabulary import ARBEITSFELDER, ist_anteil, wert_text

if TYPE_CHECKING:
    from ..disclosure_plan import Plan

NICHT_BEWERTET = "nicht bewertet"

ZIELE = {
    1: "Unterstützung von Selbsthilfekräften der Betroffenen",
    2: "Nutzung von Ressourcen im Familienverbund, der Nachbarschaft und im Sozialraum",
    3: "Ambulante vor stationären Hilfen",
    4: "Förderung der Teilhabe und Selbstständigkeit",
    5: "Hilfen setzen frühzeitig und maßgeschneidert im Lebensumfeld der Betroffenen an",
    6: "Gruppenbezogene Angebote im Nahraum der Klient*innen, wo es notwendig ist",
    7: "Hilfen dauerhaft effektiv und effizient; Kosten steigen weniger stark",
}
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
        g = sub.groupby("raum").agg(
            zaehler=("zaehler", "sum"), nenner=("nenner", "sum"), quartale=("periode", "nunique")
        )
        g = g[g["quartale"] == 4]  # a year's share needs all four quarters
        g["wert"] = g["zaehler"] / g["nenner"] * k.faktor
        return g
    if k.periodizitaet in ("stichtag_jahr", "stichtag_quartal"):
        sub = sub[sub["periode"] == jahres_stichtag(jahr)]
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
    """A value in the Kennzahl's unit, German format; shares in whole percent unless ``nachkomma``
    asks for more (paper style: '80 %')."""
    if nachkomma is None and ist_anteil(k.einheit):
        nachkomma = 0
    return wert_text(wert, k.einheit, nachkomma)


def _wert_text(k: Kennzahl, wert: float) -> str:
    """Paper style (80 %), with one decimal where rounding would hide a missed target."""
    text = format_wert(k, wert)
    if k.zielwert is not None and text == format_wert(k, k.zielwert) and erreicht(k, wert) is False:
        text = format_wert(k, wert, 1)
    return text


DATENSCHUTZ = "aus Datenschutzgründen nicht ausgewiesen"


def _liste(namen: list[str]) -> str:
    """'A', 'A und B', 'A, B und C'."""
    return namen[0] if len(namen) == 1 else ", ".join(namen[:-1]) + " und " + namen[-1]


def _nicht_ausgewiesen(raeume: list[str]) -> str:
    if not raeume:
        return ""
    if len(raeume) == 1:
        return f"der Wert für {raeume[0]} ist {DATENSCHUTZ}"
    return f"die Werte für {_liste(raeume)} sind {DATENSCHUTZ}"


def aussage(
    k: Kennzahl,
    jahr: str,
    werte: pd.Series,
    raum: str = GESAMTSTADT,
    gesperrt: list[str] | tuple[str, ...] = (),
) -> str:
    """A German statement in the paper's manner about one Kennzahl in one year.

    ``werte`` holds only values that may be published; ``gesperrt`` names the areas whose
    value is hidden (disclosure control): the sentence says so and never names or compares
    a hidden value.
    """
    werte = werte.dropna()
    gesperrt = [a for a in gesperrt if a not in werte.index]
    sr = [s for s in sozialraeume() if s in werte.index]
    sr_gesperrt = [s for s in sozialraeume() if s in gesperrt]
    g_da = GESAMTSTADT in werte.index
    if (
        not g_da
        and GESAMTSTADT not in gesperrt
        and (raum == GESAMTSTADT or raum not in werte.index)
    ):
        return f"Für {jahr} liegen keine Werte vor."
    g = werte.get(GESAMTSTADT)
    if k.zielwert is not None:
        ziel = format_wert(k, k.zielwert)
        verb = {
            True: "erreicht",
            False: "unterschritten" if k.richtung == "hoeher_besser" else "überschritten",
        }
        if raum != GESAMTSTADT:
            if raum in werte.index:
                own = werte[raum]
                text = (
                    f"Im Jahr {jahr} wurde der Zielwert von {ziel} im Sozialraum {raum} mit "
                    f"{_wert_text(k, own)} {verb[bool(erreicht(k, own))]}"
                )
            elif raum in gesperrt:
                text = f"Im Jahr {jahr} ist der Wert für den Sozialraum {raum} {DATENSCHUTZ} (Zielwert {ziel})"
            else:
                text = f"Für den Sozialraum {raum} liegt {jahr} kein Wert vor (Zielwert {ziel})"
            if g_da:
                return (
                    text
                    + f"; die Gesamtstadt hat ihn mit {_wert_text(k, g)} {verb[bool(erreicht(k, g))]}."
                )
            if GESAMTSTADT in gesperrt:
                return text + f"; der Wert der Gesamtstadt ist {DATENSCHUTZ}."
            return text + "."
        if g_da:
            text = (
                f"Im Jahr {jahr} wurde der Zielwert von {ziel} für die Gesamtstadt mit {_wert_text(k, g)} "
                f"{verb[bool(erreicht(k, g))]}"
            )
        else:
            text = (
                f"Im Jahr {jahr} ist der Wert für die Gesamtstadt {DATENSCHUTZ} (Zielwert {ziel})"
            )
        verfehlt = [s for s in sr if erreicht(k, werte[s]) is False]
        geheim = _nicht_ausgewiesen(sr_gesperrt)
        alle = "alle ausgewiesenen Sozialräume" if sr_gesperrt else "alle Sozialräume"
        if not sr:
            return text + (f"; {geheim}." if geheim else ".")
        if not verfehlt:
            text += f"; {alle} erfüllten den Zielwert"
        elif len(verfehlt) == len(sr) > 1:
            lo, hi = min(werte[s] for s in sr), max(werte[s] for s in sr)
            text += f"; auch {alle} lagen darunter (zwischen {_wert_text(k, lo)} und {_wert_text(k, hi)})"
        else:
            teile = ", ".join(f"in {s} mit {_wert_text(k, werte[s])}" for s in verfehlt)
            text += f"; {teile} {verb[False]}"
        return text + (f"; {geheim}." if geheim else ".")
    nk = 1 if k.einheit != "anzahl" else 0
    hoch = max(sr, key=lambda s: werte[s]) if sr else None
    tief = min(sr, key=lambda s: werte[s]) if sr else None
    wer = "die Gesamtstadt" if raum == GESAMTSTADT else f"den Sozialraum {raum}"
    own = g if raum == GESAMTSTADT else werte.get(raum)
    if own is not None and not pd.isna(own):
        text = f"Im Jahr {jahr} lag der Wert für {wer} bei {format_wert(k, own, nk)}"
    elif (raum if raum != GESAMTSTADT else GESAMTSTADT) in gesperrt:
        text = f"Im Jahr {jahr} ist der Wert für {wer} {DATENSCHUTZ}"
    else:
        text = f"Für {wer} liegt {jahr} kein Wert vor"
    if raum != GESAMTSTADT:
        text += (
            f" (Gesamtstadt {format_wert(k, g, nk)})"
            if g_da
            else (f" (Gesamtstadt: {DATENSCHUTZ})" if GESAMTSTADT in gesperrt else "")
        )
    if hoch and tief and hoch != tief:
        unter = "unter den ausgewiesenen Sozialräumen " if sr_gesperrt else ""
        text += (
            f"; {unter}am höchsten in {hoch} ({format_wert(k, werte[hoch], nk)}), "
            f"am niedrigsten in {tief} ({format_wert(k, werte[tief], nk)})"
        )
    geheim = [s for s in sr_gesperrt if s != raum]
    if geheim:
        text += f"; {_nicht_ausgewiesen(geheim)}"
    return text + ". Für diese Kennzahl ist kein Zielwert festgelegt."


# ---------------------------------------------------------------------------- the year's plan
TEILE = (("Zähler", "zaehler"), ("Nenner", "nenner"))
_PLAENE: dict[tuple, Plan] = {}
_TABELLEN: dict[tuple, pd.DataFrame] = {}
_FINGERPRINTS: dict[int, tuple[weakref.ref, str]] = {}


def flaechen() -> list[str]:
    """The rows of a Kennzahl's table: Sozialräume, 'ohne Zuordnung', Gesamtstadt."""
    return [*sozialraeume(), OHNE_ZUORDNUNG, GESAMTSTADT]


def zaehltabelle(pool: pd.DataFrame, k: Kennzahl, jahr: str) -> pd.DataFrame:
    """Zähler, Nenner and Wert per area for a year; 'ohne Zuordnung' completed so that rows add up.

    The pool has no row where the Nenner is 0 (no population 'ohne Zuordnung'); its Zähler and
    Nenner are then the city's minus the Sozialräume's.
    """
    key = (_fingerprint(pool), k.id, str(jahr), id(k))
    if key not in _TABELLEN:
        if len(_TABELLEN) > 2000:
            _TABELLEN.clear()
        _TABELLEN[key] = _zaehltabelle(pool, k, jahr)
    return _TABELLEN[key].copy()


def _zaehltabelle(pool: pd.DataFrame, k: Kennzahl, jahr: str) -> pd.DataFrame:
    areas = flaechen()
    w = jahreswerte(pool, k, jahr).reindex(areas)
    out = pd.DataFrame(index=areas)
    out["zaehler"] = pd.to_numeric(w["zaehler"], errors="coerce").astype(float)
    out["nenner"] = (
        pd.to_numeric(w["nenner"], errors="coerce").astype(float) if k.nenner else float("nan")
    )
    out["wert"] = pd.to_numeric(w["wert"], errors="coerce").astype(float)
    sr = sozialraeume()
    for col in ("zaehler", "nenner") if k.nenner else ("zaehler",):
        if (
            pd.isna(out.loc[OHNE_ZUORDNUNG, col])
            and pd.notna(out.loc[GESAMTSTADT, col])
            and out.loc[sr, col].notna().all()
        ):
            out.loc[OHNE_ZUORDNUNG, col] = out.loc[GESAMTSTADT, col] - out.loc[sr, col].sum()
    return out


def _fingerprint(pool: pd.DataFrame) -> str:
    """A content hash of the pool frame (computed once per frame object)."""
    hit = _FINGERPRINTS.get(id(pool))
    if hit is not None and hit[0]() is pool:
        return hit[1]
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(pool, index=False).to_numpy().tobytes()
    ).hexdigest()
    for key in [key for key, (ref, _) in _FINGERPRINTS.items() if ref() is None]:
        del _FINGERPRINTS[key]
    _FINGERPRINTS[id(pool)] = (weakref.ref(pool), digest)
    return digest


def nicht_bewertete(pool: pd.DataFrame, jahr: str, mindestbevoelkerung: int) -> list[str]:
    """Sozialräume under the population threshold on 31.12. of the year ('nicht bewertet')."""
    from .. import disclosure

    bev = pool[
        (pool["kennzahl"] == "bev_gesamt")
        & (pool["periode"] == jahres_stichtag(jahr))
        & (pool["ebene"] != "stadtviertel")
    ].set_index("raum")["wert"]
    return [a for a in sozialraeume() if not disclosure.rate_area(bev.get(a), mindestbevoelkerung)]


def plan_jahr(pool: pd.DataFrame, jahr: str, produkt: int = 3) -> Plan | None:
    """The year's publication plan over all six reports (None when the product is internal).

    Decided once per pool content, year and rules (memoised in the process), so that every
    report of the year shows the same hidden/visible decision for the same count.
    """
    from .. import disclosure
    from .. import disclosure_plan as dp

    cfg = disclosure.load_config()
    if not disclosure.is_public(produkt, cfg):
        return None
    key = (_fingerprint(pool), str(jahr), cfg.model_dump_json(), id(load_catalog()))
    if key in _PLAENE:
        return _PLAENE[key]
    eintraege = []
    for k in kennzahlen_p3():
        if not k.erhoben:
            continue
        t = zaehltabelle(pool, k, jahr)
        for teil, col in TEILE:
            terms = k.zaehler if col == "zaehler" else k.nenner
            if not terms:
                continue
            for a in t.index:
                v = t.loc[a, col]
                eintraege.append(
                    dp.Eintrag(
                        k.id,
                        teil,
                        a,
                        tuple(terms),
                        k.periodizitaet,
                        None if pd.isna(v) else float(v),
                    )
                )
    plan = dp.build_plan(
        eintraege,
        load_catalog(),
        str(jahr),
        [*sozialraeume(), OHNE_ZUORDNUNG],
        cfg.k,
        cfg.null_sichtbar,
        nicht_bewertete(pool, jahr, cfg.mindestbevoelkerung),
    )
    if len(_PLAENE) > 32:
        _PLAENE.clear()
    _PLAENE[key] = plan
    return plan


def _zeichen(plan: Plan, kid: str, teil: str, raum: str, symbol: str) -> str:
    z = plan.zelle(kid, teil, raum)
    if z is None:
        return "–"
    return {
        "wert": fmt.zahl(z.wert),
        "klein": f"<{plan.k}",
        "gesperrt": symbol,
        "frei": NICHT_BEWERTET,
    }[z.status]


def wert_status(plan: Plan | None, k: Kennzahl, raum: str, wert: float | None) -> str:
    """Whether a Kennzahl's value for an area may be shown: 'wert', 'gesperrt', 'frei' or 'leer'.

    A share or rate is shown only when its Zähler and Nenner are shown (then it tells a reader
    nothing new); a count Kennzahl is its Zähler.
    """
    if wert is None or pd.isna(wert):
        return "leer"
    if plan is None:
        return "wert"
    st = [
        plan.status(k.id, teil, raum)
        for teil, col in TEILE
        if (k.zaehler if col == "zaehler" else k.nenner)
    ]
    if all(s == "wert" for s in st):
        return "wert"
    return "frei" if "frei" in st else "gesperrt"


# ---------------------------------------------------------------------------- matrix, key messages
def matrix(pool: pd.DataFrame, jahr: str, raum: str, produkt: int = 3) -> pd.DataFrame:
    """The goals x Arbeitsfelder matrix for one area: per cell Kennzahl, value, target, status.

    In a public product a value the year's plan hides is None with status 'gesperrt' (or
    'nicht bewertet'); ``anzeige`` is the text shown for the value.
    """
    plan = plan_jahr(pool, jahr, produkt)
    rows = []
    for k in kennzahlen_p3():
        if k.arbeitsfeld not in MATRIX_FELDER:
            continue
        wert, anzeige, status = None, "", _status(k, None)
        if k.erhoben:
            t = zaehltabelle(pool, k, jahr)
            roh = (
                float(t.loc[raum, "wert"])
                if raum in t.index and pd.notna(t.loc[raum, "wert"])
                else None
            )
            st = wert_status(plan, k, raum, roh)
            if st == "wert":
                wert, status, anzeige = roh, _status(k, roh), format_wert(k, roh, 1)
            elif st == "leer":
                status, anzeige = _status(k, None), "–"
            else:
                cfg_symbol = _symbol()
                status = "gesperrt" if st == "gesperrt" else NICHT_BEWERTET
                anzeige = cfg_symbol if st == "gesperrt" else NICHT_BEWERTET
        rows.append(
            {
                "ziel": k.ziel,
                "arbeitsfeld": k.arbeitsfeld,
                "kennzahl": k.id,
                "titel": k.titel,
                "wert": wert,
                "anzeige": anzeige,
                "zielwert": k.zielwert,
                "status": status,
                "k": k,
            }
        )
    return pd.DataFrame(rows)


def _symbol() -> str:
    from .. import disclosure

    return disclosure.load_config().symbol_sekundaer


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
    "gesperrt": ("#f2f2f2", "#555", "nicht ausgewiesen (Datenschutz)"),
    NICHT_BEWERTET: ("#f2f2f2", "#555", "nicht bewertet"),
}


def matrix_html(m: pd.DataFrame, anzeige: dict[str, str] | None = None) -> str:
    """The matrix as an HTML table; status as colour AND text (readable in greyscale).

    Shows the matrix's own ``anzeige`` texts (protected values); ``anzeige`` (per Kennzahl)
    may override them.
    """
    anzeige = anzeige or {}
    head = "".join(f"<th>{html.escape(ARBEITSFELDER[a])}</th>" for a in MATRIX_FELDER)
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
            k = r["k"]
            shown = anzeige.get(
                k.id, r["anzeige"] if "anzeige" in r else format_wert(k, r["wert"], 1)
            )
            if status == "noch nicht erhoben":
                shown = ""
            bg, fg, label = STATUS_STIL[status]
            ziel = (
                f"<br><small>Zielwert {html.escape(format_wert(k, k.zielwert))}</small>"
                if k.zielwert is not None
                else ""
            )
            cells.append(
                f'<td style="text-align:left;vertical-align:top;min-width:9em">'
                f"<small>{html.escape(k.titel)}</small><br><b>{html.escape(str(shown))}</b>{ziel}<br>"
                f'<span style="background:{bg};color:{fg};padding:1px 5px;border-radius:3px;font-size:12px">{html.escape(label)}</span></td>'
            )
        body.append(
            f'<tr><th style="vertical-align:top;max-width:14em">Ziel {z}: {html.escape(ZIELE[z])}</th>{"".join(cells)}</tr>'
        )
    return f'<table class="kz-matrix"><thead><tr><th>Strategisches Ziel</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def hat_werte(pool: pd.DataFrame, k: Kennzahl, jahr: str) -> bool:
    """Whether the pool holds a yearly value of the Kennzahl for any area (hidden or not)."""
    return bool(k.erhoben and zaehltabelle(pool, k, jahr)["wert"].notna().any())


def ohne_daten(pool: pd.DataFrame, jahr: str) -> list[Kennzahl]:
    """The collected Produkt-3 Kennzahlen without a value for the year in any area."""
    return [k for k in kennzahlen_p3() if k.erhoben and not hat_werte(pool, k, jahr)]


def jahre_mit_daten(pool: pd.DataFrame) -> list[str]:
    """The years for which the pool holds a value of at least one Produkt-3 Kennzahl."""
    jahre = sorted({jahr_von(p) for p in pool["periode"].unique()})
    return [j for j in jahre if any(hat_werte(pool, k, j) for k in kennzahlen_p3())]


def fehlt_satz(
    pool: pd.DataFrame, jahr: str, ks: list[Kennzahl], pool_dir: object, folge: str | None = None
) -> str:
    """One sentence: which data the pool lacks for the year (from its coverage table) and which
    Kennzahlen are missing therefore. Says nothing about any area's value."""
    from . import common

    tabellen = common.fehlende_tabellen(
        common.abdeckung_von(pool_dir),
        {t for k in ks for t in load_catalog().tables_of(k)},
        str(jahr),
    )
    folge = folge or common.fehlen_daher([k.titel for k in ks])
    return common.fehlt_satz(str(jahr), tabellen, folge)


def kernaussagen(
    pool: pd.DataFrame, jahr: str, raum: str, produkt: int = 3, pool_dir: object = None
) -> list[str]:
    """Key messages: how many goals are measured and met, and the statements with a target.

    Built from published values only: a hidden value is named as not published. Kennzahlen the
    pool has no data for in the year are named in one sentence (with the reason from its coverage).
    """
    fehlend = ohne_daten(pool, jahr)
    erhoben_alle = [k for k in kennzahlen_p3() if k.erhoben]
    if erhoben_alle and len(fehlend) == len(erhoben_alle):
        return [fehlt_satz(pool, jahr, fehlend, pool_dir, "die Wirkungskennzahlen fehlen daher")]
    m = matrix(pool, jahr, raum, produkt)
    erhoben = m[m["status"] != "noch nicht erhoben"]
    mit_ziel = m[m["status"].isin(["erreicht", "nicht erreicht"])]
    verborgen = m[m["status"].isin(["gesperrt", NICHT_BEWERTET]) & m["zielwert"].notna()]
    gebiet = "die Gesamtstadt" if raum == GESAMTSTADT else f"den Sozialraum {raum}"
    ziele = f"Für {gebiet} wurden {int((mit_ziel['status'] == 'erreicht').sum())} von {len(mit_ziel)} Zielwerten im Jahr {jahr} erreicht"
    if len(verborgen):
        n = len(verborgen)
        ziele += (
            f"; {n} weiterer Wert ist {DATENSCHUTZ}"
            if n == 1
            else f"; {n} weitere Werte sind {DATENSCHUTZ}"
        )
    elif mit_ziel.empty:
        ziele = f"Für {gebiet} liegt im Jahr {jahr} kein Wert einer Kennzahl mit Zielwert vor"
    out = [
        f"Von 28 Feldern der Zielmatrix (7 Ziele × 4 Arbeitsfelder) sind {len(erhoben)} mit Kennzahlen belegt; "
        f"{len(m) - len(erhoben)} werden noch nicht erhoben.",
        ziele + ".",
    ]
    if fehlend:
        out.append(fehlt_satz(pool, jahr, fehlend, pool_dir))
    for k in kennzahlen_p3():
        if k.erhoben and k.zielwert is not None:
            t = kennzahl_tabelle(pool, k, jahr, produkt)
            if t.werte["wert"].notna().any():
                out.append(
                    aussage(k, jahr, t.werte["wert"].where(~t.gesperrt), raum, t.verborgen())
                )
    return out


# ---------------------------------------------------------------------------- tables with disclosure
@dataclass
class KennzahlTabelle:
    """One Kennzahl's yearly table per area: numbers, display strings, hidden mask, audit."""

    k: Kennzahl
    werte: pd.DataFrame  # zaehler, nenner, wert per area
    anzeige: pd.DataFrame  # strings shown in the report
    gesperrt: pd.Series  # wert not shown per area (hidden, not rated or no value)
    jahr: str = ""
    plan: Plan | None = None  # the year's publication plan (None: internal product)
    status: dict | None = None  # per area: 'wert', 'gesperrt', 'frei', 'leer'

    @property
    def audit(self) -> pd.DataFrame:
        """One row per hidden count (with the interval a reader can still believe) and value."""
        from .. import disclosure

        if self.plan is None:
            return pd.DataFrame(columns=disclosure.AUDIT_COLUMNS)
        teile = [
            (teil, col)
            for teil, col in TEILE
            if (self.k.zaehler if col == "zaehler" else self.k.nenner)
        ]
        return _audit(
            self.plan.intervalle(),
            self.k,
            f"{self.k.id} {self.jahr}",
            list(self.werte.index),
            teile,
            self.status or {},
        )

    def verborgen(self) -> list[str]:
        """Areas whose value exists but is hidden (disclosure control or 'nicht bewertet')."""
        return [
            a for a in self.werte.index if self.gesperrt[a] and pd.notna(self.werte.loc[a, "wert"])
        ]


def kennzahl_tabelle(
    pool: pd.DataFrame, k: Kennzahl, jahr: str, produkt: int = 3
) -> KennzahlTabelle:
    """The per-area table of a Kennzahl for a year, with the year's plan if the product is public."""
    from .. import disclosure

    w = zaehltabelle(pool, k, jahr)
    areas = list(w.index)
    plan = plan_jahr(pool, jahr, produkt)
    teile = [(teil, col) for teil, col in TEILE if (k.zaehler if col == "zaehler" else k.nenner)]
    if plan is None:
        anzeige = pd.DataFrame(
            {teil: [fmt.zahl(v) for v in w[col]] for teil, col in teile}, index=areas, dtype=object
        )
        if k.nenner:
            anzeige["Wert"] = [format_wert(k, x, 1) for x in w["wert"]]
        gesperrt = w["wert"].isna()
        status = {}
    else:
        symbol = disclosure.load_config().symbol_sekundaer
        anzeige = pd.DataFrame(
            {teil: [_zeichen(plan, k.id, teil, a, symbol) for a in areas] for teil, _ in teile},
            index=areas,
            dtype=object,
        )
        status = {a: wert_status(plan, k, a, w.loc[a, "wert"]) for a in areas}
        if k.nenner:
            anzeige["Wert"] = [
                format_wert(k, w.loc[a, "wert"], 1)
                if status[a] == "wert"
                else {"leer": "–", "frei": NICHT_BEWERTET, "gesperrt": symbol}[status[a]]
                for a in areas
            ]
        gesperrt = pd.Series({a: status[a] != "wert" for a in areas})
    if k.zielwert is not None:
        anzeige["Zielwert"] = [
            "–"
            if gesperrt[a] or pd.isna(w.loc[a, "wert"])
            else ("erreicht" if erreicht(k, w.loc[a, "wert"]) else "nicht erreicht")
            for a in areas
        ]
    if plan is not None:
        for a in areas:
            if status[a] == "frei":
                anzeige.loc[a] = NICHT_BEWERTET
    return KennzahlTabelle(k, w, anzeige, gesperrt.astype(bool), str(jahr), plan, status)


def _audit(
    plan: Plan, k: Kennzahl, name: str, areas: list[str], teile, status: dict[str, str]
) -> pd.DataFrame:
    """One audit row per hidden count of the table (with the reader's interval) and per hidden value."""
    from .. import disclosure
    from ..disclosure_plan import interval_text

    rows = []
    for a in areas:
        kleiner = False
        for teil, _ in teile:
            z = plan.zelle(k.id, teil, a)
            if z is None or z.status == "wert":
                continue
            kleiner |= z.grund == disclosure.PRIMAER  # '<k', or a small count shown as 'x'
            rows.append(
                {
                    "tabelle": name,
                    "zeile": a,
                    "spalte": teil,
                    "grund": z.grund,
                    "regel": z.regel,
                    "intervall_min": interval_text(z.intervall[0]),
                    "intervall_max": interval_text(z.intervall[1]),
                }
            )
        if k.nenner and status[a] in ("gesperrt", "frei"):
            grund = (
                NICHT_BEWERTET
                if status[a] == "frei"
                else (disclosure.PRIMAER if kleiner else disclosure.SEKUNDAER)
            )
            rows.append(
                {
                    "tabelle": name,
                    "zeile": a,
                    "spalte": "Wert",
                    "grund": grund,
                    "regel": "Zähler oder Nenner nicht ausgewiesen",
                    "intervall_min": "",
                    "intervall_max": "",
                }
            )
    return pd.DataFrame(rows, columns=disclosure.AUDIT_COLUMNS)


def reihenfolge(tab: pd.DataFrame, raum: str) -> pd.DataFrame:
    """Own area first (for a Sozialraum's report), then Gesamtstadt, then the others."""
    if raum == GESAMTSTADT:
        return tab
    first = [raum, GESAMTSTADT]
    return tab.reindex(first + [i for i in tab.index if i not in first])


def zeitreihe_sicher(
    pool: pd.DataFrame, k: Kennzahl, jahre: list[str], produkt: int = 3
) -> pd.DataFrame:
    """Yearly values per area, each year hidden where that year's plan hides it (for charts)."""
    rows = {}
    for j in jahre:
        t = kennzahl_tabelle(pool, k, j, produkt)
        if t.werte["wert"].notna().any():
            rows[j] = t.werte["wert"].where(~t.gesperrt)
    return pd.DataFrame(rows).T.reindex(columns=[*sozialraeume(), GESAMTSTADT])


def diagramm_titel(k: Kennzahl, reihe: pd.DataFrame) -> str:
    """The chart title: the Gesamtstadt's trend between its first and last published value."""
    trend = reihe[GESAMTSTADT].dropna() if GESAMTSTADT in reihe else pd.Series(dtype=float)
    if len(trend) < 2:
        return textwrap.fill(f"{k.titel}: Zeitreihe", 80)
    erst, letzt = trend.iloc[0], trend.iloc[-1]
    richtung = "gestiegen" if letzt > erst else ("gesunken" if letzt < erst else "unverändert")
    return textwrap.fill(f"{k.titel}: in der Gesamtstadt seit {trend.index[0]} {richtung}", 80)


def reihen_hinweis(
    pool: pd.DataFrame, k: Kennzahl, reihe: pd.DataFrame, jahr: str, pool_dir: object
) -> str:
    """The sentence under a Kennzahl's chart: from when its yearly series runs and why.

    Uses only whether a year has a value at all (any area) and the pool's coverage table, never
    a value, so it says nothing about a hidden cell.
    """
    from .. import abdeckung
    from . import common

    jahre = [j for j in sorted({jahr_von(p) for p in pool["periode"].unique()}) if j <= str(jahr)]
    vorhanden = pd.DataFrame(
        {
            "kennzahl": k.id,
            "raum": GESAMTSTADT,
            "periode": [j for j in jahre if hat_werte(pool, k, j)],
        }
    )
    text = abdeckung.reihen_hinweis(
        vorhanden,
        common.abdeckung_von(pool_dir),
        [k.id],
        str(reihe.index[0]),
        bis=str(jahr),
        einheit="jahr",
    )
    if k.periodizitaet == "quartal":
        text = text[:-1] + "; ein Jahreswert braucht alle vier Quartale eines Jahres."
    return text


def abschnitt(
    pool: pd.DataFrame,
    k: Kennzahl,
    jahr: str,
    raum: str,
    jahre: list[str],
    produkt: int = 3,
    diagramm: bool = True,
    pool_dir: object = None,
) -> pd.DataFrame:
    """Display one Kennzahl: title, definition, statement, table per area, time series with the
    sentence from when it runs and why; return its audit. Without data for the year, one sentence
    says which data are missing instead of an empty table.

    ``pool_dir``: the pool folder the notebook reads (for the coverage table).
    """
    from IPython.display import HTML, display

    from .. import plots
    from .common import hinweis, styled

    tab = kennzahl_tabelle(pool, k, jahr, produkt)
    ziel = (
        f" · Zielwert {format_wert(k, k.zielwert)}"
        if k.zielwert is not None
        else " · kein Zielwert festgelegt"
    )
    werte_sichtbar = tab.werte["wert"].where(~tab.gesperrt)
    if not hat_werte(pool, k, jahr):
        satz = fehlt_satz(pool, jahr, [k], pool_dir, "die Kennzahl fehlt daher")
        display(
            HTML(
                f"<h3>Ziel {k.ziel} · {html.escape(ARBEITSFELDER.get(k.arbeitsfeld or '', ''))}: {html.escape(k.titel)}</h3>"
                f"<p class='kz-fuss'><b>Definition:</b> {html.escape(k.definition or '')}<br><b>Quelle:</b> "
                f"{html.escape(k.quelle)}{html.escape(ziel)}</p>"
            )
        )
        display(hinweis(satz))
        return tab.audit
    satz = aussage(k, jahr, werte_sichtbar, raum, tab.verborgen())
    display(
        HTML(
            f"<h3>Ziel {k.ziel} · {html.escape(ARBEITSFELDER.get(k.arbeitsfeld or '', ''))}: {html.escape(k.titel)}</h3>"
            f"<p class='kz-fuss'><b>Definition:</b> {html.escape(k.definition or '')}<br><b>Quelle:</b> "
            f"{html.escape(k.quelle)}{html.escape(ziel)}</p><p><b>{html.escape(satz)}</b></p>"
        )
    )
    tabelle = reihenfolge(tab.anzeige, raum).rename_axis(None)
    display(styled(tabelle, hervorheben=raum if raum != GESAMTSTADT else None))
    reihe = zeitreihe_sicher(pool, k, jahre, produkt)
    if diagramm and len(reihe) >= 2 and reihe.notna().any().any():
        prozent = ist_anteil(k.einheit)
        display(
            plots.zeitreihe(
                reihe,
                diagramm_titel(k, reihe),
                prozent=prozent,
                zielwert=k.zielwert,
                hervorheben=raum if raum != GESAMTSTADT else GESAMTSTADT,
            )
        )
        display(
            HTML(
                f"<p class='kz-fuss'>{html.escape(reihen_hinweis(pool, k, reihe, jahr, pool_dir))}</p>"
            )
        )
    elif diagramm and len(reihe):
        display(
            hinweis(
                f"Eine Zeitreihe lässt sich erst ab zwei Jahren zeigen; bis {jahr} liegen Werte nur "
                f"für {reihe.index[0]} vor."
            )
        )
    return tab.audit


def noch_nicht_erhoben() -> pd.DataFrame:
    """The catalog cells not collected yet, with reason and the data they need."""
    rows = [
        {
            "Ziel": k.ziel,
            "Arbeitsfeld": ARBEITSFELDER.get(k.arbeitsfeld or "", ""),
            "Kennzahl": k.titel,
            "Grund": k.grund,
            "Benötigte Daten": k.benoetigte_daten,
        }
        for k in kennzahlen_p3()
        if not k.erhoben
    ]
    # the row label is Ziel, Arbeitsfeld and Kennzahl: a Ziel alone repeats across Arbeitsfelder
    return (
        pd.DataFrame(rows)
        .sort_values(["Ziel", "Arbeitsfeld"])
        .set_index(["Ziel", "Arbeitsfeld", "Kennzahl"])
    )


def anzeige_matrix(
    pool: pd.DataFrame, jahr: str, raum: str, produkt: int = 3
) -> tuple[dict[str, str], pd.DataFrame]:
    """Display strings of the area's values for the matrix (as the year's plan allows), and their audit."""
    from .. import disclosure

    m = matrix(pool, jahr, raum, produkt)
    anzeige = {
        r["kennzahl"]: r["anzeige"] for _, r in m.iterrows() if r["status"] != "noch nicht erhoben"
    }
    rows = [
        {
            "tabelle": f"Zielmatrix {jahr}",
            "zeile": raum,
            "spalte": r["kennzahl"],
            "grund": NICHT_BEWERTET if r["status"] == NICHT_BEWERTET else "gesperrt",
            "regel": "Wert wie in der Tabelle der Kennzahl nicht ausgewiesen",
            "intervall_min": "",
            "intervall_max": "",
        }
        for _, r in m.iterrows()
        if r["status"] in ("gesperrt", NICHT_BEWERTET)
    ]
    return anzeige, pd.DataFrame(rows, columns=disclosure.AUDIT_COLUMNS)
