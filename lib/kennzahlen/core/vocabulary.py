"""The domain vocabulary: products, Arbeitsfelder, Ampel colours and units, named once.

Every module reads these names from here (or from ``config/``); none repeats them. What a city
may change lives in ``config/`` instead: which products are public (``disclosure.yaml``,
defaulting to :attr:`Produkt.oeffentlich`), the Ampel's Arbeitsfeld titles and rules
(``ampel.yaml``), the Kennzahlen and their units (``kennzahlen.yaml``).

Numbers in German format are :mod:`kennzahlen.core.fmt`; a value in its unit is :func:`wert_text`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


# ------------------------------------------------------------------------------- products
@dataclass(frozen=True)
class Produkt:
    """One of the four products: number, report folder, notebook, title, rhythm, audience."""

    nr: int
    ordner: str
    notebook: str
    titel: str
    #: reports the last complete year (True) or the run quarter (False)
    jaehrlich: bool
    #: public by default (disclosure control on); config/disclosure.yaml decides
    oeffentlich: bool
    #: the product as the subject of a German sentence ("die Ampel fehlt daher")
    im_satz: str
    #: the subject is plural ("die Wirkungskennzahlen fehlen daher")
    plural: bool


PRODUKTE: dict[int, Produkt] = {
    1: Produkt(
        1,
        "1_sozialstruktur",
        "01_sozialstruktur.ipynb",
        "Sozialstrukturelle Daten",
        jaehrlich=True,
        oeffentlich=False,
        im_satz="die Sozialstrukturellen Daten",
        plural=True,
    ),
    2: Produkt(
        2,
        "2_quartalsmeldung",
        "02_quartalsmeldung.ipynb",
        "Quartalsmeldung",
        jaehrlich=False,
        oeffentlich=False,
        im_satz="die Quartalsmeldung",
        plural=False,
    ),
    3: Produkt(
        3,
        "3_wirkungskennzahlen",
        "03_wirkungskennzahlen.ipynb",
        "Wirkungskennzahlen der Sozialraumorientierung",
        jaehrlich=True,
        oeffentlich=True,
        im_satz="die Wirkungskennzahlen",
        plural=True,
    ),
    4: Produkt(
        4,
        "4_ampel",
        "04_ampel.ipynb",
        "Ampel",
        jaehrlich=False,
        oeffentlich=False,
        im_satz="die Ampel",
        plural=False,
    ),
}
#: the product numbers, in order
PRODUKT_NUMMERN: tuple[int, ...] = tuple(PRODUKTE)


def produkt_nummern_text() -> str:
    """'1, 2, 3, 4' (for messages naming the known products)."""
    return ", ".join(map(str, PRODUKT_NUMMERN))


# ------------------------------------------------------------------------------- Arbeitsfelder
#: the Arbeitsfelder of the department: code -> title (config/ampel.yaml may retitle them there)
ARBEITSFELDER: dict[str, str] = {
    "jh": "Jugendhilfe",
    "egh": "Eingliederungshilfe",
    "ah": "Altenhilfe",
    "es": "Existenzsicherung",
    "ws": "Wohnraumsicherung",
}


# ------------------------------------------------------------------------------- Ampel colours
Farbe = Literal["grau", "gruen", "gelb", "rot"]


@dataclass(frozen=True)
class Ampelfarbe:
    """An Ampel colour: its code, its rank for "worst of" and its words."""

    code: str
    #: grau < gruen < gelb < rot: an Arbeitsfeld shows its worst indicator
    rang: int
    #: the colour inside a sentence ("→ grün")
    wort: str
    #: the colour in a legend ("keine Aussage" for grau)
    legende: str
    #: the text on a light in a table, readable without colour ("GRÜN")
    schild: str


FARBEN: dict[str, Ampelfarbe] = {
    "grau": Ampelfarbe("grau", 0, "grau", "keine Aussage", "keine Aussage"),
    "gruen": Ampelfarbe("gruen", 1, "grün", "grün", "GRÜN"),
    "gelb": Ampelfarbe("gelb", 2, "gelb", "gelb", "GELB"),
    "rot": Ampelfarbe("rot", 3, "rot", "rot", "ROT"),
}


# ------------------------------------------------------------------------------- units
@dataclass(frozen=True)
class Einheit:
    """A catalog unit (``einheit`` in config/kennzahlen.yaml) and how its values are written."""

    code: str
    #: values are shares 0–1, written in percent
    anteil: bool
    #: decimals shown unless a caller asks for others
    nachkomma: int
    #: the factor from Zähler/Nenner to the value (Euro per case and its change: 4, the Nenner
    #: counts the stocks of four quarter ends)
    faktor: float
    #: values are Euro ('1.234.567 €'); the Zähler is an amount, not a count of cases
    euro: bool = False
    #: values are changes against the previous period, written in percent with a sign ('+5,8 %')
    vorzeichen: bool = False


EINHEITEN: dict[str, Einheit] = {
    "anzahl": Einheit("anzahl", anteil=False, nachkomma=0, faktor=1),
    "anteil": Einheit("anteil", anteil=True, nachkomma=1, faktor=1),
    "quote": Einheit("quote", anteil=True, nachkomma=1, faktor=1),
    "je_1000": Einheit("je_1000", anteil=False, nachkomma=2, faktor=1000),
    "euro": Einheit("euro", anteil=False, nachkomma=0, faktor=1, euro=True),
    "euro_je_einwohner": Einheit(
        "euro_je_einwohner", anteil=False, nachkomma=2, faktor=1, euro=True
    ),
    "euro_je_fall": Einheit("euro_je_fall", anteil=False, nachkomma=2, faktor=4, euro=True),
    "veraenderung": Einheit(
        "veraenderung", anteil=False, nachkomma=1, faktor=4, euro=True, vorzeichen=True
    ),
}
EinheitCode = Literal[
    "anzahl",
    "anteil",
    "je_1000",
    "quote",
    "euro",
    "euro_je_einwohner",
    "euro_je_fall",
    "veraenderung",
]


def ist_anteil(einheit: str) -> bool:
    """Whether values of the unit are shares 0–1 (anteil, quote), written in percent."""
    return EINHEITEN[einheit].anteil


def ist_euro(einheit: str) -> bool:
    """Whether a Kennzahl of the unit has an amount in Euro as its Zähler (euro, euro_je_*,
    veraenderung of Euro per case)."""
    return EINHEITEN[einheit].euro


def wert_text(x: float | None, einheit: str = "anzahl", nachkomma: int | None = None) -> str:
    """A value in its unit, German format: shares in percent ('40,0 %'), je_1000 with two
    decimals, counts whole, Euro with '€' ('3.173,08 €'), changes with a sign ('+5,8 %');
    ``nachkomma`` overrides the unit's decimals; '–' for no value."""
    e = EINHEITEN[einheit]
    n = e.nachkomma if nachkomma is None else nachkomma
    from kennzahlen.core import fmt  # here: the CLI imports this module before it needs pandas

    if e.vorzeichen:
        return fmt.prozent_vorzeichen(x, n)
    if e.euro:
        return fmt.euro(x, n)
    return fmt.prozent(x, n) if e.anteil else fmt.zahl(x, n)


#: each raw delivery as the department calls it (its subject and the Fachverfahren or office it
#: comes from): what a report's "Stand der Daten" names instead of the table's file name
LIEFERUNGEN: dict[str, str] = {
    "bevoelkerung": "Einwohnermelderegister",
    "haushalte": "Haushaltegenerierung",
    "transferleistungen": "Transferleistungen (Jobcenter, Wohngeld- und AsylbLG-Stelle)",
    "jugendhilfe": "Jugendhilfe (ProSoz)",
    "hilfen_vor_dem_fall": "Hilfen vor dem Fall (BW SD-F)",
    "sozialhilfe": "Sozialhilfe (Open)",
    "fallmanagement": "Fallmanagement (DB und VIS FM)",
    "beratungen_altenhilfe": "Beratungen der Altenhilfe (Fallmanagement Hilfe zur Pflege)",
    "teilhabeteam": "Teilhabeteams der Eingliederungshilfe",
    "wohnraumsicherung": "Wohnraumsicherung (Schuldnerberatung)",
    "ampel_schaltungen": "Ampel-Schaltungen der Fachkoordination",
    "ausgaben": "Ausgaben (Finanzverfahren)",
    "erlaeuterungen": "Erläuterungen der Fachkoordination und Sozialraumteams",
    "massnahmen": "Maßnahmenliste",
    "personal": "Stellenliste",
}


def lieferung(tabelle: str) -> str:
    """A raw delivery's name for readers ('jugendhilfe' -> 'Jugendhilfe (ProSoz)'); a table the
    list does not know reads as words ('neue_tabelle' -> 'Neue tabelle')."""
    return LIEFERUNGEN.get(tabelle, tabelle.replace("_", " ").capitalize())


#: what a raw table counts, as the subject of a definition ("Einwohner*innen am Stichtag …")
ZAEHLT: dict[str, str] = {
    "bevoelkerung": "Einwohner*innen",
    "haushalte": "Haushalte",
    "transferleistungen": "Personen mit Transferleistungen",
    "jugendhilfe": "Hilfen der Jugendhilfe",
    "sozialhilfe": "Fälle der Sozialhilfe",
    "fallmanagement": "Fälle im Fallmanagement",
    "hilfen_vor_dem_fall": "Hilfen vor dem Fall",
    "beratungen_altenhilfe": "Beratungen der Altenhilfe",
    "teilhabeteam": "Beratungen der Teilhabeteams",
    "wohnraumsicherung": "Meldungen der Wohnraumsicherung",
    "ausgaben": "Ausgaben in Euro",
}
#: the raw tables' columns and codes in words (definitions a reader reads, no code names)
WOERTER: dict[str, str] = {
    "alter": "Alter",
    "geschlecht": "Geschlecht",
    "staatsangehoerigkeit": "Staatsangehörigkeit",
    "migrationshintergrund": "Migrationshintergrund",
    "haushaltstyp": "Haushaltstyp",
    "leistung": "Leistung",
    "setting": "Hilfeart",
    "uma": "UMA",
    "bereich": "Bereich",
    "art": "Art",
    "ressourcen": "Ressourcen",
    "m": "männlich",
    "w": "weiblich",
    "d": "divers",
    "einpersonen": "Einpersonenhaushalt",
    "paar_ohne_kind": "Paar ohne Kind",
    "paar_mit_kind": "Paar mit Kind",
    "sonstige_ohne_kind": "sonstiger Haushalt ohne Kind",
    "sonstige_mit_kind": "sonstiger Haushalt mit Kind",
    "egh_eigener_wohnraum": "EGH in eigenem Wohnraum",
    "egh_besondere_wohnform": "EGH in besonderer Wohnform",
    "egh_wfbm": "WfbM",
    "hlu": "HLU",
    "gsi": "GSI",
    "hzp": "Hilfe zur Pflege",
    "sgb2": "SGB II",
    "sgb2_arbeitslos": "Arbeitslose nach SGB II",
    "sgb2_u15": "Kinder unter 15 Jahren im SGB II",
    "asylblg": "AsylbLG",
    "wohngeld": "Wohngeld",
    "blindenhilfe": "Blindenhilfe",
    "hilfeart": "Hilfe",
    "hze": "Hilfen zur Erziehung",
    "sonstige": "sonstige Hilfen",
    "raeumungsklage": "Räumungsklage",
    "ah": "Altenhilfe",
    "egh": "Eingliederungshilfe",
    "stationaer": "stationär",
    "institutionell_und_nahfeld": "institutionell und Nahfeld",
    "nahfeld": "Nahfeld",
}


def wort(code: object) -> str:
    """A raw column or code in words ('stationaer' -> 'stationär', 'paar_mit_kind' -> 'Paar mit
    Kind'); an unknown one with spaces for its underscores."""
    text = str(code)
    return WOERTER.get(text, text.replace("_", " "))


#: the marking of every internal report (products not public in config/disclosure.yaml) and of
#: the index page
INTERN = "intern – nicht zur Weitergabe"
