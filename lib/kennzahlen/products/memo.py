"""Results computed once per pool content, for every report that asks again.

A report kernel is kept warm for all reports of a run (``runner``): the same pool is loaded for
each area, and much of what a report computes (a Kennzahl's table over all areas, the pool rows of
a period) is the same for every area. :func:`per_pool` keeps such results by the pool's content
hash (computed once per frame object) and the other arguments, and hands out copies, so that no
caller can change what the next one gets.
"""

from __future__ import annotations

import functools
import hashlib
import weakref
from collections.abc import Callable
from typing import TypeVar

import pandas as pd

T = TypeVar("T")

_FINGERPRINTS: dict[int, tuple[weakref.ref, str]] = {}


def fingerprint(pool: pd.DataFrame) -> str:
    """A content hash of the pool frame (computed once per frame object)."""
    hit = _FINGERPRINTS.get(id(pool))
    if hit is not None and hit[0]() is pool:
        return hit[1]
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(pool, index=False).to_numpy().tobytes()
    ).hexdigest()
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
