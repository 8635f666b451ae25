"""The report colours and the WCAG 2.1 contrast rule they are chosen by (one place for all).

Fills are the Okabe-Ito colours (distinguishable with the common colour-vision deficiencies);
the text on a fill is black or white, whichever has the higher contrast, so that every label
reaches 4.5:1 (WCAG 2.1 AA, 1.4.3). The colour is never the only carrier of meaning: an Ampel
says GRÜN/GELB/ROT, a Zielwert badge says "✔ erreicht" or "✘ nicht erreicht".

Use :func:`textfarbe` for any text on a coloured fill (HTML and charts), :func:`kontrast` to
check a pair, and :data:`AMPEL` / :data:`ZIELWERT` for the lights and badges. A map's colours
are checked against its "nicht bewertet" grey with :func:`buntheit` (chroma: how far from any
grey a colour is) and :func:`farbabstand`, also as a reader with a colour-vision deficiency sees
them (:func:`fehlsichtig`).
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
#: the hatching of a "nicht bewertet" area: 3:1 on its grey (WCAG 2.1, 1.4.11 graphics)
SCHRAFFUR = "#595959"
#: the value scale of a map (SGB-II-Quote): ColorBrewer YlOrBr from its light yellow on, light
#: = low, dark brown = high; never grey, also with a red-green deficiency (tests/test_farben.py)
KARTE_SKALA = ("YlOrBr", 0.15, 1.0)
#: the least chroma (CIELAB C*) a map colour keeps, so no value reads as "nicht bewertet"
MIN_BUNTHEIT = 20.0
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


# ---------------------------------------------------------------------------- colour distance
#: Machado, Oliveira, Fernandes (2009): a full colour-vision deficiency on linear RGB
_FEHLSICHT = {
    "protan": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deutan": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritan": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}


def _hex(linear: tuple[float, float, float]) -> str:
    def s(c: float) -> int:
        c = min(max(c, 0.0), 1.0)
        return round(255 * (12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055))

    return "#" + "".join(f"{s(c):02X}" for c in linear)


def fehlsichtig(farbe: str, art: str) -> str:
    """The colour as a reader with a full protanopia, deuteranopia or tritanopia sees it
    (``art``: 'protan', 'deutan', 'tritan'; Machado et al. 2009)."""
    lin = [_kanal(c) for c in rgb(farbe)]
    r, g, b = (sum(m * c for m, c in zip(z, lin, strict=True)) for z in _FEHLSICHT[art])
    return _hex((float(r), float(g), float(b)))


def lab(farbe: str) -> tuple[float, float, float]:
    """CIELAB (D65) of a colour: lightness L* 0–100, a* (green–red), b* (blue–yellow)."""
    r, g, b = (_kanal(c) for c in rgb(farbe))
    xyz = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    f = [t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29 for t in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def buntheit(farbe: str) -> float:
    """Chroma C*ab: 0 for every grey, about 20 and more for a colour nobody takes for grey."""
    _, a, b = lab(farbe)
    return (a * a + b * b) ** 0.5


def farbabstand(eins: str, zwei: str) -> float:
    """The CIELAB distance ΔE*76 of two colours (about 2: just noticeable; 20: clearly apart)."""
    return sum((x - y) ** 2 for x, y in zip(lab(eins), lab(zwei), strict=True)) ** 0.5
