"""Reading one export file as text: encodings, CSV dialects, XLSX sheets, the contract's columns."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from kennzahlen.core.schema import TABLES, Table
from kennzahlen.reading.checks import _finish, _nfc, _parse_and_check, empty_frame
from kennzahlen.reading.csv import read_csv_text
from kennzahlen.reading.problems import Problem
from kennzahlen.reading.xlsx import read_xlsx_text

FILE_PATTERN = re.compile(
    r"^(?P<tabelle>[a-z0-9_]+?)_(?P<stand>\d{4}-\d{2}-\d{2})\.(?P<format>csv|xlsx)$",
    re.IGNORECASE,
)


def parse_file_name(name: str) -> tuple[str, date] | None:
    """``(table, stand)`` from a name like ``jugendhilfe_2021-01-15.csv``, or None.

    Raises ValueError when the name has the form of a delivery of a contract table but the
    date does not exist."""
    m = FILE_PATTERN.match(name)
    if not m or m["tabelle"].lower() not in TABLES:
        return None
    return m["tabelle"].lower(), date.fromisoformat(m["stand"])


# --------------------------------------------------------------------------------------
# reading one file into a text frame (index = line number, header = line 1)


def _read_file(
    path: Path, table: Table, raumgliederung: pd.DataFrame
) -> tuple[pd.DataFrame, list[Problem], dict]:
    datei = path.name
    try:
        parsed = parse_file_name(datei)
    except ValueError:
        parsed = None
    stand = pd.Timestamp(parsed[1]) if parsed else pd.NaT
    info = {
        "datei": datei,
        "tabelle": table.name,
        "stand": stand,
        "zeilen": 0,
        "format": "xlsx" if path.suffix.lower() == ".xlsx" else "csv",
        "encoding": None,
        "trennzeichen": None,
        "warnungen": [],
    }
    if info["format"] == "xlsx":
        text, problems, info["warnungen"] = read_xlsx_text(path)
    else:
        text, problems, info["encoding"], info["trennzeichen"] = read_csv_text(path)
    if text is None:
        return empty_frame(table), problems, info
    raw, col_problems = _match_columns(text, table, datei)
    del text  # the matched columns are copies: a large export is held once, not twice
    problems.extend(col_problems)
    info["zeilen"] = len(raw)
    frame, value_problems = _parse_and_check(raw, table, raumgliederung, datei)
    problems.extend(value_problems)
    missing = [c for c in table.column_names if c not in raw.columns]
    del raw
    if missing:
        return empty_frame(table), problems, info
    bad_lines = {p.zeile for p in value_problems}
    if bad_lines:
        frame = frame[~frame.index.isin(list(bad_lines))]
    out = _finish(frame, table, raumgliederung, stand, datei)
    release_memory()
    return out, problems, info


def release_memory() -> None:
    """Hand memory that Arrow's allocator keeps after a large file back to the system."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _match_columns(
    df: pd.DataFrame, table: Table, datei: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Data rows (blank rows dropped) with the contract columns found in the header.

    Takes the columns out of ``df`` one by one (``df`` is left without them): a large export's
    text is held once, not twice.
    """
    names = [unicodedata.normalize("NFC", str(v)).strip().lower() for v in df.iloc[0]]
    index = df.index[1:]
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    for pos, name in enumerate(names):
        if name not in table.column_names:
            continue
        if name in positions:
            problems.append(
                Problem(
                    datei,
                    1,
                    name,
                    df.iloc[0, pos],
                    "Die Spalte kommt mehrfach in der "
                    "Kopfzeile vor; bitte nur eine Spalte mit diesem Namen liefern.",
                )
            )
            continue
        positions[name] = pos
    present = ", ".join(n for n in names if n) or "keine"
    for name in table.column_names:
        if name not in positions:
            problems.append(
                Problem(
                    datei,
                    1,
                    name,
                    None,
                    f"Pflichtspalte fehlt (gefundene Spalten: {present}); bitte den Export mit "
                    f"allen Spalten der Tabelle '{table.name}' wiederholen.",
                )
            )
    return _take_columns(df, table, positions, index), problems


def _take_columns(
    df: pd.DataFrame, table: Table, positions: dict[str, int], index: pd.Index
) -> pd.DataFrame:
    """The contract columns at ``positions`` as stripped NFC text, blank rows dropped."""
    labels = {name: df.columns[pos] for name, pos in positions.items()}
    raw = pd.DataFrame(index=index)
    filled = np.zeros(len(index), dtype=bool)
    for name in [c for c in table.column_names if c in positions]:
        text = _nfc(df.pop(labels[name]).iloc[1:].astype(str).str.strip())
        filled |= (text != "").to_numpy(dtype=bool)
        raw[name] = text
    # drop blank rows (also ';;;' rows); with no contract column found there is nothing to read
    if not len(raw.columns):
        return raw.iloc[0:0]
    return raw if filled.all() else raw[filled]
