"""Reading and validating the raw deliveries in ``data/raw/`` (``DATA_CONTRACT.md`` section 2).

Every file ``<table>_<YYYY-MM-DD>.csv|.xlsx`` is read as text and its columns are matched to the
contract (:mod:`kennzahlen.core.schema`); the exports of one table are then checked together,
each column once per distinct value (:mod:`kennzahlen.reading.stapel`). Every problem of every
file is collected; :func:`read_raw` raises :class:`InvalidInput` listing all of them, or returns
the normalised tables with superseding applied (the row from the newest export wins). An export
that passed in an earlier build of the same pool is taken from there, not read again
(:mod:`kennzahlen.reading.exportcache`).

Line numbers: every problem names the line in its file (CSV: the header is line 1; XLSX: the
sheet row)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kennzahlen.core.dateistand import Dateistand
from kennzahlen.core.schema import OHNE_ZUORDNUNG, TABLES, Table, output_dtypes
from kennzahlen.reading.checks import empty_frame
from kennzahlen.reading.exportcache import Exportcache
from kennzahlen.reading.problems import InvalidInput, Problem
from kennzahlen.reading.spalten import Kontext
from kennzahlen.reading.stapel import Datei, doppelt, pruefe, schluesselcode
from kennzahlen.reading.text import parse_file_name, read_text, release_memory

IGNORED_FILES = {"readme.md", "readme.txt", ".gitkeep", "thumbs.db", "desktop.ini"}
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
class RawData:
    """The normalised raw tables (superseding applied), the file manifest and warnings."""

    tables: dict[str, pd.DataFrame]
    files: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    #: the exports read (kept in the pool folder when the pool is written)
    exporte: Exportcache | None = None


# --------------------------------------------------------------------------------------
# public functions


def read_raw(
    raw_dir: Path,
    raumgliederung: pd.DataFrame | None = None,
    heute: date | None = None,
    cache: Exportcache | None = None,
) -> RawData:
    """Read and validate every delivery in ``raw_dir``; raise InvalidInput listing all problems.

    ``heute`` is the day of the build (default: today): a Stand after it is bad input.
    ``cache``: exports read in earlier builds (:mod:`kennzahlen.reading.exportcache`); an export
    found there is not read again, and every export read here that passed is kept in it.
    """
    raw_dir = Path(raw_dir)
    if raumgliederung is None:
        from kennzahlen.catalog.geography import raumgliederung as load_raumgliederung

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
    cache = cache or Exportcache(None, "", Dateistand())
    try:
        return _read_found(raw_dir, found, warn, problems, raumgliederung, cache)
    except BaseException:
        cache.verwerfen()  # bad input (or an interrupted read) keeps no export
        raise


def _read_found(
    raw_dir: Path,
    found: list[tuple[Path, Table]],
    warn: list[str],
    problems: list[Problem],
    raumgliederung: pd.DataFrame,
    cache: Exportcache,
) -> RawData:
    results, tables = _read_all(found, Kontext.of(raumgliederung), cache)
    manifest: list[dict] = []
    for i, (path, _table) in enumerate(found):
        file_problems, info = results[i]
        problems.extend(file_problems)
        manifest.append(info)
        warn.extend(info.pop("warnungen", []))
        if not file_problems and info["zeilen"] == 0:
            warn.append(
                f"{path.name}: enthält nur die Kopfzeile, keine Datenzeilen (0 Zeilen gelesen); "
                f"bitte prüfen, ob der Export vollständig ist"
            )
    if problems:
        raise InvalidInput(fremde_codes(problems, manifest, raw_dir))

    files = pd.DataFrame(manifest, columns=list(_MANIFEST_DTYPES))
    used = pd.concat([t["datei"] for t in tables.values()]).value_counts()
    files["zeilen_verwendet"] = files["datei"].map(used).fillna(0)
    files = files.astype(_MANIFEST_DTYPES)
    return RawData(tables=tables, files=files, warnings=warn, exporte=cache)


def read_file(
    path: Path, table: Table, raumgliederung: pd.DataFrame
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one delivery: the normalised frame (before superseding, rows with a problem left
    out) with ``stand``/``datei``, and the list of its problems."""
    results: dict[int, tuple[list[Problem], dict]] = {}
    cache = Exportcache(None, "", Dateistand())
    parts = _read_table([(0, Path(path))], table, Kontext.of(raumgliederung), cache, results)
    frame = _normalise(parts, table, [Path(path).name]) if parts else empty_frame(table)
    return frame, results[0][0]


def supersede(frames: list[pd.DataFrame], table: Table) -> pd.DataFrame:
    """Concatenate normalised frames of one table (one per export); per key the row of the newest
    Stand wins (ties: the later file name)."""
    names = [str(n) for f in frames for n in pd.unique(f["datei"].astype("str"))]
    return _supersede([f for f in frames if len(f)], table, names)


# --------------------------------------------------------------------------------------
# reading the exports of a table


#: rows of text checked together at most (a table with more is checked in several batches)
STAPEL_ZEILEN = 2_000_000


def _read_all(
    found: list[tuple[Path, Table]], ctx: Kontext, cache: Exportcache
) -> tuple[dict[int, tuple[list[Problem], dict]], dict[str, pd.DataFrame]]:
    """Every export found, table by table: per export (by its place in ``found``) its problems
    and manifest entry; per table its rows with superseding applied, right after the table is
    read (its parts freed before the next table is read; a table with a problem: none)."""
    results: dict[int, tuple[list[Problem], dict]] = {}
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        entries = [(i, path) for i, (path, table) in enumerate(found) if table.name == name]
        parts = _read_table(entries, TABLES[name], ctx, cache, results) if entries else []
        if not any(results[i][0] for i, _ in entries):
            tables[name] = _supersede(parts, TABLES[name], [p.name for _, p in entries])
        del parts
    return results, tables


def _read_table(
    entries: list[tuple[int, Path]],
    table: Table,
    ctx: Kontext,
    cache: Exportcache,
    results: dict[int, tuple[list[Problem], dict]],
) -> list[pd.DataFrame]:
    """The exports of one table: kept ones from the cache, the others read and checked in
    batches; their normalised rows (per batch or kept export) and, in ``results``, each
    export's problems and manifest entry."""
    parts: list[pd.DataFrame] = []
    waiting: list[tuple[int, Datei, list[Problem], dict, str | None]] = []
    kept: list[tuple[str, Any]] = []
    for i, path in entries:
        key = cache.schluessel(path, table)
        found = cache.laden(key)
        if found is not None:
            kept.append((path.name, found[0]))
            results[i] = ([], _info_from_cache(found[1], table, path))
            continue
        datei, problems, info = read_text(path, table)
        if datei is None:
            results[i] = (problems, info)
            continue
        waiting.append((i, datei, problems, info, key))
    if kept:
        parts.append(_from_cache(kept, table))
    for batch in _batches(waiting):
        parts.append(_check_batch(batch, table, ctx, cache, results))
    release_memory()
    return parts


def _batches(waiting: list) -> list[list]:
    """Exports with the same columns, in order, at most STAPEL_ZEILEN rows of text each."""
    groups: dict[tuple[str, ...], list] = {}
    for item in waiting:
        groups.setdefault(tuple(sorted(item[1].positions)), []).append(item)
    out: list[list] = []
    for items in groups.values():
        batch: list = []
        rows = 0
        for item in items:
            n = item[1].text.num_rows + 1  # with the header row
            if batch and rows + n > STAPEL_ZEILEN:
                out.append(batch)
                batch, rows = [], 0
            batch.append(item)
            rows += n
        out.append(batch)
    return out


_KEPT_INFO = ("zeilen", "format", "encoding", "trennzeichen", "warnungen")


def _check_batch(
    batch: list, table: Table, ctx: Kontext, cache: Exportcache, results: dict
) -> pd.DataFrame:
    """Check one batch; record each export's problems and manifest entry; keep the exports
    that passed in the cache."""
    st = pruefe([item[1] for item in batch], table, ctx)
    kept = _for_cache(st.frame) if any(item[4] is not None for item in batch) else None
    for j, (i, _datei, problems, info, key) in enumerate(batch):
        info["zeilen"] = st.zeilen[j]
        problems.extend(st.problems[j])
        results[i] = (problems, info)
        if not problems and key is not None and kept is not None:
            rows = kept.iloc[st.grenzen[j] : st.grenzen[j + 1]].reset_index(drop=True)
            cache.merken(key, rows, {k: info[k] for k in _KEPT_INFO})
    return st.frame


def _stand(name: str) -> pd.Timestamp:
    parsed = parse_file_name(name)
    return pd.Timestamp(parsed[1]) if parsed else pd.NaT


def _info_from_cache(kept: dict, table: Table, path: Path) -> dict:
    info = {"datei": path.name, "tabelle": table.name, "stand": _stand(path.name)}
    info.update({k: kept.get(k) for k in _KEPT_INFO})
    info["warnungen"] = list(info["warnungen"] or [])
    return info


def _for_cache(rows: pd.DataFrame) -> pd.DataFrame:
    """An export's rows as kept: without stand and datei (they come from its name)."""
    return rows.drop(columns=["stand", "datei"]).reset_index(drop=True)


def _from_cache(kept: list[tuple[str, Any]], table: Table) -> pd.DataFrame:
    """The rows of the kept exports of a table (Arrow tables) with stand and datei, as
    :func:`_check_batch` gives them."""
    import pyarrow as pa

    frame = pa.concat_tables([t for _, t in kept], promote_options="default").to_pandas()
    dtypes = {c: d for c, d in output_dtypes(table).items() if c in frame.columns}
    frame = frame.astype(
        {c: ("str" if d == "category" and c != "sozialraum" else d) for c, d in dtypes.items()}
    )
    names = [name for name, _ in kept]
    file_of = np.repeat(np.arange(len(kept)), [t.num_rows for _, t in kept])
    stands = np.array([np.datetime64(_stand(n), "ns") for n in names], dtype="datetime64[ns]")
    frame["stand"] = stands[file_of]
    frame["datei"] = pd.Categorical.from_codes(file_of, categories=pd.Index(names, dtype="str"))
    return frame


# --------------------------------------------------------------------------------------
# the exports of a table together


def _together(parts: list[pd.DataFrame], table: Table, dateien: list[str]):
    """The rows of all parts in one frame, ``datei`` (and the derived ``sozialraum``) as
    categories shared by all parts (sorted), and per export its Sozialräume with 'ohne
    Zuordnung' (what reading it alone gave as categories)."""
    names = pd.Index(sorted(dateien), dtype="str")
    datei = np.concatenate([_codes(p["datei"], names) for p in parts])
    sets: list[frozenset] = []
    sr = None
    if table.has_stadtviertel:
        sr_names = sorted(
            {OHNE_ZUORDNUNG} | {str(v) for p in parts for v in _kategorien(p["sozialraum"])}
        )
        sr_index = pd.Index(sr_names, dtype="str")
        sr = np.concatenate([_codes(p["sozialraum"], sr_index) for p in parts])
        breite = len(sr_index)
        paar: np.ndarray = datei.astype(np.int64 if len(names) * breite >= 1 << 31 else np.int32)
        paar *= breite
        paar += sr
        pairs = np.flatnonzero(np.bincount(paar, minlength=len(names) * breite))  # sorted
        del paar
        found = {d: {OHNE_ZUORDNUNG} for d in dateien}
        for d, s in zip(pairs // len(sr_index), pairs % len(sr_index), strict=True):
            found[names[d]].add(sr_names[s])
        sets = [frozenset(s) for s in found.values()]
    spalten = list(parts[0].columns)
    neu = {"datei": pd.Categorical.from_codes(datei, categories=names)}
    if sr is not None:
        neu["sozialraum"] = pd.Categorical.from_codes(sr, categories=sr_index)
    rest = [p.drop(columns=list(neu)) for p in parts]  # not concatenated as text
    df = pd.concat(rest, ignore_index=True) if len(rest) > 1 else rest[0]
    df = df.assign(**neu)
    return df[spalten], sets


def _kategorien(s: pd.Series) -> Any:
    return s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else pd.unique(s)


def _codes(s: pd.Series, names: pd.Index) -> np.ndarray:
    """Per row the position of its text in ``names`` (which holds every text of ``s``)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        lookup = names.get_indexer(s.cat.categories.astype("str"))
        return lookup[s.cat.codes.to_numpy()].astype(np.int32)
    return names.get_indexer(s.astype("str")).astype(np.int32)


def _normalise(parts: list[pd.DataFrame], table: Table, dateien: list[str]) -> pd.DataFrame:
    """The rows of the exports ``dateien`` in one frame, in the contract's dtypes."""
    if not dateien or not parts:
        return empty_frame(table)
    df, sets = _together(parts, table, dateien)
    return _categories(df.reset_index(drop=True), table, dateien, sets)


def _supersede(parts: list[pd.DataFrame], table: Table, dateien: list[str]) -> pd.DataFrame:
    """All exports of one table; per key the row of the newest Stand wins (ties: the later file
    name)."""
    if not dateien or not parts:
        return empty_frame(table)
    df, sets = _together(parts, table, dateien)
    if len(dateien) > 1:  # one export has no key twice (that is a problem of its own)
        stand = df["stand"].to_numpy(dtype="datetime64[ns]").view(np.int64)
        order = np.lexsort((df["datei"].cat.codes.to_numpy(), stand))  # stable
        keys = [pd.factorize(df[c])[0] for c in table.key]
        code = schluesselcode(keys, np.zeros(len(df), dtype=np.int64))
        dup = doppelt(code[order], keep="last")
        df = df.take(order[~dup])
    return _categories(df.reset_index(drop=True), table, dateien, sets)


def _categories(
    df: pd.DataFrame, table: Table, dateien: list[str], sets: list[frozenset]
) -> pd.DataFrame:
    """The categories of ``datei`` and the derived ``sozialraum`` as reading export by export
    gave them: one export keeps its own (its name; its Sozialräume and 'ohne Zuordnung'), exports
    with equal categories keep those, the others the values of their rows (sorted)."""
    df["datei"] = _ohne_unbenutzte(df["datei"])
    if len(dateien) == 1:
        df["datei"] = df["datei"].cat.set_categories(pd.Index(dateien, dtype="str"))
    if sets and len(set(sets)) == 1:
        df["sozialraum"] = df["sozialraum"].cat.set_categories(
            pd.Index(sorted(sets[0]), dtype="str")
        )
    elif sets:
        df["sozialraum"] = _ohne_unbenutzte(df["sozialraum"])
    for c, dtype in output_dtypes(table).items():  # only what changes: no copy of the others
        if df[c].dtype != dtype:
            df[c] = df[c].astype(dtype)
    return df


def _ohne_unbenutzte(s: pd.Series) -> pd.Series:
    """``s.cat.remove_unused_categories()`` counted with ``bincount`` (pandas sorts the codes of
    every row: on 3 million rows 77 MB for a moment)."""
    codes = s.cat.codes.to_numpy()
    n = len(s.cat.categories)
    used = np.bincount(codes[codes >= 0], minlength=n).astype(bool) if n else np.zeros(0, bool)
    if used.all():
        return s
    neu = np.cumsum(used) - 1
    neu = np.append(neu, -1).astype(codes.dtype)  # code -1 (empty) stays -1
    cat = pd.Categorical.from_codes(
        neu[codes], categories=s.cat.categories[used], ordered=s.cat.ordered
    )
    return pd.Series(cat, index=s.index, name=s.name)


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
                    "je Stand ablegen (den falschen entfernen oder das Datum im Namen "
                    "korrigieren).",
                )
            )
    return problems


#: from this many rows with an unknown area code on, and when they are most rows, the problems are
#: one paragraph (a few unknown codes in a small file keep their line-exact messages)
ZUSAMMENFASSEN_AB = 50
#: the messages of an area code the Raumgliederung does not know (reading_checks)
_UNBEKANNT = ("Stadtviertel unbekannt:", "Sozialraum unbekannt:", "Gebiet unbekannt:")


def fremde_codes(problems: list[Problem], manifest: list[dict], raw_dir: Path) -> list[Problem]:
    """When most rows (and at least ``ZUSAMMENFASSEN_AB``) name a Stadtviertel or Sozialraum the
    Raumgliederung does not know, the
    raw folder belongs to another city (or the configuration does): one paragraph instead of a
    line per row (a whole city's exports gave 332,434 lines); the other problems are counted."""
    from kennzahlen.core import paths
    from kennzahlen.core.fmt import anzahl, zahl

    fremd = [p for p in problems if p.meldung.startswith(_UNBEKANNT)]
    mit_code = sum(
        int(i["zeilen"])
        for i in manifest
        if any(c.kind in ("area", "sozialraum", "gebiet") for c in TABLES[i["tabelle"]].columns)
    )
    if len(fremd) < ZUSAMMENFASSEN_AB or len(fremd) * 2 <= mit_code:
        return problems
    codes = list(dict.fromkeys(p.wert for p in fremd))
    beispiele = ", ".join(f"'{c}'" for c in codes[:8]) + (", …" if len(codes) > 8 else "")
    dateien = len({p.datei for p in fremd})
    zusammen = Problem(
        raw_dir.name or str(raw_dir),
        None,
        None,
        None,
        f"Die Rohdaten in {raw_dir} passen nicht zur Raumgliederung "
        f"{paths.CONFIG / 'raumgliederung.csv'}: {zahl(len(fremd))} von {zahl(mit_code)} Zeilen "
        f"in {anzahl(dateien, 'Datei', 'Dateien')} nennen ein Stadtviertel oder einen Sozialraum, "
        f"den sie nicht kennt ({zahl(len(codes))} verschiedene, z. B. {beispiele}). "
        "Gehören die Exporte zu einer anderen Stadt? Bitte mit --raw den Rohdatenordner dieser "
        "Stadt angeben oder mit --config ihre Konfiguration."
        + (
            f" Weitere {zahl(len(problems) - len(fremd))} Probleme dieser Rohdaten werden nicht "
            "einzeln gezeigt."
            if len(problems) > len(fremd)
            else ""
        ),
    )
    return [zusammen]


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
