"""Kennzahlensystem Soziales: one data pool from the departments' exports, four products.

For analysts (docs/api.md)::

    import kennzahlen as kz
    pool = kz.load_pool()
    kz.katalog(pool)                                          # what exists
    kz.wert(pool, "jh_hze_gesamt", "Gesamtstadt", "31.12.2021")
    kz.zeitreihe(pool, "jh_hze_gesamt", ebene="sozialraum", breit=True)
    kz.sozialindex(pool, "2023", klasse="höchste")

The names below are imported on first use (PEP 562), so that ``kennzahlen`` commands that need no
pandas (an unchanged rerun, ``--help``) start without it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from kennzahlen.core import __version__ as __version__
from kennzahlen.core import lazy_imports as _lazy_imports  # noqa: F401 (defers a slow import)

_LAZY = {
    "breit_machen": ".api.abfragen",
    "load_pool": ".pool.load",
    "perioden": ".api.abfragen",
    "pool_dir": ".pool.load",
    "select": ".api.abfragen",
    "tabelle": ".api.abfragen",
    "wert": ".api.abfragen",
    "zeitreihe": ".api.abfragen",
    "KeinWert": ".api.auswahl",
    "KennzahlUnbekannt": ".api.auswahl",
    "NichtGefunden": ".api.auswahl",
    "PeriodeUnbekannt": ".api.auswahl",
    "RaumUnbekannt": ".api.auswahl",
    "load_catalog": ".catalog.model",
    "areas": ".catalog.geography",
    "raumgliederung": ".catalog.geography",
    "sozialraeume": ".catalog.geography",
    "grafik": ".api.werkbank",
    "katalog": ".api.werkbank",
}
#: modules an analyst calls like functions (kennzahlen.core.aufrufbar): ``kz.sozialindex(pool, …)``
_AUFRUFBAR = {"ampel": ".ampel", "sozialindex": ".sozialindex"}

__all__ = [
    "KeinWert",
    "KennzahlUnbekannt",
    "NichtGefunden",
    "PeriodeUnbekannt",
    "RaumUnbekannt",
    "ampel",
    "areas",
    "breit_machen",
    "grafik",
    "katalog",
    "load_catalog",
    "load_pool",
    "perioden",
    "pool_dir",
    "raumgliederung",
    "select",
    "sozialindex",
    "sozialraeume",
    "tabelle",
    "wert",
    "zeitreihe",
]

if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from kennzahlen import ampel
    from kennzahlen.api.abfragen import breit_machen, perioden, select, tabelle, wert, zeitreihe
    from kennzahlen.api.auswahl import (
        KeinWert,
        KennzahlUnbekannt,
        NichtGefunden,
        PeriodeUnbekannt,
        RaumUnbekannt,
    )
    from kennzahlen.api.werkbank import grafik, katalog
    from kennzahlen.catalog.geography import areas, raumgliederung, sozialraeume
    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.pool.load import load_pool, pool_dir
    from kennzahlen.sozialindex import berechnung as sozialindex


def __getattr__(name: str):
    """``kz.load_pool`` etc.: import the module that holds the name on first use."""
    if name in _AUFRUFBAR:
        return import_module(_AUFRUFBAR[name], __name__)  # importing sets the attribute
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_AUFRUFBAR})
