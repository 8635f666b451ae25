"""Reading the data pool back: one table of the current version, cached while the file stays."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from kennzahlen.core import paths
from kennzahlen.core.namen import satz


class PoolMissing(FileNotFoundError):
    """The data pool has not been built yet."""


def pool_dir(pool: str | Path | None = None) -> Path:
    """The pool folder: the argument, else $KENNZAHLEN_POOL, else data/processed."""
    if pool:
        return Path(pool)
    env = os.environ.get("KENNZAHLEN_POOL")
    return Path(env) if env else paths.PROCESSED


def pool_files(pool: str | Path | None = None) -> Path:
    """The folder holding the current pool version's tables (follows ``manifest.json``)."""
    from kennzahlen.pool.store import current_dir

    return current_dir(pool_dir(pool))


def leer(pool: pd.DataFrame) -> pd.Series:
    """The rows of ``kennzahlen`` without a value: a share or rate whose Nenner is 0 (``wert``
    empty). The pool keeps them so that every area's Zähler and Nenner are there; they are no
    value of the period (never a 0, never data a report could show)."""
    return pool["nenner"].eq(0).fillna(False).astype(bool)


def werte(pool: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``kennzahlen`` that carry a value (all but :func:`leer`), in their order."""
    maske = leer(pool)
    if not maske.any():
        return pool
    out = pool[~maske].reset_index(drop=True)
    out.attrs.update(pool.attrs)
    return out


def load_pool(
    pool: str | Path | pd.DataFrame | None = None,
    table: str = "kennzahlen",
    leere: bool = False,
) -> pd.DataFrame:
    """Read one pool table (default ``kennzahlen.parquet``) as a tidy DataFrame.

    ``pool``: the pool folder (None: ``$KENNZAHLEN_POOL``, else data/processed), or a frame
    this function returned (then the table of the same pool version). ``table`` may
    be ``kennzahlen``, ``stand`` (the exports read and their Stand), ``abdeckung`` or any other
    table the pool writes (``ampel``, ``sozialindex``, …). The tables of one call come from one
    complete pool version, also while ``kennzahlen pool`` writes a new one; the frame remembers
    that version's folder (``attrs["pool_ordner"]``), so that ``kz.sozialindex(pool)`` and
    ``kz.ampel(pool)`` read the same version. ``kennzahlen`` comes without its rows of Nenner 0
    (:func:`leer`) unless ``leere=True``.

    >>> pool = kz.load_pool()
    >>> list(pool.columns)
    ['kennzahl', 'ebene', 'raum', 'periode', 'zaehler', 'nenner', 'wert']
    """
    if isinstance(pool, pd.DataFrame):
        folder = _version(pool)
        frame = _lies(pool, folder, table)
    else:
        from kennzahlen.pool.store import gehalten

        root = pool_dir(pool)
        with gehalten(root) as version:  # a pool build meanwhile cannot prune what is read
            folder = version.dir if version is not None else root
            frame = _lies(pool, folder, table)
    frame = (werte(frame) if table == "kennzahlen" and not leere else frame).copy()
    frame.attrs["pool_ordner"] = str(folder)
    return frame


def _lies(pool: str | Path | pd.DataFrame | None, folder: Path, table: str) -> pd.DataFrame:
    path = folder / f"{table}.parquet"
    if not path.exists():
        raise PoolMissing(_fehlt_text(pool, folder, table))
    return _read_table(path)


def _version(frame: pd.DataFrame) -> Path:
    """The pool version folder a frame of :func:`load_pool` came from."""
    folder = frame.attrs.get("pool_ordner")
    if not folder:
        raise ValueError(
            "Dieser DataFrame stammt nicht aus kz.load_pool(): bitte den Ordner des Datenpools "
            "angeben (oder nichts für den Standard-Pool)."
        )
    return Path(folder)


def _fehlt_text(pool: str | Path | pd.DataFrame | None, folder: Path, table: str) -> str:
    """Why a pool table is missing: no pool yet, or a table name the pool does not have."""
    tables = sorted(p.stem for p in folder.glob("*.parquet")) if folder.is_dir() else []
    if table != "kennzahlen" and tables:
        return (
            satz(f"Tabelle '{table}' gibt es im Datenpool {folder} nicht", table, tables)
            + f" Vorhanden: {', '.join(tables)}."
        )
    where = folder if isinstance(pool, pd.DataFrame) else pool_dir(pool)
    return (
        f"{where / f'{table}.parquet'} fehlt: erst den Datenpool bauen "
        f"(`kennzahlen pool` oder `make report`)."
    )


#: tables read in this process, by file identity: a report reads the same pool tables several
#: times, and a warm report kernel reads them again for every area of the period
_TABLES: dict[Path, tuple[tuple[int, int, int], pd.DataFrame]] = {}


def _read_table(path: Path) -> pd.DataFrame:
    """The parquet table at ``path``, read once while the file stays the same (inode, size,
    mtime)."""
    st = path.stat()
    key = (st.st_ino, st.st_size, st.st_mtime_ns)
    hit = _TABLES.get(path)
    if hit is not None and hit[0] == key:
        return hit[1]
    frame = pd.read_parquet(path)
    if len(_TABLES) >= 16:
        _TABLES.pop(next(iter(_TABLES)))
    _TABLES[path] = (key, frame)
    return frame
