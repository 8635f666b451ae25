"""The city's areas: Stadtviertel, Stadtteile and Sozialräume (``config/raumgliederung.csv``),
the city's name and the Stadtviertel polygons for the maps (``config/geographie.yaml``).

Polygons are read with geopandas (pyogrio underneath): GeoPackage, Shapefile (plain or zipped)
or GeoJSON (also with a ``crs`` member), in whatever CRS the city's GIS delivers; they are
reprojected to one CRS for drawing. The id column named in config matches ``stadtviertel_nr``
as text (leading zeros kept).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import Field, field_validator

from kennzahlen.core import paths
from kennzahlen.core.configfile import StrictModel, load_mapping, validate
from kennzahlen.core.dateistand import signatur
from kennzahlen.core.namen import STEUERZEICHEN, sichtbar, slug, steuerzeichen, verwechselbar
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG

if TYPE_CHECKING:  # geopandas is imported only where polygons are read
    import geopandas as gpd

CONFIG_FILE = "geographie.yaml"
DEFAULT_KARTEN_CRS = "EPSG:3035"


class GeografieError(ValueError):
    """The geography config or the polygon file is unusable; the message names file and entry."""


# ------------------------------------------------------------------------------ Raumgliederung
@lru_cache(maxsize=4)
def _raumgliederung(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8", keep_default_na=False)
    df.columns = [c.strip().lower() for c in df.columns]
    missing = {"stadtviertel_nr", "stadtviertel", "stadtteil", "sozialraum"} - set(df.columns)
    if missing:
        raise ValueError(f"{path}: Spalte(n) fehlen: {', '.join(sorted(missing))}")
    _check_steuerzeichen(df, path)
    df["stadtviertel_nr"] = df["stadtviertel_nr"].str.strip()
    for col in ("stadtviertel", "stadtteil", "sozialraum"):  # names compare equal however typed
        df[col] = df[col].str.strip().str.normalize("NFC")
    empty = df[(df["stadtviertel_nr"] == "") | (df["sozialraum"] == "")]
    if len(empty):
        line = int(empty.index[0]) + 2
        raise ValueError(
            f"{path}, Zeile {line}: stadtviertel_nr und sozialraum dürfen nicht leer sein"
        )
    dup = df[df["stadtviertel_nr"].duplicated()]
    if len(dup):
        raise ValueError(f"{path}: Stadtviertel doppelt: {', '.join(dup['stadtviertel_nr'])}")
    if (df["sozialraum"] == OHNE_ZUORDNUNG).any() or (df["sozialraum"] == GESAMTSTADT).any():
        raise ValueError(f"{path}: '{OHNE_ZUORDNUNG}' und '{GESAMTSTADT}' sind keine Sozialräume")
    _check_berichtsnamen(df, path)
    return df


def _check_steuerzeichen(df: pd.DataFrame, path: str) -> None:
    """A control character (also NUL, CR, LF) in a code or name: file, line, column, value."""
    for col in ("stadtviertel_nr", "stadtviertel", "stadtteil", "sozialraum"):
        bad = df[col].str.contains(STEUERZEICHEN, regex=True)
        if bad.any():
            line = int(bad.to_numpy().nonzero()[0][0])
            wert = df[col].iloc[line]
            raise ValueError(
                f"{path}, Zeile {line + 2}, Spalte '{col}': Steuerzeichen im Wert "
                f"'{sichtbar(wert)}' ({', '.join(steuerzeichen(wert))}); bitte entfernen"
            )


def _check_berichtsnamen(df: pd.DataFrame, path: str) -> None:
    """Two Sozialräume (or a Sozialraum and the Gesamtstadt or 'ohne Zuordnung') whose reports
    could not be told apart: the same file name ('Nord-Ost', 'Nord/Ost'), or names that differ
    only in case, hyphens or umlaut spelling ('NORD', 'Gesamt-Stadt', 'Sued')."""
    zeilen = {sr: int(i) + 2 for i, sr in reversed(list(df["sozialraum"].items()))}
    gesehen: dict[str, str] = {verwechselbar(GESAMTSTADT): GESAMTSTADT}
    gesehen[verwechselbar(OHNE_ZUORDNUNG)] = OHNE_ZUORDNUNG
    for sr, zeile in sorted(zeilen.items(), key=lambda x: x[1]):
        key = verwechselbar(sr)
        if not key:
            raise ValueError(
                f"{path}, Zeile {zeile}, Spalte 'sozialraum': der Name '{sr}' ergibt keinen "
                "Dateinamen für seine Berichte (nur Sonderzeichen); bitte Buchstaben verwenden"
            )
        anderer = gesehen.setdefault(key, sr)
        if anderer == sr:
            continue
        wo = f"Zeile {zeilen[anderer]}" if anderer in zeilen else "das Gebiet der ganzen Stadt"
        if anderer == OHNE_ZUORDNUNG:
            wo = "die Fälle ohne Adresse"
        raise ValueError(
            f"{path}, Zeile {zeile}, Spalte 'sozialraum': '{sr}' ist als Bericht nicht von "
            f"'{anderer}' ({wo}) zu unterscheiden (beide ergäben die Datei "
            f"'{slug(anderer) or slug(sr)}.html' oder eine zum Verwechseln ähnliche); bitte "
            "einen der beiden Namen ändern"
        )


def raumgliederung(path: Path | None = None) -> pd.DataFrame:
    """Stadtviertel with their Stadtteil and Sozialraum, one row each (codes as strings).

    >>> kz.raumgliederung().columns.tolist()[:4]
    ['stadtviertel_nr', 'stadtviertel', 'stadtteil', 'sozialraum']
    """
    return _raumgliederung(str(path or paths.CONFIG / "raumgliederung.csv")).copy()


def sozialraeume(path: Path | None = None) -> list[str]:
    """The city's Sozialräume in alphabetical order (without 'ohne Zuordnung').

    >>> kz.sozialraeume() == sorted(set(kz.raumgliederung()["sozialraum"]))
    True
    """
    return list(_sozialraeume(str(path or paths.CONFIG / "raumgliederung.csv")))


@lru_cache(maxsize=4)
def _sozialraeume(path: str) -> tuple[str, ...]:
    """The sorted Sozialräume of the table :func:`_raumgliederung` keeps for ``path`` (a report
    asks hundreds of times; copying the table and sorting its column took about 1 ms each)."""
    return tuple(sorted(_raumgliederung(path)["sozialraum"].unique()))


def stadtviertel_to_sozialraum(path: Path | None = None) -> dict[str, str]:
    """Mapping stadtviertel_nr -> Sozialraum."""
    rg = raumgliederung(path)
    return dict(zip(rg["stadtviertel_nr"], rg["sozialraum"], strict=True))


def areas(path: Path | None = None) -> list[str]:
    """The report areas: the Sozialräume and Gesamtstadt.

    >>> kz.areas()[-1]
    'Gesamtstadt'
    """
    return [*sozialraeume(path), GESAMTSTADT]


# ------------------------------------------------------------------------------ config
class PolygonConfig(StrictModel):
    """Where the Stadtviertel polygons are and how they match the Raumgliederung."""

    datei: str = Field(min_length=1)
    layer: str | None = None
    id_spalte: str = Field(default="stadtviertel_nr", min_length=1)
    crs: str | None = None
    quelle: str = ""
    #: Stadtviertel known to have no polygon (e.g. Ortschaften without a boundary line): no
    #: warning for them in the report run; the reports still list them under the map
    ohne_polygon: list[str | int] = Field(default_factory=list)

    @field_validator("crs")
    @classmethod
    def _crs(cls, v: str | None) -> str | None:
        return _check_crs(v)


class GeografieConfig(StrictModel):
    """``config/geographie.yaml``: the city's name, its polygons and the CRS of the maps."""

    stadt: str = ""
    polygone: PolygonConfig | None = None
    karten_crs: str = DEFAULT_KARTEN_CRS

    @field_validator("karten_crs")
    @classmethod
    def _karten_crs(cls, v: str) -> str:
        return _check_crs(v) or DEFAULT_KARTEN_CRS


#: CRS that pyproj knows (tests/test_geographie_crs.py checks each): a configuration naming one
#: of these is loaded without importing pyproj (0.1–0.3 s of every pool build)
BEKANNTE_CRS = frozenset(
    ("EPSG:3035", "EPSG:4326", "EPSG:3857", "EPSG:25832", "EPSG:25833", "EPSG:31467", "EPSG:31468")
)


def _check_crs(v: str | None) -> str | None:
    if v is None:
        return None
    if v in BEKANNTE_CRS:
        return str(v)
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(v)
    except CRSError:
        raise ValueError(f"unbekanntes Koordinatenbezugssystem '{v}' (z. B. EPSG:25832)") from None
    return str(v)


def load_config(path: Path | str | None = None) -> GeografieConfig:
    """Read and validate ``config/geographie.yaml`` (no file: no city name, no polygons)."""
    path = Path(path or paths.CONFIG / CONFIG_FILE)
    return _load_config(str(path), _mtime(path))


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return -1.0


@lru_cache(maxsize=8)
def _load_config(path_str: str, _mtime: float) -> GeografieConfig:
    path = Path(path_str)
    if not path.exists():
        return GeografieConfig()
    raw = load_mapping(
        path,
        GeografieError,
        "die Geografie-Konfiguration",
        "die Einträge 'stadt', 'polygone' und 'karten_crs'",
    )
    return validate(
        GeografieConfig, raw, path, GeografieError, "die Geografie-Konfiguration ist ungültig"
    )


def stadt() -> str:
    """The city's name from config/geographie.yaml ('' when not set)."""
    return load_config().stadt.strip()


def gesamtstadt_titel() -> str:
    """'Gesamtstadt <stadt>' with the configured name, or 'Gesamtstadt'."""
    name = stadt()
    return f"{GESAMTSTADT} {name}" if name else GESAMTSTADT


# ------------------------------------------------------------------------------ polygons
@dataclass
class Flaechen:
    """The Stadtviertel polygons as the maps use them, and what did not match."""

    gdf: gpd.GeoDataFrame  # index stadtviertel_nr (str), geometry in karten_crs; matched only
    datei: str
    quelle: str
    quelle_crs: str
    karten_crs: str
    ohne_polygon: list[str] = field(default_factory=list)  # Stadtviertel without a polygon
    ohne_stadtviertel: list[str] = field(
        default_factory=list
    )  # polygon ids not in the Raumgliederung
    bekannt_ohne_polygon: list[str] = field(default_factory=list)  # polygone.ohne_polygon, matched
    liste_unbekannt: list[str] = field(default_factory=list)  # entries not in the Raumgliederung
    liste_mit_polygon: list[str] = field(default_factory=list)  # entries that have a polygon

    def warnungen(self) -> list[str]:
        """The mismatches between polygons and Raumgliederung, as German warnings: a Stadtviertel
        that ``polygone.ohne_polygon`` names as known to have none is no warning, an entry of that
        list that names no Stadtviertel or one with a polygon is."""
        out = []
        if self.ohne_stadtviertel:
            out.append(
                f"{self.datei}: {len(self.ohne_stadtviertel)} Polygon(e) ohne passendes "
                "Stadtviertel in "
                f"raumgliederung.csv (nicht in der Karte): {', '.join(self.ohne_stadtviertel)}"
            )
        bekannt = set(self.bekannt_ohne_polygon)
        neu = [c for c in self.ohne_polygon if c not in bekannt]
        if neu:
            out.append(
                f"{self.datei}: {len(neu)} Stadtviertel ohne Polygon (in den "
                f"Berichten als Tabelle unter der Karte): {', '.join(neu)}"
                + (
                    f"; wenn das so bleibt, in {CONFIG_FILE} unter polygone.ohne_polygon eintragen"
                    if bekannt
                    else ""
                )
            )
        if self.liste_unbekannt:
            out.append(
                f"{CONFIG_FILE}: polygone.ohne_polygon nennt Stadtviertel, die es in "
                f"raumgliederung.csv nicht gibt: {', '.join(self.liste_unbekannt)}"
            )
        if self.liste_mit_polygon:
            out.append(
                f"{CONFIG_FILE}: polygone.ohne_polygon nennt Stadtviertel, die in {self.datei} "
                f"ein Polygon haben (bitte dort streichen): {', '.join(self.liste_mit_polygon)}"
            )
        return out

    def hinweis(self) -> str:
        """The map's note: source and CRS of the polygons."""
        quelle = f"{self.quelle}. " if self.quelle else ""
        return (
            f"Karte: {quelle}Koordinaten der Quelle: {self.quelle_crs}; "
            f"für die Karte umgerechnet in {self.karten_crs}."
        )


def crs_name(crs: Any) -> str:
    """'EPSG:25832 (ETRS89 / UTM zone 32N)' for a pyproj CRS (or its user input)."""
    from pyproj import CRS

    crs = CRS.from_user_input(crs)
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def _polygon_path(cfg: PolygonConfig, config_dir: Path) -> Path:
    path = Path(cfg.datei)
    return path if path.is_absolute() else config_dir / path


def flaechen(config_dir: Path | None = None) -> Flaechen | None:
    """The polygons of config/geographie.yaml matched to the Raumgliederung (None: no polygons)."""
    config_dir = Path(config_dir or paths.CONFIG)
    cfg = load_config(config_dir / CONFIG_FILE)
    polygone = cfg.polygone
    if polygone is None:
        return None
    path = _polygon_path(polygone, config_dir)
    rg_path = config_dir / "raumgliederung.csv"
    key = (str(path), _mtime(path), str(rg_path), _mtime(rg_path), cfg.model_dump_json())
    return _flaechen(key, polygone, cfg.karten_crs, path, rg_path)


_CACHE: dict[tuple, Flaechen] = {}


def _flaechen(
    key: tuple, polygone: PolygonConfig, karten_crs: str, path: Path, rg_path: Path
) -> Flaechen:
    if key not in _CACHE:
        if len(_CACHE) > 4:
            _CACHE.clear()
        _CACHE[key] = read_flaechen(path, polygone, raumgliederung(rg_path), karten_crs)
    f = _CACHE[key]
    out = replace(f, gdf=f.gdf.copy())  # a copy the caller may change
    for k in fields(out):
        wert = getattr(out, k.name)
        if isinstance(wert, list):
            setattr(out, k.name, list(wert))
    return out


def _read_polygons(path: Path, layer: str | None):
    """The polygon file's layer as a GeoDataFrame; a missing file, a missing or ambiguous layer or
    an unreadable file raise GeografieError (German)."""
    import geopandas as gpd
    import pyogrio

    name = path.name
    if not path.exists():
        raise GeografieError(f"{path}: die Polygon-Datei aus {CONFIG_FILE} (polygone.datei) fehlt")
    try:
        layers = pyogrio.list_layers(path)
        layer_names = [str(x) for x in layers[:, 0]]
        if layer is not None and layer not in layer_names:
            raise GeografieError(
                f"{name}: Layer '{layer}' (polygone.layer) fehlt; vorhanden: "
                f"{', '.join(layer_names)}"
            )
        if layer is None and len(layer_names) > 1:
            raise GeografieError(
                f"{name}: mehrere Layer ({', '.join(layer_names)}); bitte in "
                f"{CONFIG_FILE} polygone.layer angeben"
            )
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except GeografieError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of GDAL means: unreadable file
        raise GeografieError(f"{name}: Polygon-Datei nicht lesbar ({exc})") from None
    return gdf


def read_flaechen(
    path: Path, cfg: PolygonConfig, rg: pd.DataFrame, karten_crs: str = DEFAULT_KARTEN_CRS
) -> Flaechen:
    """Read a polygon file (GeoPackage, Shapefile, zipped Shapefile, GeoJSON), match its id column
    to ``stadtviertel_nr`` and reproject to ``karten_crs``."""
    import geopandas as gpd

    path = Path(path)
    name = path.name
    gdf = _read_polygons(path, cfg.layer)
    if cfg.id_spalte not in gdf.columns:
        cols = ", ".join(c for c in gdf.columns if c != gdf.geometry.name)
        raise GeografieError(
            f"{name}: Spalte '{cfg.id_spalte}' (polygone.id_spalte in {CONFIG_FILE}) "
            f"fehlt; vorhanden: {cols}"
        )
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if cfg.crs is not None:
        gdf = gdf.set_crs(cfg.crs, allow_override=True)
    elif gdf.crs is None:
        raise GeografieError(
            f"{name}: die Datei nennt kein Koordinatenbezugssystem; bitte in {CONFIG_FILE} "
            "polygone.crs angeben (z. B. EPSG:25832 für ETRS89 / UTM 32N)"
        )
    quelle_crs = crs_name(gdf.crs)
    codes = list(rg["stadtviertel_nr"])
    ids = match_ids(gdf[cfg.id_spalte], codes)
    gdf = gpd.GeoDataFrame(
        {"stadtviertel_nr": ids.to_numpy()}, geometry=gdf.geometry.to_numpy(), crs=gdf.crs
    )
    unmatched = sorted({v for v, m in zip(ids.attrs["raw"], ids.isna(), strict=True) if m})
    matched = gdf[ids.notna().to_numpy()]
    if len(matched):
        matched = matched.dissolve(by="stadtviertel_nr", sort=True)
    else:
        matched = matched.set_index("stadtviertel_nr")
    matched = matched.to_crs(karten_crs)
    matched.index = matched.index.astype(str)
    bekannt, unbekannt = _liste_ohne_polygon(cfg.ohne_polygon, codes)
    return Flaechen(
        gdf=matched,
        datei=name,
        quelle=cfg.quelle,
        quelle_crs=quelle_crs,
        karten_crs=crs_name(karten_crs),
        ohne_polygon=[c for c in codes if c not in set(matched.index)],
        ohne_stadtviertel=unmatched,
        bekannt_ohne_polygon=bekannt,
        liste_unbekannt=unbekannt,
        liste_mit_polygon=[c for c in bekannt if c in set(matched.index)],
    )


def _liste_ohne_polygon(eintraege: list[str | int], codes: list[str]) -> tuple[list, list]:
    """``polygone.ohne_polygon`` matched to the Raumgliederung as the polygon ids are
    (:func:`match_ids`: text exactly, a number by its value): (matched codes, unknown entries)."""
    if not eintraege:
        return [], []
    zahlen = all(isinstance(v, int) for v in eintraege)
    werte = pd.Series(eintraege, dtype="int64" if zahlen else object)
    ids = match_ids(werte, codes)
    bekannt = [c for c in codes if c in set(ids.dropna())]
    unbekannt = [t for t, m in zip(ids.attrs["raw"], ids.isna(), strict=True) if m]
    return bekannt, unbekannt


def match_ids(values: pd.Series, codes: list[str]) -> pd.Series:
    """The stadtviertel_nr for each id value (NA: no such Stadtviertel).

    Text matches text exactly (after trimming; "001" is not "1"). A numeric column (a GIS that
    stored the code as a number has lost its leading zeros) matches the code with the same
    number, when exactly one code has it.
    """
    raw = values.astype(object)
    texts = [
        ("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip()) for v in raw
    ]
    numeric = pd.api.types.is_numeric_dtype(values.dtype)
    known = set(codes)
    by_number: dict[int, list[str]] = {}
    for c in codes:
        if c.isdigit():
            by_number.setdefault(int(c), []).append(c)
    out: list[str | None] = []
    for t in texts:
        if numeric and t:
            t = t.removesuffix(".0")
        if t in known:
            out.append(t)
        elif numeric and t.lstrip("-").isdigit() and len(by_number.get(int(t), [])) == 1:
            out.append(by_number[int(t)][0])
        else:
            out.append(None)
    result = pd.Series(out, index=values.index, dtype=object)
    result.attrs["raw"] = texts
    return result


#: gebiets_polygone by the state of the files they are made from (:func:`_polygon_stand`)
_GEBIETE: dict[tuple, gpd.GeoDataFrame | None] = {}


def _polygon_stand(config_dir: Path | None) -> tuple:
    """What the report areas' polygons are made from: the geography config, the polygon file and
    the Raumgliederung (of ``config_dir`` and of the configuration folder), each by its
    :func:`~kennzahlen.core.dateistand.signatur`."""
    folder = Path(config_dir or paths.CONFIG)
    cfg = load_config(folder / CONFIG_FILE)
    datei = _polygon_path(cfg.polygone, folder) if cfg.polygone is not None else None
    dateien = [folder / CONFIG_FILE, folder / "raumgliederung.csv"]
    dateien.append(paths.CONFIG / "raumgliederung.csv")
    return (
        str(config_dir),
        str(paths.CONFIG),
        cfg.model_dump_json(),
        *((str(d), signatur(d)) for d in [*dateien, *([datei] if datei else [])]),
    )


def gebiets_polygone(config_dir: Path | None = None) -> gpd.GeoDataFrame | None:
    """The report areas as polygons in WGS 84 (the CRS of GeoJSON, RFC 7946): each Sozialraum
    the union of its Stadtviertel that have a polygon, Gesamtstadt the union of all (index: the
    area's name; None without polygons). A Stadtviertel without a polygon (an Ortschaft) is
    missing from its Sozialraum's shape, not from its numbers.

    Made once per state of the files they come from (an edited or replaced file is read again);
    each call returns its own copy."""
    key = _polygon_stand(config_dir)
    if key not in _GEBIETE:
        if len(_GEBIETE) > 4:
            _GEBIETE.clear()
        _GEBIETE[key] = _gebiets_polygone(config_dir)
    out = _GEBIETE[key]
    return None if out is None else out.copy()


def _gebiets_polygone(config_dir: Path | None) -> gpd.GeoDataFrame | None:
    import geopandas as gpd

    f = flaechen(config_dir)
    if f is None or f.gdf.empty:
        return None
    zu = stadtviertel_to_sozialraum(Path(config_dir) / "raumgliederung.csv" if config_dir else None)
    gdf = f.gdf.assign(raum=[zu.get(str(nr)) for nr in f.gdf.index])
    gdf = gdf[gdf["raum"].notna()]
    teile = gdf[["raum", "geometry"]].dissolve(by="raum", sort=False)
    stadt = gpd.GeoDataFrame({"raum": [GESAMTSTADT]}, geometry=[gdf.union_all()], crs=gdf.crs)
    out = pd.concat([teile.reset_index(), stadt], ignore_index=True).set_index("raum")
    reihe = [r for r in [*sozialraeume(), GESAMTSTADT] if r in out.index]
    out = out.loc[reihe]
    out["geometry"] = out.geometry.buffer(0)  # slivers between neighbours close, shapes stay valid
    if out.crs is not None and out.crs.is_projected:
        out["geometry"] = out.geometry.simplify(1.0)  # 1 m: invisible on a map, half the size
    out = out.to_crs("EPSG:4326")
    out["geometry"] = out.geometry.buffer(0)
    return out


def polygon_warnungen(config_dir: Path | None = None) -> list[str]:
    """The warnings of the polygon file (mismatches), or its error, for the report run."""
    try:
        f = flaechen(config_dir)
    except GeografieError as exc:
        return [str(exc)]
    return [] if f is None else f.warnungen()


__all__ = [
    "GESAMTSTADT",
    "OHNE_ZUORDNUNG",
    "Flaechen",
    "GeografieConfig",
    "GeografieError",
    "areas",
    "flaechen",
    "gebiets_polygone",
    "gesamtstadt_titel",
    "load_config",
    "match_ids",
    "polygon_warnungen",
    "raumgliederung",
    "read_flaechen",
    "sozialraeume",
    "stadt",
    "stadtviertel_to_sozialraum",
]
