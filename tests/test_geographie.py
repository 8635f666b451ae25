"""Geography as a city's GIS delivers it: GeoPackage, Shapefile or GeoJSON in any CRS
(geopandas)."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from test_runner import manifest

from kennzahlen import runner
from kennzahlen.catalog import geography
from kennzahlen.catalog.geography import GeografieError, PolygonConfig, read_flaechen
from kennzahlen.charts import karten, plots
from kennzahlen.core import farben, paths
from kennzahlen.core.vocabulary import PRODUKTE

RG = geography.raumgliederung()
ULM = geography.flaechen()


def _config_dir(tmp_path: Path, geographie: str, rg: pd.DataFrame | None = None) -> Path:
    cfg = tmp_path / "config"
    cfg.mkdir(parents=True, exist_ok=True)
    for name in ("kennzahlen.yaml", "ampel.yaml", "disclosure.yaml", "verteiler.yaml"):
        shutil.copy(paths.CONFIG / name, cfg / name)
    (rg if rg is not None else RG).to_csv(cfg / "raumgliederung.csv", sep=";", index=False)
    (cfg / "geographie.yaml").write_text(geographie, encoding="utf-8")
    return cfg


def _ulm_wgs84() -> gpd.GeoDataFrame:
    return gpd.read_file(paths.CONFIG / "stadtviertel.geojson")


def test_ulm_geojson_is_read_through_the_config():
    assert ULM is not None and len(ULM.gdf) == 55
    assert ULM.quelle_crs == "EPSG:4326 (WGS 84)"
    assert ULM.gdf.crs.to_epsg() == 3035
    assert ULM.ohne_polygon == [
        "170",
        "200",
        "210",
        "220",
        "230",
        "240",
        "250",
        "260",
        "270",
        "280",
    ]
    assert ULM.ohne_stadtviertel == []
    assert "EPSG:4326 (WGS 84)" in ULM.hinweis() and "Click that ’hood" in ULM.hinweis()


def test_geopackage_in_utm32_gives_the_same_areas_as_the_geojson_in_wgs84(tmp_path):
    src = _ulm_wgs84()[["stadtviertel_nr", "name", "geometry"]].to_crs(25832)
    (tmp_path / "config").mkdir()
    gpkg = (
        tmp_path / "config" / "stadtviertel.gpkg"
    )  # a relative name in config: beside geographie.yaml
    src.to_file(gpkg, layer="stadtviertel", driver="GPKG")
    src.head(3).to_file(gpkg, layer="andere_ebene", driver="GPKG")
    cfg = _config_dir(
        tmp_path,
        "polygone:\n  datei: stadtviertel.gpkg\n  layer: stadtviertel\n"
        "  id_spalte: stadtviertel_nr\n",
    )
    f = geography.flaechen(cfg)
    assert f.quelle_crs == "EPSG:25832 (ETRS89 / UTM zone 32N)"
    assert "EPSG:25832" in f.hinweis() and "EPSG:3035" in f.hinweis()
    assert list(f.gdf.index) == list(ULM.gdf.index)
    rel = (f.gdf.area - ULM.gdf.area).abs() / ULM.gdf.area
    assert rel.max() < 1e-6
    shift = f.gdf.centroid.distance(ULM.gdf.centroid)
    assert shift.max() < 0.01  # metres
    # a GeoPackage with several layers needs the layer named in config
    cfg2 = _config_dir(tmp_path / "b", "polygone:\n  datei: " + str(gpkg) + "\n")
    with pytest.raises(GeografieError, match="mehrere Layer .*polygone.layer"):
        geography.flaechen(cfg2)


def _write_shapefile(gdf: gpd.GeoDataFrame, folder: Path, name: str = "bezirke") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.shp"
    gdf.to_file(path)
    return path


def test_shapefile_with_another_id_column_works_through_config(tmp_path):
    src = _ulm_wgs84().to_crs(25832)
    shp = gpd.GeoDataFrame(
        {"BEZ_NR": src["stadtviertel_nr"], "NAME": src["name"]}, geometry=src.geometry
    )
    path = _write_shapefile(shp, tmp_path / "shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for part in path.parent.iterdir():
            z.write(part, part.name)
    (tmp_path / "bezirke.zip").write_bytes(buf.getvalue())
    for datei in (str(path), str(tmp_path / "bezirke.zip")):
        cfg = _config_dir(tmp_path, f"polygone:\n  datei: {datei}\n  id_spalte: BEZ_NR\n")
        f = geography.flaechen(cfg)
        assert len(f.gdf) == 55 and f.ohne_stadtviertel == []
        assert f.quelle_crs == "EPSG:25832 (ETRS89 / UTM zone 32N)"
    cfg = _config_dir(tmp_path, f"polygone:\n  datei: {path}\n  id_spalte: stadtviertel_nr\n")
    with pytest.raises(
        GeografieError, match="Spalte 'stadtviertel_nr' .*fehlt; vorhanden: BEZ_NR, NAME"
    ):
        geography.flaechen(cfg)


def test_a_shapefile_without_prj_needs_the_crs_in_config(tmp_path):
    src = _ulm_wgs84().to_crs(25832)
    path = _write_shapefile(
        gpd.GeoDataFrame({"BEZ_NR": src["stadtviertel_nr"]}, geometry=src.geometry),
        tmp_path / "shp",
    )
    path.with_suffix(".prj").unlink()
    cfg = _config_dir(tmp_path, f"polygone:\n  datei: {path}\n  id_spalte: BEZ_NR\n")
    with pytest.raises(
        GeografieError, match="nennt kein Koordinatenbezugssystem; bitte .*polygone.crs"
    ):
        geography.flaechen(cfg)
    cfg = _config_dir(
        tmp_path, f"polygone:\n  datei: {path}\n  id_spalte: BEZ_NR\n  crs: EPSG:25832\n"
    )
    assert len(geography.flaechen(cfg).gdf) == 55


def test_geojson_with_a_crs_member(tmp_path):
    src = _ulm_wgs84()[["stadtviertel_nr", "geometry"]].to_crs(25832)
    text = src.to_json()
    text = text.replace(
        '{"type": "FeatureCollection", ',
        '{"type": "FeatureCollection", "crs": {"type": "name", "properties": '
        '{"name": "urn:ogc:def:crs:EPSG::25832"}}, ',
        1,
    )
    assert '"crs"' in text
    (tmp_path / "viertel.geojson").write_text(text, encoding="utf-8")
    f = read_flaechen(tmp_path / "viertel.geojson", PolygonConfig(datei="viertel.geojson"), RG)
    assert f.quelle_crs.startswith("EPSG:25832")
    rel = (f.gdf.area - ULM.gdf.area).abs() / ULM.gdf.area
    assert rel.max() < 1e-6


def test_leading_zeros_are_kept_and_numeric_ids_match_by_number(tmp_path):
    rg = pd.DataFrame(
        {
            "stadtviertel_nr": ["001", "002", "010"],
            "stadtviertel": ["A", "B", "C"],
            "stadtteil": ["X", "X", "Y"],
            "sozialraum": ["Nord / Ost", "Nord / Ost", "Süd"],
        }
    )
    src = _ulm_wgs84().head(3).to_crs(25832)
    text_ids = gpd.GeoDataFrame(
        {"nr": ["001", "002", "10"]}, geometry=src.geometry.to_numpy(), crs=src.crs
    )
    text_ids.to_file(tmp_path / "t.gpkg")
    f = read_flaechen(tmp_path / "t.gpkg", PolygonConfig(datei="t.gpkg", id_spalte="nr"), rg)
    assert list(f.gdf.index) == ["001", "002"]  # text "10" is not "010"
    assert f.ohne_polygon == ["010"] and f.ohne_stadtviertel == ["10"]
    numbers = gpd.GeoDataFrame({"nr": [1, 2, 10]}, geometry=src.geometry.to_numpy(), crs=src.crs)
    numbers.to_file(tmp_path / "n.gpkg")
    f = read_flaechen(tmp_path / "n.gpkg", PolygonConfig(datei="n.gpkg", id_spalte="nr"), rg)
    assert list(f.gdf.index) == ["001", "002", "010"] and f.ohne_stadtviertel == []


def test_mismatch_between_polygons_and_raumgliederung_is_one_warning_in_the_report_run(tmp_path):
    src = _ulm_wgs84()
    src.loc[src["stadtviertel_nr"] == "110", "stadtviertel_nr"] = "999"  # unknown polygon
    (tmp_path / "poly.geojson").write_text(
        src[["stadtviertel_nr", "geometry"]].to_json(), encoding="utf-8"
    )
    cfg = _config_dir(tmp_path, f"polygone:\n  datei: {tmp_path / 'poly.geojson'}\n")
    warnungen = geography.polygon_warnungen(cfg)
    assert warnungen == [
        "poly.geojson: 1 Polygon(e) ohne passendes Stadtviertel in raumgliederung.csv (nicht in "
        "der Karte): 999",
        "poly.geojson: 11 Stadtviertel ohne Polygon (in den Berichten als Tabelle unter der "
        "Karte): 110, 170, 200, 210, 220, 230, 240, 250, 260, 270, 280",
    ]
    # the run lists them once, however many Produkt-1 reports it makes
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    p = new_code_cell('periode = "2023-Q4"\nsozialraum = "Gesamtstadt"\npool = None')
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, new_code_cell("print(sozialraum)")]
    nbformat.write(nb, nbs / PRODUKTE[1].notebook)
    pool = tmp_path / "pool"
    pool.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(paths.CONFIG_ENV, str(cfg))
        (pool / "manifest.json").write_text(manifest("abc"))  # of this configuration
        res = runner.run(
            "2023-Q4",
            [1],
            ["West", "Wiblingen"],
            pool,
            tmp_path / "out",
            workers=1,
            notebooks=nbs,
            progress=False,
        )
    assert [e["status"] for e in res.entries] == ["ok", "ok"]
    # (this pool holds no data: the run also says that it wrote no Stadtviertel profiles)
    assert [w for w in res.warnungen if w.startswith("poly.geojson")] == warnungen


def test_the_ulm_ortschaften_known_without_polygon_are_no_warning_but_still_listed():
    """config/geographie.yaml names the ten Ortschaften (no boundary line in the source): the
    quarterly run no longer warns about them each time; the reports still list them under the
    map (ohne_polygon unchanged)."""
    assert geography.polygon_warnungen() == []
    assert ULM is not None and len(ULM.ohne_polygon) == 10
    assert ULM.bekannt_ohne_polygon == ULM.ohne_polygon
    eigene = geography.flaechen()
    assert eigene is not None
    eigene.bekannt_ohne_polygon.clear()  # a caller's copy: the cached one keeps its list
    assert geography.polygon_warnungen() == []


def test_the_known_list_warns_for_a_new_gap_an_unknown_entry_and_an_entry_with_a_polygon(
    tmp_path,
):
    src = _ulm_wgs84()
    src = src[src["stadtviertel_nr"] != "111"]  # Neustadt lost its polygon: a new gap
    (tmp_path / "poly.geojson").write_text(
        src[["stadtviertel_nr", "geometry"]].to_json(), encoding="utf-8"
    )
    geo = (
        f"polygone:\n  datei: {tmp_path / 'poly.geojson'}\n"
        "  ohne_polygon: [170, 200, 210, 220, 230, 240, 250, 260, 270, 999, '110']\n"
    )
    assert geography.polygon_warnungen(_config_dir(tmp_path, geo)) == [
        "poly.geojson: 2 Stadtviertel ohne Polygon (in den Berichten als Tabelle unter der "
        "Karte): 111, 280; wenn das so bleibt, in geographie.yaml unter polygone.ohne_polygon "
        "eintragen",
        "geographie.yaml: polygone.ohne_polygon nennt Stadtviertel, die es in raumgliederung.csv "
        "nicht gibt: 999",
        "geographie.yaml: polygone.ohne_polygon nennt Stadtviertel, die in poly.geojson ein "
        "Polygon haben (bitte dort streichen): 110",
    ]


def test_the_known_list_matches_numbers_by_value_and_text_exactly():
    codes = ["001", "010", "10"]
    assert geography._liste_ohne_polygon([1], codes) == (["001"], [])  # the only code 1
    assert geography._liste_ohne_polygon(["010", "1"], codes) == (["010"], ["1"])  # text exact
    assert geography._liste_ohne_polygon([10], codes) == (["10"], [])  # the same text first
    assert geography._liste_ohne_polygon([10], ["010", "0010"]) == ([], ["10"])  # ambiguous
    assert geography._liste_ohne_polygon([], codes) == ([], [])


def test_a_known_list_that_is_no_list_of_numbers_is_a_config_error(tmp_path):
    cfg = _config_dir(tmp_path, "polygone:\n  datei: stadtviertel.geojson\n  ohne_polygon: 170\n")
    with pytest.raises(GeografieError, match="ohne_polygon"):
        geography.load_config(cfg / "geographie.yaml")


def test_config_errors_name_file_and_entry(tmp_path):
    cfg = _config_dir(
        tmp_path, "stadt: X\npolygone:\n  datei: a.gpkg\n  id: nr\nkarten_crs: EPSG:99999\n"
    )
    with pytest.raises(GeografieError) as info:
        geography.flaechen(cfg)
    text = str(info.value)
    assert str(cfg / "geographie.yaml") in text
    assert "polygone.id: unbekanntes Feld" in text
    assert "karten_crs: unbekanntes Koordinatenbezugssystem 'EPSG:99999'" in text
    cfg = _config_dir(tmp_path, "polygone:\n  datei: fehlt.gpkg\n")
    with pytest.raises(GeografieError, match="fehlt.gpkg: die Polygon-Datei .* fehlt"):
        geography.flaechen(cfg)
    assert geography.polygon_warnungen(cfg)[0].endswith("(polygone.datei) fehlt")


def test_without_polygons_there_is_no_map_and_the_city_name_is_optional(tmp_path):
    cfg = _config_dir(tmp_path, "stadt: Musterstadt\n")
    assert geography.flaechen(cfg) is None
    assert geography.load_config(cfg / "geographie.yaml").stadt == "Musterstadt"
    shutil.rmtree(cfg)
    cfg.mkdir()
    assert geography.load_config(cfg / "geographie.yaml").stadt == ""


def test_map_keeps_its_colours_and_stays_small():
    werte = {nr: i / 100 for i, nr in enumerate(ULM.gdf.index)}
    werte["110"] = None  # no value: grey
    fig = karten.karte(
        werte, ULM.gdf, "Titel", prozent=True, umrandet=["186", "187"], legende="Quote"
    )
    ax = fig.axes[0]
    faces = [
        tuple(round(c, 3) for c in fc) for coll in ax.collections for fc in coll.get_facecolors()
    ]
    grey = tuple(round(c, 3) for c in plots.matplotlib.colors.to_rgba(farben.NICHT_BEWERTET))
    assert grey in faces
    assert fig.axes[1].get_ylabel() == "Quote"  # the colour bar with its legend
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=plots.DPI)
    assert buf.tell() < 150_000


def test_many_areas_keep_distinct_styles():
    for n in (6, 8, 9, 14, 24):
        styles = plots.area_styles(n)
        assert len({(s["color"], s["marker"], s["linestyle"]) for s in styles}) == n
    assert len({s["color"] for s in plots.area_styles(8)}) == 8
    assert [s["color"] for s in plots.area_styles(6)] == plots.OKABE_ITO[:6]  # today's colours
    daten = pd.DataFrame({f"Raum {i}": range(i, i + 5) for i in range(12)}, index=list("abcde"))
    fig = plots.zeitreihe(daten, "Zwölf Räume")
    lines = fig.axes[0].get_lines()
    assert len({(ln.get_color(), ln.get_marker(), ln.get_linestyle()) for ln in lines}) == 12


def _rg_datei(tmp_path: Path, zeilen: list[str]) -> Path:
    f = tmp_path / "raumgliederung.csv"
    kopf = "stadtviertel_nr;stadtviertel;stadtteil;sozialraum\n"
    f.write_text(kopf + "\n".join(zeilen) + "\n", encoding="utf-8")
    return f


@pytest.mark.parametrize(
    ("zweiter", "erster"),
    [
        ("Mitte/Ost", "Mitte-Ost"),  # both 'mitte-ost.html'
        ("WEST", "West"),
        ("Süd", "Sued"),
        ("GESAMTSTADT", "Gesamtstadt"),  # the city's own report
        ("Gesamt-Stadt", "Gesamtstadt"),
        ("Ohne-Zuordnung", "ohne Zuordnung"),
    ],
)
def test_area_names_whose_reports_collide_are_refused_naming_both(tmp_path, zweiter, erster):
    """Reports are files named by the area's slug: 'Mitte-Ost' and 'Mitte/Ost' would write one
    file, and every team got another Sozialraum's report. Refused when the Raumgliederung loads."""
    zeilen = [f"1;A;A;{erster}", "2;B;B;Nord", f"3;C;C;{zweiter}"]
    if erster in ("Gesamtstadt", "ohne Zuordnung"):
        zeilen = ["1;A;A;Nord", f"2;B;B;{zweiter}"]
    f = _rg_datei(tmp_path, zeilen)
    with pytest.raises(ValueError) as exc:
        geography.raumgliederung(f)
    msg = str(exc.value)
    assert str(f) in msg and f"'{zweiter}' ist als Bericht nicht von '{erster}'" in msg, msg
    assert "Spalte 'sozialraum'" in msg


def test_distinct_names_with_spaces_slashes_and_umlauts_load(tmp_path):
    f = _rg_datei(tmp_path, ["1;A;A;Nord / Ost", "2;B;B;Nord", "3;C;C;Süd", "4;D;D;Ost"])
    assert geography.sozialraeume(f) == ["Nord", "Nord / Ost", "Ost", "Süd"]
    with pytest.raises(ValueError, match=r"Zeile 2, Spalte 'sozialraum': der Name '//'"):
        (tmp_path / "leer").mkdir()
        geography.raumgliederung(_rg_datei(tmp_path / "leer", ["1;A;A;//"]))


@pytest.mark.parametrize(
    ("spalte", "wert"), [("sozialraum", '"Nord\r\nBcc"'), ("stadtviertel", "A\0")]
)
def test_control_characters_in_the_raumgliederung_name_line_and_column(tmp_path, spalte, wert):
    zeilen = ["1;A;A;Nord", "2;B;B;Süd"]
    zeilen.append("3;C;C;Süd" if spalte != "sozialraum" else f"3;C;C;{wert}")
    if spalte == "stadtviertel":
        zeilen[-1] = f"3;{wert};C;Süd"
    f = tmp_path / "raumgliederung.csv"
    f.write_bytes(
        ("stadtviertel_nr;stadtviertel;stadtteil;sozialraum\n" + "\n".join(zeilen) + "\n").encode()
    )
    with pytest.raises(ValueError, match=rf"Zeile 4, Spalte '{spalte}': Steuerzeichen"):
        geography.raumgliederung(f)
