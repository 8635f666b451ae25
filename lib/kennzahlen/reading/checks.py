"""Parsing a raw table's values and the German messages for values that fail their checks.

The checks themselves run once per distinct value (:mod:`kennzahlen.reading.spalten`) and once per
batch of exports (:mod:`kennzahlen.reading.stapel`)."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from kennzahlen.core.schema import (
    BOOL_FALSE,
    BOOL_TRUE,
    GESAMTSTADT,
    OHNE_ZUORDNUNG,
    Column,
    Table,
    output_dtypes,
)
from kennzahlen.reading import zeilenregeln

DATE_HINT = "(erwartet JJJJ-MM-TT oder TT.MM.JJJJ)"
BOOL_HINT = "(erwartet ja/nein, j/n, 1/0 oder true/false)"
_BOOL_MAP = {**dict.fromkeys(BOOL_TRUE, True), **dict.fromkeys(BOOL_FALSE, False)}
_NUMERIC_KINDS = {"area", "code", "id", "int", "count"}
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def empty_frame(table: Table) -> pd.DataFrame:
    """A normalised frame of ``table`` with no rows, with the output columns and dtypes."""
    dtypes = output_dtypes(table)
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in dtypes.items()})


def _nfc(s: pd.Series) -> pd.Series:
    """Text in Unicode NFC (a decomposed 'ö' equals the composed one); only non-ASCII values
    change."""
    if not len(s) or bool(s.str.isascii().all()):
        return s
    codes, uniques = pd.factorize(s)
    values = [str(u) for u in uniques]
    fixed = np.array([unicodedata.normalize("NFC", v) for v in values], dtype=object)
    out = (
        np.where(codes >= 0, fixed[np.maximum(codes, 0)], "")
        if len(fixed)
        else np.array([], dtype=object)
    )
    return pd.Series(out, index=s.index, dtype=s.dtype)


# --------------------------------------------------------------------------------------
# parsing (vectorised, on the distinct texts of a column)


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
        ganz = s.str.replace(r"^([+-]?\d+)\.0+$", r"\1", regex=True)
        s = s if bool((ganz == s).all()) else ganz  # unchanged: the text itself, not a copy
    empty = s == ""
    if col.kind == "date":
        return _parse_dates(s)
    if col.kind in ("int", "count"):
        ok = s.str.fullmatch(r"[+-]?\d{1,15}")
        return pd.to_numeric(s.where(ok), errors="coerce").astype("Int64")
    if col.kind == "decimal":
        ok = s.str.fullmatch(r"[+-]?\d{1,12}([.,]\d{1,6})?")
        return pd.to_numeric(s.where(ok).str.replace(",", "."), errors="coerce").astype("Float64")
    if col.kind == "vokabel":
        return zeilenregeln.vokabel(s.where(~empty), col.vokabular or "").astype("str")
    if col.kind == "bool":
        return s.str.lower().map(_BOOL_MAP).astype("boolean")
    if col.kind == "code":
        s = s.str.lower()
    elif col.kind in ("quarter", "zeitraum"):
        s = s.str.upper()
    if not empty.any() and s.dtype == "str":
        return s  # every value is its text: shared, not copied (an id column: 45 MB a million)
    return s.where(~empty).astype("str")


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
    if col.kind == "gebiet":
        return f"Gebiet unbekannt: {v} (erlaubt: {', '.join(sozialraeume)} oder {GESAMTSTADT})"
    if col.kind == "vokabel":
        return zeilenregeln.vokabel_meldung(col.vokabular or "", value)
    if col.kind == "decimal":
        return f"Wert negativ: {v} (erwartet eine Zahl ab {col.min_value}, z. B. 2,5)"
    if col.kind == "quarter":
        return f"Quartal nicht lesbar: {v} (erwartet JJJJ-Qn, z. B. 2021-Q3)"
    if col.kind == "zeitraum":
        return f"Zeitraum nicht lesbar: {v} (erwartet ein Jahr JJJJ oder ein Quartal JJJJ-Qn)"
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
    if col.kind == "decimal":
        return f"Keine Zahl: {v} (erwartet z. B. 2,5 oder 2.5, ohne Tausenderpunkt)"
    return f"Ja/Nein-Wert nicht lesbar: {v} {BOOL_HINT}"
