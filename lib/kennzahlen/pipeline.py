"""The pipeline of ``kennzahlen pool`` on one page.

Each stage lives in its folder (reading/, pool/, ampel/, steuerung/, sozialindex/); this module
only calls them in order and returns the tables the pool writes (:mod:`kennzahlen.pool.write`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from kennzahlen.catalog import geography
from kennzahlen.catalog.model import Catalog, load_catalog
from kennzahlen.core.dateistand import Dateistand
from kennzahlen.pool import abdeckung
from kennzahlen.pool.load import werte
from kennzahlen.pool.zaehlen import PoolBuilder
from kennzahlen.statistik.intervalle import mit_intervallen


def build_pool_frames(
    raw_dir: Path,
    catalog: Catalog | None = None,
    raumgliederung: pd.DataFrame | None = None,
    heute: date | None = None,
    vollstaendig_ab: dict[str, pd.Timestamp] | None = None,
    pool: Path | None = None,
    dateistand: Dateistand | None = None,
) -> tuple[dict[str, pd.DataFrame], object]:
    """Read + validate the raw folder and compute every pool table (nothing is written).

    ``heute``: the day of the build (default: today); a Stand after it is bad input.
    ``vollstaendig_ab``: per record table, the date from which its exports are complete
    (default: ``config/abdeckung.yaml``).
    ``pool``: the pool folder whose kept exports are used (:mod:`kennzahlen.reading.exportcache`;
    :func:`kennzahlen.pool.write.write_pool` keeps the exports read here); ``dateistand``: the
    content hashes of the raw files taken already (:mod:`kennzahlen.core.dateistand`).
    """
    from kennzahlen.reading.exportcache import Exportcache
    from kennzahlen.reading.raw import read_raw

    rg = raumgliederung if raumgliederung is not None else geography.raumgliederung()
    cache = Exportcache.im_pool(pool, rg, dateistand) if pool is not None else None
    raw = read_raw(Path(raw_dir), rg, heute=heute, cache=cache)
    try:
        return _frames(raw, rg, catalog, vollstaendig_ab)
    except BaseException:
        if cache is not None:
            cache.verwerfen()  # no pool: the exports read are not kept
        raise


def _frames(
    raw, rg: pd.DataFrame, catalog: Catalog | None, vollstaendig_ab: dict | None
) -> tuple[dict[str, pd.DataFrame], object]:
    catalog = catalog or load_catalog()
    ab = abdeckung.load_config() if vollstaendig_ab is None else vollstaendig_ab
    builder = PoolBuilder(raw.tables, catalog, rg, raw.files, ab)
    alle = mit_intervallen(builder.build(), catalog)
    frames = {"kennzahlen": alle, "stand": raw.files.copy(), "abdeckung": builder.abdeckung()}
    pool = werte(alle)  # what the Ampel and the Sozialindex read: the values (no Nenner 0)
    frames.update(_extra_frames(pool, raw, catalog))
    frames.update(_sozialindex_frames(pool, rg, catalog))
    return frames, raw


def _sozialindex_frames(
    pool: pd.DataFrame, rg: pd.DataFrame, catalog: Catalog
) -> dict[str, pd.DataFrame]:
    """The Sozialindex tables (config/sozialindex.yaml; none when the city has no such file)."""
    from kennzahlen.sozialindex import berechnung as sozialindex
    from kennzahlen.sozialindex import config as sozialindex_config

    if not sozialindex_config.vorhanden():
        return {}
    return sozialindex.pool_frames(pool, rg, sozialindex_config.load(catalog=catalog))


def _extra_frames(pool: pd.DataFrame, raw: object, catalog: Catalog) -> dict[str, pd.DataFrame]:
    """Further pool tables: the Ampel (when configured), the steering deliveries and the
    comparison values of other cities."""
    from kennzahlen import ampel
    from kennzahlen.pool import vergleichswerte
    from kennzahlen.steuerung import tabellen

    return {
        **ampel.pool_frames(pool, raw, catalog),
        **tabellen.pool_frames(raw),
        **vergleichswerte.pool_frames(raw),
    }


def pool_summary(frames: dict[str, pd.DataFrame], raw: object) -> list[str]:
    """German summary lines of a pool build: tables read, rows, periods, areas, warnings."""
    from kennzahlen.core.fmt import datum, zahl

    pool = werte(frames["kennzahlen"])
    files = frames["stand"]
    lines = [f"Gelesen: {len(files)} Dateien aus {files['tabelle'].nunique()} Tabellen"]
    for table, grp in files.groupby("tabelle"):
        lines.append(
            f"  {table:<22} {len(grp):>3} Exporte, {zahl(grp['zeilen'].sum()):>9} Zeilen, "
            f"Stand {datum(grp['stand'].min())} bis {datum(grp['stand'].max())}"
        )
    periods = sorted(pool["periode"].unique())
    sr = pool.loc[pool["ebene"] == "sozialraum", "raum"].nunique()
    stv = pool.loc[pool["ebene"] == "stadtviertel", "raum"].nunique()
    lines.append(
        f"Datenpool: {zahl(len(pool))} Werte, {pool['kennzahl'].nunique()} Kennzahlen, "
        f"Perioden {periods[0] if periods else '-'} bis {periods[-1] if periods else '-'}, "
        f"{sr} Sozialräume (inkl. ohne Zuordnung), {stv} Stadtviertel"
    )
    for name, frame in frames.items():
        if name not in ("kennzahlen", "stand"):
            lines.append(f"  {name}.parquet: {zahl(len(frame))} Zeilen")
    for w in getattr(raw, "warnings", []):
        lines.append(f"Warnung: {w}")
    return lines
