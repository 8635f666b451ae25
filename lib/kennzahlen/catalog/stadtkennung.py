"""One city per folder: the identity of the configuration a pool, a report folder and a report
were made with, and the checks at the entry points (``pool``, ``report``, ``mail``).

The identity (:class:`Kennung`) is the city's name from ``geographie.yaml`` and content hashes
of ``raumgliederung.csv`` and ``kennzahlen.yaml`` in the configuration folder in use. It is
stamped into the pool's ``manifest.json``, ``runs.json`` and every report (a ``<meta>`` tag).
Another city's configuration on this city's folders is refused in one German sentence that
names both; so is a pool built with another catalog (the fix: rebuild the pool).

With another configuration folder than the project's own ``config/`` (``--config``,
``KENNZAHLEN_CONFIG``), no command falls back to the project's ``data/`` and ``reports/``: the
folders must be given (:func:`ordner`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from kennzahlen.core import paths

#: the key of the stamp in manifest.json and runs.json
SCHLUESSEL = "stadt"
#: the name of the report's <meta> tag that carries its identity
META = "kennzahlen-bericht"


class FremdeStadt(ValueError):
    """A folder belongs to another configuration (the message names both)."""


def _hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except FileNotFoundError:
        return "fehlt"


@dataclass(frozen=True)
class Kennung:
    """A city configuration: its name and the fingerprints of its Raumgliederung and catalog."""

    name: str
    raumgliederung: str
    katalog: str
    ordner: str = field(default="", compare=False)

    def stempel(self) -> dict[str, str]:
        """What is written into manifest.json, runs.json and the reports."""
        return {"name": self.name, "raumgliederung": self.raumgliederung, "katalog": self.katalog}

    @classmethod
    def aus(cls, stempel: object) -> Kennung | None:
        """The identity of a stamp (None: no stamp, or not one of ours)."""
        if not isinstance(stempel, dict):
            return None
        try:
            return cls(
                str(stempel["name"]), str(stempel["raumgliederung"]), str(stempel["katalog"])
            )
        except KeyError:
            return None

    def gleiche_stadt(self, other: Kennung) -> bool:
        """The same city and areas (a changed catalog is still the same city)."""
        return (self.name, self.raumgliederung) == (other.name, other.raumgliederung)

    def text(self) -> str:
        """'Musterstadt (Raumgliederung 3f2a91c0)' for a message."""
        return f"{self.name or 'eine Stadt ohne Namen'} (Raumgliederung {self.raumgliederung[:8]})"


def aktuell(config_dir: Path | str | None = None) -> Kennung:
    """The identity of the configuration folder in use (or of ``config_dir``)."""
    from kennzahlen.catalog.geography import CONFIG_FILE, load_config

    cfg = Path(config_dir or paths.CONFIG).resolve()
    name = load_config(cfg / CONFIG_FILE).stadt.strip()
    return Kennung(
        name, _hash(cfg / "raumgliederung.csv"), _hash(cfg / "kennzahlen.yaml"), str(cfg)
    )


def pruefe(stempel: object, was: str, kennung: Kennung, hilfe: str, katalog: bool = True) -> None:
    """Refuse (FremdeStadt) a folder whose stamp is another city's, or, with ``katalog``, one made
    with another catalog or without a stamp. ``was`` names the folder ('Der Datenpool /x');
    ``hilfe`` says what to do about a missing stamp or another catalog."""
    andere = Kennung.aus(stempel)
    konfiguration = f"die Konfiguration {kennung.ordner}"
    if andere is None:
        if katalog:
            raise FremdeStadt(
                f"{was} trägt keine Stadtkennung (mit einer älteren Version erstellt), "
                f"{konfiguration} gehört zu {kennung.text()}: {hilfe}"
            )
        return
    if not andere.gleiche_stadt(kennung):
        raise FremdeStadt(
            f"{was} gehört zu {andere.text()}, {konfiguration} zu {kennung.text()}. Eine Stadt je "
            "Ordner: bitte die Ordner dieser Stadt angeben (nichts wurde geschrieben oder "
            "gesendet)."
        )
    if katalog and andere.katalog != kennung.katalog:
        raise FremdeStadt(
            f"{was} wurde mit einem anderen Kennzahlenkatalog gemacht als dem von "
            f"{konfiguration} (kennzahlen.yaml geändert): {hilfe}"
        )


def eigene_konfiguration() -> bool:
    """Whether the configuration in use is the project's own ``config/`` folder."""
    return paths.CONFIG.resolve() == (paths.project_root() / "config").resolve()


def ordner(wert: Path | None, standard: str, option: str) -> Path:
    """The folder given for ``option``, or the project's default folder ``standard`` (a path
    below the project root) – the latter only with the project's own configuration."""
    if wert is not None:
        return Path(wert)
    if not eigene_konfiguration():
        raise FremdeStadt(
            f"Mit der Konfiguration {paths.CONFIG} (nicht config/ dieses Projekts) gibt es keinen "
            f"Standardordner: bitte {option} angeben (die Ordner dieser Stadt), damit nie die "
            f"Daten oder Berichte einer anderen Stadt gelesen oder überschrieben werden."
        )
    return paths.project_root() / standard
