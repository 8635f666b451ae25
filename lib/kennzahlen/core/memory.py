"""Keeping the peak memory of a pool build low (large exports of a million rows and more).

Two process-wide settings for the ``kennzahlen pool`` command, both harmless elsewhere:

- Arrow allocates from the C library's allocator (``malloc``) instead of its own pool, so memory
  that Arrow frees after reading a file is reused by pandas and numpy, which use ``malloc`` too;
- ``malloc`` hands every block of 128 KiB or more straight back to the system when it is freed
  (a fixed ``M_MMAP_THRESHOLD``; glibc otherwise raises the threshold after the first large free
  and keeps later large blocks on its heap, where they stay after they are freed).

On a 1-million-row ``jugendhilfe`` export this lowers the peak from about 470 MB to about 360 MB
(benchmarks/README.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024


def lean() -> None:
    """Apply both settings to this process (where the platform has them)."""
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    except Exception:  # noqa: BLE001 - an Arrow without the system pool: keep its default
        pass
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        except (OSError, AttributeError):  # not glibc: nothing to set
            pass
