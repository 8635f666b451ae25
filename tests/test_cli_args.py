"""No Python traceback reaches the person running a command, whatever the arguments."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kennzahlen.cli import cli
from kennzahlen.mail import PASSWORD_ENV


def invoke(args: list[str]):
    res = CliRunner().invoke(cli, args, env={PASSWORD_ENV: None})
    assert res.exception is None or isinstance(res.exception, SystemExit), (
        f"{args}: {type(res.exception).__name__}: {res.exception}"
    )
    assert "Traceback" not in res.output
    return res


@pytest.fixture()
def a_file(tmp_path: Path) -> Path:
    f = tmp_path / "eine-datei.txt"
    f.write_text("x")
    return f


def test_named_cases_give_one_clear_german_message(
    demo_pool: Path, demo_raw: Path, tmp_path: Path, a_file: Path
):
    cases = [
        (
            [
                "report",
                "--periode",
                "0000-Q1",
                "--pool",
                str(demo_pool),
                "--out",
                str(tmp_path / "r"),
            ],
            "das Jahr muss zwischen 1900 und 2100 liegen",
        ),
        (
            [
                "report",
                "--periode",
                "２０２３-Q4",
                "--pool",
                str(demo_pool),
                "--out",
                str(tmp_path / "r"),
            ],
            "erwartet JJJJ-Qn",
        ),
        (
            [
                "report",
                "--periode",
                "2050-Q1",
                "--pool",
                str(demo_pool),
                "--out",
                str(tmp_path / "r"),
            ],
            "keine Daten zum Stichtag 2050-03-31",
        ),
        (
            ["report", "--periode", "2023-Q4", "--pool", str(demo_pool), "--out", str(a_file)],
            "ist eine Datei, kein Ordner",
        ),
        (
            [
                "report",
                "--periode",
                "2023-Q4",
                "--pool",
                str(demo_pool),
                "--out",
                str(a_file / "unter"),
            ],
            "ist eine Datei, kein Ordner",
        ),
        (
            ["report", "--periode", "2023-Q4", "--pool", str(a_file), "--out", str(tmp_path / "r")],
            "Kein Datenpool",
        ),
        (["pool", "--raw", str(demo_raw), "--out", str(a_file)], "ist eine Datei, kein Ordner"),
        (["pool", "--raw", str(a_file), "--out", str(tmp_path / "p")], "Keine Lieferung"),
        (["demo", "--out", str(a_file)], "ist eine Datei"),
        (["demo", "--out", str(tmp_path / "d"), "--scale", "0"], "--scale 0.0 ungültig"),
        (["demo", "--out", str(tmp_path / "d"), "--scale", "nan"], "--scale nan ungültig"),
        (["mail", "--periode", "0000-Q1"], "das Jahr muss zwischen 1900 und 2100 liegen"),
    ]
    for args, needle in cases:
        res = invoke(args)
        assert res.exit_code != 0, args
        assert needle in res.output, (args, res.output)
    assert a_file.read_text() == "x"
    assert not (tmp_path / "r").exists() and not (tmp_path / "d").exists()


def test_a_broken_pool_is_named_not_a_traceback(demo_pool: Path, tmp_path: Path):
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "manifest.json").write_text("{kein json")
    res = invoke(
        ["report", "--periode", "2023-Q4", "--pool", str(garbage), "--out", str(tmp_path / "r")]
    )
    assert res.exit_code != 0 and "kein gültiges JSON" in res.output
    broken = tmp_path / "broken"
    shutil.copytree(demo_pool, broken)
    for f in broken.rglob("kennzahlen.parquet"):
        f.unlink()
        f.write_bytes(b"PAR1 abgeschnitten")
    res = invoke(
        ["report", "--periode", "2023-Q4", "--pool", str(broken), "--out", str(tmp_path / "r")]
    )
    assert res.exit_code != 0 and "nicht lesbar" in res.output and "kennzahlen pool" in res.output


NASTY = [
    "",
    " ",
    "0000-Q1",
    "2023-Q0",
    "2023-Q5",
    "99999-Q1",
    "2023-q4",
    "-1",
    "0",
    "nan",
    "inf",
    "../../etc/passwd",
    "/dev/null",
    "/proc/version/unter",
    "Böfingen\u0308",
    "x" * 3000,
    "West<img src=x onerror=alert(5)>",
    "=1+1",
]


@pytest.mark.parametrize("value", NASTY)
def test_no_argument_value_gives_a_traceback(value: str, tmp_path: Path):
    """Every option of every command with bad values: a message, never a traceback."""
    missing_pool = str(tmp_path / "kein-pool")
    out = str(tmp_path / "out")
    runs = [
        ["report", "--periode", value, "--pool", missing_pool, "--out", out],
        ["report", "--periode", "2023-Q4", "--pool", value or missing_pool, "--out", out],
        ["report", "--periode", "2023-Q4", "--pool", missing_pool, "--out", value or out],
        ["report", "--periode", "2023-Q4", "--produkt", value, "--pool", missing_pool],
        ["report", "--periode", "2023-Q4", "--workers", value, "--pool", missing_pool],
        ["report", "--periode", "2023-Q4", "--warten", value, "--pool", missing_pool],
        ["pool", "--raw", value or missing_pool, "--out", str(tmp_path / "p")],
        ["pool", "--raw", missing_pool, "--out", value or str(tmp_path / "p")],
        ["demo", "--out", str(tmp_path / "d"), "--scale", value],
        ["demo", "--out", str(tmp_path / "d"), "--seed", value],
        ["mail", "--periode", value, "--reports", out, "--pool", missing_pool],
        ["mail", "--periode", "2023-Q4", "--reports", value or out, "--pool", missing_pool],
        ["mail", "--periode", "2023-Q4", "--reports", out, "--smtp", value],
        ["mail", "--periode", "2023-Q4", "--reports", out, "--dry-run", value or out],
        ["mail", "--periode", "2023-Q4", "--reports", out, "--verteiler", value or out],
        ["mail", "--periode", "2023-Q4", "--reports", out, "--empfaenger", value],
    ]
    for args in runs:
        res = invoke(args)
        if args[0] != "demo":
            assert res.exit_code != 0, args
