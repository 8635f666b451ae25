"""The comparison values of other cities (delivery ``vergleichswerte``) as a pool table.

The pool build stores them as read and validated (newest Stand per Kennzahl, year, ring and
city; a value by another definition than the catalog's for its year is refused when reading,
:mod:`kennzahlen.reading.zeilenregeln`). Reports read them from the pool (:func:`laden`), never
from ``data/raw/``; a pool built before the table existed gives an empty frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from kennzahlen.core.schema import TABLES
from kennzahlen.reading.checks import empty_frame

TABELLE = "vergleichswerte"


def pool_frames(raw: object) -> dict[str, pd.DataFrame]:
    """``{"vergleichswerte": ...}`` of a validated delivery (``RawData``)."""
    frame = (getattr(raw, "tables", None) or {}).get(TABELLE)
    if frame is None:
        frame = empty_frame(TABLES[TABELLE])
    return {TABELLE: frame.reset_index(drop=True)}


def laden(quelle: str | Path | Mapping[str, pd.DataFrame] | None) -> pd.DataFrame:
    """The comparison values from a pool folder (None: the default pool) or from pool frames."""
    if isinstance(quelle, Mapping):
        frame = quelle.get(TABELLE)
        return empty_frame(TABLES[TABELLE]) if frame is None else frame
    from kennzahlen.pool.load import load_pool, pool_files

    try:
        vorhanden = (pool_files(quelle) / f"{TABELLE}.parquet").exists()
    except Exception:  # no pool at all: no comparison values
        return empty_frame(TABLES[TABELLE])
    if not vorhanden:
        return empty_frame(TABLES[TABELLE])
    return load_pool(quelle, TABELLE)


def werte_des_rings(
    vergleich: pd.DataFrame, kennzahl: str, jahr: str | int, eigene_stadt: str
) -> dict[str, pd.DataFrame]:
    """Per ring: the other cities' rows for a Kennzahl and year (the own city left out: its
    value comes from the pool)."""
    if vergleich.empty:
        return {}
    rows = vergleich[
        (vergleich["kennzahl"].astype(str) == kennzahl)
        & (pd.to_numeric(vergleich["jahr"]) == int(jahr))
        & (vergleich["vergleich"].astype(str).str.strip().str.casefold() != eigene_stadt.casefold())
    ]
    return {str(r): g.reset_index(drop=True) for r, g in rows.groupby("ring", sort=True)}
