"""The rows of the Erfassungsbogen (Produkt 2) in the council paper's order, their groups and
labels: what the report, its Excel file and its steering sections share."""

from __future__ import annotations

from kennzahlen.core.vocabulary import ARBEITSFELDER

#: rows of the Erfassungsbogen in the paper's order: (Gruppe, Bereich, Zeile, kennzahl)
ZEILEN: list[tuple[str, str, str, str]] = [
    ("JH", "Jugendhilfe ohne UMA", "Gesamt", "jh_hze_gesamt"),
    ("JH", "Jugendhilfe ohne UMA", "ambulant", "jh_hze_ambulant"),
    ("JH", "Jugendhilfe ohne UMA", "stationär", "jh_hze_stationaer"),
    ("JH", "JH – UMA", "Gesamt", "jh_uma_gesamt"),
    ("JH", "JH – UMA", "ambulant", "jh_uma_ambulant"),
    ("JH", "JH – UMA", "stationär", "jh_uma_stationaer"),
    ("JH", "Hilfen vor dem Fall", "seit Jahresbeginn", "jh_hilfen_vor_dem_fall"),
    ("EGH", "Eingliederungshilfe", "in eigenem Wohnraum", "egh_eigener_wohnraum"),
    (
        "EGH",
        "Eingliederungshilfe",
        "in besonderer Wohnform + Schule über Tag und Nacht",
        "egh_besondere_wohnform",
    ),
    ("EGH", "Fallmanagement", "in Fallmanagement", "egh_fallmanagement"),
    ("EGH", "WfbM", "Gesamt", "egh_wfbm"),
    ("EGH", "Blindenhilfe", "Gesamt", "egh_blindenhilfe"),
    ("ES", "SGB XII HLU", "Gesamt", "es_hlu_gesamt"),
    ("ES", "SGB XII HLU", "ambulant", "es_hlu_ambulant"),
    ("ES", "SGB XII HLU", "stationär", "es_hlu_stationaer"),
    ("ES", "SGB XII GSI", "Gesamt", "es_gsi_gesamt"),
    ("ES", "SGB XII GSI", "ambulant", "es_gsi_ambulant"),
    ("ES", "SGB XII GSI", "stationär", "es_gsi_stationaer"),
    ("AH", "HzP", "Gesamt", "ah_hzp_gesamt"),
    ("AH", "HzP", "ambulant", "ah_hzp_ambulant"),
    ("AH", "HzP", "stationär", "ah_hzp_stationaer"),
    ("AH", "Fallmanagement", "in Fallmanagement", "ah_fallmanagement"),
    ("SGB II", "SGB II", "Leistungsempfänger*innen", "sgb2_leistungsberechtigte"),
    ("AsylbLG", "AsylbLG", "Leistungsempfänger*innen", "asylblg_leistungsberechtigte"),
]
GRUPPEN = {
    "JH": "JH – Fallzahlen",
    "EGH": "EGH – Fallzahlen",
    "ES": "ES – Fallzahlen",
    "AH": "AH – Fallzahlen",
    "SGB II": "SGB II – Fallzahlen",
    "AsylbLG": "AsylbLG – Fallzahlen",
}
#: the Arbeitsfeld of each group, named in tables without group heading rows
ARBEITSFELD = {
    "JH": ARBEITSFELDER["jh"],
    "EGH": ARBEITSFELDER["egh"],
    "ES": ARBEITSFELDER["es"],
    "AH": ARBEITSFELDER["ah"],
    "SGB II": "SGB II",
    "AsylbLG": "AsylbLG",
}
#: the main case numbers for the chart over time
HAUPTZAHLEN = {
    "jh_hze_gesamt": "HzE ohne UMA",
    "egh_eigener_wohnraum": "EGH eigener Wohnraum",
    "es_gsi_gesamt": "GSI",
    "ah_hzp_gesamt": "Hilfe zur Pflege",
    "sgb2_leistungsberechtigte": "SGB II",
    "asylblg_leistungsberechtigte": "AsylbLG",
}
SO_GESAMT = "SO-Gesamt"


def zeilen_label(bereich: str, zeile: str) -> str:
    """A row's label: 'HzP: ambulant'; the Bereich alone for its total ('Gesamt', 'in
    Fallmanagement')."""
    return bereich if zeile in ("Gesamt", f"in {bereich}") else f"{bereich}: {zeile}"
