"""Smaller PNGs for charts of few colours: a palette of at most a few dozen colours.

A line chart with antialiased text stores thousands of colour shades as full RGBA; a palette PNG
of 32 colours looks the same on screen and takes a quarter of the bytes. Only charts that ask for
it (``fig.kz_palette = 32``) are converted, so every other chart stays as it was.
"""

from __future__ import annotations

import base64
import io


def palette_png(data: bytes | str, farben: int) -> bytes | str:
    """The PNG (bytes, or base64 text as IPython may hand it) with a palette of ``farben``
    colours; the input unchanged when it cannot be read."""
    from PIL import Image

    text = isinstance(data, str)
    raw = base64.b64decode(data) if isinstance(data, str) else data
    try:
        bild = Image.open(io.BytesIO(raw)).convert("RGB")
    except Exception:  # not a PNG we can read: leave it
        return data
    out = io.BytesIO()
    bild.quantize(colors=farben, method=Image.Quantize.FASTOCTREE).save(
        out, format="PNG", optimize=True
    )
    neu = out.getvalue()
    if len(neu) >= len(raw):
        return data
    return base64.b64encode(neu).decode("ascii") if text else neu
