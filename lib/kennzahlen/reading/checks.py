"""Checking a raw table's values (pandera) and parsing them; every problem with file, line, column,
value."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pandera.pandas as pa

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
from kennzahlen.reading.problems import Problem
from kennzahlen.reading.teile import teile_befunde

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
    return s.where(~empty).astype("str")


def _value_checks(col: Column, stadtviertel: list[str], sozialraeume: list[str]) -> list[pa.Check]:
    allowed = {
        "code": lambda: list(col.codes),
        "area": lambda: stadtviertel,
        "sozialraum": lambda: [*sozialraeume, OHNE_ZUORDNUNG],
        "gebiet": lambda: [*sozialraeume, GESAMTSTADT],
        "vokabel": lambda: list(zeilenregeln.werte(col.vokabular or "")),
    }.get(col.kind)
    if allowed is not None:
        return [pa.Check.isin(allowed())]
    if col.kind == "quarter":
        return [pa.Check.str_matches(r"^\d{4}-Q[1-4]$")]
    if col.kind == "zeitraum":
        return [pa.Check.str_matches(r"^\d{4}(-Q[1-4])?$")]
    if col.kind in ("int", "count", "decimal"):
        return _range_checks(col)
    return []


def _range_checks(col: Column) -> list[pa.Check]:
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


def _problems_at(datei: str, lines, col: str, values, message) -> list[Problem]:
    return [
        Problem(datei, int(z), col, str(w), message(str(w)))
        for z, w in zip(lines, values, strict=True)
    ]


#: from this many rows on, the text of a column with few distinct values is kept as categories
_COMPACT_ROWS = 50_000


def _compact(text: pd.Series) -> pd.Series:
    """The same text in less memory: a column of few distinct values (dates, codes) of a large
    export as categories; the text stays there for the messages that quote it."""
    if len(text) < _COMPACT_ROWS:
        return text
    codes, uniques = pd.factorize(text)
    if len(uniques) > len(text) // 4:
        return text
    return pd.Series(pd.Categorical.from_codes(codes, categories=uniques), index=text.index)


def _parse_and_check(
    raw: pd.DataFrame, table: Table, raumgliederung: pd.DataFrame, datei: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse every present column and check the values; problems sorted by line and column."""
    stadtviertel, sozialraeume = _rg_codes(raumgliederung)
    cols = [table.column(c) for c in raw.columns]
    parsed = pd.DataFrame(index=raw.index)
    for c in cols:
        parsed[c.name] = _parse_column(raw[c.name], c)
        raw[c.name] = _compact(raw[c.name])
    problems: list[Problem] = []

    # 1. values that are there but cannot be parsed (dates, numbers, booleans)
    failed = pd.DataFrame(False, index=raw.index, columns=raw.columns)
    for c in cols:
        if c.kind in ("date", "int", "count", "decimal", "bool"):
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
        schema.validate(parsed, lazy=True, inplace=True)  # no copy of a large export
    except pa.errors.SchemaErrors as exc:
        problems += _pandera_problems(exc.failure_cases, raw, failed, table, datei, sozialraeume)
    # rules across the columns of a row (kennzahlen.reading.zeilenregeln): e.g. a deadline before a
    # quarter
    problems += zeilenregeln.probleme(table, parsed, raw, datei)

    # 3. duplicate key inside this file
    problems += _duplicate_keys(raw, parsed, table, datei, problems)
    # 4. parts never exceed their whole (transferleistungen: SGB II children and unemployed)
    skip = {p.zeile for p in problems if p.zeile is not None}
    problems += [Problem(datei, *b) for b in teile_befunde(parsed, table, skip)]
    order = {c: i for i, c in enumerate(table.column_names)}
    problems.sort(key=lambda p: (p.zeile or 0, order.get(p.spalte or "", len(order))))
    return parsed, problems


def _duplicate_keys(
    raw: pd.DataFrame, parsed: pd.DataFrame, table: Table, datei: str, problems: list[Problem]
) -> list[Problem]:
    """Rows whose key is already in an earlier row of the file. Rows with a problem in a key
    column are left out: that problem is reported already, a duplicate would only repeat it."""
    key = list(table.key)
    if not (set(key) <= set(raw.columns) and len(raw)):
        return []
    key_problem_lines = [p.zeile for p in problems if p.spalte in key]
    ok = ~raw.index.isin(key_problem_lines)
    k = parsed[key] if ok.all() else parsed.loc[ok, key]
    # on the codes of the distinct values: text keys of a large export cost no Python objects
    dup = pd.DataFrame({c: pd.factorize(k[c])[0] for c in key}, index=k.index).duplicated()
    if not dup.any():
        return []
    first = (
        pd.Series(k.index, index=k.index)
        .groupby([k[c] for c in key], dropna=False, sort=False)
        .transform("min")
    )
    lines = k.index[dup]
    values = raw.loc[lines, key].agg(" / ".join, axis=1)
    return [
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


def _map_codes(s: pd.Series, mapping: pd.Series, default: str) -> pd.Series:
    """``s.map(mapping)`` with ``default`` for unmapped and empty values, computed on the distinct
    values (a million rows map a few dozen codes, without a Python object per row)."""
    codes, uniques = pd.factorize(s)
    mapped = pd.Series(uniques).map(mapping).fillna(default).to_numpy(dtype=object)
    values = np.append(mapped, default)  # code -1 (empty) takes the last entry
    names, inverse = np.unique(values.astype(str), return_inverse=True)
    cat = pd.Categorical.from_codes(inverse[codes], categories=pd.Index(names, dtype="str"))
    return pd.Series(cat, index=s.index)


def _finish(
    parsed: pd.DataFrame,
    table: Table,
    raumgliederung: pd.DataFrame,
    stand: pd.Timestamp,
    datei: str,
) -> pd.DataFrame:
    """The normalised frame: output dtypes, derived sozialraum, stand and datei."""
    out = parsed[table.column_names]
    if table.has_stadtviertel:
        stadtviertel, _ = _rg_codes(raumgliederung)
        mapping = pd.Series(
            _nfc(raumgliederung["sozialraum"].astype(str).str.strip()).to_numpy(),
            index=stadtviertel,
        )
        out["sozialraum"] = _map_codes(out["stadtviertel_nr"], mapping, OHNE_ZUORDNUNG)
    elif "sozialraum" in out.columns:
        out["sozialraum"] = out["sozialraum"].fillna(OHNE_ZUORDNUNG)
    out["stand"] = stand
    out["datei"] = pd.Categorical.from_codes(
        np.zeros(len(out), dtype=np.int8), categories=pd.Index([datei], dtype="str")
    )
    return out.reset_index(drop=True).astype(output_dtypes(table))
