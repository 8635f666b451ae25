"""A column of a table's exports, parsed and checked once per distinct value.

The exports of one table repeat their values many times: a code column has a dozen distinct
values, a date column a few thousand, and a record export carries its table's history, so the
same case comes again in every later export. A column is therefore read as its *distinct texts*
(trimmed, Unicode NFC) and, per row, the position of its text among them
(:class:`Spalte`). Parsing (:mod:`kennzahlen.reading.checks`) and every check of a
single value run on the distinct texts only; a problem becomes line-exact (file, line, column,
value) only for the rows whose text failed.

The checks of single values (:data:`PRUEFUNGEN`) are one list, in the order their problems are
reported: a control character where no text may hold one, a value that cannot be parsed, a
required value missing, a value outside its codes or range. A new check of a column's values is
one more entry there. A cell is named once: a value with a control character is not also an
unknown code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.arrays import ArrowStringArray

from kennzahlen.core.namen import STEUERZEICHEN, sichtbar, steuerzeichen
from kennzahlen.core.schema import GESAMTSTADT, OHNE_ZUORDNUNG, Column
from kennzahlen.reading import zeilenregeln
from kennzahlen.reading.checks import _nfc, _parse_column, _parse_message, _value_message

#: column kinds whose text is parsed into a typed value (a text that does not parse is a problem)
PARSED_KINDS = ("date", "int", "count", "decimal", "bool")
_QUARTER = r"^\d{4}-Q[1-4]$"
#: a year or a quarter (``ausgaben.periode``)
_ZEITRAUM = r"^\d{4}(-Q[1-4])?$"
#: in free text a tab or a line break is a line break typed into a cell; any other control
#: character (NUL, escape, …) is not text
_FREITEXT_STEUERZEICHEN = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
#: pandas' text dtype ("str": Arrow strings, NaN for a missing value)
_STR = pd.StringDtype("pyarrow", na_value=np.nan)


@dataclass(frozen=True)
class Kontext:
    """What the checks of one build compare against: the city's areas (config)."""

    stadtviertel: list[str]
    sozialraeume: list[str]
    #: stadtviertel_nr -> Sozialraum
    zuordnung: dict[str, str]

    @classmethod
    def of(cls, raumgliederung: pd.DataFrame) -> Kontext:
        """The lists of ``config/raumgliederung.csv`` as the checks compare them."""
        stv = (
            raumgliederung["stadtviertel_nr"]
            .astype(str)
            .str.strip()
            .str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
        )
        sr = _nfc(raumgliederung["sozialraum"].astype(str).str.strip())
        return cls(stv.tolist(), sorted(sr.unique().tolist()), dict(zip(stv, sr, strict=True)))


@dataclass
class Spalte:
    """One column of a batch of exports: its distinct texts and, per row, which one it holds."""

    col: Column
    codes: np.ndarray
    text: pd.Series
    parsed: pd.Series

    def werte(self, rows: np.ndarray | None = None) -> pd.Series:
        """The typed value of each row (``rows``: positions; default every row)."""
        codes = self.codes if rows is None else self.codes[rows]
        return self.parsed.take(codes).reset_index(drop=True)

    def roh(self, rows: np.ndarray | None = None) -> pd.Series:
        """The text of each row (``rows``: positions; categories: no string is copied per row)."""
        codes = self.codes if rows is None else self.codes[rows]
        return pd.Series(pd.Categorical.from_codes(codes, categories=_categories(self.text)))

    def leer(self) -> np.ndarray:
        """Per row: the cell is empty."""
        return (self.text == "").to_numpy(dtype=bool)[self.codes]

    def schluessel(self) -> np.ndarray:
        """Per row: a code of its typed value (equal values, equal codes; empty: -1)."""
        return _wertcodes_distinct(self.parsed, self.text)[self.codes]


def wertcodes(values: pd.Series) -> np.ndarray:
    """``pandas.factorize(values)[0]`` as int32 (equal values, equal codes; NA: -1)."""
    codes, _ = pd.factorize(values)
    return codes.astype(np.int32)


def _wertcodes_distinct(parsed: pd.Series, text: pd.Series) -> np.ndarray:
    """:func:`wertcodes` of the typed values of distinct texts: where each value is its text
    (ids, names) or empty, the values are distinct already and nothing is hashed."""
    if parsed.dtype == "str" and len(parsed):
        na = parsed.isna().to_numpy(dtype=bool)
        if bool(((parsed == text).to_numpy(dtype=bool) | na).all()):
            codes = np.arange(len(parsed), dtype=np.int32)
            codes[na] = -1
            return codes
    return wertcodes(parsed)


def _categories(text: pd.Series) -> pd.Index:
    return pd.Index(text.to_numpy(dtype=object), dtype="str")


def distinct(raw: Any) -> tuple[np.ndarray, pd.Series]:
    """Per row (int8 to int32) the position of its text among the distinct texts, and those texts,
    trimmed and in NFC (two raw texts that differ only in spaces or composition are one).
    ``raw``: the texts as an Arrow (chunked) string array, or a pandas Series."""
    import pyarrow as pa

    if isinstance(raw, pd.Series):
        raw = pa.array(raw.to_numpy(dtype=object), pa.string())
    if raw.null_count:
        raw = raw.fill_null("")
    codes, uniques = _kodiert(raw)
    roh = pd.Series(ArrowStringArray(uniques, dtype=_STR))  # no Python string per value
    clean = _nfc(roh.str.strip())
    if bool((clean == roh).all()):  # nothing trimmed or composed: distinct as they are
        return _klein(codes, len(clean)), clean.reset_index(drop=True)
    del roh
    codes2, uniques2 = pd.factorize(clean)
    if len(uniques2) == len(uniques):  # no two texts became one: the same positions
        return _klein(codes, len(clean)), clean.reset_index(drop=True)
    text = pd.Series(np.asarray(uniques2, dtype=object), dtype="str")
    return _klein(codes2.astype(np.int32)[codes], len(text)), text


def _klein(codes: np.ndarray, n: int) -> np.ndarray:
    """Codes below ``n`` in the smallest integer type that holds them (a code column of a dozen
    values: 1 byte per row instead of 4)."""
    for dtype in (np.int8, np.int16):
        if n <= np.iinfo(dtype).max:
            return codes.astype(dtype)
    return codes


def _kodiert(raw: Any) -> tuple[np.ndarray, Any]:
    """Per row (int32) the position of its text among the distinct texts (in the order of their
    first row), and those texts (an Arrow string array): one hash pass (``dictionary_encode``;
    the chunks of a chunked array share one dictionary)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(raw)
    if isinstance(encoded, pa.ChunkedArray):
        chunks = encoded.chunks
        if not chunks:
            return np.zeros(0, dtype=np.int32), pa.array([], pa.string())
        uniques = chunks[-1].dictionary
        codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks])
    else:
        uniques = encoded.dictionary
        codes = encoded.indices.to_numpy(zero_copy_only=False)
    return codes.astype(np.int32, copy=False), uniques


def lese_spalte(codes: np.ndarray, text: pd.Series, col: Column) -> Spalte:
    """A column from its row codes and distinct texts: each distinct text parsed once."""
    return Spalte(col, codes, text, _parse_column(text, col).reset_index(drop=True))


# ------------------------------------------------------------------ checks of single values
@dataclass(frozen=True)
class Pruefung:
    """A check of a column's values: which distinct texts fail, and the message for one."""

    name: str
    fehler: Callable[[Spalte, Kontext], np.ndarray]
    meldung: Callable[[Column, str, Kontext], str]
    #: the value as the message quotes it
    zeige: Callable[[str], str] = str
    #: a text failing this check is not checked further (one message per cell)
    endgueltig: bool = False


def _steuerzeichen(s: Spalte, ctx: Kontext) -> np.ndarray:
    """A control character (NUL, CR, LF, …) in an id, code or name, or one that is not a line
    break in free text: 'J1' with a NUL is not the case 'J1' and must not become a second case.
    (In a parsed column the value is unreadable and reported as such.)"""
    if s.col.kind in PARSED_KINDS:
        return np.zeros(len(s.text), dtype=bool)
    muster = _FREITEXT_STEUERZEICHEN if s.col.kind == "text" else STEUERZEICHEN
    return s.text.str.contains(muster, regex=True).to_numpy(dtype=bool)


def _steuer_meldung(col: Column, value: str, ctx: Kontext) -> str:
    return (
        f"Steuerzeichen im Wert '{sichtbar(value)}' ({', '.join(steuerzeichen(value))}); bitte "
        "entfernen – mit einem unsichtbaren Zeichen wäre es ein anderer Wert"
    )


def _unlesbar(s: Spalte, ctx: Kontext) -> np.ndarray:
    if s.col.kind not in PARSED_KINDS:
        return np.zeros(len(s.text), dtype=bool)
    return ((s.text != "") & s.parsed.isna()).to_numpy(dtype=bool)


def _pflicht_fehlt(s: Spalte, ctx: Kontext) -> np.ndarray:
    if not s.col.required:
        return np.zeros(len(s.text), dtype=bool)
    return s.parsed.isna().to_numpy(dtype=bool) & ~_unlesbar(s, ctx)


def _allowed(col: Column, ctx: Kontext) -> list[str] | None:
    if col.kind == "code":
        return list(col.codes)
    if col.kind == "area":
        return ctx.stadtviertel
    if col.kind == "sozialraum":
        return [*ctx.sozialraeume, OHNE_ZUORDNUNG]
    if col.kind == "gebiet":
        return [*ctx.sozialraeume, GESAMTSTADT]
    if col.kind == "vokabel":
        return list(zeilenregeln.werte(col.vokabular or ""))
    return None


def _ausserhalb(s: Spalte, ctx: Kontext) -> np.ndarray:
    """A value outside its codes, its list from config, its pattern or its range."""
    col, v = s.col, s.parsed
    there = v.notna().to_numpy(dtype=bool)
    allowed = _allowed(col, ctx)
    if allowed is not None:
        ok = v.isin(allowed).to_numpy(dtype=bool)
    elif col.kind in ("quarter", "zeitraum"):
        muster = _QUARTER if col.kind == "quarter" else _ZEITRAUM
        ok = v.str.match(muster).fillna(False).to_numpy(dtype=bool)
    elif col.kind in ("int", "count", "decimal"):
        ok = np.ones(len(v), dtype=bool)
        num = v.to_numpy(dtype="float64", na_value=np.nan)
        if col.min_value is not None:
            ok &= num >= col.min_value
        if col.max_value is not None:
            ok &= num <= col.max_value
    else:
        return np.zeros(len(v), dtype=bool)
    return there & ~ok


def _pflicht_meldung(col: Column, value: str, ctx: Kontext) -> str:
    return "Pflichtwert fehlt (leer); bitte ausfüllen"


#: the checks of single values, in the order their problems are reported
PRUEFUNGEN: tuple[Pruefung, ...] = (
    Pruefung("steuerzeichen", _steuerzeichen, _steuer_meldung, sichtbar, endgueltig=True),
    Pruefung("unlesbar", _unlesbar, lambda col, w, ctx: _parse_message(col, w)),
    Pruefung("pflicht", _pflicht_fehlt, _pflicht_meldung),
    Pruefung("wert", _ausserhalb, lambda col, w, ctx: _value_message(col, w, ctx.sozialraeume)),
)


def befunde(s: Spalte, ctx: Kontext) -> list[tuple[np.ndarray, str, list[str], list[str]]]:
    """Every failing row of a column: per check (rows, check name, message and quoted value per
    row)."""
    out = []
    erledigt = np.zeros(len(s.text), dtype=bool)
    for p in PRUEFUNGEN:
        bad = p.fehler(s, ctx) & ~erledigt
        if not bad.any():
            continue
        if p.endgueltig:
            erledigt |= bad
        rows = np.flatnonzero(bad[s.codes])
        if not len(rows):
            continue
        texts = s.text.to_numpy(dtype=object)[s.codes[rows]]
        cache: dict[str, str] = {}
        messages = [cache.setdefault(w, p.meldung(s.col, w, ctx)) for w in texts]
        out.append((rows, p.name, messages, [p.zeige(w) for w in texts]))
    return out
