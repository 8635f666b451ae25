"""Content hashes of files, remembered by their stat so that an unchanged file is not read again.

A file's SHA-256 is kept with its size, modification and change times and inode
(:class:`Dateistand`); the next build hashes only files whose stat differs. The change time
(``ctime``) cannot be set back by a program, so a file whose content was written again is always
read again. No pandas here: :mod:`kennzahlen.pool.unveraendert` decides an unchanged build with it
before anything heavy is imported.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

_CHUNK = 1 << 20


def sha256_datei(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _signatur(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def signatur(path: Path | str) -> tuple[int, ...] | None:
    """A file's state (size, modification and change time in ns, inode); None when it cannot be
    read. A cache keyed by it reads the file again after any edit or replacement (a long-lived
    process, e.g. a JupyterLab kernel, never keeps a stale configuration)."""
    try:
        return tuple(_signatur(os.stat(path)))
    except OSError:
        return None


class Dateistand:
    """Content hashes of files by name, with the stat each was taken at."""

    def __init__(self, bekannt: dict | None = None) -> None:
        self.eintraege: dict[str, list] = {}
        self._bekannt = bekannt if isinstance(bekannt, dict) else {}

    @classmethod
    def laden(cls, path: Path) -> Dateistand:
        """The hashes remembered in ``path`` (a missing or unreadable file: none)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        return cls(data.get("dateien") if isinstance(data, dict) else None)

    def sha256(self, path: Path) -> str:
        """The SHA-256 of ``path``: remembered when its stat is unchanged, else read."""
        sig = _signatur(os.stat(path))
        old = self._bekannt.get(str(path))
        if isinstance(old, list) and len(old) == 2 and old[0] == sig and isinstance(old[1], str):
            digest = old[1]
        else:
            digest = sha256_datei(path)
        self.eintraege[str(path)] = [sig, digest]
        return digest

    def als_dict(self) -> dict:
        """What :meth:`laden` reads back."""
        return {"dateien": self.eintraege}
