"""``core.memory.lean`` with a raw folder: the ``malloc`` threshold (CPU for every large array)
only when a raw file is large."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pytest

from kennzahlen.core import memory


class _Libc:
    def __init__(self, calls: list) -> None:
        self.calls = calls

    def mallopt(self, *args) -> int:
        self.calls.append(args)
        return 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_the_threshold_is_set_only_for_a_folder_with_a_large_file(tmp_path: Path, monkeypatch):
    calls: list = []
    monkeypatch.setattr(ctypes, "CDLL", lambda *_a, **_k: _Libc(calls))
    (tmp_path / "klein.csv").write_text("a;b\n1;2\n")
    memory.lean(tmp_path)
    assert calls == []
    with open(tmp_path / "gross.csv", "wb") as f:  # sparse: no 16 MiB written
        f.truncate(memory.GROSS)
    memory.lean(tmp_path)
    assert calls == [(memory.M_MMAP_THRESHOLD, memory.MMAP_THRESHOLD)]
    memory.lean()  # without a folder: as before
    assert len(calls) == 2
    viele = tmp_path / "viele"
    viele.mkdir()
    for n in range(5):  # five files just under the size, together above 64 MiB
        with open(viele / f"teil_{n}.csv", "wb") as f:
            f.truncate(memory.GROSS - 1)
    memory.lean(viele)
    assert len(calls) == 3


def test_the_pool_command_collects_rarely_and_the_same_cycles_still_go():
    """``kennzahlen pool`` raises the youngest generation's threshold and freezes what is
    loaded; an unreachable cycle made after that is still collected."""
    import subprocess
    import sys

    code = (
        "import gc, weakref\n"
        "from kennzahlen.core import memory\n"
        "memory.selten_sammeln()\n"
        "assert gc.get_threshold() == memory.GC_SCHWELLE, gc.get_threshold()\n"
        "assert gc.get_freeze_count() > 0\n"
        "class Knoten: pass\n"
        "a, b = Knoten(), Knoten()\n"
        "a.b, b.a = b, a\n"
        "w = weakref.ref(a)\n"
        "del a, b\n"
        "gc.collect()\n"
        "assert w() is None\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_the_pool_command_collects_rarely_in_its_own_process_only(tmp_path: Path):
    """``kennzahlen pool`` as a process sets the threshold (even when it then refuses the
    folders); in a test's CliRunner the test process keeps its own."""
    import gc
    import subprocess

    from click.testing import CliRunner

    from kennzahlen.cli import cli

    args = ["pool", "--raw", str(tmp_path / "fehlt"), "--out", str(tmp_path / "out")]
    code = (
        "import gc, sys\nfrom kennzahlen.cli import main\n"
        f"sys.argv = ['kennzahlen', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('SCHWELLE', gc.get_threshold())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert f"SCHWELLE {memory.GC_SCHWELLE}" in out.stdout, out
    vorher = gc.get_threshold()
    CliRunner().invoke(cli, args)
    assert gc.get_threshold() == vorher


def test_arrows_own_allocations_come_from_malloc_when_set_before_pyarrow_loads():
    """Arrow's C++ code (e.g. the compression of the export cache's files) takes the default pool
    chosen when pyarrow loads: the system allocator after :func:`arrow_aus_malloc` (mimalloc kept
    about 145 MB of a large export's freed buffers); an explicit choice is left alone."""
    import os
    import subprocess
    import sys

    code = (
        "from kennzahlen.core.memory import arrow_aus_malloc\n"
        "arrow_aus_malloc()\n"
        "import pyarrow as pa\n"
        "print(pa.default_memory_pool().backend_name)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "system", out.stderr
    env["ARROW_DEFAULT_MEMORY_POOL"] = "mimalloc"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "mimalloc", out.stderr
