"""Results computed once per pool content, for every report that asks again.

A report kernel is kept warm for all reports of a run (``runner``): the same pool is loaded for
each area, and much of what a report computes (a Kennzahl's table over all areas, the pool rows of
a period) is the same for every area. :func:`per_pool` keeps such results by the pool's content
hash (computed once per frame object) and the other arguments, and hands out copies, so that no
caller can change what the next one gets.

:func:`je_stand` keys by the content of every DataFrame argument *and* the state of the
configuration files (:func:`konfigstand`: catalog, steuerung.yaml, Raumgliederung, ...), so that a
long-lived process (a JupyterLab kernel) recomputes after the pool or a configuration changed.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import os
import weakref
from collections.abc import Callable
from typing import TypeVar

import pandas as pd

from kennzahlen.core import paths
from kennzahlen.core.dateistand import signatur

T = TypeVar("T")

_FINGERPRINTS: dict[int, tuple[weakref.ref, str]] = {}


def fingerprint(pool: pd.DataFrame) -> str:
    """A content hash of the pool frame: its rows, column names and types (computed once per
    frame object)."""
    hit = _FINGERPRINTS.get(id(pool))
    if hit is not None and hit[0]() is pool:
        return hit[1]
    h = hashlib.sha256(pd.util.hash_pandas_object(pool, index=False).to_numpy().tobytes())
    h.update(repr([(str(c), str(t)) for c, t in pool.dtypes.items()]).encode())
    digest = h.hexdigest()
    for key in [key for key, (ref, _) in _FINGERPRINTS.items() if ref() is None]:
        del _FINGERPRINTS[key]
    _FINGERPRINTS[id(pool)] = (weakref.ref(pool), digest)
    return digest


def per_pool(func: Callable[..., T]) -> Callable[..., T]:
    """Memoise ``func(pool, *args)`` by the pool's content and ``args`` (hashable); return copies
    of DataFrames and Series."""
    cache: dict[tuple, T] = {}

    @functools.wraps(func)
    def wrapper(pool: pd.DataFrame, *args):
        key = (fingerprint(pool), *args)
        try:
            hit = cache[key]
        except KeyError:
            hit = cache[key] = func(pool, *args)
            if len(cache) > 4096:
                cache.clear()
        except TypeError:  # unhashable arguments: compute
            return func(pool, *args)
        return hit.copy() if isinstance(hit, pd.DataFrame | pd.Series) else hit

    return wrapper


def konfigstand() -> tuple:
    """The state of the configuration folder: its path and every file's name and
    :func:`~kennzahlen.core.dateistand.signatur` (an edit, a replaced file or another folder
    gives another state)."""
    folder = paths.CONFIG
    try:
        with os.scandir(folder) as entries:
            files = []
            for e in entries:
                if e.is_file():
                    files.append((e.name, signatur(e.path)))
    except OSError:
        return (str(folder),)
    return (str(folder), *sorted(files))


def _kopie(value: T) -> T:
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy()  # type: ignore[return-value]
    return copy.deepcopy(value)


def je_stand(func: Callable[..., T]) -> Callable[..., T]:
    """Memoise ``func(*args)`` by the content of its DataFrame arguments, its other (hashable)
    arguments and :func:`konfigstand`; hand out copies, so that no caller can change what the
    next one gets."""
    cache: dict[tuple, T] = {}

    @functools.wraps(func)
    def wrapper(*args):
        try:
            key = (
                tuple(
                    ("DataFrame", fingerprint(a)) if isinstance(a, pd.DataFrame) else a
                    for a in args
                ),
                konfigstand(),
            )
            hit = cache[key]
        except KeyError:
            if len(cache) >= 256:
                cache.clear()
            hit = cache[key] = func(*args)
        except TypeError:  # unhashable arguments: compute
            return func(*args)
        return _kopie(hit)

    wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
    return wrapper


def tabellen_schluessel(frame: pd.DataFrame, table: str) -> tuple:
    """What identifies a pool table as :func:`kennzahlen.pool.load.load_pool` just returned it
    (unchanged): its version folder and the file's state (cheaper than hashing its content); a
    frame from elsewhere: its content hash."""
    folder = frame.attrs.get("pool_ordner")
    if folder:
        stand = signatur(os.path.join(folder, f"{table}.parquet"))
        if stand is not None:
            return ("pool", str(folder), table, stand)
    return ("inhalt", fingerprint(frame))


def gemerkt(cache: dict, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` kept in ``cache`` under ``key`` and :func:`konfigstand`; a copy handed out."""
    full = (key, konfigstand())
    try:
        hit = cache[full]
    except KeyError:
        if len(cache) >= 256:
            cache.clear()
        hit = cache[full] = compute()
    return _kopie(hit)
