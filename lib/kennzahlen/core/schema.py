"""The raw tables of the data contract: their columns, types, keys and allowed codes.

This module is the single description of what the departments deliver
(``DATA_CONTRACT.md`` section 2). Reading/validation (:mod:`kennzahlen.reading.raw`) and the
demo generator (:mod:`kennzahlen.demo`) both follow it.

After reading, every table is a "normalised frame" with exactly the contract columns, in
these dtypes:

- ``date``: ``datetime64[ns]`` (``NaT`` where optional and empty)
- ``int`` / ``count``: ``int64`` (counts are >= 0)
- ``decimal``: ``float64`` (``2,5`` and ``2.5`` both read; ``NaN`` where optional and empty)
- ``bool``: ``bool``
- ``code`` / ``id`` / ``text`` / ``quarter``: ``str`` (Python strings; codes lower-case)
- ``zeitraum``: ``str``, a year ``JJJJ`` or a quarter ``JJJJ-Qn`` (the period an amount covers)
- ``area`` (stadtviertel_nr): ``str`` like ``"007"`` (leading zeros kept) or missing
  (``pd.NA``/``None``)
- ``sozialraum``: a Sozialraum name from ``config/raumgliederung.csv`` or missing
- ``gebiet``: a Sozialraum name or ``Gesamtstadt`` (the area a remark or a measure is about)
- ``vokabel``: one entry of a list from config (``Column.vokabular``: ``rollen`` and ``dienste``
  from ``config/steuerung.yaml``, ``kennzahlen`` from the catalog), matched without regard to
  case and spacing and given back as the list spells it

plus three columns the reader adds:

- ``sozialraum`` (for tables that carry ``stadtviertel_nr``): the Sozialraum of the
  Stadtviertel, or ``"ohne Zuordnung"`` when the address is unknown. Tables that carry
  ``sozialraum`` themselves get ``"ohne Zuordnung"`` filled in for empty values.
- ``stand``: the export date of the file the row came from (``datetime64[ns]``)
- ``datei``: the file name the row came from
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kennzahlen.core.vocabulary import ARBEITSFELDER, FARBEN

OHNE_ZUORDNUNG = "ohne Zuordnung"
GESAMTSTADT = "Gesamtstadt"


@dataclass(frozen=True)
class Column:
    """One contract column: its name, kind, whether it may be empty, and allowed codes."""

    name: str
    kind: str  # date | int | count | decimal | bool | code | id | text | quarter | zeitraum |
    #            area | sozialraum | gebiet | vokabel
    required: bool = True  # False: the cell may be empty
    codes: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    vokabular: str | None = None  # kind "vokabel": the name of the list (see the module docstring)

    @property
    def dtype(self) -> str:
        """The pandas dtype of this column in a normalised frame (see the module docstring)."""
        return DTYPES.get(self.kind, "str")


@dataclass(frozen=True)
class Festlegung:
    """A structural zero: codes that cannot occur together, by law or by the source system's
    definition. Rows with ``spalte`` in ``werte`` have ``folge`` in ``erlaubt``; any other row is
    bad input (:mod:`kennzahlen.reading.zeilenregeln`). Because the reader refuses such rows, the
    publication plan of Produkt 3 may treat the excluded combinations as known zeros, as a reader
    who knows the law does (:mod:`kennzahlen.disclosure.atoms`)."""

    spalte: str
    werte: tuple[str, ...]
    folge: str
    erlaubt: tuple[str, ...]
    grund: str  # the definition and its source, in the message of a refused row

    def ausgeschlossen(self, spalte: str, wert: object, folge: str, folge_wert: object) -> bool:
        """True when the combination ``spalte = wert`` and ``folge = folge_wert`` cannot exist."""
        return (
            spalte == self.spalte
            and folge == self.folge
            and str(wert) in self.werte
            and str(folge_wert) not in self.erlaubt
        )


@dataclass(frozen=True)
class Table:
    """One raw table of the contract."""

    name: str
    kind: str  # "count" (aggregated) or "record" (one row per case/event)
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    quelle: str
    checks: tuple[str, ...] = field(
        default=()
    )  # e.g. "ende_nach_beginn" (kennzahlen.reading.zeilenregeln)
    #: rows that are parts of another row with the same other key columns: (code column,
    #: whole, parts); in one delivery the parts together never exceed the whole
    teile: tuple[tuple[str, str, tuple[str, ...]], ...] = field(default=())
    #: code combinations that cannot exist (structural zeros), see :class:`Festlegung`
    festlegungen: tuple[Festlegung, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        """The contract column names in contract order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def has_stadtviertel(self) -> bool:
        """True when the table locates rows by Stadtviertel (else by Sozialraum)."""
        return "stadtviertel_nr" in self.column_names

    @property
    def output_columns(self) -> list[str]:
        """The columns of the normalised frame: contract columns, derived sozialraum, stand,
        datei."""
        derived = ["sozialraum"] if self.has_stadtviertel else []
        return [*self.column_names, *derived, "stand", "datei"]


# pandas dtypes of the normalised frames, by Column.kind (everything else: "str")
DTYPES = {
    "date": "datetime64[ns]",
    "int": "int64",
    "count": "int64",
    "decimal": "float64",
    "bool": "bool",
}


def output_dtypes(table: Table) -> dict[str, str]:
    """Column -> pandas dtype of the normalised frame of ``table``, in output column order."""
    dtypes = {c.name: c.dtype for c in table.columns}
    if table.has_stadtviertel:
        dtypes["sozialraum"] = "category"  # derived: a few names repeated on every row
    dtypes["stand"] = "datetime64[ns]"
    dtypes["datei"] = "category"  # one name per export, repeated on each of its rows
    return dtypes


STV = Column("stadtviertel_nr", "area", required=False)
SR = Column("sozialraum", "sozialraum", required=False)
BOOL = "bool"

HAUSHALTSTYPEN = (
    "einpersonen",
    "paar_ohne_kind",
    "paar_mit_kind",
    "alleinerziehend",
    "sonstige_ohne_kind",
    "sonstige_mit_kind",
)
PARAGRAPHEN = ("27", "29", "30", "31", "32", "33", "34", "35", "35a", "41")
SOZIALHILFE_LEISTUNGEN = (
    "egh_eigener_wohnraum",
    "egh_besondere_wohnform",
    "egh_wfbm",
    "blindenhilfe",
    "hlu",
    "gsi",
    "hzp",
)
SETTINGS = ("ambulant", "stationaer")
#: structural zeros of the Jugendhilfe (SGB VIII): what the law fixes as inpatient or outpatient.
#: § 27 (flexible), § 32 (Tagesgruppe: teilstationär, coded either way by the source systems),
#: § 35, § 35a and § 41 can be either.
JUGENDHILFE_FESTLEGUNGEN = (
    Festlegung(
        "paragraph",
        ("33", "34"),
        "setting",
        ("stationaer",),
        "Vollzeitpflege (§ 33 SGB VIII) und Heimerziehung/sonstige betreute Wohnform (§ 34 SGB "
        "VIII) sind Hilfen über Tag und Nacht außerhalb des Elternhauses, also stationär",
    ),
    Festlegung(
        "paragraph",
        ("29", "30", "31"),
        "setting",
        ("ambulant",),
        "Soziale Gruppenarbeit (§ 29), Erziehungsbeistand (§ 30) und sozialpädagogische "
        "Familienhilfe (§ 31 SGB VIII) sind ambulante Hilfen",
    ),
)
#: structural zeros of the Eingliederungshilfe after the BTHG (SGB IX Teil 2 since 2020)
SOZIALHILFE_FESTLEGUNGEN = (
    Festlegung(
        "leistung",
        ("egh_besondere_wohnform",),
        "setting",
        ("stationaer",),
        "Eingliederungshilfe in besonderer Wohnform (§ 42a Abs. 2 Satz 1 Nr. 2 SGB XII, "
        "§ 113 SGB IX; BTHG) ist die frühere stationäre Hilfe",
    ),
    Festlegung(
        "leistung",
        ("egh_eigener_wohnraum", "egh_wfbm"),
        "setting",
        ("ambulant",),
        "Assistenz im eigenen Wohnraum (§ 113 Abs. 2 Nr. 2 SGB IX) und Werkstatt für behinderte "
        "Menschen (§ 58 SGB IX) sind ambulante Leistungen (BTHG)",
    ),
)
#: the colours a manual switch (ampel_schaltungen) may set: every Ampel colour but grau
SCHALTFARBEN = tuple(c for c in FARBEN if c != "grau")
GEBIET = Column("sozialraum", "gebiet")
ROLLE = "rollen"
#: transferleistungen: sgb2 = all people in SGB II; sgb2_u15 = of them children under 15;
#: sgb2_arbeitslos = of them registered unemployed (Arbeitslose nach SGB II, all 15 or older:
#: the two parts do not overlap); wohngeld, asylblg
TRANSFERLEISTUNGEN = ("sgb2", "sgb2_u15", "sgb2_arbeitslos", "wohngeld", "asylblg")

#: ausgaben (finance system): the kinds of help spending is booked on, with the codes of the case
#: tables where they exist: HzE and UMA (jugendhilfe), the Eingliederungshilfe's services, Hilfe
#: zur Pflege, HLU and GSI (sozialhilfe); ``sonstige`` = spending of the Arbeitsfeld on no case
#: table's help (e.g. Frühförderung, Schulbegleitung)
HILFEARTEN = ("hze", "uma", *SOZIALHILFE_LEISTUNGEN, "sonstige")
AUSGABEN_ARBEITSFELDER = ("jh", "egh", "ah", "es")
#: structural zeros of ausgaben: a Hilfeart belongs to one Arbeitsfeld, and the BTHG's settings
AUSGABEN_FESTLEGUNGEN = (
    Festlegung(
        "hilfeart",
        ("hze", "uma"),
        "arbeitsfeld",
        ("jh",),
        "Hilfen zur Erziehung und Hilfen für UMA sind Jugendhilfe (SGB VIII)",
    ),
    Festlegung(
        "hilfeart",
        ("egh_eigener_wohnraum", "egh_besondere_wohnform", "egh_wfbm", "blindenhilfe"),
        "arbeitsfeld",
        ("egh",),
        "Wohnleistungen, WfbM und Blindenhilfe sind Eingliederungshilfe (SGB IX, § 72 SGB XII)",
    ),
    Festlegung(
        "hilfeart", ("hzp",), "arbeitsfeld", ("ah",), "Hilfe zur Pflege ist Altenhilfe (SGB XII)"
    ),
    Festlegung(
        "hilfeart",
        ("hlu", "gsi"),
        "arbeitsfeld",
        ("es",),
        "Hilfe zum Lebensunterhalt und Grundsicherung sind Existenzsicherung (SGB XII)",
    ),
    *(
        Festlegung("hilfeart", f.werte, f.folge, f.erlaubt, f.grund)
        for f in SOZIALHILFE_FESTLEGUNGEN
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "bevoelkerung",
            "count",
            (
                Column("stichtag", "date"),
                STV,
                Column("alter", "int", min_value=0, max_value=110),
                Column("geschlecht", "code", codes=("m", "w", "d")),
                Column("staatsangehoerigkeit", "code", codes=("deutsch", "nichtdeutsch")),
                Column("migrationshintergrund", BOOL),
                Column("anzahl", "count", min_value=0),
            ),
            key=(
                "stichtag",
                "stadtviertel_nr",
                "alter",
                "geschlecht",
                "staatsangehoerigkeit",
                "migrationshintergrund",
            ),
            quelle="Einwohnermelderegister",
        ),
        Table(
            "haushalte",
            "count",
            (
                Column("stichtag", "date"),
                STV,
                Column("haushaltstyp", "code", codes=HAUSHALTSTYPEN),
                Column("anzahl", "count", min_value=0),
            ),
            key=("stichtag", "stadtviertel_nr", "haushaltstyp"),
            quelle="Haushaltegenerierung",
        ),
        Table(
            "transferleistungen",
            "count",
            (
                Column("stichtag", "date"),
                STV,
                Column("leistung", "code", codes=TRANSFERLEISTUNGEN),
                Column("personen", "count", min_value=0),
            ),
            key=("stichtag", "stadtviertel_nr", "leistung"),
            quelle="Jobcenter/BA, Wohngeldstelle, AsylbLG",
            teile=(("leistung", "sgb2", ("sgb2_u15", "sgb2_arbeitslos")),),
        ),
        Table(
            "jugendhilfe",
            "record",
            (
                Column("fall_id", "id"),
                Column("paragraph", "code", codes=PARAGRAPHEN),
                Column("setting", "code", codes=SETTINGS),
                Column("uma", BOOL),
                Column("beginn", "date"),
                Column("ende", "date", required=False),
                STV,
            ),
            key=("fall_id",),
            quelle="ProSoz",
            checks=("ende_nach_beginn",),
            festlegungen=JUGENDHILFE_FESTLEGUNGEN,
        ),
        Table(
            "hilfen_vor_dem_fall",
            "record",
            (Column("beratung_id", "id"), Column("beginn", "date"), SR),
            key=("beratung_id",),
            quelle="BW SD-F",
        ),
        Table(
            "sozialhilfe",
            "record",
            (
                Column("fall_id", "id"),
                Column("leistung", "code", codes=SOZIALHILFE_LEISTUNGEN),
                Column("setting", "code", codes=SETTINGS),
                Column("beginn", "date"),
                Column("ende", "date", required=False),
                STV,
            ),
            key=("fall_id",),
            quelle="OPEN/PROSOZ",
            checks=("ende_nach_beginn",),
            festlegungen=SOZIALHILFE_FESTLEGUNGEN,
        ),
        Table(
            "fallmanagement",
            "record",
            (
                Column("fall_id", "id"),
                Column("bereich", "code", codes=("egh", "ah")),
                Column("beginn", "date"),
                Column("ende", "date", required=False),
                STV,
            ),
            key=("fall_id",),
            quelle="DB (EGH), VIS FM (AH)",
            checks=("ende_nach_beginn",),
        ),
        Table(
            "beratungen_altenhilfe",
            "record",
            (
                Column("beratung_id", "id"),
                Column("datum", "date"),
                STV,
                Column("vermeidung_stationaer", BOOL),
                Column("verbleib_haeuslichkeit", BOOL),
            ),
            key=("beratung_id",),
            quelle="Fallmanagement Hilfe zur Pflege",
        ),
        Table(
            "teilhabeteam",
            "record",
            (
                Column("beratung_id", "id"),
                Column("datum", "date"),
                SR,
                Column(
                    "ressourcen",
                    "code",
                    codes=("institutionell", "institutionell_und_nahfeld", "nahfeld"),
                ),
            ),
            key=("beratung_id",),
            quelle="Teilhabeteams EGH",
        ),
        Table(
            "wohnraumsicherung",
            "record",
            (
                Column("meldung_id", "id"),
                Column("datum", "date"),
                Column("art", "code", codes=("mietschulden", "raeumungsklage")),
                Column("meldende_stelle", "code", codes=("uws", "amtsgericht", "klient", "dritte")),
                STV,
            ),
            key=("meldung_id",),
            quelle="Schuldnerberatung/Wohnraumsicherung",
        ),
        Table(
            "ampel_schaltungen",
            "record",
            (
                Column("quartal", "quarter"),
                Column("sozialraum", "sozialraum"),
                Column("arbeitsfeld", "code", codes=tuple(ARBEITSFELDER)),
                Column("farbe", "code", codes=SCHALTFARBEN),
                Column("begruendung", "text"),
                Column("geschaltet_am", "date"),
            ),
            key=("quartal", "sozialraum", "arbeitsfeld"),
            quelle="Fachkoordination/Fachplanung",
        ),
        # --- spending (finance system): Euro per period, Hilfeart and Sozialraum
        Table(
            "ausgaben",
            "count",
            (
                Column("periode", "zeitraum"),
                Column("arbeitsfeld", "code", codes=AUSGABEN_ARBEITSFELDER),
                Column("hilfeart", "code", codes=HILFEARTEN),
                Column("setting", "code", codes=SETTINGS),
                SR,
                Column("brutto", "decimal", min_value=0),
                Column("einnahmen", "decimal", min_value=0),
                Column("netto", "decimal"),
            ),
            key=("periode", "arbeitsfeld", "hilfeart", "setting", "sozialraum"),
            quelle="Finanzverfahren (Haushalt, Ist-Ergebnis)",
            checks=("netto_gleich_brutto_minus_einnahmen",),
            festlegungen=AUSGABEN_FESTLEGUNGEN,
        ),
        # --- the steering loop (kennzahlen.steuerung): remarks, measures, staff
        Table(
            "erlaeuterungen",
            "record",
            (
                Column("quartal", "quarter"),
                GEBIET,
                Column("kennzahl", "vokabel", required=False, vokabular="kennzahlen"),
                Column("arbeitsfeld", "code", required=False, codes=tuple(ARBEITSFELDER)),
                Column("text", "text"),
                Column("rolle", "vokabel", vokabular=ROLLE),
                Column("datum", "date"),
            ),
            key=("quartal", "sozialraum", "kennzahl", "arbeitsfeld"),
            quelle="Fachkoordination/Fachplanung, Sozialraumteamleitungen",
            checks=("kennzahl_oder_arbeitsfeld",),
        ),
        Table(
            "massnahmen",
            "record",
            (
                Column("massnahme_id", "id"),
                Column("quartal", "quarter"),
                GEBIET,
                Column("arbeitsfeld", "code", codes=tuple(ARBEITSFELDER)),
                Column("anlass", "code", codes=("rot", "gelb")),
                Column("massnahme", "text"),
                Column("verantwortlich", "vokabel", vokabular=ROLLE),
                Column("frist", "date"),
                Column("status", "code", codes=("offen", "erledigt")),
                Column("erledigt_am", "date", required=False),
                Column("ergebnis", "text", required=False),
            ),
            key=("massnahme_id",),
            quelle="Fachkoordination/Fachplanung, Sozialraumteamleitungen",
            checks=("frist_nach_quartalsbeginn", "erledigt_mit_datum_und_ergebnis"),
        ),
        Table(
            "personal",
            "record",
            (
                Column("stichtag", "date"),
                Column("sozialraum", "sozialraum"),
                Column("dienst", "vokabel", vokabular="dienste"),
                Column("vzae", "decimal", min_value=0),
            ),
            key=("stichtag", "sozialraum", "dienst"),
            quelle="Personalstelle/Abteilungsleitung (besetzte Stellen in VZÄ)",
        ),
        # --- issue 30: values of other cities (comparison rings), checked against the catalog
        Table(
            "vergleichswerte",
            "record",
            (
                Column("kennzahl", "vokabel", vokabular="kennzahlen"),
                Column("jahr", "int", min_value=1990, max_value=2100),
                Column("ring", "text"),
                Column("vergleich", "text"),
                Column("wert", "decimal", min_value=0),
                Column("zaehler", "decimal", required=False, min_value=0),
                Column("nenner", "decimal", required=False, min_value=0),
                Column("quelle", "text"),
                Column("katalogversion", "int", min_value=1, max_value=99),
            ),
            key=("kennzahl", "jahr", "ring", "vergleich"),
            quelle="Vergleichsringe (KGSt, con_sens, KVJS, Städtetag): Werte anderer Städte",
            checks=("vergleichswert_passt",),
        ),
    )
}

BOOL_TRUE = ("ja", "j", "1", "true")
BOOL_FALSE = ("nein", "n", "0", "false")
