"""The caches of the runner's own work (issue 28): each is keyed by the state of the files it is
made from (:func:`kennzahlen.core.dateistand.signatur`), so an edited or replaced file is seen,
also in a long-lived process; what a cache hands out is the same as made without it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kennzahlen.catalog import geography, veroeffentlichung
from kennzahlen.core import paths

TERMIN = """herausgeber: {name}
termine:
  - datum: 2027-03-01
    produkt: 3
    anlass: Wirkungsbericht
"""


def test_publication_config_is_read_once_per_file_state(tmp_path: Path):
    datei = tmp_path / "veroeffentlichung.yaml"
    datei.write_text(TERMIN.format(name="Stadt A"), encoding="utf-8")
    erst = veroeffentlichung.load_config(datei)
    assert erst.herausgeber == "Stadt A"
    assert veroeffentlichung.load_config(datei) is erst  # unchanged file: not read again
    datei.write_text(TERMIN.format(name="Stadt B"), encoding="utf-8")  # same size, new content
    assert veroeffentlichung.load_config(datei).herausgeber == "Stadt B"
    ersatz = tmp_path / "neu.yaml"
    ersatz.write_text(TERMIN.format(name="Stadt C"), encoding="utf-8")
    ersatz.replace(datei)  # replaced by another file
    assert veroeffentlichung.load_config(datei).herausgeber == "Stadt C"
    datei.write_text("termine: [1]\n", encoding="utf-8")  # an invalid file raises every time
    for _ in range(2):
        with pytest.raises(veroeffentlichung.VeroeffentlichungError):
            veroeffentlichung.load_config(datei)
    datei.unlink()  # no file: the defaults
    assert veroeffentlichung.load_config(datei).termine == []


def test_the_index_page_sees_an_edited_publication_config(tmp_path: Path, monkeypatch):
    from kennzahlen.runner.index_page import _termine_und_beilagen

    config = tmp_path / "config"
    shutil.copytree(paths.CONFIG, config)
    monkeypatch.setenv(paths.CONFIG_ENV, str(config))
    datei = config / veroeffentlichung.CONFIG_FILE
    datei.write_text(TERMIN.format(name="X").replace("2027-03-01", "2099-03-01"), "utf-8")
    assert "01.03.2099" in _termine_und_beilagen([])
    datei.write_text(TERMIN.format(name="X").replace("2027-03-01", "2098-05-02"), "utf-8")
    text = _termine_und_beilagen([])
    assert "02.05.2098" in text and "2099" not in text


def _gleich(a, b) -> None:
    assert a is not b
    assert list(a.index) == list(b.index) and a.crs == b.crs
    assert all(x.equals_exact(y, 0) for x, y in zip(a.geometry, b.geometry, strict=True))


def test_area_polygons_are_made_once_per_state_of_their_files(tmp_path: Path):
    config = tmp_path / "config"
    shutil.copytree(paths.CONFIG, config)
    erst = geography.gebiets_polygone(config)
    assert erst is not None and list(erst.index)[-1] == "Gesamtstadt"
    geography._GEBIETE.clear()
    _gleich(geography.gebiets_polygone(config), erst)  # made again: the same
    zweit = geography.gebiets_polygone(config)  # from the cache: the same, a copy of its own
    _gleich(zweit, erst)
    zweit.loc["Gesamtstadt", "geometry"] = None  # a caller's change stays its own
    _gleich(geography.gebiets_polygone(config), erst)

    # the polygon file edited: a Stadtviertel of Wiblingen left out changes Wiblingen's shape
    geo = json.loads((config / "stadtviertel.geojson").read_text(encoding="utf-8"))
    zu = geography.stadtviertel_to_sozialraum(config / "raumgliederung.csv")
    nr = next(
        str(f["properties"]["stadtviertel_nr"])
        for f in geo["features"]
        if zu.get(str(f["properties"]["stadtviertel_nr"])) == "Wiblingen"
    )
    geo["features"] = [f for f in geo["features"] if str(f["properties"]["stadtviertel_nr"]) != nr]
    (config / "stadtviertel.geojson").write_text(json.dumps(geo), encoding="utf-8")
    ohne = geography.gebiets_polygone(config)
    assert ohne is not None
    assert not ohne.loc["Wiblingen", "geometry"].equals(erst.loc["Wiblingen", "geometry"])
    assert ohne.loc["West", "geometry"].equals(erst.loc["West", "geometry"])


def test_the_index_page_ampel_grid_is_the_frames(tmp_path: Path):
    """The grid taken once per frame of lights: each area's lights as the frame has them, a light
    missing from an area as '–', one changed frame seen at once."""
    from kennzahlen.runner.index_page import _ampel

    lichter = pd.DataFrame(
        {
            "sozialraum": ["Ost", "Ost", "West"],
            "arbeitsfeld": ["a", "b", "a"],
            "arbeitsfeld_titel": ["Feld A", "Feld B", "Feld A"],
            "farbe": ["rot", "lila", "gruen"],
            "manuell": [False, True, False],
        }
    )
    html = _ampel("2023-Q4", [], lichter)
    assert html == _ampel("2023-Q4", [], lichter)
    assert html.count("<tr>") == 3  # the head and two areas
    ost = html.split('<th scope="row">Ost</th>')[1].split("</tr>")[0]
    assert "ROT" in ost and "keine Aussage ✎" in ost  # an unknown colour is grey
    west = html.split('<th scope="row">West</th>')[1].split("</tr>")[0]
    assert "GRÜN" in west and "<td>–</td>" in west
    anders = lichter.assign(farbe=["gelb", "rot", "rot"])
    assert "GELB" in _ampel("2023-Q4", [], anders) and "GELB" not in html
