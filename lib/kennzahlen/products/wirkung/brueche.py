"""How the reports show Kennzahlen that change over time (:mod:`kennzahlen.catalog.versionen`):
the Zielwert of the year with its change, the break in a series drawn in the chart and said under
it, and the list of changes to the catalog. Only catalog texts, never a value: safe for the
public Produkt 3."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from kennzahlen.catalog.model import Kennzahl
from kennzahlen.charts import plots
from kennzahlen.core import farben, fmt


def _wert(k: Kennzahl, wert: float | None) -> str:
    if wert is None:
        return "kein Zielwert"
    if k.einheit in ("anteil", "quote"):
        return fmt.prozent(wert, 0)
    if k.einheit == "veraenderung":  # a change: '+5,9 %'
        return fmt.prozent_vorzeichen(wert)
    return fmt.zahl(wert, fmt.nachkomma_noetig([wert], hoechstens=2))


def zielwert_zusatz(k: Kennzahl, jahr: str | int) -> str:
    """' · Zielwert 85 % (seit 2023; bis 2022: 90 %)' for a Kennzahl's header, or no Zielwert."""
    ziel = k.zielwert_im(jahr)
    if ziel is None:
        return " · kein Zielwert festgelegt"
    text = f" · Zielwert {_wert(k, ziel)}"
    seit = k.zielwert_seit(jahr)
    if seit is not None:
        text += f" (seit {seit}; bis {seit - 1}: {_wert(k, k.zielwert_im(seit - 1))})"
    return text


def _x_bruch(jahre: list[str], quartal: str) -> float | None:
    """Where a break falls on a chart of yearly points (x = index of the year; None: outside)."""
    j, q = quartal[:4], int(quartal[-1])
    if j not in jahre or (jahre.index(j) == 0 and q == 1):
        return None
    return jahre.index(j) - 0.5 + (q - 1) / 4


def diagramm(
    reihe: pd.DataFrame, k: Kennzahl, titel: str, prozent: bool, hervorheben: str | None
) -> Figure:
    """The yearly series with the Zielwert valid in each year (a step where it changed) and every
    break of the definition as a dotted line with its quarter; the alt text says both."""
    jahre = [str(j) for j in reihe.index]
    ziele = [k.zielwert_im(j) for j in jahre]
    konstant = len(set(ziele)) == 1
    fig = plots.zeitreihe(
        reihe,
        titel,
        prozent=prozent,
        zielwert=ziele[0] if konstant else None,
        hervorheben=hervorheben,
    )
    ax = fig.axes[0]
    if not konstant:
        _zielwert_stufen(ax, k, jahre, ziele)
    _bruch_linien(ax, k, jahre)
    zusatz = bruch_saetze(k, jahre)
    if zusatz:
        plots.beschreibe(fig, getattr(fig, "kz_alt", ""), *zusatz)
    return fig


def _zielwert_stufen(ax, k: Kennzahl, jahre: list[str], ziele: list[float | None]) -> None:
    """The Zielwert of each year as a dashed step, labelled at the first and the last year."""
    for i, z in enumerate(ziele):
        if z is not None:
            ax.hlines(
                z,
                max(i - 0.5, 0),
                min(i + 0.5, len(jahre) - 1),
                color=farben.SCHWARZ,
                linestyle="--",
                linewidth=1,
            )
    first, last = ziele[0], ziele[-1]
    if first is not None:
        bis = int(jahre[ziele.index(next(z for z in ziele if z != first))]) - 1
        ax.text(0, first, f" Zielwert {_wert(k, first)} (bis {bis})", **_TEXT, ha="left")
    if last is not None:
        seit = k.zielwert_seit(jahre[-1])
        ax.text(
            len(jahre) - 1, last, f" Zielwert {_wert(k, last)} (ab {seit})", **_TEXT, ha="right"
        )


_TEXT = {"va": "bottom", "fontsize": 8.5, "color": farben.TEXT}


def _bruch_linien(ax, k: Kennzahl, jahre: list[str]) -> None:
    """Each break of the definition inside the years shown: a dotted line with its quarter."""
    for b in k.brueche(bis=f"{jahre[-1]}-Q4"):
        x = _x_bruch(jahre, b.quartal)
        if x is None:
            continue
        ax.axvline(x, color=farben.TEXT_LEISE, linestyle=":", linewidth=1.6)
        ax.text(
            x,
            1.0,
            f" neue Definition ab\n {fmt.periode(b.quartal)}",
            transform=ax.get_xaxis_transform(),
            va="top",
            ha="left",
            fontsize=8,
            color=farben.TEXT,
        )


def bruch_saetze(k: Kennzahl, jahre: list[str]) -> list[str]:
    """The sentences under a chart: each break inside the years shown, and a Zielwert change."""
    jahre = [str(j) for j in jahre]
    out = []
    for b in k.brueche(bis=f"{jahre[-1]}-Q4"):
        if _x_bruch(jahre, b.quartal) is None:
            continue
        satz = (
            f"Zeitreihenbruch: Seit dem {fmt.periode(b.quartal)} gilt eine neue Definition "
            f"(gepunktete Linie). {b.aenderung.rstrip('.')}. Werte davor sind mit den späteren nur "
            "eingeschränkt vergleichbar"
        )
        if b.quartal_nr > 1 and k.periodizitaet in ("quartal", "jahr"):
            n = b.quartal_nr - 1
            wort = {1: "ein Quartal", 2: "zwei Quartale", 3: "drei Quartale"}
            satz += (
                f"; der Jahreswert {b.jahr} enthält {wort[n]} nach der alten und "
                f"{wort[4 - n]} nach der neuen Definition"
            )
        out.append(satz + ".")
    for i in range(1, len(jahre)):
        alt, neu = k.zielwert_im(jahre[i - 1]), k.zielwert_im(jahre[i])
        if alt != neu:
            z = next(z for z in k.zielwerte if z.gueltig_ab == k.zielwert_seit(jahre[i]))
            grund = f" {z.grund.rstrip('.')}." if z.grund else ""
            out.append(
                f"Zielwert bis {int(jahre[i]) - 1}: {_wert(k, alt)}, ab {jahre[i]}: "
                f"{_wert(k, neu)} (gestrichelte Linie); jedes Jahr wird an seinem Zielwert "
                f"gemessen.{grund}"
            )
    return out


def aenderungen(kennzahlen: list[Kennzahl], jahre: list[str]) -> pd.DataFrame:
    """The catalog's changes within the years shown: added, dropped, new definition or Zielwert."""
    jahre = [str(j) for j in jahre]
    von, bis = int(jahre[0]), int(jahre[-1])
    rows = []
    for k in kennzahlen:
        if k.aufgenommen is not None and von < k.aufgenommen <= bis:
            rows.append((k.titel, "in den Katalog aufgenommen", str(k.aufgenommen), ""))
        if k.gestrichen is not None and von < k.gestrichen <= bis + 1:
            rows.append((k.titel, "aus dem Katalog gestrichen", str(k.gestrichen), ""))
        for b in k.brueche(bis=f"{bis}-Q4"):
            if int(b.quartal[:4]) >= von:
                rows.append(
                    (
                        k.titel,
                        "neue Definition (Zeitreihenbruch)",
                        fmt.periode(b.quartal),
                        b.aenderung,
                    )
                )
        for z in k.zielwerte:
            if von <= z.gueltig_ab <= bis:
                vorher = _wert(k, k.zielwert_im(z.gueltig_ab - 1))
                was = f"Zielwert {vorher} → {_wert(k, z.wert)}"
                rows.append((k.titel, was, str(z.gueltig_ab), z.grund))
    df = pd.DataFrame(rows, columns=["Kennzahl", "Änderung", "ab", "Begründung"])
    return df.set_index(["Kennzahl", "Änderung"])


def aenderungen_abschnitt(kennzahlen: list[Kennzahl], jahre: list[str]):
    """The table of the catalog's changes in the years shown, or one sentence without any."""
    from kennzahlen.products.common import hinweis, styled

    df = aenderungen(kennzahlen, jahre)
    if df.empty:
        return hinweis(f"Von {jahre[0]} bis {jahre[-1]} hat sich im Katalog nichts geändert.")
    return styled(df, caption=f"Änderungen im Katalog von {jahre[0]} bis {jahre[-1]}")
