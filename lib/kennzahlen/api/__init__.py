"""The analysts' API: tidy frames, German errors with the nearest names, charts.

``import kennzahlen as kz`` gives the same names (``kz.load_pool``, ``kz.zeitreihe`` …).
"""

from kennzahlen.api.abfragen import breit_machen, perioden, select, tabelle, wert, zeitreihe
from kennzahlen.api.auswahl import (
    KeinWert,
    KennzahlUnbekannt,
    NichtGefunden,
    PeriodeUnbekannt,
    RaumUnbekannt,
)
from kennzahlen.api.werkbank import grafik, katalog
from kennzahlen.pool.load import PoolMissing, load_pool, pool_dir, pool_files

__all__ = [
    "KeinWert",
    "KennzahlUnbekannt",
    "NichtGefunden",
    "PeriodeUnbekannt",
    "PoolMissing",
    "RaumUnbekannt",
    "breit_machen",
    "grafik",
    "katalog",
    "load_pool",
    "perioden",
    "pool_dir",
    "pool_files",
    "select",
    "tabelle",
    "wert",
    "zeitreihe",
]
