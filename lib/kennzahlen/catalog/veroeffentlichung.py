"""``config/veroeffentlichung.yaml``: who publishes, under which licence, and when (the release
calendar).

The public product's open data (Produkt 3) name the publisher and the licence from here; the
index page of a quarter shows the next planned publication dates of every product (as the UK
Code of Practice for Statistics asks: release dates announced in advance). Each date names its
product and occasion; an entry with an unknown product, an unreadable date or no occasion is
refused with its line. Without the file: no calendar, the publisher is the city's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, field_validator

from kennzahlen.core import paths
from kennzahlen.core.configfile import (
    StrictLoader,
    StrictModel,
    error_location,
    read_yaml,
    validate,
)
from kennzahlen.core.dateistand import signatur
from kennzahlen.core.vocabulary import PRODUKT_NUMMERN, produkt_nummern_text

CONFIG_FILE = "veroeffentlichung.yaml"

#: the licences an open-data portal in Germany knows: code -> (name, url)
LIZENZEN: dict[str, tuple[str, str]] = {
    "dl-de/by-2-0": (
        "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        "https://www.govdata.de/dl-de/by-2-0",
    ),
    "dl-de/zero-2-0": (
        "Datenlizenz Deutschland – Zero – Version 2.0",
        "https://www.govdata.de/dl-de/zero-2-0",
    ),
}


class VeroeffentlichungError(ValueError):
    """The publication config is unusable; the message names file, entry and line."""


class Termin(StrictModel):
    """A planned publication: product, date and occasion."""

    produkt: int
    datum: dt.date
    anlass: str = Field(min_length=1)

    @field_validator("produkt")
    @classmethod
    def _produkt(cls, v: int) -> int:
        if v not in PRODUKT_NUMMERN:
            raise ValueError(f"produkt {v} unbekannt (erlaubt: {produkt_nummern_text()})")
        return v

    @field_validator("datum", mode="before")
    @classmethod
    def _datum(cls, v: Any) -> Any:
        if isinstance(v, str):
            text = v.strip()
            for form in ("%Y-%m-%d", "%d.%m.%Y"):
                try:
                    return dt.datetime.strptime(text, form).date()
                except ValueError:
                    continue
            raise ValueError(f"'{v}' ist kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ)")
        return v


class VeroeffentlichungConfig(StrictModel):
    """The whole file."""

    herausgeber: str = ""
    lizenz: Literal["dl-de/by-2-0", "dl-de/zero-2-0"] = "dl-de/by-2-0"
    termine: list[Termin] = Field(default_factory=list)

    def naechste(self, heute: dt.date, anzahl: int = 4) -> list[Termin]:
        """The next ``anzahl`` planned dates from ``heute`` on, soonest first."""
        kommend = sorted((t for t in self.termine if t.datum >= heute), key=lambda t: t.datum)
        return kommend[:anzahl]

    def lizenz_text(self) -> tuple[str, str, str]:
        """The licence's code, name and address."""
        name, url = LIZENZEN[self.lizenz]
        return self.lizenz, name, url


def _entry_lines(text: str) -> list[int]:
    """The line (1-based) of each entry of ``termine``."""
    try:
        node = yaml.compose(text)
        for key, value in node.value if node is not None else []:
            if key.value == "termine" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    except (AttributeError, TypeError, ValueError, yaml.YAMLError):
        pass
    return []


def _wo(lines: Sequence[int]):
    def where(loc: tuple) -> str:
        text = error_location(loc)
        nr = loc[1] if len(loc) >= 2 and loc[0] == "termine" else None
        if isinstance(nr, int) and nr < len(lines):
            rest = f", {error_location(loc[2:])}" if len(loc) > 2 else ""
            text = f"termine Nr. {nr + 1} (Zeile {lines[nr]}){rest}"
        return text

    return where


class _TextDates(StrictLoader):
    """Strict YAML without its date type: a date stays text and is checked here, so that
    '2027-13-01' gets a German message with its line instead of a crash in the YAML parser."""


_TextDates.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_config(path: Path | str | None = None) -> VeroeffentlichungConfig:
    """Read and validate ``config/veroeffentlichung.yaml`` (no file: defaults, no dates).

    Read once per state of the file (:func:`~kennzahlen.core.dateistand.signatur`): an edited or
    replaced file is read again, also in a long-lived process; an invalid one raises every time.
    """
    path = Path(path or paths.CONFIG / CONFIG_FILE)
    return _load_config(str(path), signatur(path))


@lru_cache(maxsize=8)
def _load_config(path_str: str, stand: tuple[int, ...] | None) -> VeroeffentlichungConfig:
    """The configuration at ``path_str`` in the file state ``stand`` (None: no file)."""
    path = Path(path_str)
    if stand is None or not path.exists():
        return VeroeffentlichungConfig()
    was = "die Veröffentlichungs-Konfiguration"
    raw = read_yaml(path, VeroeffentlichungError, was, loader=_TextDates) or {}
    if not isinstance(raw, dict):
        raise VeroeffentlichungError(
            f"{path}: erwartet die Einträge 'herausgeber', 'lizenz' und 'termine'"
        )
    lines = _entry_lines(path.read_text(encoding="utf-8"))
    return validate(
        VeroeffentlichungConfig,
        raw,
        path,
        VeroeffentlichungError,
        "die Veröffentlichungs-Konfiguration ist ungültig",
        where=_wo(lines),
    )


def herausgeber() -> str:
    """The publisher of the open data: from the file, else the city's name."""
    from kennzahlen.catalog.geography import stadt

    name = load_config().herausgeber.strip()
    return name or (f"Stadt {stadt()}" if stadt() else "")
