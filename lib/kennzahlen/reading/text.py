"""Reading one export file as text: encodings, CSV dialects, XLSX sheets, the contract's columns."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pandas as pd

from kennzahlen.core.schema import TABLES, Table
from kennzahlen.reading.csv import read_csv_text
from kennzahlen.reading.problems import Problem
from kennzahlen.reading.stapel import Datei
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


def read_text(path: Path, table: Table) -> tuple[Datei | None, list[Problem], dict]:
    """One export as text with the contract's columns found in its header (None: unreadable),
    its problems so far (the file, its rows' fields, its header) and its manifest entry."""
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
        return None, problems, info
    kopf, daten, zeilen = text
    positions, col_problems = _match_header(kopf, table, datei)
    problems.extend(col_problems)
    return Datei(datei, stand, daten, zeilen, positions), problems, info


def release_memory() -> None:
    """Hand memory that Arrow's allocator keeps after a large file back to the system."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _match_header(
    kopf: list[str], table: Table, datei: str
) -> tuple[dict[str, int], list[Problem]]:
    """Where the contract's columns are in the header cells ``kopf``, and the problems of the
    header: a column twice, a required column missing."""
    names = [unicodedata.normalize("NFC", str(v)).strip().lower() for v in kopf]
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
                    kopf[pos],
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
    return positions, problems
