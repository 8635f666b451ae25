"""Kennzahlensystem Soziales: one data pool from the departments' exports, four products.

For analysts::

    import kennzahlen as kz
    pool = kz.load_pool()
    kz.select(pool, "jh_hze_gesamt", raum="Gesamtstadt")

The names below are imported on first use (PEP 562), so that ``kennzahlen`` commands that need no
pandas (an unchanged rerun, ``--help``) start without it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_LAZY = {
    "load_pool": ".api",
    "perioden": ".api",
    "pool_dir": ".api",
    "select": ".api",
    "tabelle": ".api",
    "wert": ".api",
    "zeitreihe": ".api",
    "load_catalog": ".catalog",
    "areas": ".geography",
    "raumgliederung": ".geography",
    "sozialraeume": ".geography",
}

__all__ = [
    "areas",
    "load_catalog",
    "load_pool",
    "perioden",
    "pool_dir",
    "raumgliederung",
    "select",
    "sozialraeume",
    "tabelle",
    "wert",
    "zeitreihe",
]

if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from .api import load_pool, perioden, pool_dir, select, tabelle, wert, zeitreihe
    from .catalog import load_catalog
    from .geography import areas, raumgliederung, sozialraeume


def __getattr__(name: str):
    """``kz.load_pool`` etc.: import the module that holds the name on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
