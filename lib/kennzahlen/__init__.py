"""Kennzahlensystem Soziales: one data pool from the departments' exports, four products.

For analysts::

    import kennzahlen as kz
    pool = kz.load_pool()
    kz.select(pool, "jh_hze_gesamt", raum="Gesamtstadt")
"""

from __future__ import annotations

from .api import load_pool, perioden, pool_dir, select, tabelle, wert, zeitreihe
from .catalog import load_catalog
from .geography import areas, raumgliederung, sozialraeume

__version__ = "0.1.0"

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
