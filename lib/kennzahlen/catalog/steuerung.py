"""``config/steuerung.yaml``: roles, notable changes, staff services and their case weights.

Validated on load (pydantic, against the catalog); every problem is named with the file and the
entry. Without the file there are no roles and no staff services: deliveries of ``massnahmen``,
``erlaeuterungen`` or ``personal`` are then refused with a message that names the file.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from kennzahlen.catalog.model import Catalog, load_catalog
from kennzahlen.core import paths
from kennzahlen.core.configfile import StrictModel, problem_lines, problems_message, read_yaml

CONFIG_FILE = "steuerung.yaml"
#: the periodicities a case weight may count: a stock at the quarter end or events in the quarter
FALL_PERIODEN = ("stichtag_quartal", "quartal")


class SteuerungConfigError(ValueError):
    """``config/steuerung.yaml`` is invalid; the message names every problem."""


class Auffaellig(StrictModel):
    """When a change in the Quartalsmeldung is notable (and wants an explanation)."""

    vorquartal_prozent: float = Field(default=10.0, gt=0)
    vorjahr_prozent: float = Field(default=20.0, gt=0)
    mindestens_faelle: int = Field(default=10, ge=0)


class Dienst(StrictModel):
    """A staff service: its title and the weight of each kind of case it works on."""

    titel: str
    fallgewichte: dict[str, float] = Field(min_length=1)

    @model_validator(mode="after")
    def _positive(self) -> Dienst:
        bad = [f"{k} = {v:g}" for k, v in self.fallgewichte.items() if not v > 0]
        if bad:
            raise ValueError(f"Fallgewichte müssen größer als 0 sein ({', '.join(bad)})")
        return self


class Personalbemessung(StrictModel):
    """The staff services (keys as they appear in the column ``dienst`` of ``personal``)."""

    dienste: dict[str, Dienst] = Field(default_factory=dict)


class SteuerungConfig(StrictModel):
    """The whole ``config/steuerung.yaml``."""

    rollen: list[str] = Field(default_factory=list)
    auffaellig: Auffaellig = Field(default_factory=Auffaellig)
    personalbemessung: Personalbemessung = Field(default_factory=Personalbemessung)

    @model_validator(mode="after")
    def _unique(self) -> SteuerungConfig:
        for name, values in (("rollen", self.rollen), ("dienste", self.dienste)):
            seen: dict[str, str] = {}
            for v in values:
                if not normal(v):
                    raise ValueError(f"{name}: leerer Eintrag")
                if normal(v) in seen:
                    raise ValueError(f"{name}: '{v}' steht doppelt (wie '{seen[normal(v)]}')")
                seen[normal(v)] = v
        return self

    @property
    def dienste(self) -> list[str]:
        """The staff services in configuration order."""
        return list(self.personalbemessung.dienste)

    def dienst(self, name: str) -> Dienst:
        """One staff service by its key."""
        return self.personalbemessung.dienste[name]


def normal(text: object) -> str:
    """A name as compared: NFC, lower case, inner spaces collapsed ('SD-F' = ' sd-f ')."""
    return " ".join(unicodedata.normalize("NFC", str(text)).lower().split())


def check(raw: Any, catalog: Catalog) -> tuple[SteuerungConfig | None, list[str]]:
    """Validate parsed YAML against the catalog; return the config and every problem."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return None, ["erwartet die Abschnitte rollen, auffaellig und personalbemessung"]
    try:
        cfg = SteuerungConfig.model_validate(raw)
    except ValidationError as exc:
        return None, problem_lines(exc)
    problems = []
    ids = {k.id: k for k in catalog.kennzahlen}
    for name, dienst in cfg.personalbemessung.dienste.items():
        for kid in dienst.fallgewichte:
            where = f"personalbemessung.dienste.{name}.fallgewichte.{kid}"
            k = ids.get(kid)
            if k is None:
                problems.append(f"{where}: Kennzahl '{kid}' steht nicht im Katalog")
            elif not k.erhoben or k.nenner or k.periodizitaet not in FALL_PERIODEN:
                problems.append(
                    f"{where}: ein Fallgewicht braucht eine erhobene Fallzahl ohne Nenner, als "
                    f"Bestand am Quartalsende oder Zahl im Quartal (periodizitaet "
                    f"{' oder '.join(FALL_PERIODEN)}); '{kid}' ist {k.periodizitaet}"
                    + (" mit Nenner" if k.nenner else "")
                )
    return (None, problems) if problems else (cfg, [])


def load_config(path: Path | str | None = None) -> SteuerungConfig:
    """Read and validate ``config/steuerung.yaml`` (no file: no roles, no staff services)."""
    path = Path(path or paths.CONFIG / CONFIG_FILE)
    try:
        st = path.stat()
    except OSError:
        return SteuerungConfig()
    return _load(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _load(path_str: str, mtime_ns: int, size: int) -> SteuerungConfig:
    path = Path(path_str)
    raw = read_yaml(path, SteuerungConfigError, "die Steuerungs-Konfiguration")
    cfg, problems = check(raw, load_catalog())
    if problems:
        kopf = "die Steuerungs-Konfiguration ist ungültig"
        raise SteuerungConfigError(problems_message(path, kopf, problems))
    assert cfg is not None
    return cfg
