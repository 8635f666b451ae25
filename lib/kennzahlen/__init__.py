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

__version__ = "0.1.0"

_LAZY = {
    "breit_machen": ".api",
    "load_pool": ".api",
    "perioden": ".api",
    "pool_dir": ".api",
    "select": ".api",
    "tabelle": ".api",
    "wert": ".api",
    "zeitreihe": ".api",
    "KeinWert": ".auswahl",
    "KennzahlUnbekannt": ".auswahl",
    "NichtGefunden": ".auswahl",
    "PeriodeUnbekannt": ".auswahl",
    "RaumUnbekannt": ".auswahl",
    "load_catalog": ".catalog",
    "areas": ".geography",
    "raumgliederung": ".geography",
    "sozialraeume": ".geography",
    "grafik": ".werkbank",
    "katalog": ".werkbank",
}
#: modules an analyst calls like functions (kennzahlen.aufrufbar): ``kz.sozialindex(pool, …)``
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
    from . import ampel, sozialindex
    from .api import (
        breit_machen,
        load_pool,
        perioden,
        pool_dir,
        select,
        tabelle,
        wert,
        zeitreihe,
    )
    from .auswahl import (
        KeinWert,
        KennzahlUnbekannt,
        NichtGefunden,
        PeriodeUnbekannt,
        RaumUnbekannt,
    )
    from .catalog import load_catalog
    from .geography import areas, raumgliederung, sozialraeume
    from .werkbank import grafik, katalog


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
