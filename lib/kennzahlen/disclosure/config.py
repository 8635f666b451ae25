"""The rules of disclosure control (``config/disclosure.yaml``): k, symbols, which products are
public."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from kennzahlen.core import paths
from kennzahlen.core.configfile import StrictModel, load_mapping, validate
from kennzahlen.core.vocabulary import PRODUKT_NUMMERN, PRODUKTE, produkt_nummern_text

SYMBOL_SEKUNDAER = "x"
_DEFAULT_PRODUKTE: dict[int, Literal["oeffentlich", "intern"]] = {
    p.nr: "oeffentlich" if p.oeffentlich else "intern" for p in PRODUKTE.values()
}


# ---------------------------------------------------------------------------- configuration
#: the default of ``solver_zeitlimit_sekunden``: the demo's largest optimisation takes well under a
#: second, 30 times the population a few seconds
SOLVER_ZEITLIMIT = 300.0


class DisclosureConfigError(ValueError):
    """``config/disclosure.yaml`` is invalid; the message names every problem."""


class DisclosureConfig(StrictModel):
    """The rules of ``config/disclosure.yaml``."""

    k: int = Field(3, ge=2, le=100, description="Mindestfallzahl: 1 bis k-1 wird verborgen")
    null_sichtbar: bool = True
    gegenwert: bool = True
    mindestbevoelkerung: int = Field(300, ge=0)
    symbol_sekundaer: str = Field(SYMBOL_SEKUNDAER, min_length=1, max_length=3)
    #: seconds one optimisation of the disclosure plan or the attacker may take (HiGHS)
    solver_zeitlimit_sekunden: float = Field(SOLVER_ZEITLIMIT, gt=0, le=86_400)
    produkte: dict[int, Literal["oeffentlich", "intern"]] = Field(
        default_factory=lambda: dict(_DEFAULT_PRODUKTE)
    )

    @field_validator("produkte", mode="before")
    @classmethod
    def _produkte_eindeutig(cls, v: Any) -> Any:
        if isinstance(v, dict):
            nummern = [str(key).strip() for key in v]
            doppelt = sorted({n for n in nummern if nummern.count(n) > 1})
            if doppelt:
                raise ValueError(f"Produkt {', '.join(doppelt)} doppelt eingetragen")
        return v

    @field_validator("produkte")
    @classmethod
    def _produkte(cls, v: dict[int, str]) -> dict[int, str]:
        unknown = sorted(set(v) - set(PRODUKT_NUMMERN))
        if unknown:
            raise ValueError(
                f"unbekannte(s) Produkt(e) {', '.join(map(str, unknown))} "
                f"(bekannt: {produkt_nummern_text()})"
            )
        return {**_DEFAULT_PRODUKTE, **v}

    @field_validator("symbol_sekundaer")
    @classmethod
    def _symbol(cls, v: str) -> str:
        if any(ch.isdigit() for ch in v) or not v.strip():
            raise ValueError(f"Symbol '{v}' darf keine Ziffer enthalten und nicht leer sein")
        return v


def load_config(path: Path | str | None = None) -> DisclosureConfig:
    """Read and validate ``config/disclosure.yaml``; raise DisclosureConfigError naming each
    problem."""
    path = Path(path or paths.CONFIG / "disclosure.yaml")
    try:
        st = path.stat()
    except OSError:
        return _load_config(str(path), 0, 0)
    return _load_config(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=16)
def _load_config(path_str: str, mtime_ns: int, size: int) -> DisclosureConfig:
    """The validated config, read once per file version (mtime and size are the cache key)."""
    path = Path(path_str)
    raw = load_mapping(
        path, DisclosureConfigError, "die Datei", "eine Zuordnung (k:, produkte:, …)"
    )
    return validate(
        DisclosureConfig, raw, path, DisclosureConfigError, "die Geheimhaltungsregeln sind ungültig"
    )


def is_public(produkt: int, config: DisclosureConfig | None = None) -> bool:
    """True when the product leaves the department (disclosure control on), from the config."""
    cfg = config or load_config()
    if produkt not in cfg.produkte:
        raise ValueError(f"Produkt {produkt!r} unbekannt (bekannt: {produkt_nummern_text()})")
    return cfg.produkte[produkt] == "oeffentlich"
