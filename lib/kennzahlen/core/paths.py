"""Where things live: the one place that knows the project's folders.

Every path is relative to the project root, found from this file (an editable install)
or overridden with the environment variable ``KENNZAHLEN_HOME``. The configuration folder
(``config/``) can be overridden on its own with ``KENNZAHLEN_CONFIG``: another city keeps the
project (notebooks, package) and brings its own folder with ``raumgliederung.csv``, polygons,
``verteiler.yaml`` and so on (``kennzahlen --config DIR …`` sets the variable).

The names ``ROOT``, ``CONFIG``, ``RAW``, ``PROCESSED``, ``REPORTS`` and ``NOTEBOOKS`` are looked
up at each use, so a changed environment (a test, the ``--config`` option) takes effect at
once, also in the report workers and notebook kernels, which inherit the environment.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

HOME_ENV = "KENNZAHLEN_HOME"
CONFIG_ENV = "KENNZAHLEN_CONFIG"
POOL_FILE = "kennzahlen.parquet"


@lru_cache(maxsize=1)
def _installed_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "config" / "raumgliederung.csv").exists():
            return parent
    return Path.cwd()


@lru_cache(maxsize=16)
def _resolved(path: str, cwd: str) -> Path:
    """``Path(path).resolve()`` as seen from ``cwd`` (asked thousands of times per report: the
    folders are looked up at each use, so that a changed environment takes effect at once)."""
    return Path(path).resolve()


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:  # the working folder was removed: an absolute path still resolves
        return ""


def project_root() -> Path:
    """The project's top folder (holds config/, data/, notebooks/)."""
    env = os.environ.get(HOME_ENV)
    if env:
        return _resolved(env, _cwd())
    return _installed_root()


def config_dir() -> Path:
    """The configuration folder: $KENNZAHLEN_CONFIG, else config/ in the project root."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return _resolved(env, _cwd())
    return project_root() / "config"


_FOLDERS = {
    "ROOT": lambda: project_root(),
    "CONFIG": config_dir,
    "RAW": lambda: project_root() / "data" / "raw",
    "PROCESSED": lambda: project_root() / "data" / "processed",
    "REPORTS": lambda: project_root() / "reports",
    "NOTEBOOKS": lambda: project_root() / "notebooks",
}


def __getattr__(name: str) -> Path:
    """``paths.CONFIG`` etc., computed from the environment at each use (PEP 562)."""
    if name in _FOLDERS:
        return _FOLDERS[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
