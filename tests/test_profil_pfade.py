"""Issue 28, tenth step: the Stadtviertel profiles draw each shape of a Sozialraum's frame once
(``charts.profil._pfad_im_rahmen``), every page the same SVG as drawn anew."""

from __future__ import annotations

import shapely
from shapely.geometry import MultiPolygon, Polygon

from kennzahlen.charts import profil


def _formen() -> dict:
    def quadrat(x: float, y: float, d: float = 1.0) -> Polygon:
        return Polygon([(x, y), (x + d, y), (x + d, y + d), (x, y + d)])

    mit_loch = Polygon(
        [(3, 0), (5, 0), (5, 2), (3, 2)], [[(3.5, 0.5), (4.5, 0.5), (4.5, 1.5), (3.5, 1.5)]]
    )
    return {
        "1": quadrat(0, 0),
        "2": quadrat(1, 0),
        "3": MultiPolygon([quadrat(0, 1), quadrat(1.5, 1.5, 0.5)]),
        "4": mit_loch,
        "5": quadrat(40, 40),  # outside every frame
    }


def test_every_page_draws_what_a_fresh_drawing_draws(monkeypatch) -> None:
    formen = _formen()
    seiten = [(nr, ["1", "2", "3"]) for nr in ("1", "2", "3")] + [("4", ["4"]), ("1", ["1"])]
    erwartet = []
    for nr, sr in seiten:
        profil._PFADE.clear()
        erwartet.append(profil.karte_svg(formen, nr, sr, f"Lage {nr}"))
    profil._PFADE.clear()
    gezeichnet = []
    echt = profil._pfad

    def zaehlend(geom, sx, sy):
        gezeichnet.append(geom)
        return echt(geom, sx, sy)

    monkeypatch.setattr(profil, "_pfad", zaehlend)
    assert [profil.karte_svg(formen, nr, sr, f"Lage {nr}") for nr, sr in seiten] == erwartet
    # the three pages of one Sozialraum share their frame: each shape in it drawn once
    im_rahmen = len(gezeichnet)
    assert im_rahmen < 2 * len(formen)
    # another object with the same place is drawn for itself (no id taken for another shape)
    neu = {k: shapely.from_wkb(v.wkb) for k, v in formen.items()}
    assert all(neu[k] is not formen[k] for k in formen)
    assert profil.karte_svg(neu, "1", ["1", "2", "3"], "Lage 1") == erwartet[0]
    assert len(gezeichnet) > im_rahmen
