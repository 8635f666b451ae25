"""Reading and validating the raw deliveries in ``data/raw/`` (``DATA_CONTRACT.md`` section 2).

Every file ``<table>_<YYYY-MM-DD>.csv|.xlsx`` is read as text, its columns are matched to the
contract (:mod:`kennzahlen.schema`), the values are parsed column by column (vectorised) and
checked with pandera. Every problem of every file is collected; :func:`read_raw` raises
:class:`InvalidInput` listing all of them, or returns the normalised tables with superseding
applied (the row from the newest export wins).

Line numbers: the index of every frame built here is the line number in the file (CSV: the
header is line 1; XLSX: the sheet row), so pandera's failure cases point straight at lines.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .schema import (
    BOOL_FALSE,
    BOOL_TRUE,
    OHNE_ZUORDNUNG,
    TABLES,
    Column,
    Table,
    output_dtypes,
)
from .teile import teile_befunde

FILE_PATTERN = re.compile(
    r"^(?P<tabelle>[a-z0-9_]+?)_(?P<stand>\d{4}-\d{2}-\d{2})\.(?P<format>csv|xlsx)$",
    re.IGNORECASE,
)
IGNORED_FILES = {"readme.md", "readme.txt", ".gitkeep", "thumbs.db", "desktop.ini"}
DATE_HINT = "(erwartet JJJJ-MM-TT oder TT.MM.JJJJ)"
BOOL_HINT = "(erwartet ja/nein, j/n, 1/0 oder true/false)"
_BOOL_MAP = {**dict.fromkeys(BOOL_TRUE, True), **dict.fromkeys(BOOL_FALSE, False)}
_NUMERIC_KINDS = {"area", "code", "id", "int", "count"}
_MIN_YEAR, _MAX_YEAR = 1900, 2100
_MANIFEST_DTYPES = {
    "datei": "str",
    "tabelle": "str",
    "stand": "datetime64[ns]",
    "zeilen": "int64",
    "zeilen_verwendet": "int64",
    "format": "str",
    "encoding": "str",
    "trennzeichen": "str",
}


@dataclass
class Problem:
    """One problem in the input: where it is (file, line, column), the value, what to fix."""

    datei: str
    zeile: int | None
    spalte: str | None
    wert: str | None
    meldung: str

    def __str__(self) -> str:
        where = [self.datei]
        if self.zeile is not None:
            where.append(f"Zeile {self.zeile}")
        if self.spalte is not None:
            where.append(f"Spalte '{self.spalte}'")
        return f"{', '.join(where)}: {self.meldung}"


class InvalidInput(Exception):
    """Bad raw data: carries every problem of every file."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} Problem in den Rohdaten:" if n == 1 else f"{n} Probleme in den Rohdaten:"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))

    def __reduce__(self):  # keep the problems when the exception crosses a process boundary
        return (type(self), (self.problems,))


@dataclass
class RawData:
    """The normalised raw tables (superseding applied), the file manifest and warnings."""

    tables: dict[str, pd.DataFrame]
    files: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------
# public functions


def read_raw(
    raw_dir: Path, raumgliederung: pd.DataFrame | None = None, heute: date | None = None
) -> RawData:
    """Read and validate every delivery in ``raw_dir``; raise InvalidInput listing all problems.

    ``heute`` is the day of the build (default: today): a Stand after it is bad input.
    """
    raw_dir = Path(raw_dir)
    if raumgliederung is None:
        from .geography import raumgliederung as load_raumgliederung

        raumgliederung = load_raumgliederung()
    found, warn, problems = _scan(raw_dir)
    problems.extend(stand_problems([p.name for p, _ in found], heute or date.today()))
    if not found and not problems:
        problems.append(
            Problem(
                raw_dir.name or str(raw_dir),
                None,
                None,
                None,
                f"Keine Lieferung im Rohdatenordner {raw_dir}: der Ordner fehlt oder enthält "
                "keine Datei <tabelle>_<JJJJ-MM-TT>.csv/.xlsx. Bitte die Exporte dort ablegen "
                "(oder mit 'kennzahlen demo' Demodaten erzeugen).",
            )
        )
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    manifest: list[dict] = []
    for path, table in found:
        frame, file_problems, info = _read_file(path, table, raumgliederung)
        problems.extend(file_problems)
        frames[table.name].append(frame)
        manifest.append(info)
        warn.extend(info.pop("warnungen", []))
        if not file_problems and info["zeilen"] == 0:
            warn.append(
                f"{path.name}: enthält nur die Kopfzeile, keine Datenzeilen (0 Zeilen gelesen); bitte "
                f"prüfen, ob der Export vollständig ist"
            )
    if problems:
        raise InvalidInput(problems)

    tables = {name: supersede(parts, TABLES[name]) for name, parts in frames.items()}
    files = pd.DataFrame(manifest, columns=list(_MANIFEST_DTYPES))
    used = pd.concat([t["datei"] for t in tables.values()]).value_counts()
    files["zeilen_verwendet"] = files["datei"].map(used).fillna(0)
    files = files.astype(_MANIFEST_DTYPES)
    return RawData(tables=tables, files=files, warnings=warn)


def read_file(
    path: Path, table: Table, raumgliederung: pd.DataFrame
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one delivery: the normalised frame (before superseding, rows with a problem left
    out) with ``stand``/``datei``, and the list of its problems."""
    frame, problems, _info = _read_file(Path(path), table, raumgliederung)
    return frame, problems


def supersede(frames: list[pd.DataFrame], table: Table) -> pd.DataFrame:
    """Concatenate the files of one table; per key the row of the newest Stand wins (ties: the
    later file name)."""
    if not frames:
        return empty_frame(table)
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values(["stand", "datei"], kind="stable")
    df = df.drop_duplicates(subset=list(table.key), keep="last")
    return df.reset_index(drop=True).astype(output_dtypes(table))


def empty_frame(table: Table) -> pd.DataFrame:
    """A normalised frame of ``table`` with no rows, with the output columns and dtypes."""
    dtypes = output_dtypes(table)
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in dtypes.items()})


def parse_file_name(name: str) -> tuple[str, date] | None:
    """``(table, stand)`` from a name like ``jugendhilfe_2021-01-15.csv``, or None.

    Raises ValueError when the name has the form of a delivery of a contract table but the
    date does not exist."""
    m = FILE_PATTERN.match(name)
    if not m or m["tabelle"].lower() not in TABLES:
        return None
    return m["tabelle"].lower(), date.fromisoformat(m["stand"])


def stand_problems(names: list[str], heute: date) -> list[Problem]:
    """Stands that cannot be right: after the day of the build, or two exports of one table with
    the same Stand (which one wins would be a guess)."""
    problems: list[Problem] = []
    by_stand: dict[tuple[str, date], list[str]] = {}
    for name in sorted(names):
        parsed = parse_file_name(name)
        if parsed is None:
            continue
        table, stand = parsed
        by_stand.setdefault((table, stand), []).append(name)
        if stand > heute:
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    stand.isoformat(),
                    f"Der Stand im Dateinamen ({stand:%d.%m.%Y}) liegt nach dem Tag des Laufs "
                    f"({heute:%d.%m.%Y}); bitte das Datum im Dateinamen prüfen (Datum = "
                    "Exportdatum, z. B. ein Tippfehler im Jahr).",
                )
            )
    for (table, stand), files in sorted(by_stand.items()):
        if len(files) > 1:
            others = " und ".join(files[1:])
            problems.append(
                Problem(
                    files[0],
                    None,
                    None,
                    others,
                    f"Zwei Exporte der Tabelle '{table}' mit demselben Stand {stand:%d.%m.%Y}: "
                    f"{files[0]} und {others}. Welcher gilt, wäre geraten; bitte nur einen Export "
                    "je Stand ablegen (den falschen entfernen oder das Datum im Namen korrigieren).",
                )
            )
    return problems


# --------------------------------------------------------------------------------------
# finding files


def _scan(raw_dir: Path) -> tuple[list[tuple[Path, Table]], list[str], list[Problem]]:
    found: list[tuple[Path, Table]] = []
    warn: list[str] = []
    problems: list[Problem] = []
    if not raw_dir.is_dir():
        return found, warn, problems
    for path in sorted(raw_dir.iterdir(), key=lambda p: p.name):
        name = path.name
        if name.startswith((".", "~$")) or name.lower() in IGNORED_FILES:
            continue
        if path.is_dir():
            warn.append(f"{name}: Unterordner im Rohdatenordner wird nicht gelesen")
            continue
        try:
            parsed = parse_file_name(name)
        except ValueError:
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    name,
                    "Das Datum im Dateinamen ist kein gültiges Datum; bitte die Datei "
                    "<tabelle>_<JJJJ-MM-TT>.csv nennen (Datum = Exportdatum).",
                )
            )
            continue
        if parsed is None:
            warn.append(
                f"{name}: passt zu keiner Tabelle des Datenvertrags "
                "(<tabelle>_<JJJJ-MM-TT>.csv oder .xlsx) und wird nicht gelesen"
            )
            continue
        found.append((path, TABLES[parsed[0]]))
    return found, warn, problems


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
    """'UTF-16' / 'UTF-32' when the bytes are in one of these (by BOM or by NUL bytes), else None."""
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            return name
    head = data[:4096]
    if head.count(b"\x00") * 4 >= len(head) > 0:  # text in UTF-8/Windows-1252 has no NUL bytes
        return "UTF-16" if head.count(b"\x00\x00") * 8 < len(head) else "UTF-32"
    return None


def _nfc(s: pd.Series) -> pd.Series:
    """Text in Unicode NFC (a decomposed 'ö' equals the composed one); only non-ASCII values change."""
    codes, uniques = pd.factorize(s)
    values = [str(u) for u in uniques]
    if all(v.isascii() for v in values):
        return s
    fixed = np.array([unicodedata.normalize("NFC", v) for v in values], dtype=object)
    out = (
        np.where(codes >= 0, fixed[np.maximum(codes, 0)], "")
        if len(fixed)
        else np.array([], dtype=object)
    )
    return pd.Series(out, index=s.index, dtype=s.dtype)


def _decode(data: bytes) -> tuple[str, str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"
    return text, "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"


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
    return df.fillna(""), problems, encoding, sep


def _read_xlsx_text(path: Path) -> tuple[pd.DataFrame | None, list[Problem], list[str]]:
    import openpyxl

    datei = path.name
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure of openpyxl means: unreadable file
        return (
            None,
            [
                Problem(
                    datei,
                    None,
                    None,
                    None,
                    f"Excel-Datei nicht lesbar ({exc}); bitte als "
                    ".xlsx neu speichern oder als CSV exportieren.",
                )
            ],
            [],
        )
    try:
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        extra = [ws.title for ws in wb.worksheets[1:] if _has_values(ws)]
    finally:
        wb.close()
    notes = []
    if extra:
        notes.append(
            f"{datei}: hat weitere Tabellenblätter mit Inhalt ({', '.join(repr(t) for t in extra)}); "
            f"gelesen wird nur das erste ('{wb.worksheets[0].title}'). Gehören Daten dorthin, bitte "
            f"alles auf das erste Blatt legen"
        )
    if not rows or all(v is None for v in rows[0]):
        return (
            None,
            [
                Problem(
                    datei,
                    1,
                    None,
                    None,
                    "Das erste Tabellenblatt ist leer oder hat in Zeile 1 "
                    "keine Kopfzeile; bitte den Export mit Kopfzeile wiederholen.",
                )
            ],
            notes,
        )
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


# --------------------------------------------------------------------------------------
# parsing (vectorised) and checking (pandera)


def _parse_dates(s: pd.Series) -> pd.Series:
    """Text -> datetime64[ns]; NaT where empty or not a date (parses each distinct value once)."""
    codes, uniques = pd.factorize(s)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    iso = pd.to_datetime(
        u.where(u.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d", errors="coerce"
    )
    de = pd.to_datetime(
        u.where(u.str.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}")), format="%d.%m.%Y", errors="coerce"
    )
    parsed = iso.fillna(de)
    parsed = parsed.where(parsed.dt.year.between(_MIN_YEAR, _MAX_YEAR))
    parsed = parsed.astype("datetime64[ns]")
    values = parsed.to_numpy()
    out = np.where(codes >= 0, values[np.maximum(codes, 0)], np.datetime64("NaT"))
    return pd.Series(out, index=s.index, dtype="datetime64[ns]")


def _parse_column(s: pd.Series, col: Column) -> pd.Series:
    """Raw text (stripped, '' = empty) -> the typed values; NA where empty or unparseable."""
    if col.kind in _NUMERIC_KINDS:
        s = s.str.replace(r"^([+-]?\d+)\.0+$", r"\1", regex=True)
    empty = s == ""
    if col.kind == "date":
        return _parse_dates(s)
    if col.kind in ("int", "count"):
        ok = s.str.fullmatch(r"[+-]?\d{1,15}")
        return pd.to_numeric(s.where(ok), errors="coerce").astype("Int64")
    if col.kind == "bool":
        return s.str.lower().map(_BOOL_MAP).astype("boolean")
    if col.kind == "code":
        s = s.str.lower()
    elif col.kind == "quarter":
        s = s.str.upper()
    return s.where(~empty).astype("str")


def _value_checks(col: Column, stadtviertel: list[str], sozialraeume: list[str]) -> list[pa.Check]:
    if col.kind == "code":
        return [pa.Check.isin(list(col.codes))]
    if col.kind == "area":
        return [pa.Check.isin(stadtviertel)]
    if col.kind == "sozialraum":
        return [pa.Check.isin([*sozialraeume, OHNE_ZUORDNUNG])]
    if col.kind == "quarter":
        return [pa.Check.str_matches(r"^\d{4}-Q[1-4]$")]
    if col.kind in ("int", "count"):
        if col.min_value is not None and col.max_value is not None:
            return [pa.Check.in_range(col.min_value, col.max_value)]
        if col.min_value is not None:
            return [pa.Check.ge(col.min_value)]
        if col.max_value is not None:
            return [pa.Check.le(col.max_value)]
    return []


def _ende_nach_beginn(df: pd.DataFrame) -> pd.Series:
    return df["ende"].isna() | df["beginn"].isna() | (df["ende"] >= df["beginn"])


def _rg_codes(raumgliederung: pd.DataFrame) -> tuple[list[str], list[str]]:
    stv = (
        raumgliederung["stadtviertel_nr"]
        .astype(str)
        .str.strip()
        .str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    )
    sr = _nfc(raumgliederung["sozialraum"].astype(str).str.strip())
    return stv.tolist(), sorted(sr.unique().tolist())


def _value_message(col: Column, value: str, sozialraeume: list[str]) -> str:
    v = f"'{value}'"
    if col.kind == "code":
        return f"Unbekannter Code: {v} (erlaubt: {', '.join(col.codes)})"
    if col.kind == "area":
        return (
            f"Stadtviertel unbekannt: {v} (nicht in config/raumgliederung.csv; "
            "leer lassen, wenn die Adresse unbekannt ist)"
        )
    if col.kind == "sozialraum":
        return (
            f"Sozialraum unbekannt: {v} (erlaubt: {', '.join(sozialraeume)}, "
            f"{OHNE_ZUORDNUNG} oder leer)"
        )
    if col.kind == "quarter":
        return f"Quartal nicht lesbar: {v} (erwartet JJJJ-Qn, z. B. 2021-Q3)"
    if col.kind == "count" and col.max_value is None:
        return f"Anzahl negativ: {v} (erwartet eine ganze Zahl ab {col.min_value})"
    lo = "" if col.min_value is None else col.min_value
    hi = "" if col.max_value is None else col.max_value
    return f"Wert außerhalb des erlaubten Bereichs {lo}–{hi}: {v}"


def _parse_message(col: Column, value: str) -> str:
    v = f"'{value}'"
    if col.kind == "date":
        return f"Datum nicht lesbar: {v} {DATE_HINT}"
    if col.kind in ("int", "count"):
        return f"Keine ganze Zahl: {v} (erwartet z. B. 12, ohne Tausenderpunkt)"
    return f"Ja/Nein-Wert nicht lesbar: {v} {BOOL_HINT}"


def _problems_at(datei: str, lines, col: str, values, message) -> list[Problem]:
    return [
        Problem(datei, int(z), col, str(w), message(str(w)))
        for z, w in zip(lines, values, strict=True)
    ]


def _parse_and_check(
    raw: pd.DataFrame, table: Table, raumgliederung: pd.DataFrame, datei: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse every present column and check the values; problems sorted by line and column."""
    stadtviertel, sozialraeume = _rg_codes(raumgliederung)
    cols = [table.column(c) for c in raw.columns]
    parsed = pd.DataFrame({c.name: _parse_column(raw[c.name], c) for c in cols}, index=raw.index)
    problems: list[Problem] = []

    # 1. values that are there but cannot be parsed (dates, numbers, booleans)
    failed = pd.DataFrame(False, index=raw.index, columns=raw.columns)
    for c in cols:
        if c.kind in ("date", "int", "count", "bool"):
            bad = (raw[c.name] != "") & parsed[c.name].isna()
            failed[c.name] = bad
            problems += _problems_at(
                datei,
                raw.index[bad],
                c.name,
                raw.loc[bad, c.name],
                lambda w, c=c: _parse_message(c, w),
            )

    # 2. pandera: required values, codes, ranges, ende >= beginn
    checks = []
    if "ende_nach_beginn" in table.checks and {"beginn", "ende"} <= set(raw.columns):
        checks.append(pa.Check(_ende_nach_beginn, name="ende_nach_beginn"))
    schema = pa.DataFrameSchema(
        {
            c.name: pa.Column(
                nullable=not c.required,
                checks=_value_checks(c, stadtviertel, sozialraeume),
                required=True,
            )
            for c in cols
        },
        checks=checks,
    )
    try:
        schema.validate(parsed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems += _pandera_problems(exc.failure_cases, raw, failed, table, datei, sozialraeume)

    # 3. duplicate key inside this file (rows with a problem in a key column are left out:
    #    that problem is reported above, a duplicate would only repeat it)
    key = list(table.key)
    if set(key) <= set(raw.columns) and len(raw):
        key_problem_lines = [p.zeile for p in problems if p.spalte in key]
        ok = ~raw.index.isin(key_problem_lines)
        k = parsed.loc[ok, key]
        dup = k.duplicated(keep="first")
        if dup.any():
            first = (
                pd.Series(k.index, index=k.index)
                .groupby([k[c] for c in key], dropna=False, sort=False)
                .transform("min")
            )
            lines = k.index[dup]
            values = raw.loc[lines, key].agg(" / ".join, axis=1)
            problems += [
                Problem(
                    datei,
                    int(z),
                    ", ".join(key),
                    w,
                    f"Schlüssel doppelt in dieser Datei: '{w}' (schon in Zeile {int(f)}); "
                    "bitte die doppelte Zeile entfernen",
                )
                for z, w, f in zip(lines, values, first[dup], strict=True)
            ]
    # 4. parts never exceed their whole (transferleistungen: SGB II children and unemployed)
    skip = {p.zeile for p in problems if p.zeile is not None}
    problems += [Problem(datei, *b) for b in teile_befunde(parsed, table, skip)]
    order = {c: i for i, c in enumerate(table.column_names)}
    problems.sort(key=lambda p: (p.zeile or 0, order.get(p.spalte or "", len(order))))
    return parsed, problems


def _pandera_problems(
    fc: pd.DataFrame,
    raw: pd.DataFrame,
    failed: pd.DataFrame,
    table: Table,
    datei: str,
    sozialraeume: list[str],
) -> list[Problem]:
    problems: list[Problem] = [
        # not expected: a failure pandera could not pin to a row; still never dropped
        Problem(datei, None, r.column, str(r.failure_case), f"Prüfung {r.check} fehlgeschlagen")
        for r in fc[fc["index"].isna()].itertuples()
    ]
    fc = fc[fc["index"].notna()]
    wide = fc[fc["check"] == "ende_nach_beginn"]
    for z in pd.unique(wide["index"]):
        z = int(z)
        problems.append(
            Problem(
                datei,
                z,
                "ende",
                raw.at[z, "ende"],
                f"Ende vor Beginn: '{raw.at[z, 'ende']}' liegt vor beginn "
                f"'{raw.at[z, 'beginn']}'; bitte die Daten prüfen",
            )
        )
    cols = fc[(fc["schema_context"] == "Column") & (fc["check"] != "ende_nach_beginn")]
    for (name, check), group in cols.groupby(["column", "check"], sort=False):
        col = table.column(name)
        lines = group["index"].astype("int64").to_numpy()
        if check == "not_nullable":
            # a value that was there but could not be parsed is already reported
            lines = lines[~failed[name].reindex(lines).to_numpy(dtype=bool)]
            problems += [
                Problem(datei, int(z), name, "", "Pflichtwert fehlt (leer); bitte ausfüllen")
                for z in lines
            ]
        else:
            problems += _problems_at(
                datei,
                lines,
                name,
                raw.loc[lines, name],
                lambda w, col=col: _value_message(col, w, sozialraeume),
            )
    return problems


def _finish(
    parsed: pd.DataFrame,
    table: Table,
    raumgliederung: pd.DataFrame,
    stand: pd.Timestamp,
    datei: str,
) -> pd.DataFrame:
    """The normalised frame: output dtypes, derived sozialraum, stand and datei."""
    out = parsed[table.column_names].copy()
    if table.has_stadtviertel:
        stadtviertel, _ = _rg_codes(raumgliederung)
        mapping = pd.Series(
            _nfc(raumgliederung["sozialraum"].astype(str).str.strip()).to_numpy(),
            index=stadtviertel,
        )
        out["sozialraum"] = out["stadtviertel_nr"].map(mapping).fillna(OHNE_ZUORDNUNG)
    elif "sozialraum" in out.columns:
        out["sozialraum"] = out["sozialraum"].fillna(OHNE_ZUORDNUNG)
    out["stand"] = stand
    out["datei"] = datei
    return out.reset_index(drop=True).astype(output_dtypes(table))


__all__ = [
    "InvalidInput",
    "Problem",
    "RawData",
    "empty_frame",
    "parse_file_name",
    "read_file",
    "read_raw",
    "stand_problems",
    "supersede",
]
