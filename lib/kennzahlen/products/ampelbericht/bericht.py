"""Produkt 4 – Ampel: Sozialraum x Arbeitsfeld lights with the rule, values and switches behind
them."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from kennzahlen import ampel
from kennzahlen.core import fmt
from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.core.vocabulary import ARBEITSFELDER, FARBEN, ist_anteil, wert_text
from kennzahlen.products.common import Html, steckbrief_link

REGEL = {"zielwert": "Zielwert", "spc": "übliche Schwankung (Regelkarte)"}


def regel_text(regel: str, vorquartale: int) -> str:
    """A rule's name in the indicator table; the rise rule names its number of quarters."""
    if regel == "anstieg":
        gegen = "Vorquartal" if vorquartale == 1 else f"Ø {vorquartale} Vorquartale"
        return f"Anstieg ggü. {gegen}"
    return REGEL.get(regel, regel)


def felder() -> dict[str, str]:
    """Arbeitsfeld code -> title (config/ampel.yaml, else the usual title), in the usual order."""
    setup = ampel.load_ampel_config()
    return {
        code: setup.titel(code) if code in setup.config.arbeitsfelder else titel
        for code, titel in ARBEITSFELDER.items()
    }


def licht(farbe: str | None, manuell: bool = False) -> Html:
    """One light as HTML: colour and a text label (readable in greyscale), ✎ for a manual switch."""
    f = farbe if farbe in FARBEN else "grau"
    mark = " ✎" if manuell else ""
    return Html(f'<span class="kz-ampel kz-ampel-{f}">{FARBEN[f].schild}{mark}</span>')


def load_ampel(pool: str | Path | None, quartal: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The quarter's lights and indicator details from the pool."""
    return ampel.ampel_fuer(pool, quartal), ampel.ampel_fuer(pool, quartal, details=True)


def raster_html(
    lichter: pd.DataFrame, hervorheben: str | None = None, caption: str | None = None
) -> str:
    """The grid of lights: areas as rows, Arbeitsfelder as columns."""
    titel = felder()
    gezeigt = [f for f in titel if f in set(lichter["arbeitsfeld"])]
    head = "".join(f"<th>{html.escape(titel[f])}</th>" for f in gezeigt)
    rows = []
    for raum, grp in lichter.groupby("sozialraum", sort=False):
        by = grp.set_index("arbeitsfeld")
        style = ' style="background:#fde9d9"' if raum == hervorheben else ""
        cells = "".join(
            '<td style="text-align:center">'
            f"{licht(by.loc[f, 'farbe'], bool(by.loc[f, 'manuell']))}</td>"
            if f in by.index
            else "<td>–</td>"
            for f in gezeigt
        )
        rows.append(f"<tr{style}><th>{html.escape(raum)}</th>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="kz-raster">{cap}<thead><tr><th>Gebiet</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def begruendungen(
    lichter: pd.DataFrame, raum: str | None = None, bericht_raum: str | None = None
) -> pd.DataFrame:
    """Per light: colour, what the rules said, and the reason (a manual switch keeps both).

    Every cell is HTML-safe (names and reasons escaped), as the report shows it with
    ``to_html(escape=False)``. ``bericht_raum``: the area of the report; the reason of a switch
    in another area is not shown, only where it is (:mod:`kennzahlen.steuerung.freitext`).
    """
    from kennzahlen.steuerung import freitext

    rows = lichter if raum is None else lichter[lichter["sozialraum"] == raum]
    eigen = [bericht_raum is None or freitext.eigen(bericht_raum, r) for r in rows["sozialraum"]]
    out = pd.DataFrame(
        {
            "Gebiet": rows["sozialraum"].map(lambda r: html.escape(str(r))),
            "Arbeitsfeld": rows["arbeitsfeld"].map(felder()),
            "Ampel": [licht(f, m) for f, m in zip(rows["farbe"], rows["manuell"], strict=True)],
            "nach Regeln": [licht(f) for f in rows["farbe_regel"]],
            "Begründung": [
                (
                    f"<b>Manuell geschaltet am {fmt.datum(d)}:</b> "
                    f"{html.escape(b if e else freitext.verweis(s))}"
                    f"<br><small>Regeln: {html.escape(r or '')}</small>"
                    if m
                    else html.escape(b or "")
                )
                for b, r, m, d, e, s in zip(
                    rows["begruendung"],
                    rows["begruendung_regel"],
                    rows["manuell"],
                    rows["geschaltet_am"],
                    eigen,
                    rows["sozialraum"],
                    strict=True,
                )
            ],
        }
    )
    if raum is not None:
        out = out.drop(columns="Gebiet")
    out = out.reset_index(drop=True)
    out.attrs["caption"] = "Ampeln mit der Farbe nach den Regeln und der Begründung"
    return out


def _intervalle(rows: pd.DataFrame, wert) -> list[str]:
    """Each indicator's 95 % interval in its unit ('–' without one)."""
    return [
        f"{wert(lo, e)} bis {wert(hi, e)}" if pd.notna(lo) and pd.notna(hi) else "–"
        for lo, hi, e in zip(
            _spalte(rows, "intervall_unten"), _spalte(rows, "intervall_oben"), rows["einheit"],
            strict=True,
        )
    ]  # fmt: skip


def details(det: pd.DataFrame, raum: str) -> pd.DataFrame:
    """The indicators behind an area's lights: rule, value, comparison, thresholds, cases
    (HTML-safe)."""
    rows = det[det["sozialraum"] == raum]
    setup = ampel.load_ampel_config()
    vorquartale = {
        (p.arbeitsfeld, p.kennzahl.id, p.regel): p.vorquartale for p in setup.indikatoren
    }
    standard = setup.config.regeln.anstieg.vorquartale

    def wert(x: float, einheit: str) -> str:
        # shares in the unit's format; counts and rates whole, or with one decimal if they have any
        nachkomma = None if ist_anteil(einheit) else (0 if float(x).is_integer() else 1)
        return wert_text(x, einheit, nachkomma)

    def schwelle(x: float, einheit: str) -> str:
        return "–" if pd.isna(x) else wert(x, einheit)

    out = pd.DataFrame(
        {
            "Arbeitsfeld": rows["arbeitsfeld"].map(felder()),
            "Indikator": [
                steckbrief_link(k, str(x))
                for x, k in zip(rows["indikator"], rows["kennzahl"], strict=True)
            ],
            "Regel": [
                html.escape(regel_text(str(r), vorquartale.get((a, k, r), standard)))
                for a, k, r in zip(
                    rows["arbeitsfeld"], rows["kennzahl"], rows["regel"], strict=True
                )
            ],
            "Wert": [
                wert(w, e) if pd.notna(w) else "–"
                for w, e in zip(rows["wert"], rows["einheit"], strict=True)
            ],
            "95-%-Intervall": _intervalle(rows, wert),
            "Vergleich": rows["vergleich"].fillna("–").map(lambda x: html.escape(str(x))),
            "Zielsicherheit": [
                html.escape(str(z)) if isinstance(z, str) and z else "–"
                for z in _spalte(rows, "zielsicherheit")
            ],
            "Schwelle gelb": [
                schwelle(x, e) for x, e in zip(rows["schwelle_gelb"], rows["einheit"], strict=True)
            ],
            "Schwelle rot": [
                schwelle(x, e) for x, e in zip(rows["schwelle_rot"], rows["einheit"], strict=True)
            ],
            "Fälle": rows["faelle"].map(lambda x: fmt.zahl(x)),
            "Farbe": [licht(f) for f in rows["farbe"]],
        }
    ).reset_index(drop=True)
    out.attrs["caption"] = (
        f"Indikatoren hinter den Ampeln, {raum}: Regel, Wert, Schwellen und Fälle"
    )
    return out


def _spalte(rows: pd.DataFrame, name: str) -> list:
    """A column of the details, or empty values for a pool made before it existed."""
    return list(rows[name]) if name in rows.columns else [float("nan")] * len(rows)


def indikator_kennzahlen() -> list[str]:
    """The Kennzahlen behind the Ampel's indicators (config/ampel.yaml)."""
    return list(dict.fromkeys(p.kennzahl.id for p in ampel.load_ampel_config().indikatoren))


def fehlt_satz(quartal: str, pool_dir: str | Path | None) -> str:
    """One sentence: the pool holds no Ampel for the quarter, and which data it lacks (from the
    Abdeckung)."""
    from kennzahlen.products import common

    tabellen = common.fehlende_tabellen(
        common.abdeckung_von(pool_dir), common.tabellen_von(indikator_kennzahlen()), quartal
    )
    return common.fehlt_satz(quartal, tabellen, "die Ampel fehlt daher")


def grau_gruende(lichter: pd.DataFrame, details: pd.DataFrame) -> dict[str, int]:
    """Why the grey lights of ``lichter`` show no statement: per reason, the number of grey lights
    it applies to (a light counts once per reason; a grey light has only grey indicators).

    Reasons: 'Vergleichsquartale fehlen noch' (too short a series for the rule), 'kein Wert',
    'zu wenige Fälle'.
    """
    grau = set(
        zip(
            *[lichter.loc[lichter["farbe"] == "grau", c] for c in ("sozialraum", "arbeitsfeld")],
            strict=True,
        )
    )
    out: dict[str, set] = {
        "Vergleichsquartale fehlen noch": set(),
        "kein Wert": set(),
        "zu wenige Fälle": set(),
    }
    for r in details[details["farbe"] == "grau"].itertuples():
        key = (r.sozialraum, r.arbeitsfeld)
        if key not in grau:
            continue
        vergleich = str(r.vergleich) if pd.notna(r.vergleich) else ""
        if pd.isna(r.wert):
            out["kein Wert"].add(key)
        elif "fehlt" in vergleich or "unvollständig" in vergleich:
            out["Vergleichsquartale fehlen noch"].add(key)
        elif pd.notna(r.faelle) and pd.notna(r.min_faelle) and r.faelle < r.min_faelle:
            out["zu wenige Fälle"].add(key)
    return {k: len(v) for k, v in out.items() if v}


def kernaussagen(
    lichter: pd.DataFrame,
    quartal: str,
    raum: str,
    details: pd.DataFrame | None = None,
    pool_dir: str | Path | None = None,
) -> list[str]:
    """Key messages: how many lights are red/yellow, which, why lights give no statement, and the
    manual switches; without an Ampel for the quarter, one sentence why."""
    rows = lichter if raum == GESAMTSTADT else lichter[lichter["sozialraum"] == raum]
    if rows.empty:
        return [fehlt_satz(quartal, pool_dir)]
    n = rows["farbe"].value_counts()
    gebiet = (
        "über alle Sozialräume und die Gesamtstadt"
        if raum == GESAMTSTADT
        else f"im Sozialraum {raum}"
    )
    grau = ""
    if n.get("grau", 0):
        gruende = grau_gruende(rows, details) if details is not None else {}
        grau = " (" + "; ".join(f"{k}: {v}" for k, v in gruende.items()) + ")" if gruende else ""
    out = [
        f"Ampel {fmt.periode(quartal)} {gebiet}: {n.get('rot', 0)} × rot, {n.get('gelb', 0)} × "
        f"gelb, {n.get('gruen', 0)} × grün, {n.get('grau', 0)} ohne Aussage{grau}."
    ]
    titel = felder()
    rot = rows[rows["farbe"] == "rot"]
    if len(rot):
        out.append(
            "Handlungsbedarf (rot): "
            + "; ".join(f"{r.sozialraum} {titel[r.arbeitsfeld]}" for r in rot.itertuples())
            + "."
        )
    from kennzahlen.steuerung import freitext

    manuell = rows[rows["manuell"]]
    for r in manuell.itertuples():
        wie = (
            f"auf {FARBEN[r.farbe].wort} bestätigt"
            if r.farbe == r.farbe_regel
            else f"von {FARBEN[r.farbe_regel].wort} (Regel) auf {FARBEN[r.farbe].wort} geschaltet"
        )
        grund = (
            f" – {r.begruendung}"
            if freitext.eigen(raum, r.sozialraum)
            else f" (Begründung im Bericht {r.sozialraum})"
        )
        out.append(fmt.satz(f"Manuell: {r.sozialraum} {titel[r.arbeitsfeld]} {wie}{grund}"))
    return out


def regeln_text() -> str:
    """The rules of config/ampel.yaml in words (for the definitions section)."""
    setup = ampel.load_ampel_config()
    r = setup.config.regeln
    return (
        f"Zielwert-Regel: grün, wenn der Zielwert erreicht ist; gelb, wenn er um höchstens "
        f"{fmt.zahl(r.zielwert.toleranz_pp, 1)} Prozentpunkte verfehlt ist; sonst rot"
        + (
            " – aber nur, wenn auch das 95-%-Intervall des Werts den Zielwert verfehlt (sonst "
            "gelb: nicht sicher verfehlt). "
            if r.zielwert.nur_sicher_rot
            else ". "
        )
        + "Anstiegs-Regel (Bestände, deren Anstieg ein Warnsignal ist): Wert am Stichtag gegenüber "
        f"dem Mittel der {r.anstieg.vorquartale} vorherigen Quartalsenden; Anstieg bis "
        f"{fmt.zahl(r.anstieg.gelb_ueber_prozent)}{fmt.NBSP}% grün, "
        f"bis {fmt.zahl(r.anstieg.rot_ueber_prozent)}{fmt.NBSP}% gelb, darüber rot. "
        "Regelkarte (übliche Schwankung, wie sie der englische Gesundheitsdienst für Berichte "
        f"an seine Gremien nutzt): Aus {r.spc.basis_perioden} festen Vergleichswerten ergeben "
        "sich der Mittelwert und die Grenzen, innerhalb derer ein Wert nur zufällig schwankt "
        f"(Mittelwert ± {fmt.zahl(r.spc.grenzfaktor, 2)} × mittlere Veränderung von Quartal zu "
        "Quartal); solange die Basis kürzer ist, gelten ab "
        f"{r.spc.vorlaeufig_ab} Werten vorläufige Grenzen. {_signale_text(r.spc)} "
        "Eine neue Basis setzt die Fachkoordination/Fachplanung nur mit Datum und Grund. "
        "Hat die Kennzahl einen Zielwert, sagt die Regelkarte auch, ob der Verlauf ihn sicher "
        "erreicht, sicher verfehlt oder mal erreicht, mal verfehlt (Zielsicherheit). "
        f"Unter {r.min_faelle} Fällen: keine Aussage (grau). Ein Arbeitsfeld "
        "zeigt seinen schlechtesten Indikator. Eine Schaltung der Fachkoordination/Fachplanung "
        f"(✎) ersetzt die Farbe der Regeln; beide werden gezeigt."
    )


def _signale_text(spc) -> str:
    """The SPC signals switched on, in words (config/ampel.yaml)."""
    teile = []
    if "grenze" in spc.signale:
        teile.append(
            "Ein Wert jenseits einer Grenze in ungünstiger Richtung ist kein Zufall mehr: rot"
        )
    gelb = {
        "lauf": f"{spc.lauf} Werte in Folge auf der ungünstigen Seite des Mittelwerts",
        "trend": f"{spc.trend} Werte in Folge in ungünstiger Richtung steigend oder fallend",
        "zwei_von_drei": "zwei von drei Werten nahe der ungünstigen Grenze",
    }
    g = [gelb[x] for x in spc.signale if x in gelb]
    if g:
        teile.append(", ".join(g) + " zeigen eine Verschiebung: gelb")
    return "; ".join(teile) + "." if teile else ""


def raster_abschnitt(
    lichter: pd.DataFrame, quartal: str, hervorheben: str | None, pool_dir: str | Path | None
) -> HTML:
    """The grid of lights; without an Ampel for the quarter, the sentence why."""
    from kennzahlen.products.common import hinweis

    if lichter.empty:
        return hinweis(fehlt_satz(quartal, pool_dir))
    caption = f"Ampel {fmt.periode(quartal)} je Gebiet und Arbeitsfeld"
    return HTML(raster_html(lichter, hervorheben=hervorheben, caption=caption))


def tabelle_html(df: pd.DataFrame) -> HTML | None:
    """An HTML-safe frame (begruendungen, details) as a report table; None when it is empty."""
    if df.empty:
        return None
    from kennzahlen.products.common import mit_caption

    tabelle = df.to_html(escape=False, index=False, classes="kz-text")
    return HTML(mit_caption(tabelle, df.attrs.get("caption")))


def show_verlauf(
    pool_dir: str | Path | None, indikatoren: pd.DataFrame, raum: str, quartal: str, anzahl: int = 8
) -> None:
    """Display the lights of the last quarters (up to ``anzahl``) and from when they run and why;
    nothing without any light (the grid says so)."""
    from IPython.display import display

    from kennzahlen.charts import plots
    from kennzahlen.products.common import reihen_hinweis

    verlauf = ampel.verlauf(pool_dir, raum, bis=quartal, anzahl=anzahl)
    if verlauf.empty or verlauf.shape[1] == 0:
        return
    quartale = list(verlauf.columns)
    titel = felder()
    verlauf.index = [titel.get(f, f) for f in verlauf.index]
    verlauf.columns = [c.replace("-", " ") for c in verlauf.columns]
    auffaellig = int(verlauf.isin(["rot", "gelb"]).sum().sum())
    wann = (
        "im letzten Quartal" if len(quartale) == 1 else f"in {_zahlwort(len(quartale))} Quartalen"
    )
    display(plots.ampel_raster(verlauf, f"{raum}: {auffaellig} gelbe oder rote Ampeln {wann}"))
    display(
        reihen_hinweis(
            pool_dir,
            None,
            sorted(set(indikatoren["kennzahl"])),
            quartale[0],
            raum=raum,
            bis=quartal,
            was="Der Verlauf",
            einheit="quartal",
        )
    )


def _zahlwort(n: int) -> str:
    return {2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 7: "sieben", 8: "acht"}.get(
        n, str(n)
    )
