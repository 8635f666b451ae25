"""Reading a CSV delivery as text with pyarrow's CSV reader (little memory, line numbers kept).

The file is parsed straight from disk into Arrow string columns (every value text, ``""`` for
empty), with no Python string per cell: a 1-million-row export needs about its own size in
memory, not ten times. UTF-8 (with or without BOM) is tried first, Windows-1252 next; the
delimiter (``;`` or ``,``) is taken from the header line. The text stays in Arrow (no pandas
frame): the header cells, the data rows and each row's line number in the file (header = line
1), :data:`Text`. A row with more fields than the header is a problem naming
its line; a row with fewer fields is read with the missing values empty (what a spreadsheet
shows), so the checks after it name the empty required values.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

#: the text of a file: its header cells, its data rows as an Arrow table of strings (columns by
#: position) and the line number of each data row
Text = tuple[list[str], "pa.Table", np.ndarray]
#: (text or None, problems, encoding, delimiter): what :func:`read_csv_text` returns
CsvText = tuple[Text | None, list, str | None, str | None]

_HEAD_BYTES = 1 << 16
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def wide_encoding(data: bytes) -> str | None:
    """'UTF-16' / 'UTF-32' when the bytes are in one of these (by BOM or by NUL bytes), else
    None."""
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            return name
    head = data[:4096]
    if head.count(b"\x00") * 4 >= len(head) > 0:  # text in UTF-8/Windows-1252 has no NUL bytes
        return "UTF-16" if head.count(b"\x00\x00") * 8 < len(head) else "UTF-32"
    return None


def _problem(datei: str, zeile: int | None, wert: str | None, meldung: str):
    from kennzahlen.reading.problems import Problem

    return Problem(datei, zeile, None, wert, meldung)


def read_csv_text(path: Path) -> CsvText:
    """Every field of ``path`` as text; problems for an unreadable file or a row of too many
    fields."""
    import pyarrow as pa

    datei = path.name
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    wide = wide_encoding(head)
    if wide:
        msg = (
            f"Die Datei ist als {wide} gespeichert; gelesen werden UTF-8 und Windows-1252 (ANSI). "
            "Bitte neu exportieren, z. B. in Excel als „CSV UTF-8 (durch Trennzeichen getrennt)“."
        )
        return None, [_problem(datei, None, wide, msg)], wide, None
    header = _header_line(head)
    if not header.strip():
        msg = (
            "Die Datei ist leer oder die erste Zeile (Kopfzeile) ist leer; bitte den Export "
            "mit Kopfzeile wiederholen."
        )
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        return None, [_problem(datei, 1, None, msg)], encoding, None
    sep = ";" if header.count(";") >= header.count(",") else ","
    try:
        table, invalid, encoding = _parse(path, head, sep)
    except UnicodeDecodeError as exc:
        msg = (
            f"Zeichenkodierung nicht lesbar ({exc.reason}); bitte als UTF-8 oder "
            "Windows-1252 (ANSI) exportieren."
        )
        return None, [_problem(datei, None, None, msg)], None, None
    text, problems = _text(table, invalid, sep, datei)
    del table
    pa.default_memory_pool().release_unused()  # the reader's buffers
    return text, problems, encoding, sep


def _header_line(head: bytes) -> str:
    line = head.split(b"\n", 1)[0]
    try:
        return line.decode("utf-8-sig")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def _parse(path: Path, head: bytes, sep: str):
    """The Arrow table of all fields as text, the rows of a wrong field count, the encoding."""
    import pyarrow as pa

    encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        table, invalid = _arrow_read(path, sep, "utf8")
    except pa.ArrowInvalid as exc:
        if "UTF8" not in str(exc) and "utf8" not in str(exc).lower():
            raise
        _check_cp1252(path)
        table, invalid = _arrow_read(path, sep, "cp1252")
        encoding = "cp1252"
    return table, invalid, encoding


def _check_cp1252(path: Path) -> None:
    """Raise UnicodeDecodeError where the file has a byte Windows-1252 does not define."""
    decoder = codecs.getincrementaldecoder("cp1252")()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            decoder.decode(chunk)


def _arrow_read(path: Path, sep: str, encoding: str):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    invalid: list[tuple[int, int, int, str]] = []

    def keep(row) -> str:
        invalid.append((row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"

    columns = _field_count(path, sep, encoding)
    names = [f"f{i}" for i in range(columns)]
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(
            column_names=names, encoding=encoding, use_threads=False, block_size=_block(path)
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=sep,
            ignore_empty_lines=False,
            newlines_in_values=True,
            invalid_row_handler=keep,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table, invalid


#: pyarrow's block (the unit of its parse): 1 MiB, and for a file of :data:`GROSS` bytes or more
#: 16 MiB (fewer chunks; each column's buffers of a block are large enough to be mapped
#: and handed back to the system when freed, instead of fragmenting the heap)
BLOCK = 1 << 20
GROSS_BLOCK = 16 << 20
GROSS = 64 << 20


def _block(path: Path) -> int:
    try:
        return GROSS_BLOCK if path.stat().st_size >= GROSS else BLOCK
    except OSError:
        return BLOCK


def _field_count(path: Path, sep: str, encoding: str) -> int:
    """The number of fields in the header line (quotes respected)."""
    codec = "utf-8-sig" if encoding == "utf8" else encoding
    with open(path, encoding=codec, errors="replace", newline="") as fh:
        first = next(csv.reader(fh, delimiter=sep), [])
    return max(len(first), 1)


def _text(table, invalid: list, sep: str, datei: str) -> tuple[Text, list]:
    """The header cells, the data rows and their line numbers; short rows padded, long rows left
    out as problems."""
    import pyarrow as pa

    total = table.num_rows + len(invalid)
    art = np.int32 if total < np.iinfo(np.int32).max else np.int64  # line numbers: 4 bytes
    lines = np.arange(1, total + 1, dtype=art)
    if invalid:
        bad_numbers = np.array([inv[0] for inv in invalid], dtype=art)
        lines = np.setdiff1d(lines, bad_numbers, assume_unique=True)
    lines = lines[: table.num_rows]
    problems = []
    short = []
    for number, expected, actual, text in invalid:
        if actual > expected:
            problems.append(
                _problem(
                    datei,
                    int(number),
                    None,
                    f"Die Zeile hat {actual} Felder, die Kopfzeile {expected}; bitte Werte, die "
                    f"das Trennzeichen '{sep}' enthalten, in Anführungszeichen setzen.",
                )
            )
        else:
            fields = next(csv.reader([text], delimiter=sep), [])
            short.append((int(number), [*fields, *[""] * (expected - len(fields))][:expected]))
    if short:
        extra = pa.table(
            {
                n: pa.array([f[i] for _, f in short], pa.string())
                for i, n in enumerate(table.schema.names)
            }
        )
        table = pa.concat_tables([table, extra])
        lines = np.concatenate([lines, np.array([n for n, _ in short], dtype=lines.dtype)])
        order = np.argsort(lines, kind="stable")
        table, lines = table.take(order), lines[order]
    kopf = [str(table.column(i)[0].as_py()) for i in range(table.num_columns)]
    return (kopf, table.slice(1), lines[1:]), problems
