"""Where things live: the one place that knows the project's folders.

Every path is relative to the project root, found from this file (an editable install)
or overridden with the environment variable ``KENNZAHLEN_HOME``.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The project's top folder (holds config/, data/, notebooks/)."""
    env = os.environ.get("KENNZAHLEN_HOME")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "config" / "raumgliederung.csv").exists():
            return parent
    return Path.cwd()


ROOT = project_root()
CONFIG = ROOT / "config"
RAW = ROOT / "data" / "raw"
PROCESSED = ROOT / "data" / "processed"
REPORTS = ROOT / "reports"
NOTEBOOKS = ROOT / "notebooks"

POOL_FILE = "kennzahlen.parquet"
