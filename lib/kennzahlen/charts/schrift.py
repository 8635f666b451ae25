"""Chart text a reader can read: the smallest text of a chart, in PNG and in screen pixels."""

from __future__ import annotations

from matplotlib.figure import Figure

#: the smallest text a chart may show on screen (CSS px); charts carry their smallest text size
#: and get a minimum width from it (``kz_minbreite``, :func:`schrift_metadaten`)
MIN_SCHRIFT_PX = 9.0


def kleinste_schrift_pt(fig: Figure) -> float | None:
    """The smallest size (points) of any visible text in the figure (titles, ticks, labels,
    legends, annotations)."""
    from matplotlib.text import Text

    groessen = [
        t.get_fontproperties().get_size_in_points()  # what Text.get_fontsize returns
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.figure is fig
    ]
    return min(groessen) if groessen else None


def schrift_metadaten(fig: Figure, png_data: bytes | str | None) -> dict[str, object]:
    """What the report needs to keep a chart's text readable: its smallest text in PNG pixels
    (``kz_schrift``) and the width below which that text would be smaller than
    ``MIN_SCHRIFT_PX`` on screen (``kz_minbreite``: the chart keeps that width and
    scrolls in its own box on a narrow screen)."""
    import base64
    import math
    import struct

    pt = kleinste_schrift_pt(fig)
    if pt is None or not png_data:
        return {}
    raw = base64.b64decode(png_data) if isinstance(png_data, str) else png_data
    breite = struct.unpack(">I", raw[16:20])[0]  # the PNG's IHDR width
    px = pt * fig.dpi / 72
    return {"kz_schrift": round(px, 2), "kz_minbreite": math.ceil(breite * MIN_SCHRIFT_PX / px)}


__all__ = ["MIN_SCHRIFT_PX", "kleinste_schrift_pt", "schrift_metadaten"]
