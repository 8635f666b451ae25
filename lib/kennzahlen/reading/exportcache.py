"""Exports read once: the checked rows of every export that passed, kept inside the pool folder.

``<pool>/exporte/<key>.arrow`` holds one export's normalised rows (without ``stand`` and
``datei``, which come from its file name) as an Arrow IPC file (LZ4: read back in about 60 % of
zstd's time, files about 2.7 times as large), with what the manifest lists of it
(rows read, format, encoding, delimiter, warnings) in the schema's metadata. The key is a hash of
the export's bytes, its table and format, and the *Prüfstand*: the code that reads and checks
exports and the Raumgliederung the checks compare against. A changed file, a changed check or
another city's areas give another key. Tables with a list from config (``vokabel`` columns: the
small steering deliveries) are always read anew.

Only a build that succeeded stores its exports (:func:`speichern`, under the pool's lock, each
file written to a temp name and renamed), so the folder holds only exports that passed every
check, and ``kennzahlen pool`` on bad input writes nothing. An entry that cannot be read is read
from the export again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kennzahlen.core.dateistand import Dateistand
from kennzahlen.core.safeio import atomic_write, is_temp_name, replacing
from kennzahlen.core.schema import Table

#: the folder inside the pool folder
ORDNER = "exporte"
#: the stat memo of the raw files (:mod:`kennzahlen.core.dateistand`)
STAND_DATEI = "dateistand.json"
_SUFFIX = ".arrow"
_META = b"kennzahlen"


def pruefstand(raumgliederung: pd.DataFrame) -> str:
    """A hash of what a checked export depends on beyond its bytes: the reading code and the
    city's areas."""
    here = Path(__file__).resolve().parent
    files = sorted(here.glob("*.py")) + [here.parent / "core" / n for n in ("schema.py",)]
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + hashlib.sha256(f.read_bytes()).digest())
    areas = raumgliederung[["stadtviertel_nr", "sozialraum"]].astype(str).to_csv(index=False)
    h.update(areas.encode())
    return h.hexdigest()


def cachebar(table: Table) -> bool:
    """Whether a table's exports are kept (not those checked against lists from config)."""
    return not any(c.kind == "vokabel" for c in table.columns)


@dataclass
class Exportcache:
    """The exports kept in a pool folder, and those read in this build (stored on success)."""

    ordner: Path | None
    stand: str
    dateistand: Dateistand
    neu: dict[str, tuple[pd.DataFrame, dict]] = field(default_factory=dict)
    verwendet: set[str] = field(default_factory=set)

    @classmethod
    def im_pool(
        cls, pool: Path | None, raumgliederung: pd.DataFrame, dateistand: Dateistand | None = None
    ) -> Exportcache:
        """The cache of the pool folder ``pool`` (None: a cache that keeps nothing);
        ``dateistand``: the content hashes of the raw files taken already."""
        folder = Path(pool) / ORDNER if pool is not None else None
        if dateistand is None:
            dateistand = Dateistand.laden(folder / STAND_DATEI) if folder else Dateistand()
        return cls(folder, pruefstand(raumgliederung), dateistand)

    def schluessel(self, path: Path, table: Table) -> str | None:
        """The key of an export (None: not kept)."""
        if self.ordner is None or not cachebar(table):
            return None
        digest = self.dateistand.sha256(path)
        text = f"{digest}|{table.name}|{path.suffix.lower()}|{self.stand}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def laden(self, key: str | None) -> tuple[Any, dict] | None:
        """The rows (an Arrow table) and manifest entry kept under ``key`` (None: not there or
        unreadable)."""
        if key is None or self.ordner is None:
            return None
        import pyarrow as pa

        try:
            with pa.memory_map(str(self.ordner / f"{key}{_SUFFIX}")) as src:
                table = pa.ipc.open_file(src).read_all()
            meta = json.loads((table.schema.metadata or {})[_META])
        except (OSError, ValueError, KeyError, pa.ArrowException):
            return None
        self.verwendet.add(key)
        return table, meta

    def merken(self, key: str | None, frame: pd.DataFrame, meta: dict) -> None:
        """Keep an export that passed (stored by :func:`speichern` when the build succeeds)."""
        if key is not None and self.ordner is not None:
            self.neu[key] = (frame, meta)
            self.verwendet.add(key)


def speichern(cache: Exportcache) -> None:
    """Store the exports read in this build and drop the ones it did not use (call under the
    pool's lock). A failure leaves the folder as it was for every entry not yet written."""
    if cache.ordner is None:
        return
    import pyarrow as pa

    folder = cache.ordner
    folder.mkdir(exist_ok=True)
    for key, (frame, meta) in cache.neu.items():
        target = folder / f"{key}{_SUFFIX}"
        if target.exists():
            continue
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({_META: json.dumps(meta, default=str).encode()})
        with replacing(target, fsync=False) as tmp, pa.OSFile(str(tmp), "wb") as sink:
            opts = pa.ipc.IpcWriteOptions(compression="lz4")  # zstd: 2.3x smaller, 1.6x slower
            with pa.ipc.new_file(sink, table.schema, options=opts) as writer:
                writer.write_table(table)
    atomic_write(folder / STAND_DATEI, json.dumps(cache.dateistand.als_dict()), fsync=False)
    for entry in folder.iterdir():
        ours = entry.suffix == _SUFFIX and re.fullmatch(r"[0-9a-f]{32}", entry.stem)
        unused = ours and entry.stem not in cache.verwendet
        if unused or is_temp_name(entry.name):
            with contextlib.suppress(OSError):
                entry.unlink()
