"""Test helper: write normalised tables back as exports (one file per table), as a case system's
full export would hold them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kennzahlen.core.schema import TABLES
from kennzahlen.reading.raw import read_raw


def write_export(frame: pd.DataFrame, table: str, stand: pd.Timestamp, out: Path) -> Path:
    """One CSV export ``<table>_<stand>.csv`` of a normalised frame (contract columns only)."""
    spec = TABLES[table]
    df = pd.DataFrame(index=frame.index)
    for c in spec.columns:
        col = frame[c.name]
        if c.kind == "date":
            df[c.name] = pd.to_datetime(col).dt.strftime("%Y-%m-%d").fillna("")
        elif c.kind == "bool":
            df[c.name] = col.map({True: "ja", False: "nein"})
        else:
            df[c.name] = col.astype(object).where(col.notna(), "").astype(str)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{table}_{pd.Timestamp(stand):%Y-%m-%d}.csv"
    df.to_csv(path, sep=";", index=False, encoding="utf-8")
    return path


def merge_exports(
    raw_dir: Path, out: Path, raumgliederung: pd.DataFrame | None = None, skip: tuple[str, ...] = ()
) -> list[Path]:
    """One export per table holding the latest version of every record of all its exports
    (count tables: every Stichtag), with the newest Stand of that table."""
    raw = read_raw(raw_dir, raumgliederung)
    written = []
    for table, frame in raw.tables.items():
        stands = raw.files.loc[raw.files["tabelle"] == table, "stand"]
        if stands.empty or table in skip:
            continue
        written.append(write_export(frame, table, stands.max(), out))
    return written
