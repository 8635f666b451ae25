"""Reading an XLSX delivery as text: the first sheet, every cell as the text it shows.

calamine (Rust, ``python-calamine``, through ``pandas.read_excel(engine="calamine")``) reads the
sheet; it is about ten times as fast as openpyxl, which parses cell by cell in Python. A file that
calamine cannot open is read with openpyxl, and the build log says so in a warning; a file neither
can read is a problem naming the file, whatever the reader throws (also a Rust panic). Before
either reader, :mod:`kennzahlen.reading.xlsxgroesse` checks how far the sheets reach: a stray value
in
cell XFD1048576 would make calamine allocate the dense range and abort the process. Both readers
give the same text: the index of the frame is
the sheet row (header = row 1), empty cells are ``""``, numbers lose a ``.0`` Excel added, dates
lose a time of 00:00:00.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kennzahlen.reading.csv import Text

if TYPE_CHECKING:
    from kennzahlen.reading.xlsxgroesse import Ausdehnung

# fastexcel warns "falling back to string" for every empty column; the text is the same
logging.getLogger("fastexcel").setLevel(logging.ERROR)

#: (text or None, problems, warnings): what :func:`read_xlsx_text` returns
XlsxText = tuple[Text | None, list, list[str]]

_DATE_TIME = r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$"


def read_xlsx_text(path: Path) -> XlsxText:
    """The first sheet of ``path`` as text (calamine; openpyxl where calamine fails)."""
    datei = path.name
    from kennzahlen.reading.xlsxgroesse import pruefe

    groesse, blaetter = pruefe(path)  # before any reader allocates the sheet's whole range
    if groesse is not None:
        return None, [_problem(datei, None, groesse)], []
    try:
        first, rows, extra = _read_calamine(path, blaetter)
        notes: list[str] = []
    except BaseException as exc:  # noqa: BLE001 - also a Rust panic (pyo3 PanicException)
        _reraise_interrupt(exc)
        try:
            first, rows, extra = _read_openpyxl(path)
        except BaseException as exc2:  # noqa: BLE001 - neither can read it: an unreadable file
            _reraise_interrupt(exc2)
            return None, [_unreadable(datei, exc2)], []
        notes = [
            f"{datei}: mit dem schnellen Excel-Leser (calamine) nicht lesbar ({_kurz(exc)}); "
            "langsamer mit openpyxl gelesen. Speichert die Fachanwendung die Datei neu als .xlsx "
            "(oder als CSV), geht es wieder schnell"
        ]
    if extra:
        notes.append(
            f"{datei}: hat weitere Tabellenblätter mit Inhalt "
            f"({', '.join(repr(t) for t in extra)}); "
            f"gelesen wird nur das erste ('{first}'). Gehören Daten dorthin, bitte "
            f"alles auf das erste Blatt legen"
        )
    text = _als_text(rows)
    if text is None or all(k == "" for k in text[0]):
        return None, [_no_header(datei)], notes
    return text, [], notes


def _als_text(rows: list | pd.DataFrame | None) -> Text | None:
    """The cells (Arrow columns from :func:`_zeilen`, or a text frame, the header row first) as
    :data:`kennzahlen.reading.csv.Text` (None: no row)."""
    import pyarrow as pa

    if isinstance(rows, pd.DataFrame):
        if not len(rows):
            return None
        kopf = [str(v) for v in rows.iloc[0]]
        cols = [_arrow_text(rows.iloc[1:, i]) for i in range(rows.shape[1])]
        zeilen = rows.index[1:].to_numpy(dtype=np.int64)
    else:
        if not rows or not len(rows[0]):
            return None
        kopf = [str(c[0].as_py()) for c in rows]
        cols = [c.slice(1) for c in rows]
        zeilen = np.arange(2, len(rows[0]) + 1, dtype=np.int64)
    return kopf, pa.table({f"f{i}": c for i, c in enumerate(cols)}), zeilen


def _arrow_text(s: pd.Series) -> Any:
    """A column of text as an Arrow string array (the Arrow data of a ``str`` column as is)."""
    import pyarrow as pa

    if s.dtype != "str":
        return pa.array(s.to_numpy(dtype=object), pa.string())
    arr = pa.array(s.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.fill_null("").cast(pa.string())


def _reraise_interrupt(exc: BaseException) -> None:
    """Ctrl+C and exit go on; anything else a reader throws (pyo3's PanicException derives from
    BaseException) is a file that cannot be read."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc


def _problem(datei: str, zeile: int | None, meldung: str):
    from kennzahlen.reading.problems import Problem

    return Problem(datei, zeile, None, None, meldung)


def _unreadable(datei: str, exc: BaseException):
    return _problem(
        datei,
        None,
        f"Excel-Datei nicht lesbar ({_kurz(exc)}); bitte als .xlsx neu speichern oder als CSV "
        "exportieren.",
    )


def _no_header(datei: str):
    return _problem(
        datei,
        1,
        "Das erste Tabellenblatt ist leer oder hat in Zeile 1 keine Kopfzeile; bitte den Export "
        "mit Kopfzeile wiederholen.",
    )


def _kurz(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _read_calamine_frame(path: Path) -> tuple[str, pd.DataFrame | None, list[str]]:
    """First sheet's name, its cells as a text frame (as :func:`_read_calamine_pandas` gives
    them), the names of further sheets with content."""
    first, rows, extra = _read_calamine(path)
    return first, rows if not isinstance(rows, list) else _zeilen_text(rows), extra


def _read_calamine(
    path: Path, blaetter: list[Ausdehnung] | None = None
) -> tuple[str, list | pd.DataFrame | None, list[str]]:
    """First sheet's name, its cells as text, the names of further sheets with content: a
    workbook of one sheet of text and numbers straight from fastexcel into Arrow
    (:func:`_read_fastexcel`,
    given the sheets' extent ``blaetter`` from the scan); else the cells straight from
    python-calamine as Arrow columns, converted as pandas' calamine reader converts them
    (:func:`_read_calamine_pandas`, in about two thirds of its time; the same text,
    tests/test_reading_xlsx_direkt.py); a sheet of ragged rows goes through pandas (a frame)."""
    from python_calamine import CalamineWorkbook

    if blaetter is not None:
        try:
            gelesen = _read_fastexcel(path, blaetter)
        except BaseException as exc:  # noqa: BLE001 - what fastexcel cannot read, python-calamine tries
            _reraise_interrupt(exc)
            gelesen = None
        if gelesen is not None:
            return gelesen

    book = CalamineWorkbook.from_path(str(path))
    try:
        names = book.sheet_names
        if not names:
            raise ValueError("keine Tabellenblätter")
        rows = _zeilen(book.get_sheet_by_name(names[0]).to_python(skip_empty_area=False))
        if rows is None:
            return _read_calamine_pandas(path)
        extra = [n for n in names[1:] if _hat_text(book.get_sheet_by_name(n))]
    finally:
        book.close()
    return names[0], rows, extra


def _read_fastexcel(path: Path, blaetter: list[Ausdehnung]) -> tuple[str, list, list[str]] | None:
    """The workbook's only sheet as Arrow text columns straight from fastexcel (calamine in Rust,
    no Python object per cell), when that gives what :func:`_read_calamine` gives. None: read it
    the other way, which is so when

    - the workbook has more than one sheet, or the range does not start at A1 (fastexcel starts
      at the first used cell, the other reader at A1: the same only when fastexcel's range is as
      large as the scan of the sheet says);
    - a column mixes text with a number, a date or a truth value, or holds dates or truth values
      (fastexcel looks at every row and refuses such a column: those cells are formatted the
      other way); a column of numbers under its header is taken, each number as
      :func:`_zelltext` writes it;
    - a header could be fastexcel's and not the sheet's: an empty header (``__UNNAMED__``), a
      repeated one (fastexcel appends ``_1``), one that reads as a number, a time or a truth
      value (its text would depend on the cell's type).
    """
    if len(blaetter) != 1 or not blaetter[0].zeilen:
        return None
    import fastexcel

    book = fastexcel.read_excel(str(path))
    if len(book.sheet_names) != 1:
        return None
    try:
        sheet = book.load_sheet(0, header_row=0, schema_sample_rows=None, dtype_coercion="strict")
    except fastexcel.UnsupportedColumnTypeCombinationError:
        return None
    if (sheet.width, sheet.height + 1) != (blaetter[0].spalten, blaetter[0].zeilen):
        return None
    import pyarrow as pa

    # names and types from the Arrow schema (fastexcel's 'string' and 'float' columns are Arrow
    # strings and doubles; asking fastexcel for its column list costs as much as the data)
    tabelle = sheet.to_arrow()
    kopf = tabelle.schema.names
    typen = tabelle.schema.types
    if not _kopf_wie_im_blatt(kopf) or not all(
        pa.types.is_string(t) or pa.types.is_float64(t) for t in typen
    ):
        return None
    out = []
    for name, col in zip(kopf, tabelle.columns, strict=True):
        text = _als_tag_arrow(col.fill_null("")) if pa.types.is_string(col.type) else _zahlen(col)
        out.append(pa.concat_arrays([pa.array([name], pa.string()), text]))
    return book.sheet_names[0], out, []


_KOPF_UNSICHER = re.compile(r"__UNNAMED__\d+|[-+]?[\d.]+(e[-+]?\d+)?|true|false|.*:.*", re.I)


def _kopf_wie_im_blatt(kopf: list[str]) -> bool:
    """Whether fastexcel's column names are the header cells' text as the other reader gives it."""
    namen = set(kopf)
    for name in kopf:
        wiederholt = re.fullmatch(r"(.*)_\d+", name, re.S)
        if _KOPF_UNSICHER.fullmatch(name) or (wiederholt and wiederholt[1] in namen):
            return False
    return True


def _zahlen(col: Any) -> Any:
    """A column of numbers (Arrow doubles, empty cells null) as :func:`_zelltext` writes them:
    whole numbers without '.0' (in one step in Arrow where all are whole and exact), any other
    number as Python writes it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    werte = col.fill_null(0.0).to_numpy()
    if np.all(np.isfinite(werte) & (np.floor(werte) == werte) & (np.abs(werte) < 2**53)):
        return pc.cast(pc.cast(col, pa.int64()), pa.string()).fill_null("")
    return pa.array(["" if v is None else _zelltext(v) for v in col.to_pylist()], pa.string())


def _zelle(v: object) -> object:
    """A cell as pandas' calamine reader gives it: whole floats as int, a date as datetime."""
    if isinstance(v, float):
        return int(v) if v.is_integer() else v
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day)
    return v


def _zelltext(v: object) -> str:
    """:func:`_cell_text` of :func:`_zelle` of a cell, in one step."""
    if type(v) is str:
        return v
    return _cell_text(_zelle(v))


def _zeilen(rows: list[list]) -> list | None:
    """The columns as Arrow text arrays; None for ragged rows (then pandas' reader decides)."""
    if rows and min(map(len, rows)) != max(map(len, rows)):
        return None
    return [_spalte_text(col) for col in zip(*rows, strict=True)]


def _spalte_text(col: tuple) -> Any:
    """A column's cells as text: a column of text cells (and empty ones) as it is, in one step
    in Arrow; any other column cell by cell (:func:`_zelltext`)."""
    import pyarrow as pa

    try:
        arr = pa.array(col, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        arr = pa.array([_zelltext(v) for v in col], pa.string())
    return _als_tag_arrow(arr.fill_null(""))


def _als_tag_arrow(arr: Any) -> Any:
    """An Arrow text column whose dates and times keep only their day (:func:`_als_tag`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    daten = arr.buffers()[-1] if pa.types.is_string(arr.type) else None
    if daten is not None and not (np.frombuffer(daten, np.uint8) == 0x3A).any():
        return arr  # no colon in the column's bytes: no time to take off (no compute call)
    if not pc.any(pc.match_substring(arr, ":")).as_py():
        return arr
    return pa.array(_als_tag(np.array(arr.to_pylist(), dtype=object)), pa.string())


def _hat_text(sheet: object) -> bool:
    """Whether a further sheet holds text as pandas reads it (its NA words count as empty)."""
    from pandas._libs.parsers import STR_NA_VALUES

    for row in sheet.to_python(skip_empty_area=False):  # type: ignore[attr-defined]
        for v in row:
            if isinstance(v, str) and v in STR_NA_VALUES:
                continue
            if v is not None and v == v and str(_zelle(v)).strip():
                return True
    return False


def _zeilen_text(cols: list) -> pd.DataFrame | None:
    """Columns of cell texts (Arrow) as :func:`_as_text` gives them."""
    if not cols or not len(cols[0]):
        return None
    out = pd.DataFrame({c: v.to_pandas() for c, v in enumerate(cols)})
    out.index = np.arange(1, len(cols[0]) + 1)
    out.columns = range(out.shape[1])
    return out


def _read_calamine_pandas(path: Path) -> tuple[str, pd.DataFrame | None, list[str]]:
    """First sheet's name, its cells as text, the names of further sheets with content."""
    with pd.ExcelFile(path, engine="calamine") as book:
        names = book.sheet_names
        if not names:
            raise ValueError("keine Tabellenblätter")
        frame = book.parse(names[0], header=None, dtype=object, na_filter=False)
        extra = [n for n in names[1:] if _has_text(book.parse(n, header=None, dtype=object))]
    return names[0], _as_text(frame), extra


def _read_openpyxl(path: Path) -> tuple[str, pd.DataFrame | None, list[str]]:
    """The same as :func:`_read_calamine`, with openpyxl (slow; for files calamine refuses)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = wb.worksheets
        for ws in sheets:  # the sheet's <dimension> may say anything: the cells say how far
            ws.reset_dimensions()  # type: ignore[union-attr]
        rows = list(sheets[0].iter_rows(values_only=True))
        extra = [
            ws.title for ws in sheets[1:] if _has_text(pd.DataFrame(ws.iter_rows(values_only=True)))
        ]
        first = sheets[0].title
    finally:
        wb.close()
    return first, _as_text(pd.DataFrame.from_records(rows)) if rows else None, extra


def _has_text(frame: pd.DataFrame) -> bool:
    """Whether a sheet holds any cell with more than blanks."""
    if frame.empty:
        return False
    text = frame.to_numpy(dtype=object).ravel()
    return any(v is not None and v == v and str(v).strip() for v in text)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame | None:
    """Every cell as text (index = sheet row from 1): '' for empty, whole numbers without '.0',
    dates without a time of 00:00:00."""
    if frame.empty:
        return None
    out = pd.DataFrame(
        {c: pd.array(_column_text(frame[c]), dtype="str") for c in frame.columns},
        index=np.arange(1, len(frame) + 1),
    )
    out.columns = range(out.shape[1])
    return out


def _column_text(s: pd.Series) -> np.ndarray:
    return _text_spalte(s.to_numpy(dtype=object))


def _text_spalte(values: object) -> np.ndarray:
    return _als_tag(np.array([_cell_text(v) for v in values], dtype=object))  # type: ignore[attr-defined]


def _als_tag(text: np.ndarray) -> np.ndarray:
    """A date and time as its calendar day (the counting rules count days; any time of day goes)."""
    if not any(":" in s for s in text):
        return text
    col = pd.Series(text, dtype=object).str.replace(_DATE_TIME, r"\1", regex=True)
    return col.to_numpy(dtype=object)


def _cell_text(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)
