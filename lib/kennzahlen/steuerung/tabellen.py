"""The steering deliveries as pool tables: ``erlaeuterungen``, ``massnahmen``, ``personal``.

The pool build stores them as read and validated (newest Stand per key); the reports read them
from the pool (:func:`load_tabelle`), never from ``data/raw/``. A pool built before these tables
existed gives empty frames with the contract columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from kennzahlen.core.schema import TABLES
from kennzahlen.reading.checks import empty_frame

POOL_TABELLEN = ("erlaeuterungen", "massnahmen", "personal")
#: the pool files each product reads beyond the Kennzahlen (for the runner's "unchanged?" test)
PRODUKT_TABELLEN = {
    2: ("erlaeuterungen", "personal"),
    3: ("vergleichswerte",),
    4: ("erlaeuterungen", "massnahmen", "vergleichswerte"),
}


def pool_frames(raw: object) -> dict[str, pd.DataFrame]:
    """The steering tables of a validated delivery (``RawData``) for the pool."""
    tables = getattr(raw, "tables", None) or {}
    out = {}
    for name in POOL_TABELLEN:
        frame = tables.get(name)
        out[name] = empty_frame(TABLES[name]) if frame is None else frame.reset_index(drop=True)
    return out


def load_tabelle(quelle: str | Path | Mapping[str, pd.DataFrame] | None, name: str) -> pd.DataFrame:
    """One steering table from a pool folder (None: the default pool) or from pool frames."""
    if name not in POOL_TABELLEN:
        raise KeyError(f"keine Steuerungstabelle: {name}")
    if isinstance(quelle, Mapping):
        frame = quelle.get(name)
        return empty_frame(TABLES[name]) if frame is None else frame
    from kennzahlen.pool.load import load_pool, pool_files

    if not (pool_files(quelle) / f"{name}.parquet").exists():
        return empty_frame(TABLES[name])
    return load_pool(quelle, name)


def abhaengigkeiten(produkt: int, manifest: dict) -> dict[str, str | None]:
    """Checksums of the steering tables a product reads (part of the runner's input hash)."""
    dateien = manifest.get("dateien", {})
    return {f"{n}.parquet": dateien.get(f"{n}.parquet") for n in PRODUKT_TABELLEN.get(produkt, ())}
