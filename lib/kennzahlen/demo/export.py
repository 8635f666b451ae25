"""The exports cut from the truth as known on each export date, written in the departments' file
styles."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from kennzahlen.core.schema import TABLES
from kennzahlen.demo.daten import _EXTRA_COLUMNS, _STYLES, OPEN, QUARTERS
from kennzahlen.demo.kalender import _day, _quarter_bounds, _quarter_index
from kennzahlen.demo.modell import _Style


# ---------------------------------------------------------------------- export cutting
def _case_exports(df: pd.DataFrame, stands: list[int]) -> list[pd.DataFrame]:
    """Each quarter's export: the cases active in the quarter, as known on its export date."""
    out = []
    b = df["beginn"].to_numpy()
    e = df["ende"].to_numpy()
    for (y, q), stand in zip(QUARTERS, stands, strict=True):
        a, z = _quarter_bounds(y, q)
        m = (b <= z) & (e >= a)
        part = df[m].copy()
        part["ende"] = np.where(e[m] <= stand, e[m], OPEN)
        out.append(part.sort_values("fall_id"))
    return out


def _event_exports(df: pd.DataFrame, date_col: str, rng, first_q: int, corrupt) -> list:
    """Each quarter's export: the quarter's events; ~0.5 % delivered one export late and ~1 %
    delivered with an error and corrected (same id) in the next export."""
    qi = _quarter_index(df[date_col].to_numpy())
    last = len(QUARTERS) - 1
    u = rng.random(len(df))
    late = (u < 0.005) & (qi < last)
    corr = (u >= 0.005) & (u < 0.015) & (qi < last)
    deliver = qi + late
    out = []
    for q in range(first_q, len(QUARTERS)):
        normal = df[(deliver == q) & ~corr]
        wrong = corrupt(df[(qi == q) & corr].copy())
        fixed = df[(qi == q - 1) & corr]
        out.append(pd.concat([normal, wrong, fixed]).sort_values(date_col, kind="stable"))
    return out


# ------------------------------------------------------------------------------- writing
def _style(table: str, stand: int) -> _Style:
    chosen = _STYLES[table][0][1]
    for since, st in _STYLES[table]:
        if stand >= _day(since):
            chosen = st
    return chosen


def _fmt_days(days: np.ndarray, style: str) -> np.ndarray:
    days = np.asarray(days, np.int64)
    out = np.full(days.size, "", dtype=object)
    ok = (days > -(10**6)) & (days < OPEN)
    if ok.any():
        lo, hi = days[ok].min(), days[ok].max()
        iso = np.datetime_as_string(np.arange(lo, hi + 1).astype("datetime64[D]"))
        if style == "de":
            lookup = np.array([f"{s[8:10]}.{s[5:7]}.{s[:4]}" for s in iso], dtype=object)
        else:
            lookup = iso.astype(object)
        out[ok] = lookup[days[ok] - lo]
    return out


def _render(table: str, df: pd.DataFrame, st: _Style) -> pd.DataFrame:
    spec = TABLES[table]
    extra = _EXTRA_COLUMNS.get(table)
    cols = spec.column_names + ([extra[0]] if extra else [])
    out = {}
    for c in cols:
        v = df[c].to_numpy()
        kind = spec.column(c).kind if c in spec.column_names else "text"
        if kind == "date":
            out[c] = _fmt_days(v, st.dates)
        elif kind == "bool":
            out[c] = np.where(v.astype(bool), st.bools[0], st.bools[1]).astype(object)
        elif kind in ("int", "count"):
            out[c] = v.astype(np.int64)
        elif kind == "decimal":
            out[c] = np.array(
                [
                    ""
                    if pd.isna(x)
                    else np.format_float_positional(float(x), trim="-").replace(".", st.decimal)
                    for x in v
                ],
                dtype=object,
            )
        else:
            out[c] = v
    res = pd.DataFrame(out)
    names = {"upper": str.upper, "title": _title, "lower": str.lower}[st.header]
    res.columns = [extra[1] if extra and c == extra[0] else names(c) for c in cols]
    return res


def _title(name: str) -> str:
    return "_".join(
        p.upper() if p in ("id", "uma", "nr") else p.capitalize() for p in name.split("_")
    )


def _write(out: Path, table: str, stand: int, df: pd.DataFrame) -> Path:
    st = _style(table, stand)
    frame = _render(table, df, st)
    date = np.datetime_as_string(np.datetime64(stand, "D"))
    path = out / f"{table}_{date}.{st.fmt}"
    if st.fmt == "xlsx":
        path.write_bytes(_xlsx_bytes(frame, stand))
    else:
        text = frame.to_csv(sep=st.sep, index=False, lineterminator=st.eol)
        path.write_bytes(text.encode(st.encoding))
    return path


def _col_letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def _sheet_xml(frame: pd.DataFrame) -> bytes:
    """The worksheet XML (inline strings, numbers as numbers), built column-wise with numpy:
    openpyxl's cell-by-cell writer is far too slow for the big exports at scale 30."""
    n = len(frame)
    rows = pd.Series(np.arange(2, n + 2).astype(str), dtype=object)
    cells = pd.Series(np.full(n, "", dtype=object))
    header = []
    for j, col in enumerate(frame.columns):
        ref = _col_letter(j)
        header.append(f'<c r="{ref}1" t="inlineStr"><is><t>{_xml_escape(str(col))}</t></is></c>')
        v = frame[col]
        if pd.api.types.is_integer_dtype(v.dtype):
            cell = f'<c r="{ref}' + rows + '"><v>' + v.astype(str).astype(object) + "</v></c>"
        else:
            text = v.astype(str).astype(object)
            esc = (
                text.str.replace("&", "&amp;", regex=False)
                .str.replace("<", "&lt;", regex=False)
                .str.replace(">", "&gt;", regex=False)
            )
            cell = (
                f'<c r="{ref}' + rows + '" t="inlineStr"><is><t>' + esc + "</t></is></c>"
            ).where(text != "", "")
        cells = cells + cell.to_numpy()
    body = ('<row r="' + rows + '">' + cells + "</row>").str.cat()
    last = f"{_col_letter(max(len(frame.columns), 1) - 1)}{n + 1}"
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last}"/><sheetData><row r="1">{"".join(header)}</row>'
        f"{body if n else ''}</sheetData></worksheet>"
    )
    return xml.encode("utf-8")


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xlsx_bytes(frame: pd.DataFrame, stand: int) -> bytes:
    """XLSX (package by openpyxl, sheet data by :func:`_sheet_xml`) with fixed document dates and
    zip timestamps, so the bytes are identical on every run."""
    from datetime import datetime

    from openpyxl import Workbook

    when = datetime.fromisoformat(str(np.datetime64(stand, "D"))).replace(hour=7, minute=30)
    wb = Workbook()
    wb.worksheets[0].title = "Export"  # the active sheet of a new workbook
    wb.properties.creator = "Stadt Ulm, Abteilung Soziales"
    wb.properties.created = when
    raw = io.BytesIO()
    wb.save(raw)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            elif info.filename == "xl/worksheets/sheet1.xml":
                data = _sheet_xml(frame)
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, data)
    return fixed.getvalue()


# ---------------------------------------------------------------------------- corruption
def _corrupt_sozialraum(df: pd.DataFrame) -> pd.DataFrame:
    df["sozialraum"] = ""  # Zuordnung nachgetragen
    return df


def _corrupt_ah(df: pd.DataFrame) -> pd.DataFrame:
    df["verbleib_haeuslichkeit"] = False  # outcome only known later
    return df


def _corrupt_ws(df: pd.DataFrame) -> pd.DataFrame:
    df["meldende_stelle"] = np.where(df["art"] == "mietschulden", "dritte", "uws")
    return df


def _corrupt_tt(df: pd.DataFrame) -> pd.DataFrame:
    df["ressourcen"] = "institutionell"
    return df
