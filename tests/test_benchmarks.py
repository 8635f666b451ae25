"""Every script in benchmarks/ runs, on tiny data, so that none can rot (issue 28).

No timing is asserted: benchmarks are measurements, not tests. Each script runs as a person runs it
(a subprocess), on the session's small demo pool (scale 0.1), the session's reports or a demo of
scale 0.1, with its working folder in a temp folder (``KENNZAHLEN_BENCH_OUT``); the code before a
change is this checkout's HEAD (``--vorher HEAD``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: the end-to-end layer (`pytest -m "not e2e"` leaves it out; markers in pyproject.toml)
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
#: modules of benchmarks/ that are no script (tests/test_pool_engine.py uses naiv_zaehlen)
KEINE_SKRIPTE = {"naiv_zaehlen.py"}
GEPRUEFT = {
    "barrierefreiheit.py",
    "daten.py",
    "geheimhaltung.py",
    "pdf_werkzeuge.py",
    "pool_engine.py",
    "profile_report.py",
    "run.py",
    "sweep.py",
    "vergleich.py",
}


def _run(script: str, *args: str, out: Path, timeout: float = 900) -> str:
    env = {**os.environ, "KENNZAHLEN_BENCH_OUT": str(out), "MPLBACKEND": "Agg"}
    res = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )
    assert res.returncode == 0, (
        f"{script} {' '.join(args)}:\n{res.stdout[-3000:]}{res.stderr[-3000:]}"
    )
    return res.stdout


def _git() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("no git checkout: the benchmarks compare with a git revision")


def test_every_script_has_a_smoke_test():
    scripts = {p.name for p in BENCH.glob("*.py")} - KEINE_SKRIPTE
    assert scripts == GEPRUEFT


def test_daten(tmp_path: Path, demo_raw: Path):
    klein = tmp_path / "raw"
    klein.mkdir()
    for f in (
        sorted(demo_raw.glob("jugendhilfe_2019-*.csv"))[:1]
        + sorted(demo_raw.glob("bevoelkerung_*.csv"))[:1]
    ):
        (klein / f.name).write_bytes(f.read_bytes())
    assert "1 XLSX-Dateien" in _run(
        "daten.py", "xlsx", str(klein), str(tmp_path / "x"), out=tmp_path
    )
    _run("daten.py", "jugendhilfe", str(tmp_path / "jh"), "--zeilen", "2000", out=tmp_path)
    assert len((tmp_path / "jh" / "jugendhilfe_2024-01-15.csv").read_text().splitlines()) == 2001
    pool = [sys.executable, "-m", "kennzahlen.cli", "pool", "--raw", str(tmp_path / "jh")]
    res = subprocess.run([*pool, "--out", str(tmp_path / "p")], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr  # a valid export (the memory benchmark)
    _run("daten.py", "stadt", str(tmp_path / "stadt"), "--sozialraeume", "2", out=tmp_path)
    assert (tmp_path / "stadt" / "raumgliederung.csv").exists()


def test_pool_engine_and_run(tmp_path: Path):
    """The pool before and after (here: HEAD and this tree) on a demo of scale 0.1."""
    _git()
    text = _run("pool_engine.py", "--klein", "--vorher", "HEAD", out=tmp_path)
    assert '"gleich_vorher_nachher": true' in text and '"gleich_mit_quartal": true' in text
    assert '"zaehlen_gleich": true' in text
    _run(
        "run.py",
        "--only",
        "pool",
        "--reps",
        "1",
        "--skalen",
        "0.1",
        "--vorher",
        "HEAD",
        out=tmp_path,
    )
    assert (tmp_path / "results.json").exists()


def test_vergleich(tmp_path: Path):
    _git()
    args = ["--periode", "2023-Q4", "--scale", "0.1", "--produkt", "2", "--raum", "West"]
    _run("vergleich.py", "erzeuge", "HEAD", str(tmp_path / "a"), *args, out=tmp_path)
    text = _run(
        "vergleich.py", "vergleiche", str(tmp_path / "a"), str(tmp_path / "a"), out=tmp_path
    )
    assert "0 verschieden" in text


def test_sweep_and_profile(tmp_path: Path, small_demo_pool: Path):
    demo_pool = small_demo_pool  # tiny data: the scripts run, the numbers are not the point
    args = ["--pool", str(demo_pool), "--out", str(tmp_path / "sweep"), "--workers", "1"]
    args += ["--quartal", "2023-Q4", "--raum", "West", "--produkt", "2"]
    assert "| 2023-Q4 | 1 | 0 | 0 | 0 |" in _run("sweep.py", *args, out=tmp_path)
    text = _run("profile_report.py", "--pool", str(demo_pool), "--produkt", "2", out=tmp_path)
    assert "===== Produkt 2" in text


def test_geheimhaltung(tmp_path: Path, small_demo_pool: Path):
    text = _run("geheimhaltung.py", str(small_demo_pool), "--jahre", "2023", out=tmp_path)
    assert "2023" in text


def test_browser_scripts(tmp_path: Path, reports: Path, browser):
    """axe-core over two pages, and a report printed to PDF with Chromium."""
    text = _run("barrierefreiheit.py", str(reports), "--seiten", "2", out=tmp_path)
    assert "2 Seiten" in text or "Seiten in" in text
    html = next(reports.glob("2_quartalsmeldung/*.html"))
    _run("pdf_werkzeuge.py", "chromium", str(html), str(tmp_path / "b.pdf"), out=tmp_path)
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")
