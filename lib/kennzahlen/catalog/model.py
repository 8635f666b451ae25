"""The Kennzahlen catalog (``config/kennzahlen.yaml``): base counts and Kennzahlen as data.

A *Basiszahl* names a counting rule on one raw table (stock on a Stichtag, cases in the
course of a period, events in a period, year to date, or the sum of a count table).
A *Kennzahl* takes its Zähler (and optional Nenner) as sums of Basiszahlen with filters,
so that a Fachplaner can add or change a Kennzahl without Python. The file is validated on
load (pydantic); errors name the entry and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from kennzahlen.catalog import betraege, steckbrief, versionen
from kennzahlen.catalog.versionen import Bruch, Definitionsversion, Zielwertaenderung
from kennzahlen.core import paths
from kennzahlen.core.configfile import (
    ComposeLoader,
    StrictCLoader,
    StrictModel,
    error_location,
    german_error,
    load_yaml_text,
    problems_message,
)
from kennzahlen.core.dateistand import signatur
from kennzahlen.core.periods import Periodizitaet
from kennzahlen.core.schema import BOOL_FALSE, BOOL_TRUE, TABLES
from kennzahlen.core.vocabulary import (
    ARBEITSFELDER,
    EINHEITEN,
    PRODUKT_NUMMERN,
    EinheitCode,
    ist_anteil,
    ist_euro,
    produkt_nummern_text,
)

Regel = Literal[
    "bestand",
    "im_verlauf",
    "ereignisse",
    "jahr_bis_stichtag",
    "summe",
    "summe_zeitraum",
    "bestand_quartalsenden",
]

#: which date column an event table is counted by
EVENT_DATE = {
    "hilfen_vor_dem_fall": "beginn",
    "beratungen_altenhilfe": "datum",
    "teilhabeteam": "datum",
    "wohnraumsicherung": "datum",
}
#: which column a count table sums
COUNT_COLUMN = {"bevoelkerung": "anzahl", "haushalte": "anzahl", "transferleistungen": "personen"}
#: tables of amounts per period (column kind ``zeitraum``): the columns rule ``summe_zeitraum``
#: may sum
AMOUNT_COLUMNS = {"ausgaben": ("netto", "brutto", "einnahmen")}


class CatalogError(ValueError):
    """The catalog file is invalid; the message lists every problem."""


class Basiszahl(StrictModel):
    """A named counting rule on one raw table."""

    tabelle: str
    regel: Regel
    beschreibung: str = ""
    #: rule ``summe_zeitraum``: the amount column summed (ausgaben: netto, brutto, einnahmen)
    spalte: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Basiszahl:
        if self.tabelle not in TABLES:
            raise ValueError(f"unbekannte Tabelle '{self.tabelle}' (bekannt: {', '.join(TABLES)})")
        table = TABLES[self.tabelle]
        betraege = AMOUNT_COLUMNS.get(self.tabelle)
        if self.regel == "summe_zeitraum" or betraege:
            _betrag_check(self, betraege)
            return self
        if self.spalte is not None:
            raise ValueError("spalte nur mit Regel 'summe_zeitraum' (Beträge je Zeitraum)")
        if self.regel == "summe" and table.kind != "count":
            raise ValueError(f"Regel 'summe' nur für Zähltabellen, nicht für '{self.tabelle}'")
        if (
            self.regel in ("bestand", "im_verlauf", "bestand_quartalsenden")
            and "ende" not in table.column_names
        ):
            raise ValueError(
                f"Regel '{self.regel}' braucht beginn/ende; '{self.tabelle}' hat sie nicht"
            )
        if self.regel in ("ereignisse", "jahr_bis_stichtag") and self.tabelle not in EVENT_DATE:
            raise ValueError(
                f"Regel '{self.regel}' nur für Ereignistabellen ({', '.join(EVENT_DATE)})"
            )
        return self


def _betrag_check(bz: Basiszahl, betraege: tuple[str, ...] | None) -> None:
    """Rule ``summe_zeitraum`` sums one amount column of a table of amounts per period."""
    if betraege is None:
        raise ValueError(
            f"Regel 'summe_zeitraum' nur für Tabellen mit Beträgen je Zeitraum "
            f"({', '.join(AMOUNT_COLUMNS)}), nicht für '{bz.tabelle}'"
        )
    if bz.regel != "summe_zeitraum":
        raise ValueError(
            f"'{bz.tabelle}' hat Beträge je Zeitraum: Regel 'summe_zeitraum' mit spalte "
            f"({', '.join(betraege)}), nicht '{bz.regel}'"
        )
    if bz.spalte not in betraege:
        raise ValueError(
            f"spalte '{bz.spalte}' unbekannt: Regel 'summe_zeitraum' braucht die summierte "
            f"Spalte ({', '.join(betraege)})"
        )


FilterValue = str | int | float | bool | list[str | int | float | bool] | dict[str, int | float]


class Term(StrictModel):
    """One summand of a Zähler or Nenner: a Basiszahl with filters on its table's columns.

    ``vorzeichen: -1`` subtracts the count (a part of another term: SGB II people without the
    Arbeitslose nach SGB II); only in a Zähler, and only in internal products (the disclosure
    plan of a public product refuses it).
    """

    basis: str
    filter: dict[str, FilterValue] = Field(default_factory=dict)
    vorzeichen: Literal[1, -1] = 1


Status = Literal["erhoben", "noch_nicht_erhoben"]


class Kennzahl(StrictModel):
    """One Kennzahl: Zähler/Nenner from Basiszahlen, and what the reports say about it."""

    id: str
    titel: str
    periodizitaet: Periodizitaet
    produkt: list[int] = Field(default_factory=list)
    zaehler: list[Term] = Field(default_factory=list)
    nenner: list[Term] = Field(default_factory=list)
    faktor: float = 1.0
    einheit: EinheitCode = "anzahl"
    definition: str = ""
    quelle: str = ""
    ziel: int | None = Field(default=None, ge=1, le=7)
    arbeitsfeld: str | None = None
    zielwert: float | None = None
    richtung: Literal["hoeher_besser", "niedriger_besser", "keine"] | None = None
    status: Status = "erhoben"
    grund: str = ""
    benoetigte_daten: str = ""
    gruppe: str = ""
    # versions (kennzahlen.catalog.versionen): later definitions and Zielwerte, added/dropped
    definitionen: list[Definitionsversion] = Field(default_factory=list)
    zielwerte: list[Zielwertaenderung] = Field(default_factory=list)
    aufgenommen: int | None = Field(default=None, ge=1900, le=2100)
    gestrichen: int | None = Field(default=None, ge=1900, le=2100)
    # Euro (einheit euro, euro_je_einwohner, euro_je_fall, veraenderung): the cases the spending
    # pays for, as a part of another Kennzahl (a public report shows the Euro only where it shows
    # these cases: kennzahlen.products.wirkung.euro)
    faelle: str | None = None
    faelle_teil: Literal["zaehler", "nenner"] = "zaehler"
    #: vorjahr: the value is the change of Zähler/Nenner x faktor against the previous year
    vergleich: Literal["vorjahr"] | None = None
    # the Kennzahlensteckbrief (kennzahlen.catalog.steckbrief): required for a shown Kennzahl
    begruendung: str = ""
    aktualisierung: str = ""
    vorbehalte: str = ""
    fehlanreize: str = ""

    @field_validator("zaehler", "nenner", mode="before")
    @classmethod
    def _as_list(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, Mapping | str):
            v = [v]
        return [{"basis": t} if isinstance(t, str) else t for t in v]

    @field_validator("produkt", mode="before")
    @classmethod
    def _produkt_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, int) else v

    @model_validator(mode="after")
    def _check(self) -> Kennzahl:
        problems = self._zuordnung_problems() + self._einheit_problems()
        problems += [p for p in versionen.probleme(self) if p not in problems]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _zuordnung_problems(self) -> list[str]:
        """Arbeitsfeld, goal, products and status."""
        problems: list[str] = []
        if self.arbeitsfeld is not None and self.arbeitsfeld not in ARBEITSFELDER:
            problems.append(
                f"arbeitsfeld '{self.arbeitsfeld}' unbekannt (erlaubt: {', '.join(ARBEITSFELDER)})"
            )
        if self.ziel is not None and self.arbeitsfeld is None:
            problems.append(
                f"ziel {self.ziel} braucht ein arbeitsfeld ({', '.join(ARBEITSFELDER)})"
            )
        unknown = [p for p in self.produkt if p not in PRODUKT_NUMMERN]
        if unknown:
            problems.append(f"produkt {unknown[0]} unbekannt (erlaubt: {produkt_nummern_text()})")
        if any(t.vorzeichen < 0 for t in self.nenner):
            problems.append("vorzeichen -1 nur im zaehler, nicht im nenner")
        if self.zaehler and all(t.vorzeichen < 0 for t in self.zaehler):
            problems.append("ein zaehler braucht mindestens einen Summanden mit vorzeichen 1")
        if self.status == "erhoben" and not self.zaehler:
            problems.append("eine erhobene Kennzahl braucht einen zaehler")
        if self.status == "noch_nicht_erhoben":
            if not self.grund.strip():
                problems.append(
                    "status noch_nicht_erhoben braucht einen grund (warum nicht erhoben)"
                )
            if not self.benoetigte_daten.strip():
                problems.append(
                    "status noch_nicht_erhoben braucht benoetigte_daten (welche Daten fehlen)"
                )
        return problems

    def _einheit_problems(self) -> list[str]:
        """Target and direction, unit, Nenner and factor."""
        problems: list[str] = []
        if self.zielwert is not None and self.wertung is None:
            problems.append("ein zielwert braucht eine richtung (hoeher_besser/niedriger_besser)")
        if ist_anteil(self.einheit) and self.zielwert is not None and not (0 <= self.zielwert <= 1):
            problems.append(
                f"zielwert {self.zielwert} liegt nicht zwischen 0 und 1: Anteile als Bruch "
                f"angeben (80 % = 0.80)"
            )
        ohne_nenner = self.einheit in ("anzahl", "euro")
        if not ohne_nenner and self.zaehler and not self.nenner:
            problems.append(f"einheit '{self.einheit}' braucht einen nenner")
        if self.nenner and ohne_nenner:
            problems.append(
                "eine Kennzahl mit nenner braucht eine einheit (anteil, quote, je_1000, "
                "euro_je_einwohner, euro_je_fall, veraenderung)"
            )
        if (self.einheit == "veraenderung") != (self.vergleich == "vorjahr"):
            problems.append(
                "einheit veraenderung und vergleich: vorjahr gehören zusammen (der Wert ist die "
                "Veränderung von zaehler/nenner zum Vorjahr)"
            )
        if self.vergleich and self.periodizitaet != "jahr":
            problems.append("vergleich: vorjahr braucht periodizitaet jahr")
        if self.faelle is not None and not ist_euro(self.einheit):
            problems.append("faelle nur für Kennzahlen in Euro (einheit euro, euro_je_*)")
        if self.einheit == "je_1000" and self.faktor != 1000:
            problems.append(f"einheit je_1000 braucht faktor 1000 (steht: {self.faktor:g})")
        if (ist_anteil(self.einheit) or self.einheit in ("euro", "euro_je_einwohner")) and (
            self.faktor != 1
        ):
            problems.append(f"einheit '{self.einheit}' braucht faktor 1 (steht: {self.faktor:g})")
        return problems

    @property
    def in_euro(self) -> bool:
        """True when the Zähler is an amount in Euro (not a count of cases)."""
        return EINHEITEN[self.einheit].euro

    @property
    def erhoben(self) -> bool:
        """True when the pool computes this Kennzahl."""
        return self.status == "erhoben"

    @property
    def wertung(self) -> Literal["hoeher_besser", "niedriger_besser"] | None:
        """The direction a rule judges by (None for ``richtung: keine`` and when unset)."""
        return None if self.richtung == "keine" else self.richtung

    @property
    def hat_zielwert(self) -> bool:
        """True when the Kennzahl has a Zielwert in some year."""
        return self.zielwert is not None or any(z.wert is not None for z in self.zielwerte)

    def zielwert_im(self, jahr: object) -> float | None:
        """The Zielwert valid in a year ('2021', 2021, or the year of a period like '2021-Q3')."""
        return versionen.zielwert_im(self, jahr)

    def zielwert_seit(self, jahr: object) -> int | None:
        """From which year the Zielwert of ``jahr`` applies (None: from the start)."""
        return versionen.zielwert_seit(self, jahr)

    def definition_im(self, periode: object) -> str:
        """The definition valid in a period."""
        return versionen.definition_im(self, periode)

    def fassung_im(self, jahr: object) -> int | None:
        """The number of the definition of the year's value (None: it changes within the year)."""
        return versionen.fassung_im(self, jahr)

    def brueche(self, bis: object | None = None) -> list[Bruch]:
        """The breaks in the series (later definitions), up to the period ``bis``."""
        return versionen.brueche(self, bis)

    def gilt_im(self, jahr: object) -> bool:
        """Whether the Kennzahl belongs to the catalog in a year (aufgenommen/gestrichen)."""
        return versionen.gilt_im(self, jahr)


class Catalog(StrictModel):
    """The whole catalog: Basiszahlen and Kennzahlen."""

    basiszahlen: dict[str, Basiszahl]
    kennzahlen: list[Kennzahl]

    @model_validator(mode="after")
    def _check(self) -> Catalog:
        problems = cross_check(self.basiszahlen, self.kennzahlen)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def get(self, kennzahl_id: str) -> Kennzahl:
        """The Kennzahl with this id."""
        for k in self.kennzahlen:
            if k.id == kennzahl_id:
                return k
        raise KeyError(f"Kennzahl '{kennzahl_id}' steht nicht im Katalog")

    def tables_of(self, k: Kennzahl) -> set[str]:
        """The raw tables a Kennzahl reads."""
        return {self.basiszahlen[t.basis].tabelle for t in [*k.zaehler, *k.nenner]}


#: column kinds a filter may use (the pool keeps these columns when it counts)
FILTERABLE = ("code", "bool", "int", "area", "sozialraum")
#: rules that count over a time span: they need a period with a start (quartal or jahr)
SPAN_RULES = ("ereignisse", "im_verlauf")


def _range_problems(col: str, kind: str, value: dict) -> list[str]:
    """What is wrong with a {min, max} filter."""
    if kind != "int":
        return [f"Filter '{col}': {{min, max}} nur für Zahlenspalten (z. B. alter)"]
    extra = sorted(set(value) - {"min", "max"})
    if extra or not value:
        return [
            f"Filter '{col}': nur die Schlüssel min und max erlaubt (steht: "
            f"{', '.join(extra) or 'nichts'})"
        ]
    if "min" in value and "max" in value and value["min"] > value["max"]:
        return [f"Filter '{col}': min {value['min']} ist größer als max {value['max']}"]
    return []


def _filter_problems(table_name: str, col: str, value: object) -> list[str]:
    """What is wrong with one filter (column and value) on a raw table."""
    table = TABLES[table_name]
    if col == "sozialraum" and col not in table.column_names:
        return [] if not isinstance(value, dict) else [f"Filter '{col}': min/max nur für Zahlen"]
    if col not in table.column_names:
        return [
            f"Filterspalte '{col}' gibt es in '{table.name}' nicht "
            f"({', '.join(table.column_names)})"
        ]
    column = table.column(col)
    if column.kind not in FILTERABLE:
        return [f"nach Spalte '{col}' ({column.kind}) kann nicht gefiltert werden"]
    if isinstance(value, dict):
        return _range_problems(col, column.kind, value)
    values = value if isinstance(value, list) else [value]
    if not values:
        return [f"Filter '{col}': leere Werteliste"]
    problems = []
    for v in values:
        if column.kind == "code" and str(v).lower() not in column.codes:
            problems.append(
                f"Filterwert '{v}' für '{col}' unbekannt (erlaubt: {', '.join(column.codes)})"
            )
        elif (
            column.kind == "bool"
            and not isinstance(v, bool)
            and str(v).lower()
            not in (
                *BOOL_TRUE,
                *BOOL_FALSE,
            )
        ):
            problems.append(f"Filterwert '{v}' für '{col}' ist kein ja/nein")
        elif column.kind == "int" and (isinstance(v, bool) or not isinstance(v, int)):
            problems.append(f"Filterwert '{v}' für '{col}' ist keine ganze Zahl")
    return problems


def cross_check(
    basiszahlen: Mapping[str, Basiszahl],
    kennzahlen: list[Kennzahl],
    labels: list[str] | None = None,
) -> list[str]:
    """Problems between entries: duplicate ids, unknown Basiszahlen, filters, periods.

    ``labels`` name the entries in the messages (default ``Kennzahl '<id>'``).
    """
    problems: list[str] = []
    seen: dict[str, str] = {}
    for i, k in enumerate(kennzahlen):
        name = labels[i] if labels else f"Kennzahl '{k.id}'"
        if k.id in seen:
            problems.append(f"{name}: id doppelt (schon: {seen[k.id]})")
        seen.setdefault(k.id, name)
        for part in ("zaehler", "nenner"):
            for t in getattr(k, part):
                if t.basis not in basiszahlen:
                    problems.append(
                        f"{name}, {part}: Basiszahl '{t.basis}' unbekannt "
                        f"(bekannt: {', '.join(basiszahlen)})"
                    )
                    continue
                bz = basiszahlen[t.basis]
                if bz.regel in SPAN_RULES and k.periodizitaet.startswith("stichtag"):
                    problems.append(
                        f"{name}, {part}: Basiszahl '{t.basis}' (Regel {bz.regel}) braucht einen "
                        f"Zeitraum: periodizitaet quartal oder jahr, nicht {k.periodizitaet}"
                    )
                for col, value in t.filter.items():
                    for msg in _filter_problems(bz.tabelle, col, value):
                        problems.append(f"{name}, {part} ({t.basis}): {msg}")
    return problems + betraege.probleme(basiszahlen, kennzahlen, labels)


def _entry_lines(node: Any) -> list[int]:
    """Line numbers (1-based) of the entries of the 'kennzahlen' list, from the YAML node tree."""
    try:
        for key, value in node.value:
            if key.value == "kennzahlen" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    except (AttributeError, TypeError, ValueError):
        pass
    return []


def _basiszahlen(raw_bz: dict, problems: list[str]) -> dict[str, Basiszahl]:
    """The Basiszahlen that validate; the others' problems appended to ``problems``."""
    basiszahlen: dict[str, Basiszahl] = {}
    for name, spec in raw_bz.items():
        try:
            basiszahlen[str(name)] = Basiszahl.model_validate(spec)
        except ValidationError as exc:
            for e in exc.errors():
                where = error_location(e["loc"])
                problems.append(
                    f"Basiszahl '{name}'" + (f", {where}" if where else "") + f": {german_error(e)}"
                )
    return basiszahlen


def _kennzahlen(
    raw_kz: list, lines: list[int], problems: list[str]
) -> tuple[list[Kennzahl], list[str]]:
    """The Kennzahlen that validate with their labels ('Kennzahl 'x' (Zeile 12)'); the others'
    problems appended to ``problems``."""
    kennzahlen: list[Kennzahl] = []
    labels: list[str] = []
    for i, spec in enumerate(raw_kz):
        line = f" (Zeile {lines[i]})" if i < len(lines) else ""
        kid = spec.get("id") if isinstance(spec, dict) else None
        name = f"Kennzahl '{kid}'{line}" if kid else f"Kennzahl Nr. {i + 1}{line}"
        if not isinstance(spec, dict):
            problems.append(f"{name}: erwartet einen Abschnitt mit id, titel, ...")
            continue
        try:
            k = Kennzahl.model_validate(spec)
            kennzahlen.append(k)
            labels.append(name)
            # the sheet is the catalog's duty, not the model's: a Kennzahl made in code needs none
            problems += [f"{name}: {p}" for p in steckbrief.probleme(k)]
        except ValidationError as exc:
            for e in exc.errors():
                where = error_location(e["loc"])
                for msg in german_error(e).split("; "):
                    problems.append(f"{name}" + (f", {where}" if where else "") + f": {msg}")
    return kennzahlen, labels


def validate_catalog(raw: Any, lines: list[int] | None = None) -> tuple[Catalog | None, list[str]]:
    """Validate a parsed catalog; return the Catalog (or None) and every problem found."""
    if not isinstance(raw, dict):
        return None, ["erwartet die Abschnitte 'basiszahlen' und 'kennzahlen'"]
    problems: list[str] = []
    for key in raw:
        if key not in ("basiszahlen", "kennzahlen"):
            problems.append(f"unbekannter Abschnitt '{key}' (erlaubt: basiszahlen, kennzahlen)")
    raw_bz = raw.get("basiszahlen")
    raw_kz = raw.get("kennzahlen")
    if not isinstance(raw_bz, dict) or not raw_bz:
        problems.append("Abschnitt 'basiszahlen' fehlt oder ist leer")
        raw_bz = {}
    if not isinstance(raw_kz, list) or not raw_kz:
        problems.append("Abschnitt 'kennzahlen' fehlt oder ist keine Liste")
        raw_kz = []
    basiszahlen = _basiszahlen(raw_bz, problems)
    kennzahlen, labels = _kennzahlen(raw_kz, lines or [], problems)
    # cross checks only on what validated, but always (so every problem is listed at once)
    broken = {str(name) for name in raw_bz} - set(basiszahlen)
    for msg in cross_check(basiszahlen, kennzahlen, labels):
        basis = re.search(r"Basiszahl '([^']+)' unbekannt", msg)
        if basis and basis.group(1) in broken:
            continue  # the broken Basiszahl itself is reported above
        problems.append(msg)
    if problems:
        return None, problems
    return Catalog.model_validate({"basiszahlen": basiszahlen, "kennzahlen": kennzahlen}), []


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and validate ``config/kennzahlen.yaml``; raise CatalogError naming every problem.

    ``kz.katalog()`` shows the same as a table, with the periods in the pool.

    >>> kz.load_catalog().get("sgb2_quote").einheit
    'quote'
    """
    path_str = str(path or paths.CONFIG / "kennzahlen.yaml")
    return _load(path_str, signatur(path_str))


@lru_cache(maxsize=8)
def _load(path_str: str, stand: tuple[int, int, int] | None = None) -> Catalog:
    """The catalog at ``path_str``, cached by the file's state (``stand``): an edited catalog is
    read again, also in a long-lived process (a JupyterLab kernel)."""
    path = Path(path_str)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"{path}: der Kennzahlen-Katalog fehlt") from None
    # duplicate keys refused, with their line; libyaml's parser: the catalog is the largest file
    raw = load_yaml_text(text, path, CatalogError, StrictCLoader)
    try:
        node = yaml.compose(text, Loader=ComposeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: kein gültiges YAML: {exc}") from None
    catalog, problems = validate_catalog(raw, _entry_lines(node))
    if problems:
        raise CatalogError(problems_message(path, "der Kennzahlen-Katalog ist ungültig", problems))
    assert catalog is not None
    return catalog
