"""The small charts of a Stadtviertel profile as inline SVG: the spine chart row and the map.

A spine chart (as in Fingertips' area profiles) shows one indicator per row: a grey bar over the
range of all Stadtviertel, a darker band from the 25th to the 75th percentile, the city's value
as the centre line, the Sozialraum as a diamond and the Stadtviertel as a circle. The scale is
two-sided (the left half from the lowest Stadtviertel to the city, the right half from the city
to the highest), so that the centre is always the city. The numbers stand in the table next to
it; the chart only places them. SVG keeps a one-page profile sharp in print and small on disk,
and 65 profiles render in well under a second.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kennzahlen.core import farben

BREITE, HOEHE = 230, 18
#: colours: Okabe-Ito blue and vermillion for favourable/unfavourable, grey for no judgement
GUENSTIG, UNGUENSTIG, NEUTRAL = "#0072B2", "#D55E00", "#52606d"


@dataclass(frozen=True)
class Spanne:
    """An indicator across the Stadtviertel: lowest, quartiles, highest, and the city."""

    minimum: float
    q25: float
    q75: float
    maximum: float
    stadt: float

    def x(self, wert: float) -> float:
        """A value's x position (two-sided scale, the city in the middle)."""
        mitte, rand = BREITE / 2, 6.0
        if wert <= self.stadt:
            breite = self.stadt - self.minimum
            teil = 0.0 if breite <= 0 else (self.stadt - wert) / breite
            return mitte - teil * (mitte - rand)
        breite = self.maximum - self.stadt
        teil = 0.0 if breite <= 0 else (wert - self.stadt) / breite
        return mitte + teil * (mitte - rand)


def lage(wert: float | None, stadt: float, richtung: str | None) -> str:
    """'günstiger', 'ungünstiger' or 'ohne Wertung' than the city (by the Kennzahl's polarity)."""
    if wert is None or richtung not in ("hoeher_besser", "niedriger_besser") or wert == stadt:
        return "ohne Wertung"
    hoeher = wert > stadt
    return "günstiger" if hoeher == (richtung == "hoeher_besser") else "ungünstiger"


def spine_svg(s: Spanne, viertel: float | None, sozialraum: float | None, text: str) -> str:
    """One row of the spine chart; ``text`` is its accessible description."""
    farbe = {"günstiger": GUENSTIG, "ungünstiger": UNGUENSTIG}.get(text.split(":")[0], NEUTRAL)
    teile = [
        f'<rect x="{s.x(s.minimum):.1f}" y="5" width="{s.x(s.maximum) - s.x(s.minimum):.1f}" '
        'height="8" fill="#dde3ea"/>',
        f'<rect x="{s.x(s.q25):.1f}" y="5" width="{max(s.x(s.q75) - s.x(s.q25), 1):.1f}" '
        'height="8" fill="#9aa5b1"/>',
        f'<line x1="{BREITE / 2}" y1="1" x2="{BREITE / 2}" y2="17" stroke="{farben.TEXT}" '
        'stroke-width="1.5"/>',
    ]
    if sozialraum is not None:
        x = s.x(sozialraum)
        teile.append(
            f'<polygon points="{x:.1f},3 {x + 5:.1f},9 {x:.1f},15 {x - 5:.1f},9" fill="#fff" '
            f'stroke="{farben.TEXT}" stroke-width="1.2"/>'
        )
    if viertel is not None:
        teile.append(
            f'<circle cx="{s.x(viertel):.1f}" cy="9" r="5" fill="{farbe}" stroke="#fff" '
            'stroke-width="1"/>'
        )
    return (
        f'<svg class="kz-spine" viewBox="0 0 {BREITE} {HOEHE}" width="{BREITE}" height="{HOEHE}" '
        f'role="img" aria-label="{html.escape(text, quote=True)}">{"".join(teile)}</svg>'
    )


def _symbol(inhalt: str, breite: int = 16) -> str:
    return (
        f'<svg width="{breite}" height="14" viewBox="0 0 {breite} 14" aria-hidden="true" '
        f'style="vertical-align:middle">{inhalt}</svg>'
    )


def legende_html() -> str:
    """The key of the spine chart: shapes with words (colour is never the only carrier)."""
    teile = [
        (
            _symbol(
                '<rect x="0" y="3" width="30" height="8" fill="#dde3ea"/>'
                '<rect x="10" y="3" width="10" height="8" fill="#9aa5b1"/>',
                30,
            ),
            "alle Stadtviertel (dunkel: die mittlere Hälfte)",
        ),
        (
            _symbol(
                f'<line x1="8" y1="0" x2="8" y2="14" stroke="{farben.TEXT}" stroke-width="1.5"/>'
            ),
            "Gesamtstadt",
        ),
        (
            _symbol(f'<polygon points="8,1 14,7 8,13 2,7" fill="#fff" stroke="{farben.TEXT}"/>'),
            "Sozialraum",
        ),
        (
            _symbol(f'<circle cx="7" cy="7" r="5" fill="{GUENSTIG}"/>')
            + _symbol(f'<circle cx="7" cy="7" r="5" fill="{UNGUENSTIG}"/>'),
            "Stadtviertel (günstiger / ungünstiger als die Stadt)",
        ),
    ]
    return " ".join(
        f'<span style="white-space:nowrap;margin-right:1em">{bild} {text}</span>'
        for bild, text in teile
    )


def _pfad(geom, sx, sy) -> str:
    polys = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    out = []
    for p in polys:
        if p.geom_type != "Polygon":
            continue
        for ring in [p.exterior, *p.interiors]:
            pts = " L".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in ring.coords)
            out.append(f"M{pts} Z")
    return " ".join(out)


#: the SVG path of each shape in each frame asked for: every page of a Sozialraum shows the same
#: frame (only the fill of its own Stadtviertel differs), so a profile run draws each shape of a
#: Sozialraum once instead of once per page (the shape kept with it: its id is never reused)
_PFADE: dict[tuple[int, float, float, float], tuple[Any, str]] = {}


def _pfad_im_rahmen(geom, x0: float, y1: float, m: float, sx, sy) -> str:
    """:func:`_pfad` of ``geom`` with ``sx``/``sy`` the frame's transform (x - x0) * m,
    (y1 - y) * m, kept for the next page of the same frame."""
    key = (id(geom), x0, y1, m)
    hit = _PFADE.get(key)
    if hit is None or hit[0] is not geom:
        if len(_PFADE) > 4096:
            _PFADE.clear()
        hit = _PFADE[key] = (geom, _pfad(geom, sx, sy))
    return hit[1]


def karte_svg(
    formen: Mapping[str, Any], hervor: str, sozialraum: Iterable[str], titel: str, groesse=220
) -> str:
    """A small map: the Stadtviertel ``hervor`` filled, the other Stadtviertel of its Sozialraum
    light, the rest of the city faint (``formen``: id -> shapely geometry in a metric CRS)."""
    from shapely.geometry import box

    sr = set(sozialraum)
    gezeigt = [g for nr, g in formen.items() if nr in sr] or list(formen.values())
    xs0, ys0, xs1, ys1 = zip(*(g.bounds for g in gezeigt), strict=True)
    x0, y0, x1, y1 = min(xs0), min(ys0), max(xs1), max(ys1)
    rand = 0.06 * max(x1 - x0, y1 - y0, 1.0)
    x0, y0, x1, y1 = x0 - rand, y0 - rand, x1 + rand, y1 + rand
    m = groesse / max(x1 - x0, y1 - y0)

    def sx(x: float) -> float:
        return (x - x0) * m

    def sy(y: float) -> float:
        return (y1 - y) * m

    rahmen = box(x0, y0, x1, y1)
    teile = []
    for nr, g in formen.items():  # the rest of the city only where it shows in the frame
        if nr not in sr and not g.intersects(rahmen):
            continue
        fill = "#0072B2" if nr == hervor else ("#c9dcec" if nr in sr else "#eef1f4")
        teile.append(
            f'<path d="{_pfad_im_rahmen(g, x0, y1, m, sx, sy)}" fill="{fill}" stroke="#fff" '
            'stroke-width="0.8"/>'
        )
    b, h = (x1 - x0) * m, (y1 - y0) * m
    return (
        f'<svg class="kz-lagekarte" viewBox="0 0 {b:.0f} {h:.0f}" width="{b:.0f}" height="{h:.0f}" '
        f'role="img" aria-label="{html.escape(titel, quote=True)}"><g>{"".join(teile)}</g></svg>'
    )
