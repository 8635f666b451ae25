"""Produkt 1 – Sozialmonitoring: the sentences (key messages, stability) and the method section.

The method section is written from ``config/sozialindex.yaml`` itself, so it names every
choice the pool was built with: indicators and their definitions, direction and weight,
standardisation, cut-offs, dynamic period, minimum population, the attention rule, the sources,
and what differs from Berlin's MSS and Hamburg's RISE and why.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
from IPython.display import HTML

from kennzahlen.catalog.model import load_catalog
from kennzahlen.core import fmt
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.products.sozialstruktur.sozialmonitoring import Lage
from kennzahlen.sozialindex.berechnung import index_werte, klassen_von
from kennzahlen.sozialindex.config import Klasse

QUELLEN = (
    "Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin (SenSBW): Monitoring Soziale "
    "Stadtentwicklung Berlin 2021 (Bericht und Indikatorenheft; Fortschreibung 2023) – "
    "berlin.de/sen/sbw/stadtdaten/stadtwissen/monitoring-soziale-stadtentwicklung",
    "Freie und Hansestadt Hamburg, Behörde für Stadtentwicklung und Wohnen: Sozialmonitoring "
    "Integrierte Stadtteilentwicklung (RISE), Bericht 2023 – hamburg.de/sozialmonitoring",
    "Prüfung der Rechenregeln: die veröffentlichten Index-Indikatoren und Klassen des MSS 2021 "
    "für 536 Planungsräume (FIS-Broker, Amt für Statistik Berlin-Brandenburg, CC BY 3.0 DE) werden "
    "bei jeder Prüfung des Programms vollständig nachgerechnet.",
)


def _liste(namen: list[str], hoechstens: int = 6) -> str:
    if len(namen) <= hoechstens:
        return ", ".join(namen)
    return ", ".join(namen[:hoechstens]) + f" und {len(namen) - hoechstens} weitere"


def kernaussagen(lage: Lage) -> list[str]:
    """Key messages: the least favourable status, the attention areas, the negative dynamics."""
    if lage.leer:
        return [lage.hinweis] if lage.hinweis else []
    cfg = lage.config
    rated = lage.bewertet()
    eigene = lage.im_raum(rated).sort_values("status_index", ascending=False)
    letzte = cfg.status_klassen[-1].name
    schlecht = eigene[eigene["status_klasse"] == letzte]["name"].tolist()
    wo = "" if lage.raum == GESAMTSTADT else f" im Sozialraum {lage.raum}"
    out = [
        f"Sozialindex {lage.jahr}{wo}: "
        + (
            f"Status {letzte} in {_liste(schlecht)}"
            if schlecht
            else f"kein Stadtviertel mit Status {letzte}"
        )
        + f" (von {len(eigene)} bewerteten Stadtvierteln)."
    ]
    achtung = eigene[eigene["aufmerksamkeit"]]["name"].tolist()
    out.append(
        f"Gebiete mit besonderem Aufmerksamkeitsbedarf{wo}: "
        + (f"{len(achtung)} – {_liste(achtung)}." if achtung else "keines.")
    )
    neg = cfg.dynamik_klassen[-1].name
    d = eigene[eigene["dynamik_klasse"] == neg]["name"].tolist()
    if eigene["dynamik_klasse"].notna().any():
        out.append(
            f"Dynamik {neg} {lage.dynamik_von}–{lage.jahr}{wo}: "
            + (f"{_liste(d)}." if d else "kein Stadtviertel.")
        )
    return out


# ---------------------------------------------------------------------------- stability
def _z_breit(lage: Lage, spalte: str, ids: list[str]) -> pd.DataFrame:
    ind = lage.indikatoren.pivot(index="stadtviertel_nr", columns="indikator", values=spalte)
    return ind.reindex(columns=ids).dropna(how="any")


def _wechsel_verschoben(index: pd.Series, klassen: list[Klasse], v: float) -> pd.Index:
    basis = klassen_von(index, klassen)
    plus, minus = klassen_von(index, klassen, v), klassen_von(index, klassen, -v)
    return index.index[(plus != basis) | (minus != basis)]


def _wechsel_ohne(lage: Lage, z: pd.DataFrame, klassen: list[Klasse]) -> dict[str, pd.Index]:
    """Per indicator: the Stadtviertel whose class changes when it is left out of the index."""
    bev = lage.gebiete.set_index("stadtviertel_nr")["bevoelkerung"]
    _, voll = index_werte(z, lage.config, bev)
    basis = klassen_von(voll, klassen)
    out = {}
    for i in z.columns:
        if z.shape[1] < 2:
            break
        _, ohne = index_werte(z.drop(columns=i), lage.config, bev)
        out[i] = z.index[klassen_von(ohne, klassen) != basis]
    return out


@dataclass(frozen=True)
class Wechsel:
    """Class changes of one index (status or dynamics) under the stability checks."""

    n: int  # the Stadtviertel rated
    grenze: pd.Index  # those that change class when every cut-off moves
    ohne: dict[str, pd.Index]  # per indicator: those that change class without it


@dataclass(frozen=True)
class Stabilitaet:
    """How firm the classes are: the shift of the cut-offs and the changes per index."""

    verschiebung: float
    status: Wechsel | None = None
    dynamik: Wechsel | None = None


def stabilitaet(lage: Lage) -> Stabilitaet:
    """How many Stadtviertel change class when the cut-offs move or one indicator is left out."""
    cfg = lage.config
    v = cfg.stabilitaet.verschiebung
    wechsel: dict[str, Wechsel] = {}
    for art, klassen, spalte, ids in (
        ("status", cfg.status_klassen, "z", [i.id for i in cfg.status_indikatoren]),
        ("dynamik", cfg.dynamik_klassen, "z_dynamik", [i.id for i in cfg.dynamik_indikatoren]),
    ):
        z = _z_breit(lage, spalte, ids)
        if z.empty:
            continue
        bev = lage.gebiete.set_index("stadtviertel_nr")["bevoelkerung"]
        _, index = index_werte(z, cfg, bev)
        wechsel[art] = Wechsel(
            len(z), _wechsel_verschoben(index, klassen, v), _wechsel_ohne(lage, z, klassen)
        )
    return Stabilitaet(v, wechsel.get("status"), wechsel.get("dynamik"))


def stabilitaet_satz(lage: Lage) -> HTML:
    """The stability sentence, so that nobody over-reads a class boundary."""
    if lage.leer:
        return HTML("")
    s = stabilitaet(lage)
    if s.status is None:
        return HTML("")
    v = fmt.zahl(s.verschiebung, 1)
    teile = [
        f"Verschiebt man alle Klassengrenzen um {v} Standardabweichungen nach oben oder unten, "
        f"wechseln {len(s.status.grenze)} der {s.status.n} bewerteten Stadtviertel die "
        f"Statusklasse"
        + (f" und {len(s.dynamik.grenze)} die Dynamikklasse" if s.dynamik is not None else "")
        + "."
    ]
    ohne = s.status.ohne
    if ohne:
        worst = max(ohne, key=lambda i: len(ohne[i]))
        rest = ", ".join(f"ohne {lage.titel(i)} {len(ohne[i])}" for i in ohne if i != worst)
        teile.append(
            f"Lässt man einen Indikator weg, wechseln bis zu {len(ohne[worst])} Stadtviertel die "
            f"Statusklasse (ohne {lage.titel(worst)}" + (f"; {rest}" if rest else "") + ")."
        )
    eigene = set(lage.im_raum()["stadtviertel_nr"])
    nahe = [n for n in s.status.grenze if n in eigene]
    if lage.raum != GESAMTSTADT:
        namen = lage.gebiete.set_index("stadtviertel_nr").loc[nahe, "name"].tolist()
        teile.append(
            f"Im Sozialraum {lage.raum} liegen "
            + (
                f"{_liste(namen)} so nahe an einer Grenze."
                if namen
                else "keine Stadtviertel so nahe an einer Grenze."
            )
        )
    teile.append(
        "Klassengrenzen sind Konventionen: ein Stadtviertel knapp unter einer Grenze unterscheidet "
        "sich kaum von einem knapp darüber. Der Indexwert in Standardabweichungen steht deshalb "
        "in den Tabellen neben jeder Klasse."
    )
    return HTML(f"<p><b>Wie fest sitzen die Klassen?</b> {html.escape(' '.join(teile))}</p>")


# ---------------------------------------------------------------------------- method
def _grenzen_text(klassen: list[Klasse]) -> str:
    """'hoch: bis −1,0; mittel: über −1,0 bis 1,0; …; sehr niedrig: über 1,5'."""
    teile, unten = [], None
    for k in klassen:
        z = lambda x: fmt.zahl(x, 1).replace("-", "−")  # noqa: E731
        if unten is None:
            teile.append(f"{k.name}: bis {z(k.bis)}")
        elif k.bis is None:
            teile.append(f"{k.name}: über {z(unten)}")
        else:
            teile.append(f"{k.name}: über {z(unten)} bis {z(k.bis)}")
        unten = k.bis
    return "; ".join(teile)


def _indikator_tabelle(lage: Lage) -> str:
    cat = load_catalog()
    rows = []
    for i in lage.config.indikatoren:
        k = cat.get(i.kennzahl)
        richtung = "höher = ungünstiger" if i.vorzeichen > 0 else "niedriger = ungünstiger"
        teil = " und ".join(x for x, an in (("Status", i.status), ("Dynamik", i.dynamik)) if an)
        zellen = (
            i.titel,
            k.definition or k.titel,
            k.quelle,
            richtung,
            fmt.zahl(i.gewicht, 1),
            teil,
        )
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in zellen) + "</tr>")
    kopf = ("Indikator", "Definition", "Quelle", "Richtung", "Gewicht", "geht ein in")
    return (
        '<table class="kz-text"><caption>Indikatoren des Sozialindex</caption><thead><tr>'
        + "".join(f'<th scope="col">{h}</th>' for h in kopf)
        + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _schritte(lage: Lage) -> list[str]:
    cfg = lage.config
    gew = (
        "ungewichtet (jedes Stadtviertel zählt gleich)"
        if cfg.standardisierung.gewichtung == "keine"
        else "nach Einwohnerzahl gewichtet"
    )
    sd = (
        "mit n (Standardabweichung der Grundgesamtheit)"
        if cfg.standardisierung.streuung == "grundgesamtheit"
        else "mit n − 1 (Stichprobe)"
    )
    nb = lage.gebiete[~lage.gebiete["bewertet"]]
    nb_text = "; ".join(
        f"{grund}: {', '.join(teil['name'])}" for grund, teil in nb.groupby("grund", sort=True)
    )
    nb_text = nb_text or "keines"
    return [
        f"<b>Räumliche Ebene:</b> die Stadtviertel der Raumgliederung der Stadt. "
        f"Bewertet werden Stadtviertel mit mindestens {fmt.zahl(cfg.mindestbevoelkerung)} "
        f"Einwohner*innen am Stichtag. Nicht bewertet {lage.jahr}: {html.escape(nb_text)}.",
        "<b>Standardisierung:</b> je Indikator der z-Wert (Wert − Mittelwert) / "
        "Standardabweichung "
        f"über die bewerteten Stadtviertel, {gew}, Standardabweichung {sd}. Ein positiver z-Wert "
        f"heißt immer „ungünstiger als der Durchschnitt der Stadtviertel“.",
        "<b>Index:</b> die Summe der z-Werte (mal Gewicht), noch einmal standardisiert; der "
        "Index zählt also in Standardabweichungen vom Durchschnitt der Stadtviertel.",
        f"<b>Status-Klassen:</b> {html.escape(_grenzen_text(cfg.status_klassen))} (Grenzwert "
        f"gehört zur unteren Klasse).",
        f"<b>Dynamik:</b> je Indikator die Veränderung in Prozentpunkten über {cfg.dynamik.jahre} "
        f"Jahre (31.12.{lage.dynamik_von} bis 31.12.{lage.jahr}), genauso standardisiert und "
        f"summiert, für die Stadtviertel, die in beiden Jahren bewertet sind. Klassen: "
        f"{html.escape(_grenzen_text(cfg.dynamik_klassen))}.",
        "<b>Gebiete mit besonderem Aufmerksamkeitsbedarf:</b> "
        + html.escape(
            "; ".join(
                f"Status {z.status}"
                + (f" mit Dynamik {z.dynamik}" if z.dynamik else " (jede Dynamik)")
                for z in cfg.aufmerksamkeit
            )
            or "keine festgelegt"
        )
        + ".",
        f"<b>Stabilität:</b> Klassengrenzen um ±{fmt.zahl(cfg.stabilitaet.verschiebung, 1)} "
        f"Standardabweichungen verschoben und jeder Indikator einmal weggelassen (Satz oben).",
    ]


UNTERSCHIEDE = (
    "Klassengrenzen wie im MSS (±1 und +1,5 Standardabweichungen, Dynamik ±1): sie lassen sich "
    "aus den veröffentlichten Werten des MSS 2021 für alle 536 Planungsräume genau nachrechnen, "
    "und die Ergebnisse bleiben mit Berlin vergleichbar.",
    "Ebene Stadtviertel statt Planungsräume: hier {n} bewertete Gebiete, in Berlin über 500. "
    "Mittelwert und Streuung stützen sich auf wenige Gebiete; ein einzelnes Viertel mit "
    "sehr hohen Werten hebt die Streuung und damit alle Grenzen. Deshalb steht der Satz zur "
    "Stabilität bei den Ergebnissen.",
    "Transferbezug wie im MSS 2021: Personen im SGB II ohne die Arbeitslosen nach SGB II plus "
    "Hilfe zum Lebensunterhalt und Grundsicherung nach SGB XII außerhalb von Einrichtungen – die "
    "SGB-XII-Fälle kommen aus den Fallakten des Sozialamts (Open), nicht aus der amtlichen "
    "Statistik; stationäre Fälle zählen nicht, weil sie den Ort des Heims, nicht der Wohnung "
    "zeigen.",
    "Jährlich statt alle zwei Jahre (MSS); die Dynamik ist eine Veränderung über {jahre} Jahre "
    "(MSS: zwei). Kein Gebiet wird als „Ausreißer“ von Hand ausgeschlossen (das MSS 2019 tat das "
    "einmal); zu kleine Viertel fallen allein über die Mindestbevölkerung heraus.",
    "Hamburgs RISE-Sozialmonitoring nutzt mehr Indikatoren (u. a. Kinder von Alleinerziehenden, "
    "SGB-II-Empfänger*innen, Arbeitslose, Kinder in Mindestsicherung, Mindestsicherung im Alter, "
    "Schulabschlüsse). Der Kennzahlenkatalog enthält dafür den Anteil der Alleinerziehenden, die "
    "SGB-II-Quote und die Grundsicherung im Alter; Schulabschlüsse liefert keine Quelle des "
    "Sozialamts. Wer Hamburg folgt, nimmt sie in die Einstellungen des Sozialindex auf – ohne "
    "Programmierung.",
    "Produkt 1 ist intern. Der Abschnitt zeigt Anteile, z-Werte und Klassen, keine Fallzahlen; "
    "Stadtviertel unter der Mindestbevölkerung werden nicht bewertet.",
)


def methode(lage: Lage) -> HTML:
    """The method section: every choice of the index, the sources, and the differences."""
    if lage.cfg is None:
        return HTML(f"<p>{html.escape(lage.hinweis)}</p>" if lage.hinweis else "")
    cfg = lage.config
    vorbild = f" Vorbild: {html.escape(cfg.vorbild)}." if cfg.vorbild else ""
    teile = [
        f"<p>{html.escape(cfg.name)}.{vorbild}</p>",
        _indikator_tabelle(lage),
        "<ul>" + "".join(f"<li>{s}</li>" for s in _schritte(lage)) + "</ul>",
        "<p><b>Was anders ist als in Berlin und Hamburg, und warum:</b></p><ul>"
        + "".join(
            f"<li>{html.escape(u.format(n=len(lage.bewertet()), jahre=cfg.dynamik.jahre))}</li>"
            for u in UNTERSCHIEDE
        )
        + "</ul>",
        "<p><b>Quellen:</b></p><ul>"
        + "".join(f"<li>{html.escape(q)}</li>" for q in QUELLEN)
        + "</ul>",
    ]
    return HTML("".join(teile))


def _und(teile: list[str]) -> str:
    return teile[0] if len(teile) == 1 else ", ".join(teile[:-1]) + " und " + teile[-1]


def einleitung(lage: Lage) -> HTML:
    """The section's first paragraph: the question it answers and what the index is made of."""
    if lage.cfg is None:
        return HTML("")
    cfg = lage.config
    status = _und([i.titel for i in cfg.status_indikatoren])
    vorbild = f" (Vorbild: {cfg.vorbild})" if cfg.vorbild else ""
    return HTML(
        "<p>Welche Stadtviertel brauchen besondere Aufmerksamkeit, und wird es dort besser oder "
        f"schlechter? Der Sozialindex vergleicht jedes Stadtviertel mit dem Durchschnitt der "
        f"Stadtviertel{html.escape(vorbild)}: der <b>Status</b> aus {html.escape(status)} am "
        f"31.12., die <b>Dynamik</b> aus ihrer Veränderung über {cfg.dynamik.jahre} Jahre. Die "
        "Zahl oder das Zeichen in jedem Viertel der Karte ist seine Klasse; wie gerechnet wird, "
        "steht im Abschnitt „Methode des Sozialmonitorings“.</p>"
    )
