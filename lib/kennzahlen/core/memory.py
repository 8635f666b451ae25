"""Keeping the peak memory of a pool build low (large exports of a million rows and more).

Two process-wide settings for the ``kennzahlen pool`` command, both harmless elsewhere:

- Arrow allocates from the C library's allocator (``malloc``) instead of its own pool, so memory
  that Arrow frees after reading a file is reused by pandas and numpy, which use ``malloc`` too.
  Both Arrow's default for Python calls and, when pyarrow is not loaded yet, the one its C++ code
  takes itself (``ARROW_DEFAULT_MEMORY_POOL``: the compression of the export cache's files used
  mimalloc, which kept about 145 MB of a 3-million-row export's buffers after they were freed);
- ``malloc`` hands every block of 128 KiB or more straight back to the system when it is freed
  (a fixed ``M_MMAP_THRESHOLD``; glibc otherwise raises the threshold after the first large free
  and keeps later large blocks on its heap, where they stay after they are freed).

On a 1-million-row ``jugendhilfe`` export this lowers the peak from about 470 MB to about 360 MB
(benchmarks/HISTORY.md). The threshold costs CPU (every large temporary array is a fresh ``mmap``
with its page faults: about 0.4 s of a 3 s build at scale 1), so with a raw folder given it is
set only when one of its files is at least :data:`GROSS` bytes or all of them together
:data:`GROSS_ZUSAMMEN` (the demo at scale 1: 1.1 MB and 12.5 MiB, at scale 3: 24.8 MiB).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from pathlib import Path

M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024
#: a raw file this large or larger makes :func:`lean` hand large blocks back (16 MiB)
GROSS = 16 * 1024 * 1024
#: raw files this large together do the same (64 MiB)
GROSS_ZUSAMMEN = 4 * GROSS


def _gross(raw: Path) -> bool:
    """Whether a file in the raw folder is at least :data:`GROSS` bytes, or all together at
    least :data:`GROSS_ZUSAMMEN`."""
    try:
        sizes = [e.stat().st_size for e in raw.iterdir() if e.is_file()]
    except OSError:
        return True
    return max(sizes, default=0) >= GROSS or sum(sizes) >= GROSS_ZUSAMMEN


def arrow_aus_malloc() -> None:
    """Arrow's C++ code allocates from ``malloc`` too (when pyarrow is not loaded yet: call it
    before anything imports pandas; nothing is imported here)."""
    if "pyarrow" not in sys.modules:
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def lean(raw: Path | None = None) -> None:
    """Apply both settings to this process (where the platform has them); with ``raw`` the
    ``malloc`` threshold only when the folder holds large deliveries (:func:`_gross`)."""
    arrow_aus_malloc()
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    except Exception:  # noqa: BLE001 - an Arrow without the system pool: keep its default
        pass
    if sys.platform.startswith("linux") and (raw is None or _gross(Path(raw))):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        except (OSError, AttributeError):  # not glibc: nothing to set
            pass


#: collect the youngest generation after this many new objects instead of Python's 700 (as the
#: report workers do, kennzahlen.runner.worker.GC_SCHWELLE): a pool build makes many short-lived
#: objects (frames, rows, texts); 4 % of its CPU went to collections that found little
GC_SCHWELLE = (50_000, 50, 100)


def selten_sammeln() -> None:
    """Fewer garbage collections for the rest of this process: what is loaded now (modules,
    configuration) is moved out of the collector's sight (``gc.freeze``), and the youngest
    generation is collected after :data:`GC_SCHWELLE` new objects. What the build computes is
    the same; unreachable cycles are still collected, only later."""
    import gc

    gc.freeze()
    gc.set_threshold(*GC_SCHWELLE)
