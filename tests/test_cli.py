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


def test_bad_input_exits_nonzero_and_leaves_the_pool_untouched(demo_pool: Path, tmp_path: Path):
    out = tmp_path / "processed"
    shutil.copytree(demo_pool, out)
    before = _digest(out)
    res = CliRunner().invoke(cli, ["pool", "--raw", str(CORPUS / "bad_date"), "--out", str(out)])
    assert res.exit_code == 2
    assert "Zeile" in res.output and "Spalte" in res.output
    assert "NICHT geschrieben" in res.output
    assert _digest(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pool-")]


def test_pool_command_writes_pool_and_summary(demo_raw: Path, tmp_path: Path):
    out = tmp_path / "processed"
    res = CliRunner().invoke(cli, ["pool", "--raw", str(demo_raw), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Gelesen: 205 Dateien aus 15 Tabellen" in res.output
    assert "Datenpool:" in res.output and "65 Stadtviertel" in res.output
    assert {"kennzahlen.parquet", "stand.parquet", "ampel.parquet", "manifest.json"} <= set(
        _digest(out)
    )


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


def test_same_exports_give_the_same_pool(demo_raw: Path, tmp_path: Path):
    import json

    for name in ("a", "b"):
        res = CliRunner().invoke(
            cli, ["pool", "--raw", str(demo_raw), "--out", str(tmp_path / name)]
        )
        assert res.exit_code == 0, res.output
    a = json.loads((tmp_path / "a" / "manifest.json").read_text())
    b = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert a == b and a["dateien"]["kennzahlen.parquet"]


def test_report_refuses_a_quarter_without_data(demo_pool: Path, tmp_path: Path):
    res = CliRunner().invoke(
        cli, ["report", "--periode", "2024-Q1", "--pool", str(demo_pool), "--out", str(tmp_path)]
    )
    assert res.exit_code != 0
    assert "keine Daten zum Stichtag 2024-03-31" in res.output
    assert not (tmp_path / "2024-Q1").exists()
