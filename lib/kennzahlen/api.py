"""The analysts' API: load the data pool and pick Kennzahlen by area and period.

Example (in any notebook)::

    import kennzahlen as kz
    pool = kz.load_pool()
    kz.wert(pool, "jh_hze_gesamt", "Gesamtstadt", "2021-12-31")      # 548.0
    kz.zeitreihe(pool, "jh_z5_anteil_hilfen_vor_dem_fall", "Gesamtstadt")
    kz.tabelle(pool, ["bev_gesamt", "anteil_65plus"], "2023-12-31")   # Sozialräume x Kennzahlen
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import paths
from .geography import sozialraeume
from .schema import GESAMTSTADT, OHNE_ZUORDNUNG


class PoolMissing(FileNotFoundError):
    """The data pool has not been built yet."""


def pool_dir(pool: str | Path | None = None) -> Path:
    """The pool folder: the argument, else $KENNZAHLEN_POOL, else data/processed."""
    if pool:
        return Path(pool)
    env = os.environ.get("KENNZAHLEN_POOL")
    return Path(env) if env else paths.PROCESSED


def pool_files(pool: str | Path | None = None) -> Path:
    """The folder holding the current pool version's tables (follows ``manifest.json``)."""
    from .poolstore import current_dir

    return current_dir(pool_dir(pool))


def load_pool(pool: str | Path | None = None, table: str = "kennzahlen") -> pd.DataFrame:
    """Read one pool table (default ``kennzahlen.parquet``) as a tidy DataFrame.

    ``table`` may be ``kennzahlen``, ``stand`` (the exports read and their Stand) or any
    other table the pool writes (``ampel``, ``ampel_details``). The tables of one call come
    from one complete pool version, also while ``kennzahlen pool`` writes a new one.
    """
    path = pool_files(pool) / f"{table}.parquet"
    if not path.exists():
        raise PoolMissing(
            f"{pool_dir(pool) / f'{table}.parquet'} fehlt: erst den Datenpool bauen "
            f"(`kennzahlen pool` oder `make report`)."
        )
    return _read_table(path).copy()


#: tables read in this process, by file identity: a report reads the same pool tables several
#: times, and a warm report kernel reads them again for every area of the period
_TABLES: dict[Path, tuple[tuple[int, int, int], pd.DataFrame]] = {}


def _read_table(path: Path) -> pd.DataFrame:
    """The parquet table at ``path``, read once while the file stays the same (inode, size,
    mtime)."""
    st = path.stat()
    key = (st.st_ino, st.st_size, st.st_mtime_ns)
    hit = _TABLES.get(path)
    if hit is not None and hit[0] == key:
        return hit[1]
    frame = pd.read_parquet(path)
    if len(_TABLES) >= 16:
        _TABLES.pop(next(iter(_TABLES)))
    _TABLES[path] = (key, frame)
    return frame


def select(
    pool: pd.DataFrame,
    kennzahl: str | Sequence[str],
    raum: str | Sequence[str] | None = None,
    periode: str | Sequence[str] | None = None,
    ebene: str | None = None,
) -> pd.DataFrame:
    """Rows of the pool for one or several Kennzahlen, optionally by area, period and ebene."""
    mask = pool["kennzahl"].isin([kennzahl] if isinstance(kennzahl, str) else list(kennzahl))
    if raum is not None:
        mask &= pool["raum"].isin([raum] if isinstance(raum, str) else list(raum))
    if periode is not None:
        mask &= pool["periode"].isin([periode] if isinstance(periode, str) else list(periode))
    if ebene is not None:
        mask &= pool["ebene"] == ebene
    return pool.loc[mask].reset_index(drop=True)


def wert(pool: pd.DataFrame, kennzahl: str, raum: str, periode: str) -> float | None:
    """One value, or None when the pool has no row for it (no data, never a made-up 0)."""
    rows = select(pool, kennzahl, raum, periode)
    if rows.empty:
        return None
    if len(rows) > 1:
        rows = rows[rows["ebene"] != "stadtviertel"]
    return float(rows["wert"].iloc[0])


def zeitreihe(pool: pd.DataFrame, kennzahl: str, raum: str = GESAMTSTADT) -> pd.Series:
    """The values of one Kennzahl for one area over all periods, indexed by periode."""
    rows = select(pool, kennzahl, raum)
    rows = rows[rows["ebene"] != "stadtviertel"] if raum != GESAMTSTADT else rows
    return rows.set_index("periode")["wert"].sort_index().rename(kennzahl)


def tabelle(
    pool: pd.DataFrame,
    kennzahlen: Sequence[str],
    periode: str,
    ebene: str = "sozialraum",
    mit_gesamtstadt: bool = True,
) -> pd.DataFrame:
    """A wide table: areas as rows, Kennzahlen as columns, for one period.

    Counts (Kennzahlen without Nenner) come back as integers (``Int64``, empty where the pool
    has no value); shares and rates as floats. "ohne Zuordnung" is a row only where it has a
    value other than 0.
    """
    rows = select(pool, list(kennzahlen), periode=periode)
    parts = [rows[rows["ebene"] == ebene]]
    if mit_gesamtstadt and ebene != "gesamtstadt":
        parts.append(rows[rows["ebene"] == "gesamtstadt"])
    rows = pd.concat(parts)
    wide = rows.pivot_table(
        index="raum", columns="kennzahl", values="wert", aggfunc="first", sort=False
    )
    order = [k for k in kennzahlen if k in wide.columns]
    if ebene == "sozialraum":
        areas = [*sozialraeume(), OHNE_ZUORDNUNG, GESAMTSTADT]
        wide = wide.reindex([a for a in areas if a in wide.index])
    wide = wide[order]
    counts = rows.groupby("kennzahl")["nenner"].apply(lambda n: bool(n.isna().all()))
    for k in order:
        whole = wide[k].dropna()
        if counts.get(k, False) and (whole == whole.round()).all():
            wide[k] = wide[k].round().astype("Int64")
    if OHNE_ZUORDNUNG in wide.index and not (wide.loc[OHNE_ZUORDNUNG].fillna(0) != 0).any():
        wide = wide.drop(index=OHNE_ZUORDNUNG)
    return wide


def perioden(pool: pd.DataFrame, kennzahl: str) -> list[str]:
    """The periods for which the pool has a Kennzahl, oldest first."""
    return sorted(pool.loc[pool["kennzahl"] == kennzahl, "periode"].unique())
