"""The rows of the Erfassungsbogen (Produkt 2) in the council paper's order, their groups, kinds and
labels: what the report, its Excel file and its steering sections share."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from kennzahlen.core.vocabulary import ARBEITSFELDER


class Zeilenart(Enum):
    """What a row of the Erfassungsbogen is within its Bereich."""

    #: the Bereich's total ("Gesamt"): labelled by the Bereich alone, printed bold
    GESAMT = "gesamt"
    #: the Bereich's only row under another name ("in Fallmanagement"): labelled by the Bereich
    ALLEIN = "allein"
    #: a part of the Bereich ("ambulant", "seit Jahresbeginn"): labelled "Bereich: Zeile"
    TEIL = "teil"


class Zeile(NamedTuple):
    """A row of the Erfassungsbogen: its group, Bereich, row name, Kennzahl and kind."""

    gruppe: str
    bereich: str
    zeile: str
    kennzahl: str
    art: Zeilenart

    @property
    def ort(self) -> tuple[str, str, str]:
        """(Gruppe, Bereich, Zeile): the row's place in the form's index."""
        return (self.gruppe, self.bereich, self.zeile)


#: rows of the Erfassungsbogen in the paper's order
ZEILEN: list[Zeile] = [
    Zeile("JH", "Jugendhilfe ohne UMA", "Gesamt", "jh_hze_gesamt", Zeilenart.GESAMT),
    Zeile("JH", "Jugendhilfe ohne UMA", "ambulant", "jh_hze_ambulant", Zeilenart.TEIL),
    Zeile("JH", "Jugendhilfe ohne UMA", "stationär", "jh_hze_stationaer", Zeilenart.TEIL),
    Zeile("JH", "JH – UMA", "Gesamt", "jh_uma_gesamt", Zeilenart.GESAMT),
    Zeile("JH", "JH – UMA", "ambulant", "jh_uma_ambulant", Zeilenart.TEIL),
    Zeile("JH", "JH – UMA", "stationär", "jh_uma_stationaer", Zeilenart.TEIL),
    Zeile(
        "JH", "Hilfen vor dem Fall", "seit Jahresbeginn", "jh_hilfen_vor_dem_fall", Zeilenart.TEIL
    ),
    Zeile(
        "EGH", "Eingliederungshilfe", "in eigenem Wohnraum", "egh_eigener_wohnraum", Zeilenart.TEIL
    ),
    Zeile(
        "EGH",
        "Eingliederungshilfe",
        "in besonderer Wohnform + Schule über Tag und Nacht",
        "egh_besondere_wohnform",
        Zeilenart.TEIL,
    ),
    Zeile("EGH", "Fallmanagement", "in Fallmanagement", "egh_fallmanagement", Zeilenart.ALLEIN),
    Zeile("EGH", "WfbM", "Gesamt", "egh_wfbm", Zeilenart.GESAMT),
    Zeile("EGH", "Blindenhilfe", "Gesamt", "egh_blindenhilfe", Zeilenart.GESAMT),
    Zeile("ES", "SGB XII HLU", "Gesamt", "es_hlu_gesamt", Zeilenart.GESAMT),
    Zeile("ES", "SGB XII HLU", "ambulant", "es_hlu_ambulant", Zeilenart.TEIL),
    Zeile("ES", "SGB XII HLU", "stationär", "es_hlu_stationaer", Zeilenart.TEIL),
    Zeile("ES", "SGB XII GSI", "Gesamt", "es_gsi_gesamt", Zeilenart.GESAMT),
    Zeile("ES", "SGB XII GSI", "ambulant", "es_gsi_ambulant", Zeilenart.TEIL),
    Zeile("ES", "SGB XII GSI", "stationär", "es_gsi_stationaer", Zeilenart.TEIL),
    Zeile("AH", "HzP", "Gesamt", "ah_hzp_gesamt", Zeilenart.GESAMT),
    Zeile("AH", "HzP", "ambulant", "ah_hzp_ambulant", Zeilenart.TEIL),
    Zeile("AH", "HzP", "stationär", "ah_hzp_stationaer", Zeilenart.TEIL),
    Zeile("AH", "Fallmanagement", "in Fallmanagement", "ah_fallmanagement", Zeilenart.ALLEIN),
    Zeile(
        "SGB II", "SGB II", "Leistungsempfänger*innen", "sgb2_leistungsberechtigte", Zeilenart.TEIL
    ),
    Zeile(
        "AsylbLG",
        "AsylbLG",
        "Leistungsempfänger*innen",
        "asylblg_leistungsberechtigte",
        Zeilenart.TEIL,
    ),
]
#: each row by its place in the form's index (Gruppe, Bereich, Zeile)
NACH_ORT: dict[tuple[str, str, str], Zeile] = {z.ort: z for z in ZEILEN}
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


def zeilen_label(z: Zeile) -> str:
    """A row's label: 'HzP: ambulant'; the Bereich alone for its total ('Gesamt') and its only
    row ('in Fallmanagement')."""
    return z.bereich if z.art is not Zeilenart.TEIL else f"{z.bereich}: {z.zeile}"
