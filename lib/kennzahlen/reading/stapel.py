"""The exports of one table checked together: one pass per column over all their rows.

A batch (:func:`pruefe`) is several exports of one table with the same columns. Their rows are
put one after the other; each column is parsed and checked once per distinct text
(:mod:`kennzahlen.reading.spalten`), then the checks across a row run once over the batch: ``ende``
before ``beginn``, the row rules and structural zeros (:mod:`kennzahlen.reading.zeilenregeln`), a
key twice in one file, parts above their whole (:mod:`kennzahlen.reading.teile`, per file). Every
problem is named with the file and the line it came from, and each file's problems are in the
order a file read alone would give: by line, then by column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kennzahlen.core.schema import OHNE_ZUORDNUNG, Table
from kennzahlen.reading import zeilenregeln
from kennzahlen.reading.checks import empty_frame
from kennzahlen.reading.problems import Problem
from kennzahlen.reading.spalten import Kontext, Spalte, befunde, distinct, lese_spalte
from kennzahlen.reading.teile import teile_befunde


@dataclass
class Datei:
    """One export as text: the file's name and Stand, its data rows (an Arrow table of strings,
    columns by position in the file), the line number of each row and where the contract's
    columns are in it."""

    datei: str
    stand: pd.Timestamp
    text: Any
    zeilen: np.ndarray
    positions: dict[str, int]

    def spalte(self, name: str) -> list:
        """The chunks of the text of column ``name``."""
        return self.text.column(self.positions[name]).chunks


@dataclass
class Stapel:
    """A checked batch: the rows without a problem (in file and line order), where each file's
    rows begin and end in it, and per file its rows read and its problems."""

    frame: pd.DataFrame
    grenzen: np.ndarray
    zeilen: list[int]
    problems: list[list[Problem]] = field(default_factory=list)


@dataclass
class _Befund:
    pos: int
    spalte: str | None
    wert: str | None
    meldung: str


def pruefe(dateien: list[Datei], table: Table, ctx: Kontext) -> Stapel:
    """Check a batch of exports of ``table`` that all have the same contract columns."""
    import pyarrow as pa

    present = [c for c in table.column_names if c in dateien[0].positions]
    lines = [d.zeilen for d in dateien]
    file_of = np.repeat(np.arange(len(dateien), dtype=np.int32), [len(x) for x in lines])
    zeile = np.concatenate(lines) if lines else np.zeros(0, dtype=np.int64)
    raw = {}
    for name in present:
        chunks = [c for d in dateien for c in d.spalte(name)]
        raw[name] = distinct(pa.chunked_array(chunks, type=pa.string()))
    for d in dateien:
        d.text = d.text.slice(0, 0)  # the text is held once, as distinct values
    filled = np.zeros(len(zeile), dtype=bool)
    for codes, text in raw.values():
        filled |= (text != "").to_numpy(dtype=bool)[codes]
    rows = np.flatnonzero(filled) if present else np.zeros(0, dtype=np.int64)
    file_of, zeile = file_of[rows], zeile[rows]
    spalten = {n: lese_spalte(raw[n][0][rows], raw[n][1], table.column(n)) for n in present}
    found = _checks(spalten, table, ctx)
    parsed = pd.DataFrame({n: s.werte() for n, s in spalten.items()})
    raw_text = pd.DataFrame({n: s.roh() for n, s in spalten.items()})
    found += [
        _Befund(p.zeile or 0, p.spalte, p.wert, p.meldung)
        for p in zeilenregeln.probleme(table, parsed, raw_text, "")
    ]
    found += _duplicates(spalten, table, file_of, zeile, found)
    found += _teile(found, parsed, table, dateien, file_of, zeile)
    bad = np.zeros(len(zeile), dtype=bool)
    bad[[b.pos for b in found]] = True
    if len(present) == len(table.column_names):
        keep = ~bad
        frame = _finish(parsed[keep], spalten, keep, table, ctx, dateien, file_of[keep])
    else:  # a column is missing: the files give no rows
        keep = np.zeros(len(zeile), dtype=bool)
        frame = empty_frame(table)
    counts = np.bincount(file_of, minlength=len(dateien))
    kept = np.bincount(file_of[keep], minlength=len(dateien))
    per_file = _per_file(found, table, dateien, file_of, zeile)
    return Stapel(frame, np.concatenate([[0], np.cumsum(kept)]), counts.tolist(), per_file)


def _checks(spalten: dict[str, Spalte], table: Table, ctx: Kontext) -> list[_Befund]:
    """The checks of single values, then ``ende`` before ``beginn``."""
    found: list[_Befund] = []
    for name, s in spalten.items():
        for rows, _check, messages, werte in befunde(s, ctx):
            found += [
                _Befund(int(r), name, w, m) for r, w, m in zip(rows, werte, messages, strict=True)
            ]
    if "ende_nach_beginn" in table.checks and {"beginn", "ende"} <= set(spalten):
        beginn, ende = spalten["beginn"], spalten["ende"]
        b, e = beginn.werte().to_numpy(), ende.werte().to_numpy()
        rows = np.flatnonzero(~np.isnat(b) & ~np.isnat(e) & (e < b))
        bt, et = beginn.text.to_numpy(dtype=object), ende.text.to_numpy(dtype=object)
        found += [
            _Befund(
                int(r),
                "ende",
                et[ende.codes[r]],
                f"Ende vor Beginn: '{et[ende.codes[r]]}' liegt vor beginn "
                f"'{bt[beginn.codes[r]]}'; bitte die Daten prüfen",
            )
            for r in rows
        ]
    return found


def _duplicates(
    spalten: dict[str, Spalte],
    table: Table,
    file_of: np.ndarray,
    zeile: np.ndarray,
    found: list[_Befund],
) -> list[_Befund]:
    """Rows whose key is already in an earlier row of the same file. Rows with a problem in a
    key column are left out: that problem is reported already, a duplicate would only repeat it."""
    key = list(table.key)
    if not (set(key) <= set(spalten) and len(zeile)):
        return []
    skip = [b.pos for b in found if b.spalte in key]
    ok = np.ones(len(zeile), dtype=bool)
    ok[skip] = False
    pos = np.flatnonzero(ok)
    k = pd.DataFrame({c: spalten[c].schluessel()[pos] for c in key})
    k["__datei"] = file_of[pos]
    dup = k.duplicated().to_numpy()
    if not dup.any():
        return []
    first = pd.Series(pos).groupby([k[c] for c in k.columns], sort=False).transform("min")
    out = []
    texts = {c: spalten[c].text.to_numpy(dtype=object) for c in key}
    for p, f in zip(pos[dup], first.to_numpy()[dup], strict=True):
        w = " / ".join(texts[c][spalten[c].codes[p]] for c in key)
        out.append(
            _Befund(
                int(p),
                ", ".join(key),
                w,
                f"Schlüssel doppelt in dieser Datei: '{w}' (schon in Zeile {int(zeile[f])}); "
                "bitte die doppelte Zeile entfernen",
            )
        )
    return out


def _per_file(
    found: list[_Befund],
    table: Table,
    dateien: list[Datei],
    file_of: np.ndarray,
    zeile: np.ndarray,
) -> list[list[Problem]]:
    """Each file's problems by line, then by column (stable: the order of the checks)."""
    order = {c: i for i, c in enumerate(table.column_names)}
    ranked = sorted(
        enumerate(found),
        key=lambda ib: (ib[1].pos, order.get(ib[1].spalte or "", len(order)), ib[0]),
    )
    out: list[list[Problem]] = [[] for _ in dateien]
    for _, b in ranked:
        i = int(file_of[b.pos])
        out[i].append(Problem(dateien[i].datei, int(zeile[b.pos]), b.spalte, b.wert, b.meldung))
    return out


def _teile(
    found: list[_Befund],
    parsed: pd.DataFrame,
    table: Table,
    dateien: list[Datei],
    file_of: np.ndarray,
    zeile: np.ndarray,
) -> list[_Befund]:
    """Parts above their whole, per file (the check is about one delivery); rows with a problem
    already reported are left out."""
    if not table.teile:
        return []
    out: list[_Befund] = []
    bad = np.zeros(len(zeile), dtype=bool)
    bad[[b.pos for b in found]] = True
    for i in _verdacht(parsed, table, file_of, bad):
        rows = np.flatnonzero(file_of == i)
        part = parsed.iloc[rows].set_axis(pd.Index(zeile[rows]), axis=0)
        skip = set(zeile[rows[bad[rows]]].tolist())
        pos_of = dict(zip(zeile[rows].tolist(), rows.tolist(), strict=True))
        out += [
            _Befund(pos_of[z], col, w, msg) for z, col, w, msg in teile_befunde(part, table, skip)
        ]
    return out


def _verdacht(parsed: pd.DataFrame, table: Table, file_of: np.ndarray, bad: np.ndarray) -> list:
    """The files whose parts may exceed their whole: the check of :mod:`teile` over the whole
    batch at once (per file and key), so that the exact findings are made only for these."""
    anzahl = next(c.name for c in table.columns if c.kind == "count")
    if not set(table.key) | {anzahl} <= set(parsed.columns):
        return []
    rows = parsed[~bad].assign(__datei=file_of[~bad])
    out: set[int] = set()
    for code_col, whole, parts in table.teile:
        other = ["__datei", *(k for k in table.key if k != code_col)]
        ganz = rows[rows[code_col] == whole]
        teil = rows[rows[code_col].isin(parts)]
        if ganz.empty or teil.empty:
            continue
        summe = teil.groupby(other, dropna=False, observed=True)[anzahl].sum().rename("__teile")
        merged = ganz.merge(summe.reset_index(), on=other, how="inner")
        out |= set(merged.loc[merged["__teile"] > merged[anzahl], "__datei"].tolist())
    return sorted(out)


def _finish(
    parsed: pd.DataFrame,
    spalten: dict[str, Spalte],
    keep: np.ndarray,
    table: Table,
    ctx: Kontext,
    dateien: list[Datei],
    file_of: np.ndarray,
) -> pd.DataFrame:
    """The normalised rows: contract columns, derived sozialraum, stand and datei."""
    out = parsed.reset_index(drop=True)
    if table.has_stadtviertel and len(table.column_names) == len(spalten):
        stv = spalten["stadtviertel_nr"]
        names = stv.parsed.map(ctx.zuordnung).fillna(OHNE_ZUORDNUNG).astype("str")
        out["sozialraum"] = names.take(stv.codes[keep]).reset_index(drop=True)
    elif "sozialraum" in out.columns:
        out["sozialraum"] = out["sozialraum"].fillna(OHNE_ZUORDNUNG)
    stands = np.array([np.datetime64(d.stand, "ns") for d in dateien], dtype="datetime64[ns]")
    out["stand"] = stands[file_of] if len(dateien) else np.zeros(0, dtype="datetime64[ns]")
    out["datei"] = pd.Categorical.from_codes(
        file_of, categories=pd.Index([d.datei for d in dateien], dtype="str")
    )
    return out
