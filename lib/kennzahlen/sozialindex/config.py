"""``config/sozialindex.yaml``: the Sozialindex (status and dynamics of the Stadtviertel) as data.

The file names the indicators (Kennzahlen of ``config/kennzahlen.yaml``), their direction and
weight, the standardisation, the class cut-offs of the Status- and the Dynamik-Index (in
standard deviations of the index), the dynamic period, the minimum population and which cells
of the overlay are "Gebiete mit besonderem Aufmerksamkeitsbedarf" — so that a city can follow
Berlin's MSS or Hamburg's RISE Sozialmonitoring without code. Validated on load (pydantic);
every problem is named in German with the file, the entry and, where known, its line.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from kennzahlen.catalog.model import Catalog, load_catalog
from kennzahlen.core import paths
from kennzahlen.core.configfile import StrictModel, german_error, load_yaml_text, problems_message

DATEI = "sozialindex.yaml"


class SozialindexError(ValueError):
    """``config/sozialindex.yaml`` is invalid; the message lists every problem."""


class Indikator(StrictModel):
    """One index indicator: a Kennzahl (a share per Stadtviertel) with direction and weight."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kennzahl: str
    titel: str
    richtung: Literal["hoch_ist_unguenstig", "niedrig_ist_unguenstig"] = "hoch_ist_unguenstig"
    gewicht: float = Field(default=1.0, gt=0)
    status: bool = True  # part of the Status-Index
    dynamik: bool = True  # part of the Dynamik-Index

    @property
    def vorzeichen(self) -> int:
        """+1 when a higher value is less favourable (the index counts disadvantage), else -1."""
        return 1 if self.richtung == "hoch_ist_unguenstig" else -1


class Klasse(StrictModel):
    """A class of an index: its name and its upper cut-off (in SD; the last class has none)."""

    name: str = Field(min_length=1)
    bis: float | None = None


class Standardisierung(StrictModel):
    """How indicator values become z-values across the rated Stadtviertel."""

    gewichtung: Literal["keine", "einwohner"] = "keine"
    streuung: Literal["grundgesamtheit", "stichprobe"] = "grundgesamtheit"


class Dynamik(StrictModel):
    """The dynamic period: the change of each indicator over ``jahre`` years."""

    jahre: int = Field(default=2, ge=1, le=10)
    mass: Literal["differenz"] = "differenz"


class Zelle(StrictModel):
    """A cell (or row/column) of the overlay: a status class and optionally a dynamic class."""

    status: str
    dynamik: str | None = None


class Stabilitaet(StrictModel):
    """The stability check: cut-offs moved by this many SD (and each indicator left out once)."""

    verschiebung: float = Field(default=0.1, gt=0, le=1)


class SozialindexConfig(StrictModel):
    """The whole file."""

    name: str = Field(min_length=1)
    vorbild: str = ""
    mindestbevoelkerung: int = Field(ge=0)
    indikatoren: list[Indikator] = Field(min_length=1)
    standardisierung: Standardisierung = Standardisierung()
    dynamik: Dynamik = Dynamik()
    status_klassen: list[Klasse] = Field(min_length=2)
    dynamik_klassen: list[Klasse] = Field(min_length=2)
    aufmerksamkeit: list[Zelle] = Field(default_factory=list)
    stabilitaet: Stabilitaet = Stabilitaet()

    @model_validator(mode="after")
    def _check(self) -> SozialindexConfig:
        problems = _indikator_problems(self.indikatoren)
        for feld, klassen in (
            ("status_klassen", self.status_klassen),
            ("dynamik_klassen", self.dynamik_klassen),
        ):
            problems += _klassen_problems(feld, klassen)
        problems += self._zellen_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _zellen_problems(self) -> list[str]:
        status = [k.name for k in self.status_klassen]
        dynamik = [k.name for k in self.dynamik_klassen]
        out = []
        for i, z in enumerate(self.aufmerksamkeit, start=1):
            if z.status not in status:
                out.append(
                    f"aufmerksamkeit Nr. {i}: Statusklasse '{z.status}' gibt es nicht "
                    f"(status_klassen: {', '.join(status)})"
                )
            if z.dynamik is not None and z.dynamik not in dynamik:
                out.append(
                    f"aufmerksamkeit Nr. {i}: Dynamikklasse '{z.dynamik}' gibt es nicht "
                    f"(dynamik_klassen: {', '.join(dynamik)})"
                )
        return out

    @property
    def status_indikatoren(self) -> list[Indikator]:
        """The indicators of the Status-Index."""
        return [i for i in self.indikatoren if i.status]

    @property
    def dynamik_indikatoren(self) -> list[Indikator]:
        """The indicators of the Dynamik-Index."""
        return [i for i in self.indikatoren if i.dynamik]


def _indikator_problems(indikatoren: list[Indikator]) -> list[str]:
    out = []
    seen: set[str] = set()
    for ind in indikatoren:
        if ind.id in seen:
            out.append(f"Indikator '{ind.id}': id doppelt")
        seen.add(ind.id)
    if not any(i.status for i in indikatoren):
        out.append("kein Indikator für den Status-Index (status: true)")
    if not any(i.dynamik for i in indikatoren):
        out.append("kein Indikator für den Dynamik-Index (dynamik: true)")
    return out


def _klassen_problems(feld: str, klassen: list[Klasse]) -> list[str]:
    """Names unique; every class but the last has a cut-off, the last none; cut-offs ascend."""
    out = []
    names = [k.name for k in klassen]
    doppelt = sorted({n for n in names if names.count(n) > 1})
    if doppelt:
        out.append(f"{feld}: Klasse '{doppelt[0]}' doppelt")
    for k in klassen[:-1]:
        if k.bis is None:
            out.append(f"{feld}: Klasse '{k.name}' braucht eine Obergrenze 'bis' (in SD)")
    if klassen and klassen[-1].bis is not None:
        out.append(
            f"{feld}: die letzte Klasse '{klassen[-1].name}' hat keine Obergrenze "
            f"(steht: bis {klassen[-1].bis:g}); sie nimmt alles darüber auf"
        )
    grenzen = [(k.name, k.bis) for k in klassen[:-1] if k.bis is not None]
    for (a, ga), (b, gb) in zip(grenzen, grenzen[1:], strict=False):
        if not gb > ga:
            out.append(
                f"{feld}: die Grenzen müssen aufsteigen, aber '{b}' (bis {gb:g}) liegt nicht "
                f"über '{a}' (bis {ga:g})"
            )
    return out


def _kennzahl_problems(cfg: SozialindexConfig, catalog: Catalog) -> list[str]:
    """Each indicator's Kennzahl exists, is collected, is a yearly share per Stadtviertel."""
    bekannt = [k.id for k in catalog.kennzahlen if k.einheit != "anzahl" and k.erhoben]
    out = []
    for ind in cfg.indikatoren:
        try:
            k = catalog.get(ind.kennzahl)
        except KeyError:
            out.append(
                f"Indikator '{ind.id}': Kennzahl '{ind.kennzahl}' steht nicht im Katalog "
                f"(config/kennzahlen.yaml); möglich sind: {', '.join(bekannt)}"
            )
            continue
        if not k.erhoben:
            out.append(f"Indikator '{ind.id}': Kennzahl '{k.id}' ist noch nicht erhoben")
        if k.einheit == "anzahl":
            out.append(
                f"Indikator '{ind.id}': Kennzahl '{k.id}' ist eine Anzahl; der Index braucht "
                f"Anteile oder Quoten (mit nenner), sonst vergleicht er die Größe der Viertel"
            )
        if k.periodizitaet != "stichtag_jahr":
            out.append(
                f"Indikator '{ind.id}': Kennzahl '{k.id}' ist nicht jährlich zum 31.12. "
                f"(periodizitaet {k.periodizitaet}, gebraucht: stichtag_jahr)"
            )
    return out


def _entry_lines(text: str) -> list[int]:
    """Line numbers (1-based) of the entries of 'indikatoren' (for the messages)."""
    try:
        node = yaml.compose(text)
        if not isinstance(node, yaml.MappingNode):
            return []
        for key, value in node.value:
            if key.value == "indikatoren" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    except (AttributeError, TypeError, ValueError, yaml.YAMLError):
        pass
    return []


def _where(loc: tuple, raw: Any, lines: list[int]) -> str:
    parts = [str(x) for x in loc]
    if len(loc) >= 2 and loc[0] == "indikatoren" and isinstance(loc[1], int):
        i = loc[1]
        entry = raw.get("indikatoren", [])[i] if isinstance(raw, dict) else None
        name = entry.get("id") if isinstance(entry, dict) else None
        zeile = f" (Zeile {lines[i]})" if i < len(lines) else ""
        head = f"Indikator '{name}'" if name else f"Indikator Nr. {i + 1}"
        return head + zeile + (f", {'.'.join(parts[2:])}" if parts[2:] else "")
    return ".".join(parts)


def validate(
    raw: Any, catalog: Catalog, lines: list[int] | None = None
) -> tuple[SozialindexConfig | None, list[str]]:
    """The config (or None) and every problem found, in German."""
    if not isinstance(raw, dict):
        return None, ["erwartet Abschnitte wie name, mindestbevoelkerung, indikatoren, ..."]
    try:
        cfg = SozialindexConfig.model_validate(raw)
    except ValidationError as exc:
        out = []
        for e in exc.errors():
            where = _where(tuple(e["loc"]), raw, lines or [])
            for msg in german_error(e).split("; "):
                out.append(f"{where}: {msg}" if where else msg)
        return None, out
    problems = _kennzahl_problems(cfg, catalog)
    return (None, problems) if problems else (cfg, [])


def load(path: Path | None = None, catalog: Catalog | None = None) -> SozialindexConfig:
    """Read and validate ``config/sozialindex.yaml``; raise :class:`SozialindexError`.

    ``catalog``: the Kennzahlen catalog the indicators refer to (default: config/kennzahlen.yaml).
    """
    path_str = str(path or paths.CONFIG / DATEI)
    return _load(path_str) if catalog is None else _parse(Path(path_str), catalog)


@lru_cache(maxsize=8)
def _load(path_str: str) -> SozialindexConfig:
    return _parse(Path(path_str), load_catalog())


def _parse(path: Path, catalog: Catalog) -> SozialindexConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SozialindexError(f"{path}: die Konfiguration des Sozialindex fehlt") from None
    raw = load_yaml_text(text, path, SozialindexError)
    cfg, problems = validate(raw, catalog, _entry_lines(text))
    if problems:
        raise SozialindexError(
            problems_message(path, "der Sozialindex ist falsch konfiguriert", problems)
        )
    assert cfg is not None
    return cfg


def vorhanden(path: Path | None = None) -> bool:
    """True when the config folder has a sozialindex.yaml (a city may go without the index)."""
    return (path or paths.CONFIG / DATEI).exists()
