"""Produkt 3 – Wirkungskennzahlen der Sozialraumorientierung: 7 goals x 4 Arbeitsfelder.

Values are yearly; quarterly Kennzahlen (e.g. egh_z2) are summed over the year's quarters
(Zähler and Nenner separately). Statements follow the council paper's manner.
"""

from __future__ import annotations

from kennzahlen.products.wirkung.aussage import aussage
from kennzahlen.products.wirkung.matrix import (
    anzeige_matrix,
    bericht_audits,
    kernaussagen,
    matrix,
    matrix_html,
)
from kennzahlen.products.wirkung.plan import (
    plan_jahr,
    veroeffentlichen,
    wert_status,
    zur_veroeffentlichung,
)
from kennzahlen.products.wirkung.tabellen import (
    KennzahlTabelle,
    abschnitt,
    kennzahl_tabelle,
    noch_nicht_erhoben,
    zeitreihe_sicher,
)
from kennzahlen.products.wirkung.werte import (
    DATENSCHUTZ,
    MATRIX_FELDER,
    NICHT_BEWERTET,
    ZIELE,
    berichtsjahre,
    erreicht,
    fehlt_satz,
    format_wert,
    hat_werte,
    jahre_mit_daten,
    jahreswerte,
    kennzahlen_p3,
    ohne_daten,
    tabellen_raeume,
    tabellen_wert,
    zaehltabelle,
    zeitreihe,
    zielwert_neu,
    zielwert_text,
)

__all__ = [
    "DATENSCHUTZ",
    "KennzahlTabelle",
    "MATRIX_FELDER",
    "NICHT_BEWERTET",
    "ZIELE",
    "abschnitt",
    "anzeige_matrix",
    "bericht_audits",
    "aussage",
    "berichtsjahre",
    "erreicht",
    "fehlt_satz",
    "tabellen_raeume",
    "format_wert",
    "hat_werte",
    "jahre_mit_daten",
    "jahreswerte",
    "kennzahl_tabelle",
    "kennzahlen_p3",
    "kernaussagen",
    "matrix",
    "matrix_html",
    "noch_nicht_erhoben",
    "ohne_daten",
    "plan_jahr",
    "veroeffentlichen",
    "wert_status",
    "zaehltabelle",
    "zeitreihe",
    "tabellen_wert",
    "zeitreihe_sicher",
    "zielwert_neu",
    "zielwert_text",
    "zur_veroeffentlichung",
]
