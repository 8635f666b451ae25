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
    present = [c for c in table.column_names if c in dateien[0].positions]
    spalten, file_of, zeile = _lies_spalten(dateien, table, present)
    found = _checks(spalten, table, ctx)
    noetig = _zeilenspalten(table, list(spalten))
    if _nur_festlegungen(table):
        found += _festlegungen(spalten, table, noetig)
        parsed = pd.DataFrame()
    else:
        parsed = pd.DataFrame({n: spalten[n].werte() for n in noetig})
        raw_text = pd.DataFrame({n: spalten[n].roh() for n in noetig})
        found += [
            _Befund(p.zeile or 0, p.spalte, p.wert, p.meldung)
            for p in zeilenregeln.probleme(table, parsed, raw_text, "")
        ]
        del raw_text
        if not table.teile:
            parsed = parsed.iloc[:, :0]  # not needed any more: freed before the duplicate check
    found += _duplicates(spalten, table, file_of, zeile, found)
    found += _teile(found, parsed, table, dateien, file_of, zeile)
    del parsed
    bad = np.zeros(len(zeile), dtype=bool)
    bad[[b.pos for b in found]] = True
    if len(present) == len(table.column_names):
        keep = ~bad
        behalten = None if keep.all() else np.flatnonzero(keep)
        frame = _finish(
            spalten, behalten, table, ctx, dateien, file_of if behalten is None else file_of[keep]
        )
    else:  # a column is missing: the files give no rows
        keep = np.zeros(len(zeile), dtype=bool)
        frame = empty_frame(table)
    counts = np.bincount(file_of, minlength=len(dateien))
    kept = np.bincount(file_of[keep], minlength=len(dateien))
    per_file = _per_file(found, table, dateien, file_of, zeile)
    return Stapel(frame, np.concatenate([[0], np.cumsum(kept)]), counts.tolist(), per_file)


def _lies_spalten(
    dateien: list[Datei], table: Table, present: list[str]
) -> tuple[dict[str, Spalte], np.ndarray, np.ndarray]:
    """The contract columns of all files as coded columns (blank lines left out), with each
    row's file and line number."""
    import pyarrow as pa

    lines = [d.zeilen for d in dateien]
    file_of = np.repeat(np.arange(len(dateien), dtype=np.int32), [len(x) for x in lines])
    zeile = (
        lines[0] if len(lines) == 1 else np.concatenate(lines) if lines else np.zeros(0, np.int64)
    )
    del lines
    texte = [{n: d.spalte(n) for n in present} for d in dateien]
    for d in dateien:
        d.text = d.text.schema.empty_table()  # the text is held once, as distinct values
        d.zeilen = np.zeros(0, dtype=zeile.dtype)  # and the line numbers once, in ``zeile``
    raw = {}
    for name in _kleine_zuerst(present, table):  # each column's text freed once it is coded
        chunks = [c for t in texte for c in t.pop(name)]
        raw[name] = distinct(pa.chunked_array(chunks, type=pa.string()))
        del chunks
    filled = np.zeros(len(zeile), dtype=bool)
    for codes, text in raw.values():
        filled |= (text != "").to_numpy(dtype=bool)[codes]
    rows = None
    if not filled.all() or not present:  # blank lines: left out
        rows = np.flatnonzero(filled) if present else np.zeros(0, dtype=np.int64)
        file_of, zeile = file_of[rows], zeile[rows]
    spalten: dict[str, Spalte] = {}
    for n in present:
        codes, text = raw.pop(n)
        spalten[n] = lese_spalte(codes if rows is None else codes[rows], text, table.column(n))
    return spalten, file_of, zeile


def _kleine_zuerst(present: list[str], table: Table) -> list[str]:
    """The order the columns are coded in: ids and the key last (a text per case: their hash
    table is the largest, and by then the other columns' texts are freed)."""
    gross = {c.name for c in table.columns if c.kind == "id"} | set(table.key)
    return [n for n in present if n not in gross] + [n for n in present if n in gross]


def _zeilenspalten(table: Table, present: list[str]) -> list[str]:
    """The columns the checks across a row read: all of them for a table with row rules or
    parts, else those of its structural zeros (a large record export keeps no per-row copy of
    its ids)."""
    if table.teile or any(c in zeilenregeln.REGELN for c in table.checks):
        return present
    wanted = {c for f in table.festlegungen for c in (f.spalte, f.folge)}
    return [c for c in present if c in wanted]


def _nur_festlegungen(table: Table) -> bool:
    """Whether the checks across a row are the structural zeros alone (no row rule, no parts)."""
    return not table.teile and not any(c in zeilenregeln.REGELN for c in table.checks)


def _festlegungen(spalten: dict[str, Spalte], table: Table, noetig: list[str]) -> list[_Befund]:
    """The structural zeros (:func:`zeilenregeln.festlegungen`) judged once per distinct
    combination of the texts of the columns they read (a few dozen), not per row; the rows of a
    refused combination get its finding, in the order the rules give them."""
    if not table.festlegungen or not noetig:
        return []
    code = np.zeros(len(spalten[noetig[0]].codes), dtype=np.int64)
    for n in noetig:
        code = schluesselcode([spalten[n].codes], code)
    kombi, _ = pd.factorize(code)
    del code
    erste = erste_zeilen(kombi)
    parsed = pd.DataFrame({n: spalten[n].werte(erste) for n in noetig})
    raw_text = pd.DataFrame({n: spalten[n].roh(erste) for n in noetig})
    befunde = zeilenregeln.festlegungen(table, parsed, raw_text)
    if not befunde:
        return []
    schlecht = np.zeros(len(erste), dtype=bool)
    schlecht[[z for z, _, _, _ in befunde]] = True
    rows = np.flatnonzero(schlecht[kombi])
    by_kombi: dict[int, list[int]] = {}
    for r, k in zip(rows.tolist(), kombi[rows].tolist(), strict=True):
        by_kombi.setdefault(k, []).append(r)
    return [_Befund(r, col, w, m) for z, col, w, m in befunde for r in by_kombi[z]]


def erste_zeilen(code: np.ndarray) -> np.ndarray:
    """The first row of each code (codes numbered in the order of their first row)."""
    if not len(code):
        return np.zeros(0, dtype=np.intp)
    hoechste = np.maximum.accumulate(code)
    neu = np.empty(len(code), dtype=bool)
    neu[0] = True
    np.greater(hoechste[1:], hoechste[:-1], out=neu[1:])
    return np.flatnonzero(neu)


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
    k = schluesselcode([spalten[c].schluessel()[pos] for c in key], file_of[pos])
    dup = doppelt(k)
    if not dup.any():
        return []
    kand = np.flatnonzero(_mehrfach(k))
    first = np.zeros(len(k), dtype=np.int64)
    first[kand] = pd.Series(pos[kand]).groupby(k[kand], sort=False).transform("min").to_numpy()
    out = []
    texts = {c: spalten[c].text.to_numpy(dtype=object) for c in key}
    for p, f in zip(pos[dup], first[dup], strict=True):
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


def schluesselcode(codes: list[np.ndarray], file_of: np.ndarray) -> np.ndarray:
    """One code (int64, from 0) per row for its key and file: equal keys in the same file, equal
    codes. Each part is a code from -1 on (-1: empty); the parts are combined arithmetically and
    numbered again only when the combined range grows large."""
    out = file_of.astype(np.int64)
    for c in codes:
        width = int(c.max(initial=-1)) + 2
        out *= width  # in place: no temporary of the row count
        out += c
        out += 1
        if int(out.max(initial=0)) > (1 << 40):
            out, _ = pd.factorize(out)
    return out


def _mehrfach(code: np.ndarray) -> np.ndarray:
    """Per row: its code is held by another row too (counted with ``bincount`` where the codes
    are dense; else every row)."""
    if not len(code) or int(code.max()) > 4 * len(code) + 1024:
        return np.ones(len(code), dtype=bool)
    return np.bincount(code)[code] > 1


def doppelt(code: np.ndarray, keep: str = "first") -> np.ndarray:
    """``pandas.Series(code).duplicated(keep)`` (codes >= 0), hashing only the rows whose code
    occurs more than once."""
    out = np.zeros(len(code), dtype=bool)
    kand = np.flatnonzero(_mehrfach(code))
    if len(kand):
        out[kand] = pd.Series(code[kand]).duplicated(keep=keep).to_numpy()  # type: ignore[arg-type]
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
    spalten: dict[str, Spalte],
    rows: np.ndarray | None,
    table: Table,
    ctx: Kontext,
    dateien: list[Datei],
    file_of: np.ndarray,
) -> pd.DataFrame:
    """The normalised rows (``rows``: their positions, None: all): contract columns, derived
    sozialraum (categories: its names are a few, repeated on every row), stand and datei.
    Each column's codes and texts are dropped from ``spalten`` once its values are taken."""
    vollstaendig = len(table.column_names) == len(spalten)
    stv = spalten.get("stadtviertel_nr")
    werte = {}
    for n in list(spalten):
        werte[n] = spalten.pop(n).werte(rows)
    out = pd.DataFrame(werte)
    del werte
    if table.has_stadtviertel and vollstaendig and stv is not None:
        sel = stv.codes if rows is None else stv.codes[rows]
        names = stv.parsed.map(ctx.zuordnung).fillna(OHNE_ZUORDNUNG).astype("str")
        codes, uniques = pd.factorize(names)
        out["sozialraum"] = pd.Categorical.from_codes(
            codes[sel], categories=pd.Index(uniques, dtype="str")
        )
    elif "sozialraum" in out.columns:
        out["sozialraum"] = out["sozialraum"].fillna(OHNE_ZUORDNUNG)
    stands = np.array([np.datetime64(d.stand, "ns") for d in dateien], dtype="datetime64[ns]")
    out["stand"] = stands[file_of] if len(dateien) else np.zeros(0, dtype="datetime64[ns]")
    out["datei"] = pd.Categorical.from_codes(
        file_of, categories=pd.Index([d.datei for d in dateien], dtype="str")
    )
    return out
