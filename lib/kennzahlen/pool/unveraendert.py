"""An unchanged ``kennzahlen pool``: decided from the files alone, before pandas is imported.

A successful build records, in the pool folder (``exporte/lauf.json``), one key over everything
the pool depends on — the package code, the configuration folder, the versions of Python and of
the libraries that read and count, and every file of the raw folder (name and content hash,
:mod:`kennzahlen.core.dateistand`) — with the version it made. The next build with the same key,
whose current version is that one and complete (every table's checksum as in its manifest), has
nothing to do and says so. Anything else takes the normal way.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

from kennzahlen.core import paths
from kennzahlen.core.dateistand import Dateistand, sha256_datei
from kennzahlen.core.safeio import atomic_write

#: the record of the last build, beside the kept exports (kennzahlen.reading.exportcache)
LAUF = Path("exporte") / "lauf.json"
MEMO = Path("exporte") / "dateistand.json"
_BIBLIOTHEKEN = ("pandas", "numpy", "pyarrow", "python-calamine", "pyyaml", "pydantic")
_PACKAGE = Path(__file__).resolve().parents[1]


def _code_und_umgebung() -> bytes:
    h = hashlib.sha256(sys.version.encode())
    for name in _BIBLIOTHEKEN:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-".encode())
    for f in sorted(_PACKAGE.rglob("*.py")):
        h.update(str(f.relative_to(_PACKAGE)).encode() + hashlib.sha256(f.read_bytes()).digest())
    config = paths.CONFIG
    for f in sorted(p for p in config.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(config)).encode() + hashlib.sha256(f.read_bytes()).digest())
    return h.digest()


def schluessel(raw: Path, out: Path) -> tuple[str, Dateistand]:
    """The key of a build of ``raw`` into ``out`` (and the file hashes taken for it)."""
    memo = Dateistand.laden(Path(out) / MEMO)
    h = hashlib.sha256(_code_und_umgebung())
    entries = sorted(Path(raw).iterdir(), key=lambda p: p.name) if Path(raw).is_dir() else []
    for entry in entries:
        h.update(entry.name.encode() + b"\0")
        if entry.is_file():
            h.update(memo.sha256(entry).encode())
    return h.hexdigest(), memo


def unveraendert(raw: Path, out: Path) -> str | None:
    """The current version of ``out`` when a build of ``raw`` would make it again, else None."""
    return pruefen(raw, out)[0]


def pruefen(raw: Path, out: Path) -> tuple[str | None, tuple[str, Dateistand] | None]:
    """:func:`unveraendert`, and the :func:`schluessel` it computed on the way (None when it
    computed none), so that a build need not compute it again. The key is compared before the
    pool's files are hashed: a changed key (a new export) decides without them."""
    schl = None
    try:
        lauf = json.loads((Path(out) / LAUF).read_text(encoding="utf-8"))
        manifest = json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))
        version = manifest["version"]
        if lauf.get("version") != version:
            return None, None
        schl = schluessel(raw, out)
        if schl[0] != lauf.get("schluessel"):
            return None, schl
        folder = Path(out) / "versions" / version
        for name, digest in manifest["dateien"].items():
            if sha256_datei(folder / name) != digest:
                return None, schl
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, schl
    return version, schl


def merken(out: Path, key: str, version: str) -> None:
    """Record a successful build of ``version`` with its key (call under the pool's lock)."""
    atomic_write(Path(out) / LAUF, json.dumps({"schluessel": key, "version": version}))
