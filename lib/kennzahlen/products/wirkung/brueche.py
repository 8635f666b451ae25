"""How the reports show Kennzahlen that change over time (:mod:`kennzahlen.catalog.versionen`):
the Zielwert of the year with its change, the break in a series drawn in the chart and said under
it, and the list of changes to the catalog. Only catalog texts, never a value: safe for the
public Produkt 3."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

import pandas as pd
from matplotlib.figure import Figure

from kennzahlen.catalog.model import Kennzahl
from kennzahlen.charts import behalten, plots
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


#: time series kept for the next report (issue 28): every report of a kernel (Gesamtstadt and the
#: Sozialräume) shows the same chart of a Kennzahl, only another line highlighted; at most this
#: many, least recently used dropped first
GRENZE_BEHALTEN = 48
_BEHALTEN: OrderedDict[Hashable, Figure] = OrderedDict()


def diagramm(
    reihe: pd.DataFrame, k: Kennzahl, titel: str, prozent: bool, hervorheben: str | None
) -> Figure:
    """The yearly series with the Zielwert valid in each year (a step where it changed) and every
    break of the definition as a dotted line with its quarter; the alt text says both.

    In the runner's report kernels (:mod:`kennzahlen.charts.behalten`) the figure of the same
    chart (everything but ``hervorheben``, under the same matplotlib settings) is kept for the
    process and handed out again with another line highlighted
    (:func:`plots.zeitreihe_hervorheben`), but only once its PNG was made and nothing in it
    changed since it was handed out (:func:`png.gezeichnet`); else a new one is made. Its PNG
    starts from the kept picture of what is drawn before the lines (:func:`png.grund`)."""
    from kennzahlen.charts.png import ausgegeben, gezeichnet, rc_stand

    jahre = [str(j) for j in reihe.index]
    ziele = [k.zielwert_im(j) for j in jahre]
    konstant = len(set(ziele)) == 1
    stufen = None if konstant else _stufen(k, jahre, ziele)
    linien = _bruch_plan(k, jahre)
    zusatz = bruch_saetze(k, jahre)
    fest = (
        "zeitreihe", titel, prozent, tuple(ziele) if konstant else None, stufen, linien,
        tuple(zusatz), tuple((type(i).__name__, str(i)) for i in reihe.index),
        tuple((type(c).__name__, str(c)) for c in reihe.columns),
        reihe.to_numpy(dtype="float64").tobytes(), rc_stand(),
    )  # fmt: skip
    wieder = behalten.erlaubt()  # only in the runner's kernels (kennzahlen.charts.behalten)
    fig = behalten.holen(_BEHALTEN, fest)
    if fig is not None and gezeichnet(fig) and _unveraendert(fig):
        plots.zeitreihe_hervorheben(fig, hervorheben)
        _grund(fig, fest)  # (its legend may be a new one)
    else:
        fig = _diagramm_neu(reihe, titel, prozent, hervorheben, ziele, stufen, linien, zusatz)
        _grund(fig, fest)  # the kept picture is pixels, not a figure: everywhere
        if wieder and GRENZE_BEHALTEN > 0:
            behalten.merken(_BEHALTEN, fest, fig, GRENZE_BEHALTEN)
            fig.kz_behalten = True  # type: ignore[attr-defined]  # png.zeichne lets go of pixels
    fig.kz_reihe["stand"] = _stand(fig)  # type: ignore[attr-defined]
    ausgegeben(fig)  # handed out: not again before its PNG is made, nor when changed
    return fig


def _diagramm_neu(
    reihe: pd.DataFrame,
    titel: str,
    prozent: bool,
    hervorheben: str | None,
    ziele: list[float | None],
    stufen: tuple | None,
    linien: tuple,
    zusatz: list[str],
) -> Figure:
    """A new chart of :func:`diagramm`."""
    fig = plots.zeitreihe(
        reihe,
        titel,
        prozent=prozent,
        zielwert=ziele[0] if stufen is None else None,
        hervorheben=hervorheben,
    )
    ax = fig.axes[0]
    if stufen is not None:
        _zielwert_stufen(ax, stufen)
    _bruch_linien(ax, linien)
    if zusatz:
        plots.beschreibe(fig, getattr(fig, "kz_alt", ""), *zusatz)
    return fig


def _grund(fig: Figure, schluessel: Hashable) -> None:
    """Name the chart's fixed part for :func:`png.grund`: everything drawn before the first line
    of a series (the axes' grid, ticks and labels, the Zielwert steps); the lines and all that
    is drawn after them (spines, texts, title, legend) are drawn in every report."""
    from kennzahlen.charts.png import grund

    ax = fig.axes[0]
    reihen = [linie for _, linie in fig.kz_reihe["linien"]]  # type: ignore[attr-defined]
    if not reihen:
        return
    ab = min(linie.get_zorder() for linie in reihen)
    lose = [a for a in ax.get_children() if a is not ax.patch and a.get_zorder() >= ab]
    grund(fig, schluessel, lose)


def _stand(fig: Figure) -> tuple:
    """What of a kept figure its stale flag does not follow: the attributes the PNG and the
    report read (alt text, palette, the named fixed part)."""
    return tuple(getattr(fig, a, None) for a in _ATTRIBUTE)


_ATTRIBUTE = ("kz_alt", "kz_palette", "kz_lose", "kz_grund")


def _unveraendert(fig: Figure) -> bool:
    """Whether the figure's attributes are still the ones it was handed out with."""
    stand = fig.kz_reihe.get("stand")  # type: ignore[attr-defined]
    return stand is not None and all(
        a is b or a == b for a, b in zip(_stand(fig), stand, strict=True)
    )


def _stufen(k: Kennzahl, jahre: list[str], ziele: list[float | None]) -> tuple:
    """What :func:`_zielwert_stufen` draws: the steps (y, x from, x to) and the labels (x, y,
    text, alignment)."""
    schritte = tuple(
        (z, max(i - 0.5, 0), min(i + 0.5, len(jahre) - 1))
        for i, z in enumerate(ziele)
        if z is not None
    )
    texte = []
    first, last = ziele[0], ziele[-1]
    if first is not None:
        bis = int(jahre[ziele.index(next(z for z in ziele if z != first))]) - 1
        texte.append((0, first, f" Zielwert {_wert(k, first)} (bis {bis})", "left"))
    if last is not None:
        seit = k.zielwert_seit(jahre[-1])
        texte.append((len(jahre) - 1, last, f" Zielwert {_wert(k, last)} (ab {seit})", "right"))
    return schritte, tuple(texte)


def _zielwert_stufen(ax, stufen: tuple) -> None:
    """The Zielwert of each year as a dashed step, labelled at the first and the last year."""
    schritte, texte = stufen
    for z, von, bis in schritte:
        ax.hlines(z, von, bis, color=farben.SCHWARZ, linestyle="--", linewidth=1)
    for x, y, text, ha in texte:
        ax.text(x, y, text, **_TEXT, ha=ha)


_TEXT = {"va": "bottom", "fontsize": 8.5, "color": farben.TEXT}


def _bruch_plan(k: Kennzahl, jahre: list[str]) -> tuple[tuple[float, str], ...]:
    """Where :func:`_bruch_linien` draws each break inside the years shown, with its label."""
    out = []
    for b in k.brueche(bis=f"{jahre[-1]}-Q4"):
        x = _x_bruch(jahre, b.quartal)
        if x is not None:
            out.append((x, f" neue Definition ab\n {fmt.periode(b.quartal)}"))
    return tuple(out)


def _bruch_linien(ax, linien: tuple[tuple[float, str], ...]) -> None:
    """Each break of the definition inside the years shown: a dotted line with its quarter."""
    for x, text in linien:
        ax.axvline(x, color=farben.TEXT_LEISE, linestyle=":", linewidth=1.6)
        ax.text(
            x,
            1.0,
            text,
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
