"""The command line as the person running the quarter uses it."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from click.testing import CliRunner

from kennzahlen.cli import cli

CORPUS = Path(__file__).parent / "corpus" / "bad"


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_bad_input_exits_nonzero_and_leaves_the_pool_untouched(
    small_demo_pool: Path, tmp_path: Path
):
    out = tmp_path / "processed"
    shutil.copytree(small_demo_pool, out)
    before = _digest(out)
    res = CliRunner().invoke(cli, ["pool", "--raw", str(CORPUS / "bad_date"), "--out", str(out)])
    assert res.exit_code == 2
    assert "Zeile" in res.output and "Spalte" in res.output
    assert "NICHT geschrieben" in res.output
    assert _digest(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pool-")]


def test_pool_command_writes_pool_and_summary_then_reads_only_what_is_new(
    small_demo_raw: Path, small_demo_pool: Path, tmp_path: Path, monkeypatch
):
    """The first build writes the pool (the same exports give the same pool as the session's
    small demo, built in-process); the same command again has nothing to do and says so (pandas
    is not even imported); a new export is the only file read by the next build. Plumbing: the
    small demo (the same 207 exports of 16 tables, a tenth of the cases)."""
    demo_raw, demo_pool = small_demo_raw, small_demo_pool
    import subprocess
    import sys

    from kennzahlen.reading import raw as reading

    out = tmp_path / "processed"
    res = CliRunner().invoke(cli, ["pool", "--raw", str(demo_raw), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Gelesen: 207 Dateien aus 16 Tabellen" in res.output
    assert "Datenpool:" in res.output and "65 Stadtviertel" in res.output
    assert {"kennzahlen.parquet", "stand.parquet", "ampel.parquet", "manifest.json"} <= set(
        _digest(out)
    )
    assert _digest(out)["manifest.json"] == _digest(demo_pool)["manifest.json"]
    before = _digest(out)
    code = (
        "import sys\nfrom kennzahlen.cli import main\n"
        f"sys.argv = ['kennzahlen', 'pool', '--raw', {str(demo_raw)!r}, '--out', {str(out)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('PANDAS', 'pandas' in sys.modules)\n"
    )
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "Datenpool unverändert" in again.stdout and "PANDAS False" in again.stdout, again
    assert _digest(out) == before

    raw = tmp_path / "raw"
    shutil.copytree(demo_raw, raw)
    newest = sorted(raw.glob("jugendhilfe_*.csv"))[-1].read_bytes()
    late = newest[: newest.rstrip(b"\n").rfind(b"\n") + 1]  # a late export, one case less
    (raw / "jugendhilfe_2024-01-31.csv").write_bytes(late)
    read = []
    real = reading.read_text
    monkeypatch.setattr(reading, "read_text", lambda p, t: read.append(p.name) or real(p, t))
    res = CliRunner().invoke(cli, ["pool", "--raw", str(raw), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Datenpool unverändert" not in res.output
    # the new export, and the exports checked against lists from config (never kept: the steering
    # deliveries and the comparison values, whose Kennzahl ids are checked against the catalog)
    from kennzahlen.core.schema import TABLES
    from kennzahlen.reading.exportcache import cachebar

    nie_gehalten = tuple(f"{n}_" for n, t in TABLES.items() if not cachebar(t))
    assert {"vergleichswerte_", "massnahmen_"} <= set(nie_gehalten)
    assert [n for n in read if not n.startswith(nie_gehalten)] == ["jugendhilfe_2024-01-31.csv"]


def test_demo_refuses_a_non_empty_folder(tmp_path: Path):
    (tmp_path / "jugendhilfe_2021-01-01.csv").write_text("x")
    res = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path)])
    assert res.exit_code != 0
    assert (tmp_path / "jugendhilfe_2021-01-01.csv").read_text() == "x"


def test_report_refuses_an_unknown_area(demo_pool: Path, tmp_path: Path):
    res = CliRunner().invoke(
        cli,
        [
            "report",
            "--periode",
            "2023-Q4",
            "--raum",
            "Atlantis",
            "--pool",
            str(demo_pool),
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code != 0 and "Atlantis" in res.output


def test_report_refuses_a_quarter_without_data(demo_pool: Path, tmp_path: Path):
    res = CliRunner().invoke(
        cli, ["report", "--periode", "2024-Q1", "--pool", str(demo_pool), "--out", str(tmp_path)]
    )
    assert res.exit_code != 0
    assert "keine Daten zum Stichtag 2024-03-31" in res.output
    assert not (tmp_path / "2024-Q1").exists()
