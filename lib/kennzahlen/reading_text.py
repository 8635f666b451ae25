"""Reading one export file as text: encodings, CSV dialects, XLSX sheets, the contract's columns."""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .reading_checks import Problem, _finish, _nfc, _parse_and_check, empty_frame
from .schema import (
    TABLES,
    Table,
)

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
        text, problems, info["warnungen"] = _read_xlsx_text(path)
    else:
        text, problems, info["encoding"], info["trennzeichen"] = _read_csv_text(path)
    if text is None:
        return empty_frame(table), problems, info
    raw, col_problems = _match_columns(text, table, datei)
    problems.extend(col_problems)
    info["zeilen"] = len(raw)
    frame, value_problems = _parse_and_check(raw, table, raumgliederung, datei)
    problems.extend(value_problems)
    missing = [c for c in table.column_names if c not in raw.columns]
    if missing:
        return empty_frame(table), problems, info
    bad_lines = {p.zeile for p in value_problems}
    if bad_lines:
        frame = frame[~frame.index.isin(list(bad_lines))]
    out = _finish(frame, table, raumgliederung, stand, datei)
    return out, problems, info


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _wide_encoding(data: bytes) -> str | None:
    """'UTF-16' / 'UTF-32' when the bytes are in one of these (by BOM or by NUL bytes), else
    None."""
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            return name
    head = data[:4096]
    if head.count(b"\x00") * 4 >= len(head) > 0:  # text in UTF-8/Windows-1252 has no NUL bytes
        return "UTF-16" if head.count(b"\x00\x00") * 8 < len(head) else "UTF-32"
    return None


def _decode(data: bytes) -> tuple[str, str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"
    return text, "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"


def _parse_csv(text: str, sep: str, datei: str) -> tuple[pd.DataFrame, list[Problem]]:
    """All fields as text, indexed by file line; a line with too many fields is a problem."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            on_bad_lines="warn",
            engine="c",
        )
    problems: list[Problem] = []
    skipped: list[int] = []
    for w in caught:
        for m in re.finditer(r"line (\d+): expected (\d+) fields, saw (\d+)", str(w.message)):
            skipped.append(int(m[1]))
            problems.append(
                Problem(
                    datei,
                    int(m[1]),
                    None,
                    None,
                    f"Die Zeile hat {m[3]} Felder, die Kopfzeile {m[2]}; bitte Werte, die das "
                    f"Trennzeichen '{sep}' enthalten, in Anführungszeichen setzen.",
                )
            )
    lines = np.arange(1, len(df) + len(skipped) + 1)
    if skipped:
        lines = np.setdiff1d(lines, skipped)
    df.index = lines[: len(df)]
    return df, problems


def _read_csv_text(
    path: Path,
) -> tuple[pd.DataFrame | None, list[Problem], str | None, str | None]:
    datei = path.name
    data = path.read_bytes()
    wide = _wide_encoding(data)
    if wide:
        msg = (
            f"Die Datei ist als {wide} gespeichert; gelesen werden UTF-8 und Windows-1252 (ANSI). "
            "Bitte neu exportieren, z. B. in Excel als „CSV UTF-8 (durch Trennzeichen getrennt)“."
        )
        return None, [Problem(datei, None, None, wide, msg)], wide, None
    try:
        text, encoding = _decode(data)
    except UnicodeDecodeError as exc:
        msg = (
            f"Zeichenkodierung nicht lesbar ({exc.reason}); bitte als UTF-8 oder "
            "Windows-1252 (ANSI) exportieren."
        )
        return None, [Problem(datei, None, None, None, msg)], None, None
    header = text.split("\n", 1)[0]
    if not header.strip():
        msg = (
            "Die Datei ist leer oder die erste Zeile (Kopfzeile) ist leer; bitte den Export "
            "mit Kopfzeile wiederholen."
        )
        return None, [Problem(datei, 1, None, None, msg)], encoding, None
    sep = ";" if header.count(";") >= header.count(",") else ","
    df, problems = _parse_csv(text, sep, datei)
    return df.fillna(""), problems, encoding, sep


def _read_xlsx_text(path: Path) -> tuple[pd.DataFrame | None, list[Problem], list[str]]:
    import openpyxl

    datei = path.name
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure of openpyxl means: unreadable file
        msg = (
            f"Excel-Datei nicht lesbar ({exc}); bitte als .xlsx neu speichern oder als CSV "
            "exportieren."
        )
        return None, [Problem(datei, None, None, None, msg)], []
    try:
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        extra = [ws.title for ws in wb.worksheets[1:] if _has_values(ws)]
    finally:
        wb.close()
    notes = []
    if extra:
        notes.append(
            f"{datei}: hat weitere Tabellenblätter mit Inhalt "
            f"({', '.join(repr(t) for t in extra)}); gelesen wird nur das erste "
            f"('{wb.worksheets[0].title}'). Gehören Daten dorthin, bitte alles auf das erste "
            "Blatt legen"
        )
    if not rows or all(v is None for v in rows[0]):
        msg = (
            "Das erste Tabellenblatt ist leer oder hat in Zeile 1 keine Kopfzeile; bitte den "
            "Export mit Kopfzeile wiederholen."
        )
        return None, [Problem(datei, 1, None, None, msg)], notes
    df = pd.DataFrame.from_records(rows)
    df.index = np.arange(1, len(df) + 1)
    # Excel gives real numbers, dates and booleans: turn every cell into its text, then
    # undo what str() did to dates (time 00:00:00) and whole numbers (110.0).
    for c in df.columns:
        s = df[c]
        text = s.astype(str).where(s.notna(), "")
        text = text.str.replace(
            r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$", r"\1", regex=True
        )
        df[c] = text
    return df, [], notes


def _has_values(ws) -> bool:
    """Whether a worksheet holds any non-empty cell."""
    for row in ws.iter_rows(values_only=True):
        if any(v is not None and str(v).strip() for v in row):
            return True
    return False


def _match_columns(
    df: pd.DataFrame, table: Table, datei: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Data rows (blank rows dropped) with the contract columns found in the header."""
    names = [unicodedata.normalize("NFC", str(v)).strip().lower() for v in df.iloc[0]]
    data = df.iloc[1:]
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
    raw = pd.DataFrame(
        {name: _nfc(data.iloc[:, pos].astype(str).str.strip()) for name, pos in positions.items()},
        index=data.index,
    )
    raw = raw.reindex(columns=[c for c in table.column_names if c in positions])
    # drop blank rows (also ';;;' rows); with no contract column found there is nothing to read
    raw = raw[(raw != "").any(axis=1)] if len(raw.columns) else raw.iloc[0:0]
    return raw, problems
