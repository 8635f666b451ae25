"""Every script in benchmarks/ runs, on tiny data, so that none can rot (issue 28).

No timing is asserted: benchmarks are measurements, not tests. Each script runs as a person runs it
(a subprocess), on the session's small demo pool (scale 0.1), the session's reports or a demo of
scale 0.1, with its working folder in a temp folder (``KENNZAHLEN_BENCH_OUT``); the code before a
change is this checkout's HEAD (``--vorher HEAD``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
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
    "quartal.py",
    "run.py",
    "runner_teile.py",
    "sweep.py",
    "vergleich.py",
    "warm_produkt.py",
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
    """Two runs of the same code compare equal: the report made again (``--force``, seconds
    later: other time stamps, run times, folder) in a copy of the first folder."""
    import shutil

    _git()
    args = ["--periode", "2023-Q4", "--scale", "0.1", "--produkt", "2", "--raum", "West"]
    a, b = tmp_path / "a", tmp_path / "b"
    _run("vergleich.py", "erzeuge", "HEAD", str(a), *args, out=tmp_path)
    shutil.copytree(a, b, symlinks=True)
    env = {**os.environ, "PYTHONPATH": str(b / "src" / "lib"), "KENNZAHLEN_HOME": str(b / "src")}
    res = subprocess.run(
        [sys.executable, "-c", "from kennzahlen.cli import main; main()", "report", *args[:2]]
        + ["--produkt", "2", "--raum", "West", "--force", "--workers", "1"]
        + ["--pool", str(b / "pool"), "--out", str(b / "reports")],
        capture_output=True,
        text=True,
        env={**env, "MPLBACKEND": "Agg"},
        cwd=b / "src",
    )
    assert res.returncode == 0, res.stdout + res.stderr
    runs = [json.loads((d / "reports" / "2023-Q4" / "runs.json").read_text()) for d in (a, b)]
    assert runs[0]["reports"][0]["erstellt"] != runs[1]["reports"][0]["erstellt"]
    text = _run("vergleich.py", "vergleiche", str(a), str(b), out=tmp_path)
    assert " 0 verschieden" in text, text


def test_sweep_and_profile(tmp_path: Path, small_demo_pool: Path):
    demo_pool = small_demo_pool  # tiny data: the scripts run, the numbers are not the point
    args = ["--pool", str(demo_pool), "--out", str(tmp_path / "sweep"), "--workers", "1"]
    args += ["--quartal", "2023-Q4", "--raum", "West", "--produkt", "2"]
    assert "| 2023-Q4 | 1 | 0 | 0 | 0 |" in _run("sweep.py", *args, out=tmp_path)
    text = _run("profile_report.py", "--pool", str(demo_pool), "--produkt", "2", out=tmp_path)
    assert "===== Produkt 2" in text


def test_quartal(tmp_path: Path, small_demo_pool: Path):
    """The naive loop (papermill and nbconvert command lines) and the runner, one report each."""
    args = ["--pool", str(small_demo_pool), "--produkt", "2", "--raum", "West"]
    text = _run("quartal.py", *args, out=tmp_path)
    res = json.loads((tmp_path / "quartal.json").read_text())
    assert res["berichte"] == 1 and res["naiv"]["median_cpu"] > 0, text
    assert res["nachher"]["median_cpu"] > 0 and res["faktor_cpu_nachher"] > 0
    assert len(list((tmp_path / "quartal_naiv").glob("*.html"))) == 1
    assert (tmp_path / "quartal_nachher" / "2023-Q4" / "2_quartalsmeldung" / "west.html").exists()


def test_warm_produkt(tmp_path: Path, small_demo_pool: Path):
    """One product warm: the Gesamtstadt as warm-up, then one Sozialraum, each with its CPU.
    Produkt 2, the quickest (the script runs every product's notebook the same way; Produkt 3's
    warm-up plans its publications: about 20 s of CPU on the small demo)."""
    args = ["--pool", str(small_demo_pool), "--produkt", "2", "--raum", "West"]
    text = _run("warm_produkt.py", *args, out=tmp_path)
    assert "Gesamtstadt (warm-up):" in text and "Produkt 2, West:" in text, text
    assert "Mitte" not in text and "Sozialräume zusammen:" in text, text


def test_runner_teile(tmp_path: Path, reports: Path, demo_pool: Path):
    """Every piece of the runner's own work on the session's reports (read from a copy; one
    start-up, each piece in a fork of it: ``--ein-start``), and one piece against HEAD's code (a
    process per piece, as the README's figures are measured)."""
    _git()
    args = ["--pool", str(demo_pool), "--berichte", str(reports)]
    text = _run("runner_teile.py", *args, "--ein-start", out=tmp_path)
    res = json.loads((tmp_path / "runner_teile.json").read_text())
    assert set(res["teile"]) == {
        "plan", "veroeffentlichen", "notebook_lesen", "ausgaben_pruefen", "ipynb_schreiben",
        "html_export", "excel", "index", "steckbriefe", "offene_daten", "profile", "polygone",
    }, text  # fmt: skip
    assert all(t["nachher"] > 0 for t in res["teile"].values()), text
    args += ["--vorher", "HEAD", "--teil", "index", "--lauf", "--produkt", "2", "--raum", "West"]
    text = _run("runner_teile.py", *args, out=tmp_path)
    res = json.loads((tmp_path / "runner_teile.json").read_text())
    assert res["teile"]["index"]["vorher"] > 0 and res["teile"]["index"]["nachher"] > 0, text
    assert res["lauf"]["vorher"] > 0 and res["lauf"]["nachher"] > 0, text


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


def _vergleich_modul():
    import importlib.util

    spec = importlib.util.spec_from_file_location("vergleich", BENCH / "vergleich.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png(pixel: tuple[int, int, int] = (10, 20, 30)) -> str:
    """A 4x4 PNG, base64, whose pixel (2, 1) has the colour ``pixel``."""
    import base64
    from io import BytesIO

    from PIL import Image

    img = Image.new("RGB", (4, 4), (255, 255, 255))
    img.putpixel((2, 1), pixel)
    buf = BytesIO()
    img.save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def _berichte(ordner: Path, zeit: str, iso: str) -> Path:
    """A tiny report folder of each kind ``vergleiche`` reads, made at the time ``zeit``/``iso``."""
    from openpyxl import Workbook

    q = ordner / "reports" / "2023-Q4"
    q.mkdir(parents=True)
    (q / "3_wirkung.html").write_text(
        f"<p>Stand 31.12.2023, erstellt am {zeit}</p>\n<td>1.234</td>\n"
        f'<img src="data:image/png;base64,{_png()}">\n<p>Lauf {iso}</p>\n',
        encoding="utf-8",
    )
    wb = Workbook()
    wb.active["B2"] = 17
    wb.properties.created = wb.properties.modified = datetime.fromisoformat(iso)
    wb.save(q / "2_quartalsmeldung.xlsx")
    (q / "karte.geojson").write_text('{"features": [{"id": "170"}]}', encoding="utf-8")
    meta = {"titel": "Wirkungskennzahlen 2023", "stand": "2023-12-31", "erstellt": iso}
    (q / "metadaten.json").write_text(json.dumps(meta), encoding="utf-8")
    (q / "audit.csv").write_text("zelle;wert\nWest;12\n", encoding="utf-8")
    eintrag = {"produkt": 3, "slug": "gesamtstadt", "status": "ok", "berichtszeitraum": "2023"}
    eintrag |= {"kernaussagen": ["Die Quote liegt bei 4,2 %."], "zielwerte": ["Ziel 1: 80 %"]}
    # what differs between two runs: the time, the seconds, the pool's temp folder, the code's hash
    lauf = {"erstellt": iso, "sekunden": len(zeit + iso) / 7, "input_hash": f"{hash(iso):x}"}
    lauf["dateien"] = {"2023-Q4/2_quartalsmeldung.xlsx": f"{hash(zeit):x}"}
    runs = {"pool": str(ordner / "pool"), "reports": [eintrag | lauf]}
    runs["lauf"] = {"schluessel": f"{hash(zeit):x}", "berichte": [[3, "Gesamtstadt"]]}
    (ordner / "reports" / "runs.json").write_text(json.dumps(runs), encoding="utf-8")
    return q


def test_vergleiche_sieht_jede_abweichung(tmp_path: Path, capsys):
    """Two runs of the same code (other time stamps) compare equal; one changed number in the
    HTML, one pixel of an embedded PNG, one Excel cell, one audit value, one key sentence or one
    date of the data (not a time stamp) is a difference naming its file."""
    from openpyxl import load_workbook

    v = _vergleich_modul()
    _berichte(tmp_path / "a", "05.12.2026 21:47", "2026-12-05T21:47:03.120")
    html, xlsx = "2023-Q4/3_wirkung.html", "2023-Q4/2_quartalsmeldung.xlsx"

    def html_ersetzt(alt: str, neu: str):
        return lambda q: (q / "3_wirkung.html").write_text(
            (q / "3_wirkung.html").read_text(encoding="utf-8").replace(alt, neu), encoding="utf-8"
        )

    def zelle(q: Path) -> None:
        wb = load_workbook(q / "2_quartalsmeldung.xlsx")
        wb.active["B2"] = 18
        wb.save(q / "2_quartalsmeldung.xlsx")

    def kernaussage(q: Path) -> None:
        runs = q.parent / "runs.json"
        runs.write_text(runs.read_text(encoding="utf-8").replace("4,2", "4,3"), encoding="utf-8")

    def zahlformat(q: Path) -> None:  # the same value, shown otherwise
        wb = load_workbook(q / "2_quartalsmeldung.xlsx")
        wb.active["B2"].number_format = "0.0"
        wb.save(q / "2_quartalsmeldung.xlsx")

    def zielwert(q: Path) -> None:
        runs = q.parent / "runs.json"
        runs.write_text(runs.read_text(encoding="utf-8").replace("80 %", "81 %"), encoding="utf-8")

    aenderungen = {
        "zahl": (html_ersetzt("1.234", "1.235"), html),
        "pixel": (html_ersetzt(_png(), _png((10, 20, 31))), html),
        "stichtag": (html_ersetzt("31.12.2023", "30.09.2023"), html),
        "zelle": (zelle, xlsx),
        "audit": (
            lambda q: (q / "audit.csv").write_text("zelle;wert\nWest;13\n"),
            "2023-Q4/audit.csv",
        ),
        "kernaussage": (kernaussage, "runs.json"),
        "zahlformat": (zahlformat, xlsx),
        "zielwert": (zielwert, "runs.json"),
        "andere_datei": (
            lambda q: (q / "karte.geojson").write_text('{"features": [{"id": "171"}]}'),
            "2023-Q4/karte.geojson",
        ),
    }
    for name, (aendern, datei) in {"gleich": (None, None), **aenderungen}.items():
        b = tmp_path / name
        q = _berichte(b, "05.12.2026 22:03", "2026-12-05T22:03:41.981")
        if aendern:
            aendern(q)
        capsys.readouterr()
        assert v.vergleiche(tmp_path / "a", b) == (1 if datei else 0), name
        text = capsys.readouterr().out
        if datei:
            assert f"VERSCHIEDEN: {datei}" in text, (name, text)
        else:
            assert "6 Dateien gleich, 0 verschieden" in text, text
