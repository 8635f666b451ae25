"""The city's areas: Stadtviertel, Stadtteile and Sozialräume (``config/raumgliederung.csv``)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import paths
from .schema import GESAMTSTADT, OHNE_ZUORDNUNG


@lru_cache(maxsize=4)
def _raumgliederung(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8")
    df.columns = [c.strip().lower() for c in df.columns]
    missing = {"stadtviertel_nr", "stadtviertel", "stadtteil", "sozialraum"} - set(df.columns)
    if missing:
        raise ValueError(f"{path}: Spalte(n) fehlen: {', '.join(sorted(missing))}")
    df["stadtviertel_nr"] = df["stadtviertel_nr"].str.strip()
    for col in ("stadtviertel", "stadtteil", "sozialraum"):  # names compare equal however typed
        df[col] = df[col].str.strip().str.normalize("NFC")
    dup = df[df["stadtviertel_nr"].duplicated()]
    if len(dup):
        raise ValueError(f"{path}: Stadtviertel doppelt: {', '.join(dup['stadtviertel_nr'])}")
    return df


def raumgliederung(path: Path | None = None) -> pd.DataFrame:
    """Stadtviertel with their Stadtteil and Sozialraum, one row each (codes as strings)."""
    return _raumgliederung(str(path or paths.CONFIG / "raumgliederung.csv")).copy()


def sozialraeume(path: Path | None = None) -> list[str]:
    """The city's Sozialräume in alphabetical order (without 'ohne Zuordnung')."""
    return sorted(raumgliederung(path)["sozialraum"].unique())


def stadtviertel_to_sozialraum(path: Path | None = None) -> dict[str, str]:
    """Mapping stadtviertel_nr -> Sozialraum."""
    rg = raumgliederung(path)
    return dict(zip(rg["stadtviertel_nr"], rg["sozialraum"], strict=True))


def areas(path: Path | None = None) -> list[str]:
    """The report areas: the Sozialräume and Gesamtstadt."""
    return [*sozialraeume(path), GESAMTSTADT]


def stadtviertel_polygons(path: Path | None = None) -> dict[str, list[list[tuple[float, float]]]]:
    """Polygon rings (lon, lat) per stadtviertel_nr from ``config/stadtviertel.geojson``."""
    data = json.loads(Path(path or paths.CONFIG / "stadtviertel.geojson").read_text("utf-8"))
    out: dict[str, list[list[tuple[float, float]]]] = {}
    for feat in data["features"]:
        nr = str(feat["properties"]["cartodb_id"]).removeprefix("ul-stv")
        geom = feat["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        out[nr] = [[tuple(pt) for pt in poly[0]] for poly in polys]
    return out


__all__ = [
    "GESAMTSTADT",
    "OHNE_ZUORDNUNG",
    "areas",
    "raumgliederung",
    "sozialraeume",
    "stadtviertel_polygons",
    "stadtviertel_to_sozialraum",
]
