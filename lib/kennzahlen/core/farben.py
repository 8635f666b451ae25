"""The report colours and the WCAG 2.1 contrast rule they are chosen by (one place for all).

Fills are the Okabe-Ito colours (distinguishable with the common colour-vision deficiencies);
the text on a fill is black or white, whichever has the higher contrast, so that every label
reaches 4.5:1 (WCAG 2.1 AA, 1.4.3). The colour is never the only carrier of meaning: an Ampel
says GRÜN/GELB/ROT, a Zielwert badge says "✔ erreicht" or "✘ nicht erreicht".

Use :func:`textfarbe` for any text on a coloured fill (HTML and charts), :func:`kontrast` to
check a pair, and :data:`AMPEL` / :data:`ZIELWERT` for the lights and badges.
"""

from __future__ import annotations

#: Okabe-Ito: distinguishable with the common colour-vision deficiencies
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
SCHWARZ = "#000000"
WEISS = "#FFFFFF"
#: text colours of the house style (each ≥ 4.5:1 on white and on the light panels)
TEXT = "#1F2933"
TEXT_LEISE = "#52606D"
LINK = "#0B5394"
FEHLER = "#B00020"
#: WCAG 2.1 AA: normal text 4.5:1; large text (18.66 px bold, 24 px) and graphics 3:1
MIN_TEXT = 4.5
MIN_GRAFIK = 3.0


def _kanal(wert: int) -> float:
    c = wert / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def rgb(farbe: str) -> tuple[int, int, int]:
    """'#D55E00' (or 'D55E00', '#d5e') as an (r, g, b) tuple of 0–255."""
    h = farbe.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if len(h) != 6:
        raise ValueError(f"Farbe '{farbe}' ungültig: erwartet #RRGGBB")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def luminanz(farbe: str) -> float:
    """Relative luminance of a colour as WCAG 2.1 defines it (0 black … 1 white)."""
    r, g, b = (_kanal(c) for c in rgb(farbe))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def kontrast(vorne: str, hinten: str) -> float:
    """The WCAG contrast ratio of two colours (1 … 21), e.g. kontrast('#FFF', '#000') == 21."""
    hell, dunkel = sorted((luminanz(vorne), luminanz(hinten)), reverse=True)
    return (hell + 0.05) / (dunkel + 0.05)


def textfarbe(hintergrund: str) -> str:
    """Black or white, whichever reads better on the fill (at least 4.5:1 on any fill)."""
    return SCHWARZ if kontrast(SCHWARZ, hintergrund) >= kontrast(WEISS, hintergrund) else WEISS


def abdunkeln(farbe: str, gegen: str = WEISS, ziel: float = MIN_TEXT) -> str:
    """The colour darkened in small steps until it reaches ``ziel`` against ``gegen`` (text in
    a brand colour on white); unchanged when it already does."""
    r, g, b = rgb(farbe)
    for i in range(101):
        f = 1 - i / 100
        c = f"#{round(r * f):02X}{round(g * f):02X}{round(b * f):02X}"
        if kontrast(c, gegen) >= ziel:
            return c
    return SCHWARZ


#: an Ampel light: fill, text colour and label (the label carries the meaning, not the colour)
AMPEL_FUELLUNG = {"gruen": "#009E73", "gelb": "#F0E442", "rot": "#D55E00", "grau": "#BBBBBB"}
AMPEL = {f: (bg, textfarbe(bg)) for f, bg in AMPEL_FUELLUNG.items()}

#: a Zielwert badge in Produkt 3: status -> (fill, text colour, label)
_ZIELWERT_FUELLUNG = {
    "erreicht": ("#009E73", "✔ erreicht"),
    "nicht erreicht": ("#D55E00", "✘ nicht erreicht"),
    "ohne Zielwert": ("#DDE7F0", "ohne Zielwert"),
}
ZIELWERT = {k: (bg, textfarbe(bg), label) for k, (bg, label) in _ZIELWERT_FUELLUNG.items()}
#: the quiet badge (not collected, no data, suppressed, not rated): dark grey on light grey
BADGE_LEISE = ("#F2F2F2", "#555555")


#: Sozialindex status classes, from the most to the least favourable (ColorBrewer YlOrBr,
#: 4 classes: lightness carries the order, readable in greyscale); black text on each
SOZIALINDEX_STATUS = ("#FFFFD4", "#FED98E", "#FE9929", "#CC4C02")
#: Sozialindex dynamic classes: favourable, stable, unfavourable (ColorBrewer PuOr, darker ends)
SOZIALINDEX_DYNAMIK = ("#8073AC", "#F7F7F7", "#E08214")
#: an area not rated (too few inhabitants, no value): light grey, hatched on the maps
NICHT_BEWERTET = "#D9D9D9"
#: the outline of a legend patch
RAND = "#555555"


def ampel_css() -> str:
    """The CSS of the Ampel lights (``.kz-ampel-<farbe>``), from :data:`AMPEL`, and of the
    marking 'intern – nicht zur Weitergabe' (``.kz-intern``, :data:`FEHLER` on white)."""
    lichter = [
        f"  .kz-ampel-{f} {{ background: {bg}; color: {fg}; }}" for f, (bg, fg) in AMPEL.items()
    ]
    intern = (
        f"  .kz-intern {{ border: 2px solid {FEHLER}; color: {FEHLER}; font-weight: bold; "
        "padding: .3em .8em; margin: 0 0 1em; display: inline-block; }"
    )
    return "\n".join([*lichter, intern])
