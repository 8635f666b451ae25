"""The Kennzahlen catalog (``config/kennzahlen.yaml``): base counts and Kennzahlen as data.

A *Basiszahl* names a counting rule on one raw table (stock on a Stichtag, cases in the
course of a period, events in a period, year to date, or the sum of a count table).
A *Kennzahl* takes its Zähler (and optional Nenner) as sums of Basiszahlen with filters,
so that a Fachplaner can add or change a Kennzahl without Python. The file is validated on
load (pydantic); errors name the entry and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import paths
from .schema import ARBEITSFELDER, TABLES

Regel = Literal["bestand", "im_verlauf", "ereignisse", "jahr_bis_stichtag", "summe"]
Periodizitaet = Literal["stichtag_quartal", "stichtag_jahr", "quartal", "jahr"]

#: which date column an event table is counted by
EVENT_DATE = {
    "hilfen_vor_dem_fall": "beginn",
    "beratungen_altenhilfe": "datum",
    "teilhabeteam": "datum",
    "wohnraumsicherung": "datum",
}
#: which column a count table sums
COUNT_COLUMN = {"bevoelkerung": "anzahl", "haushalte": "anzahl", "transferleistungen": "personen"}


class CatalogError(ValueError):
    """The catalog file is invalid; the message lists every problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Basiszahl(_Strict):
    """A named counting rule on one raw table."""

    tabelle: str
    regel: Regel
    beschreibung: str = ""

    @model_validator(mode="after")
    def _check(self) -> Basiszahl:
        if self.tabelle not in TABLES:
            raise ValueError(f"unbekannte Tabelle '{self.tabelle}' (bekannt: {', '.join(TABLES)})")
        table = TABLES[self.tabelle]
        if self.regel == "summe" and table.kind != "count":
            raise ValueError(f"Regel 'summe' nur für Zähltabellen, nicht für '{self.tabelle}'")
        if self.regel in ("bestand", "im_verlauf") and "ende" not in table.column_names:
            raise ValueError(f"Regel '{self.regel}' braucht beginn/ende; '{self.tabelle}' hat sie nicht")
        if self.regel in ("ereignisse", "jahr_bis_stichtag") and self.tabelle not in EVENT_DATE:
            raise ValueError(f"Regel '{self.regel}' nur für Ereignistabellen ({', '.join(EVENT_DATE)})")
        return self


FilterValue = str | int | float | bool | list[str | int | float | bool] | dict[str, int | float]


class Term(_Strict):
    """One summand of a Zähler or Nenner: a Basiszahl with filters on its table's columns."""

    basis: str
    filter: dict[str, FilterValue] = Field(default_factory=dict)


Status = Literal["erhoben", "noch_nicht_erhoben"]


class Kennzahl(_Strict):
    """One Kennzahl: Zähler/Nenner from Basiszahlen, and what the reports say about it."""

    id: str
    titel: str
    periodizitaet: Periodizitaet
    produkt: list[int] = Field(default_factory=list)
    zaehler: list[Term] = Field(default_factory=list)
    nenner: list[Term] = Field(default_factory=list)
    faktor: float = 1.0
    einheit: Literal["anzahl", "anteil", "je_1000", "quote"] = "anzahl"
    definition: str = ""
    quelle: str = ""
    ziel: int | None = Field(default=None, ge=1, le=7)
    arbeitsfeld: str | None = None
    zielwert: float | None = None
    richtung: Literal["hoeher_besser", "niedriger_besser"] | None = None
    status: Status = "erhoben"
    grund: str = ""
    benoetigte_daten: str = ""
    gruppe: str = ""

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
        if self.arbeitsfeld is not None and self.arbeitsfeld not in ARBEITSFELDER:
            raise ValueError(f"arbeitsfeld '{self.arbeitsfeld}' unbekannt ({', '.join(ARBEITSFELDER)})")
        if self.status == "erhoben" and not self.zaehler:
            raise ValueError("eine erhobene Kennzahl braucht einen zaehler")
        if self.status == "noch_nicht_erhoben" and not self.grund:
            raise ValueError("status noch_nicht_erhoben braucht einen grund")
        if self.zielwert is not None and self.richtung is None:
            raise ValueError("ein zielwert braucht eine richtung (hoeher_besser/niedriger_besser)")
        return self

    @property
    def erhoben(self) -> bool:
        """True when the pool computes this Kennzahl."""
        return self.status == "erhoben"


class Catalog(_Strict):
    """The whole catalog: Basiszahlen and Kennzahlen."""

    basiszahlen: dict[str, Basiszahl]
    kennzahlen: list[Kennzahl]

    @model_validator(mode="after")
    def _check(self) -> Catalog:
        problems: list[str] = []
        seen: set[str] = set()
        for k in self.kennzahlen:
            if k.id in seen:
                problems.append(f"Kennzahl '{k.id}': id doppelt")
            seen.add(k.id)
            for part in ("zaehler", "nenner"):
                for t in getattr(k, part):
                    if t.basis not in self.basiszahlen:
                        problems.append(f"Kennzahl '{k.id}', {part}: Basiszahl '{t.basis}' unbekannt")
                        continue
                    table = TABLES[self.basiszahlen[t.basis].tabelle]
                    for col in t.filter:
                        if col not in table.column_names and col != "sozialraum":
                            problems.append(
                                f"Kennzahl '{k.id}', {part}: Filterspalte '{col}' gibt es in "
                                f"'{table.name}' nicht ({', '.join(table.column_names)})"
                            )
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


def _format_errors(path: Path, err: ValidationError, raw: dict[str, Any]) -> str:
    lines = [f"{path}: der Kennzahlen-Katalog ist ungültig ({err.error_count()} Problem(e)):"]
    for e in err.errors():
        loc = list(e["loc"])
        where = ".".join(str(x) for x in loc)
        if len(loc) >= 2 and loc[0] == "kennzahlen" and isinstance(loc[1], int):
            try:
                where = f"Kennzahl '{raw['kennzahlen'][loc[1]]['id']}'" + (
                    ", " + ".".join(str(x) for x in loc[2:]) if loc[2:] else ""
                )
            except (KeyError, IndexError, TypeError):
                pass
        lines.append(f"  - {where}: {e['msg']}")
    return "\n".join(lines)


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and validate ``config/kennzahlen.yaml``; raise CatalogError naming every problem."""
    return _load(str(path or paths.CONFIG / "kennzahlen.yaml"))


@lru_cache(maxsize=8)
def _load(path_str: str) -> Catalog:
    path = Path(path_str)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: kein gültiges YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: erwartet die Abschnitte 'basiszahlen' und 'kennzahlen'")
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(_format_errors(path, exc, raw)) from None
