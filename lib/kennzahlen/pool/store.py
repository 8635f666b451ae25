"""The data pool on disk: versioned folders, an atomic pointer, and nothing but our own files.

Layout of a pool folder (``data/processed/``)::

    manifest.json            the pointer: the current version's manifest (checksums, "version")
    kennzahlen.parquet …     the current version's tables (hard links), for analysts and tools
    versions/v-<16 hex>/     one complete, never changed pool per version, with its manifest
    veroeffentlichungen/     the publication ledger of the public product (never touched here)
    exporte/                 the checked rows of the exports read (kennzahlen.reading.exportcache)
    .kennzahlen.lock         held while a pool is written (one writer at a time)

A write builds the new version in a temp folder inside the pool folder, renames it into
``versions/``, replaces each top-level table (rename of a hard link: atomic per file) and at
last replaces ``manifest.json``. Readers (:func:`current_dir`, used by ``kennzahlen.api.abfragen``)
go
through ``manifest.json`` to a version folder, so they see the old or the new pool, complete,
at every instant; a plain ``pd.read_parquet("data/processed/kennzahlen.parquet")`` sees the
old or the new table. The version name is the hash of the manifest: the same exports give
the same version (and the reports stay current).

The program deletes only what it wrote: temp folders of killed runs, table files its own
manifest lists, and old versions no report run is reading (the newest two are always kept).
A folder with any other file, or one that is, holds or lies in the raw folder, is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kennzahlen.core import paths
from kennzahlen.core.safeio import (
    LOCK_NAME,
    TEMP_TAG,
    FolderLock,
    atomic_write,
    fsync_dir,
    is_temp_name,
    sole_hold,
)

MANIFEST = "manifest.json"
VERSIONS = "versions"
#: the publication ledger (kennzahlen.disclosure.veroeffentlichungen): kept through every pool build
LEDGER = "veroeffentlichungen"
#: the exports read by earlier builds (kennzahlen.reading.exportcache.ORDNER)
EXPORTE = "exporte"
TMP_PREFIX = ".pool-tmp-"
VERSION_RE = re.compile(r"^v-[0-9a-f]{16}$")
#: files a pool folder may hold that the program does not own and never touches
TOLERATED = {"README.md", ".gitkeep"}


class PoolTargetError(ValueError):
    """The folder given for the pool may not be written (the message says why, in German)."""


@dataclass(frozen=True)
class PoolVersion:
    """One readable pool: its folder of tables and the bytes of its manifest."""

    root: Path
    dir: Path
    manifest_bytes: bytes

    @property
    def manifest(self) -> dict:
        return json.loads(self.manifest_bytes)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.manifest_bytes).hexdigest()


# ---------------------------------------------------------------------------- reading
def _version_of(manifest_bytes: bytes) -> str | None:
    try:
        version = json.loads(manifest_bytes).get("version")
    except (ValueError, AttributeError):
        return None
    return version if isinstance(version, str) and VERSION_RE.match(version) else None


def current(root: Path | str) -> PoolVersion | None:
    """The pool the pointer names (None when there is no manifest.json).

    A folder written by an older version of the program (tables and manifest at the top, no
    ``version``) and a version folder itself (``versions/v-…``) are read as they are.
    """
    root = Path(root)
    try:
        data = (root / MANIFEST).read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    version = _version_of(data)
    folder = root
    if version and root.name != version:  # a pool folder, not a version folder given directly
        folder = root / VERSIONS / version
    return PoolVersion(root, folder, data)


def root_of(folder: Path | str) -> Path:
    """The pool folder of a version folder (``versions/v-…``); any other folder is its own."""
    folder = Path(folder)
    if VERSION_RE.match(folder.name) and folder.parent.name == VERSIONS:
        return folder.parent.parent
    return folder


def current_dir(root: Path | str) -> Path:
    """The folder holding the current pool's tables (``root`` itself for an old flat pool)."""
    v = current(root)
    return v.dir if v is not None else Path(root)


#: how often a reader looks again when the version it found was removed before it held it
GEHALTEN_VERSUCHE = 20


@contextlib.contextmanager
def gehalten(root: Path | str) -> Iterator[PoolVersion | None]:
    """The current pool version, kept from being pruned while the ``with`` block reads it.

    A version named by the pointer can be pruned before the reader holds it (two builds in
    between); then the pointer names a newer one, which is taken instead. None when there is no
    pool. A folder without versions (older program, a version folder given directly) is read as
    it is."""
    for _ in range(GEHALTEN_VERSUCHE):
        version = current(root)
        if version is None:
            yield None
            return
        with hold(version) as held:
            if held or version.dir == Path(root):
                yield version
                return
    raise PoolGone(
        f"{root}: der Datenpool wurde {GEHALTEN_VERSUCHE}-mal neu geschrieben, während er "
        f"gelesen werden sollte; bitte erneut versuchen, wenn `kennzahlen pool` fertig ist."
    )


class PoolGone(RuntimeError):
    """The pool was rewritten again and again while a reader tried to hold a version."""


def hold(version: PoolVersion):
    """Keep ``version`` from being pruned while a run reads it (a shared lock on its manifest)."""
    from kennzahlen.core.safeio import shared_hold

    return shared_hold(version.dir / MANIFEST)


# ---------------------------------------------------------------------------- the target folder
def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_target(out: Path | str, raw: Path | str | None = None) -> Path:
    """Refuse a pool folder that is a file, overlaps the raw folder or holds foreign files."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise PoolTargetError(
            f"--out {out} ist eine Datei, kein Ordner: bitte einen Ordner für den Datenpool "
            "angeben."
        )
    target = out.resolve()
    for r in {paths.RAW.resolve()} | ({Path(raw).resolve()} if raw else set()):
        if target == r:
            why = "ist der Rohdatenordner"
        elif _inside(r, target):
            why = f"enthält den Rohdatenordner {r}"
        elif _inside(target, r):
            why = f"liegt im Rohdatenordner {r}"
        else:
            continue
        raise PoolTargetError(
            f"--out {out} {why}: der Datenpool darf die Rohdaten nicht berühren (data/raw/ ist die "
            f"einzige Kopie der Exporte). Bitte einen eigenen Ordner angeben, z. B. data/processed."
        )
    foreign = foreign_entries(out)
    if foreign:
        shown = ", ".join(foreign[:8]) + (
            f" … ({len(foreign)} insgesamt)" if len(foreign) > 8 else ""
        )
        raise PoolTargetError(
            f"--out {out} enthält Dateien, die nicht von `kennzahlen pool` stammen: {shown}. "
            "Der Datenpool wird nur in einen leeren Ordner oder einen früheren Datenpool "
            f"geschrieben; nichts wurde geschrieben oder gelöscht."
        )
    return out


def _listed(out: Path) -> set[str] | None:
    """The table files the folder's own manifest lists (None: no manifest of ours)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("dateien"), dict):
        return None
    return {
        n for n in data["dateien"] if isinstance(n, str) and "/" not in n and n.endswith(".parquet")
    }


def foreign_entries(out: Path) -> list[str]:
    """Entries of a pool folder that the program did not write (empty: safe to write)."""
    out = Path(out)
    if not out.is_dir():
        return []
    listed = _listed(out)
    own = (
        {LOCK_NAME, VERSIONS, LEDGER, EXPORTE}
        | (listed or set())
        | ({MANIFEST} if listed is not None else set())
    )
    foreign = []
    for entry in sorted(out.iterdir(), key=lambda p: p.name):
        name = entry.name
        if name in TOLERATED or name.startswith(TMP_PREFIX) or is_temp_name(name):
            continue
        if name not in own or (name in (VERSIONS, LEDGER, EXPORTE) and not entry.is_dir()):
            foreign.append(name)
    versions = out / VERSIONS
    if versions.is_dir():
        for entry in sorted(versions.iterdir(), key=lambda p: p.name):
            if not (VERSION_RE.match(entry.name) and entry.is_dir()) and not entry.name.startswith(
                TMP_PREFIX
            ):
                foreign.append(f"{VERSIONS}/{entry.name}")
    return foreign


# ---------------------------------------------------------------------------- writing
def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _link_into_place(src: Path, dst: Path) -> None:
    """Make ``dst`` the same file as ``src`` in one atomic step (hard link, else a copy)."""
    with contextlib.suppress(OSError):
        if os.path.samefile(src, dst):
            return  # already in place (rename() of two links to one file would do nothing)
    tmp = dst.with_name(f"{TEMP_TAG}{dst.name}.{os.getpid()}.{os.urandom(4).hex()}")
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
        _fsync_file(tmp)
    try:
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _remove_tree(path: Path, root: Path) -> None:
    """Delete a folder of ours: first renamed out of the way (atomic), then removed."""
    gone = root / f"{TMP_PREFIX}del-{path.name}-{os.urandom(4).hex()}"
    try:
        os.replace(path, gone)
    except OSError:
        return
    shutil.rmtree(gone, ignore_errors=True)


def clean_stale(out: Path) -> None:
    """Remove what killed writers left in the pool folder (call under the pool's lock)."""
    for entry in (
        list(out.iterdir())
        + (list((out / VERSIONS).iterdir()) if (out / VERSIONS).is_dir() else [])
        + (list((out / EXPORTE).iterdir()) if (out / EXPORTE).is_dir() else [])
    ):
        if entry.name.startswith(TMP_PREFIX) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        elif is_temp_name(entry.name) and entry.is_file():
            with contextlib.suppress(OSError):
                entry.unlink()


def _clean_legacy(out: Path) -> None:
    """Remove `.pool-tmp-*` / `.pool-old-*` folders that older versions left beside the pool."""
    pool_names = re.compile(r"^(.*\.parquet|manifest\.json|README\.md)$")
    for entry in out.parent.glob(".pool-*"):
        if not (entry.name.startswith((".pool-tmp-", ".pool-old-")) and entry.is_dir()):
            continue
        files = list(entry.iterdir())
        if all(f.is_file() and pool_names.match(f.name) for f in files):
            shutil.rmtree(entry, ignore_errors=True)


def prune(out: Path, keep: set[str]) -> list[str]:
    """Delete old versions except ``keep`` and any a report run is reading; return the removed."""
    removed: list[str] = []
    versions = out / VERSIONS
    if not versions.is_dir():
        return removed
    for entry in sorted(versions.iterdir()):
        if entry.name in keep or not VERSION_RE.match(entry.name) or not entry.is_dir():
            continue
        with sole_hold(entry / MANIFEST) as frei:  # kept through the move: no reader slips in
            if not frei:
                continue
            _remove_tree(entry, out)
        removed.append(entry.name)
    return removed


def _write_version(
    tables: dict[str, Callable[[Path], None]],
    manifest: dict,
    out: Path,
    versions: Path,
    mode: int,
) -> tuple[str, Path, bytes]:
    """Write the tables and the manifest into a temp folder and rename it into ``versions/``
    (kept as is when the same version is there already); its name, folder and manifest bytes."""
    tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=out))
    try:
        hashes = {}
        for name, writer in tables.items():
            writer(tmp / name)
            _fsync_file(tmp / name)
            hashes[name] = hashlib.sha256((tmp / name).read_bytes()).hexdigest()
        body = {"dateien": hashes, **manifest}
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode())
        name = "v-" + digest.hexdigest()[:16]
        data = (
            json.dumps({**body, "version": name}, indent=2, ensure_ascii=False, default=str) + "\n"
        ).encode()
        (tmp / MANIFEST).write_bytes(data)
        _fsync_file(tmp / MANIFEST)
        os.chmod(tmp, mode)
        fsync_dir(tmp)
        target = versions / name
        if (
            target.is_dir()
            and (target / MANIFEST).is_file()
            and (target / MANIFEST).read_bytes() == data
        ):
            shutil.rmtree(tmp, ignore_errors=True)  # the same pool is there already
        else:
            if target.exists():
                _remove_tree(target, out)  # an incomplete copy of ours: replace it
            os.rename(tmp, target)
            fsync_dir(versions)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return name, target, data


def write(
    tables: dict[str, Callable[[Path], None]],
    manifest: dict,
    out: Path | str,
    raw: Path | str | None = None,
    readme: str | None = None,
    wait: float = 0.0,
    echo: Callable[[str], None] | None = None,
    danach: Callable[[Path, str], None] | None = None,
) -> PoolVersion:
    """Write a new pool version and make it current (see the module docstring).

    ``tables`` maps file names (``kennzahlen.parquet``) to functions that write the file to a
    given path; ``manifest`` gets ``dateien`` (checksums) and ``version`` added. ``danach`` is
    called with the pool folder and the version's name under the lock once the new version is
    current (the kept exports, :mod:`kennzahlen.reading.exportcache`).
    """
    out = check_target(out, raw)
    out.mkdir(parents=True, exist_ok=True)
    with FolderLock(out, "Der Datenpool-Ordner", wait=wait, echo=echo):
        check_target(out, raw)  # again, now that no other writer can change the folder
        clean_stale(out)
        mode = out.stat().st_mode & 0o7777
        old = current(out)
        old_listed = _listed(out) or set()
        versions = out / VERSIONS
        if not versions.is_dir():
            versions.mkdir()
            os.chmod(versions, mode)
        name, target, data = _write_version(tables, manifest, out, versions, mode)
        for fname in tables:
            _link_into_place(target / fname, out / fname)
        _link_into_place(target / MANIFEST, out / MANIFEST)  # the pointer: last
        fsync_dir(out)
        for stale in sorted(old_listed - set(tables)):
            with contextlib.suppress(OSError):
                (out / stale).unlink()
        if readme is not None and not (out / "README.md").exists():
            atomic_write(out / "README.md", readme)
        old_version = _version_of(old.manifest_bytes) if old else None
        prune(out, {name} | ({old_version} if old_version else set()))
        _clean_legacy(out)
        if danach is not None:
            danach(out, name)
        return PoolVersion(out, target, data)


def check_stadt_des_ziels(out: Path | str):
    """The identity of the configuration in use; PoolTargetError when ``out`` holds the pool of
    another city (a rebuild of this city's pool, also with a changed catalog, is fine)."""
    from kennzahlen.catalog import stadtkennung

    kennung = stadtkennung.aktuell()
    alt = current(Path(out)) if Path(out).is_dir() else None
    if alt is None:
        return kennung
    try:
        stempel = alt.manifest.get(stadtkennung.SCHLUESSEL)
    except (ValueError, AttributeError):
        stempel = None
    try:
        stadtkennung.pruefe(stempel, f"Der Datenpool {out}", kennung, "", katalog=False)
    except stadtkennung.FremdeStadt as exc:
        raise PoolTargetError(str(exc)) from None
    return kennung


__all__ = [
    "gehalten",
    "PoolGone",
    "check_stadt_des_ziels",
    "MANIFEST",
    "VERSIONS",
    "PoolTargetError",
    "PoolVersion",
    "check_target",
    "clean_stale",
    "current",
    "current_dir",
    "foreign_entries",
    "hold",
    "prune",
    "root_of",
    "write",
]
