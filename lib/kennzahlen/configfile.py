"""Reading the YAML files in config/ that a Fachplaner edits: one place for the common errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_yaml(path: Path, error: type[Exception], was: str) -> Any:
    """The parsed YAML of ``path``; a missing file or bad YAML raises ``error`` naming the file.

    ``was`` names the file's content in German for the message (e.g. "die Ampel-Konfiguration").
    """
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: {was} fehlt") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: kein gültiges YAML: {exc}") from None
