"""The warm kernel's hidden first cell (runner.worker.RESET_SOURCE): the namespace cleared, the
survivors frozen, and the youngest generation collected after GC_SCHWELLE new objects."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import gc, json
from IPython.core.interactiveshell import InteractiveShell
from kennzahlen.runner.worker import RESET_SOURCE
shell = InteractiveShell.instance()
shell.run_cell("vom_letzten_bericht = [[1], [2]]")
vorher = gc.get_threshold()
assert shell.run_cell(RESET_SOURCE).success
print(json.dumps({"vorher": vorher, "nachher": gc.get_threshold(),
                  "geleert": "vom_letzten_bericht" not in shell.user_ns,
                  "eingefroren": gc.get_freeze_count()}))
"""


def test_reset_cell_clears_freezes_and_collects_less_often():
    from kennzahlen.runner.worker import GC_SCHWELLE

    res = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["vorher"][0] == 700  # Python's default, what a kernel starts with
    assert out["nachher"] == list(GC_SCHWELLE) and GC_SCHWELLE[0] >= 10_000
    assert out["geleert"] and out["eingefroren"] > 0


def test_a_pool_worker_collects_as_rarely_as_the_kernel():
    probe = (
        "import gc, os, json\n"
        "from kennzahlen.runner.worker import _worker_init\n"
        "_worker_init(os.getppid())\n"
        "print(json.dumps(gc.get_threshold()))"
    )
    from kennzahlen.runner.worker import GC_SCHWELLE

    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.strip().splitlines()[-1]) == list(GC_SCHWELLE)
