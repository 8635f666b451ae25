"""Writing files so that a killed or concurrent run never leaves a half-written or lost file.

- :func:`atomic_write` / :func:`replacing`: write to a unique temp file beside the target
  (``.kz-tmp-<stem>.<random><suffix>``), flush and fsync, then rename over the target. Two processes
  writing the same file never share a temp name; a reader sees the old or the new file.
- :class:`FolderLock`: one run per output folder. The lock is an OS lock (``flock``) on a file
  in the folder, so it vanishes with its holder, even after ``kill -9``; the file names the
  holder (PID, host, start, command) for the message a second run gets.
- :func:`die_with_parent`: a worker process or notebook kernel is killed by the kernel (Linux
  ``prctl(PR_SET_PDEATHSIG)``) the moment its parent dies, so nothing keeps writing after the
  run was stopped; :func:`watch_parent` is the portable fallback.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

TEMP_TAG = ".kz-tmp-"
LOCK_NAME = ".kennzahlen.lock"
#: temp names of earlier versions of the program (`.x.html.tmp-123`, `.x.xlsx.tmp`)
_LEGACY_TEMP = re.compile(r"^\..+\.tmp(-\d+)?$")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_current_umask()


# ---------------------------------------------------------------------------- atomic writes
def fsync_dir(folder: Path) -> None:
    """Persist a rename in ``folder`` (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_name(path: Path) -> Path:
    """A new, unique temp file beside ``path`` (created empty, so no one else gets the name)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f"{TEMP_TAG}{path.stem}.", suffix=path.suffix, dir=path.parent
    )
    os.close(fd)
    return Path(tmp)


@contextlib.contextmanager
def replacing(path: Path | str, fsync: bool = True) -> Iterator[Path]:
    """Yield a unique temp path; on success it is fsynced and renamed over ``path``.

    For writers that want a path (Excel, CSV): ``with replacing(p) as tmp: df.to_csv(tmp)``.
    On an exception the temp file is removed and the old ``path`` stays as it was.
    """
    path = Path(path)
    tmp = temp_name(path)
    try:
        yield tmp
        os.chmod(tmp, _FILE_MODE)
        if fsync:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
        if fsync:
            fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write(path: Path | str, data: str | bytes, fsync: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (unique temp file, fsync, rename)."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path, fsync=fsync) as tmp:
        tmp.write_bytes(payload)
    return path


def is_temp_name(name: str) -> bool:
    """Whether a file name is one of the program's temp files (this or an earlier version)."""
    return name.startswith(TEMP_TAG) or bool(_LEGACY_TEMP.match(name))


def remove_stale_temps(folder: Path, recursive: bool = True) -> list[Path]:
    """Remove temp files a killed run left behind in ``folder``. Call only under its FolderLock."""
    removed: list[Path] = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    entries = folder.rglob("*") if recursive else folder.iterdir()
    for p in list(entries):
        if is_temp_name(p.name) and p.is_file() and not p.is_symlink():
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


# ---------------------------------------------------------------------------- spreadsheets
#: a text cell starting with one of these is read as a formula by spreadsheet programs (OWASP)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """Text a spreadsheet would read as a formula gets a leading apostrophe; other values stay."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_sheet(ws) -> int:
    """Store every formula-like text cell of an openpyxl worksheet as plain text; return how many.

    openpyxl turns a str starting with ``=`` into a formula; here it becomes a string cell with
    Excel's quote prefix (shown as typed, never evaluated, also not after editing the cell).
    Numbers stay numbers.
    """
    n = 0
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str) and value.startswith(FORMULA_START):
                cell.data_type = "s"
                cell.quotePrefix = True
                n += 1
    return n


# ---------------------------------------------------------------------------- folder locks
class LockBusy(RuntimeError):
    """Another process holds the folder's lock; the message names it."""

    def __init__(self, message: str, holder: dict):
        self.holder = holder
        super().__init__(message)


def holder_text(holder: dict) -> str:
    """'PID 123 auf host, seit 25.11.2026 08:00:03 (kennzahlen report …)' from the lock file."""
    if not holder:
        return "einem anderen Prozess (ohne Angaben)"
    start = holder.get("start", "")
    with contextlib.suppress(ValueError, TypeError):
        start = datetime.fromisoformat(start).strftime("%d.%m.%Y %H:%M:%S")
    befehl = f" ({holder['befehl']})" if holder.get("befehl") else ""
    return f"PID {holder.get('pid', '?')} auf {holder.get('host', '?')}, seit {start}{befehl}"


def _alive(holder: dict) -> bool:
    """True when the holder text names a process that runs (on another host: assumed)."""
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    if holder.get("host") not in (None, socket.gethostname()):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _command_line() -> str:
    args = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv and sys.argv[0] else []
    return " ".join(args)[:300]


if sys.platform != "win32":  # POSIX (mypy checks the branch of the platform it runs on)
    import fcntl

    def _try_lock(fd: int, shared: bool = False) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

else:  # pragma: no cover - Windows
    import msvcrt

    _WIN_OFFSET = 1 << 30  # lock a byte far beyond the holder text, which stays readable

    def _try_lock(fd: int, shared: bool = False) -> bool:
        os.lseek(fd, _WIN_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WIN_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


class FolderLock:
    """An exclusive lock on a folder for one run
    (``with FolderLock(folder, "Der Berichtsordner"):``).

    ``wait`` seconds are spent waiting for a running holder (0: refuse at once). The refusal
    (:class:`LockBusy`) names the holder. The lock dies with its process.
    """

    def __init__(
        self,
        folder: Path | str,
        what: str,
        wait: float = 0.0,
        echo: Callable[[str], None] | None = None,
    ):
        self.folder = Path(folder)
        self.what = what
        self.wait = max(0.0, float(wait or 0))
        self.echo = echo
        self.fd: int | None = None

    @property
    def path(self) -> Path:
        return self.folder / LOCK_NAME

    def holder(self, settle: float = 1.0) -> dict:
        """Who holds the lock, from its holder text (``settle`` s to wait for a live holder).

        The holder writes its text over the previous one right after it takes the lock (the
        lock file itself must stay the same file, so it is not renamed); a reader that comes in
        between finds the previous, dead holder or a torn text and reads again.
        """
        deadline = time.monotonic() + settle
        while True:
            try:
                info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            except (OSError, ValueError):
                info = {}
            if _alive(info) or time.monotonic() >= deadline:
                return info
            time.sleep(0.05)

    def _write_holder(self) -> None:
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "start": datetime.now().isoformat(timespec="seconds"),
            "befehl": _command_line(),
        }
        data = json.dumps(info, ensure_ascii=False).encode("utf-8")
        assert self.fd is not None
        os.pwrite(self.fd, data, 0)  # new text first, then cut what is left of the old one
        os.ftruncate(self.fd, len(data))

    def acquire(self) -> FolderLock:
        """Take the lock or raise LockBusy after ``wait`` seconds."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        deadline = time.monotonic() + self.wait
        told = False
        while not _try_lock(fd):
            holder = self.holder()
            if time.monotonic() >= deadline:
                os.close(fd)
                raise LockBusy(
                    f"{self.what} {self.folder} wird gerade von einem anderen Lauf benutzt: "
                    f"{holder_text(holder)}. Bitte warten, bis er fertig ist (oder --warten "
                    f"SEKUNDEN angeben); ein abgebrochener Lauf gibt die Sperre von selbst frei.",
                    holder,
                )
            if not told and self.echo:
                self.echo(f"Warte auf den Lauf {holder_text(holder)} …")
                told = True
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        self.fd = fd
        self._write_holder()
        return self

    def release(self) -> None:
        """Give the lock back (the holder text stays; it is only read while the lock is held)."""
        if self.fd is not None:
            with contextlib.suppress(OSError):
                _unlock(self.fd)
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


@contextlib.contextmanager
def shared_hold(path: Path) -> Iterator[bool]:
    """Hold a shared OS lock on an existing file while reading from its folder (True if held).

    Used to keep a pool version from being pruned while a report run reads it.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        yield False
        return
    try:
        yield _try_lock(fd, shared=True)
    finally:
        os.close(fd)


@contextlib.contextmanager
def sole_hold(path: Path) -> Iterator[bool]:
    """Hold an exclusive OS lock on ``path`` while removing its folder (True: nobody else held
    it, or the file is gone). A reader's :func:`shared_hold` then either came first (False here)
    or fails until the folder has been moved away, so no reader holds a folder being removed."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        yield True
        return
    try:
        yield _try_lock(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------- child processes
_PR_SET_PDEATHSIG = 1
_prctl = None
if sys.platform.startswith("linux"):
    try:
        _prctl = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - no libc
        _prctl = None


def die_with_parent(sig: int = signal.SIGKILL if hasattr(signal, "SIGKILL") else 9) -> bool:
    """Have the OS send ``sig`` to this process when its parent dies (Linux; False elsewhere).

    Safe to call in a ``preexec_fn`` (the C function is looked up at import time).
    """
    if _prctl is None:
        return False
    return _prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0


def watch_parent(parent_pid: int, interval: float = 0.5) -> None:
    """Exit this process at once when ``parent_pid`` is no longer its parent (portable fallback)."""
    if os.getppid() != parent_pid:
        os._exit(1)

    def _watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=_watch, name="kennzahlen-watch-parent", daemon=True).start()


__all__ = [
    "LOCK_NAME",
    "TEMP_TAG",
    "FolderLock",
    "LockBusy",
    "atomic_write",
    "csv_safe",
    "die_with_parent",
    "fsync_dir",
    "holder_text",
    "is_temp_name",
    "neutralise_sheet",
    "remove_stale_temps",
    "replacing",
    "shared_hold",
    "temp_name",
    "watch_parent",
]
