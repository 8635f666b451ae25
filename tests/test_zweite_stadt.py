"""A second city end to end: its own config folder (zero-padded Stadtviertel codes, four
Sozialräume with spaces, umlauts and slashes, no polygons), one export per table, the pool, all
four products, the index page and a mail dry run."""

from __future__ import annotations

import email
import html
import json
import re
import shutil
from email import policy
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from exporte import merge_exports, write_export

from kennzahlen import runner
from kennzahlen.cli import cli
from kennzahlen.core import paths
from kennzahlen.core.vocabulary import PRODUKTE

#: the end-to-end layer (`pytest -m "not e2e"` leaves it out; markers in pyproject.toml)
pytestmark = pytest.mark.e2e

SOZIALRAEUME = ["Nord / Ost", "Süd", "Alt Stadt", "Weststadt-Ärzteviertel"]
STADT = "Musterstadt"
PERIODE = "2023-Q4"
#: report workers of the city's 20 reports: one warm kernel. A second worker costs its own process
#: and kernel start (about 10 s of CPU) and gains no wall time in `make test`, where the other test
#: worker keeps the second core busy; runs of two workers: tests/test_runner.py (reports in two
#: worker processes) and tests/test_runner_safety.py (killed runs)
WORKERS = 1

VERTEILER = """absender:
  name: "Sozialplanung Musterstadt"
  adresse: sozialplanung@musterstadt.example
smtp:
  host: localhost
  port: 25
gruppen:
{srtl}
  - id: leitung
    name: Amtsleitung
    oeffentlich: false
    produkte: [1, 2, 3, 4]
    empfaenger: [leitung@musterstadt.example]
"""


def _slug(name: str) -> str:
    return runner.slug(name)


def _write_config(cfg: Path) -> None:
    cfg.mkdir(parents=True)
    rows = ["stadtviertel_nr;stadtviertel;stadtteil;sozialraum"]
    for i in range(1, 13):
        sr = SOZIALRAEUME[(i - 1) // 3]
        rows.append(f"{i:03d};Viertel {i} an der Äußeren Straße;Stadtteil {(i - 1) // 3 + 1};{sr}")
    (cfg / "raumgliederung.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (cfg / "geographie.yaml").write_text(f"stadt: {STADT}\n", encoding="utf-8")  # no polygons
    # the data come from the demo generator: its case lists start with the cases of 2019-Q1
    (cfg / "abdeckung.yaml").write_text(
        "vollstaendig_ab:\n  jugendhilfe: 2019-01-01\n  sozialhilfe: 2019-01-01\n  fallmanagement: "
        "2019-01-01\n",
        encoding="utf-8",
    )
    for name in ("kennzahlen.yaml", "ampel.yaml", "disclosure.yaml"):
        shutil.copy(paths.project_root() / "config" / name, cfg / name)
    srtl = "\n".join(
        f'  - id: srtl-{_slug(sr)}\n    name: Sozialraumteam {sr}\n    sozialraum: "{sr}"\n'
        f"    produkte: [1, 2, 4]\n    empfaenger: [srtl-{_slug(sr)}@musterstadt.example]"
        for sr in SOZIALRAEUME
    )
    (cfg / "verteiler.yaml").write_text(VERTEILER.format(srtl=srtl), encoding="utf-8")


def baue_stadt(base: Path) -> dict[str, Path | str]:
    """Config, one export per table and the pool of the second city in ``base`` (built once per
    test run by the session fixture ``zweite_stadt`` of conftest.py, which tests/test_datenlage.py
    uses too). The caller sets ``KENNZAHLEN_CONFIG`` to ``base / "config"``."""
    from kennzahlen.demo import write_demo

    cfg = base / "config"
    quartale = base / "quartale"
    write_demo(quartale, scale=0.1)
    for f in quartale.glob("ampel_schaltungen_*"):
        f.unlink()  # the demo's switches name the demo city's Sozialräume
    raw = base / "raw"
    merge_exports(quartale, raw)
    # one table as Excel, the codes as text ("001")
    jh = next(raw.glob("jugendhilfe_*.csv"))
    frame = pd.read_csv(jh, sep=";", dtype=str, keep_default_na=False)
    wb = openpyxl.Workbook()
    wb.active.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        wb.active.append(list(row))
    wb.save(jh.with_suffix(".xlsx"))
    jh.unlink()
    schaltung = pd.DataFrame(
        [
            {
                "quartal": PERIODE,
                "sozialraum": "Nord / Ost",
                "arbeitsfeld": "jh",
                "farbe": "rot",
                "begruendung": "Neue Wohngruppe <Haus 3> im Viertel 002",
                "geschaltet_am": pd.Timestamp("2024-01-20"),
            }
        ]
    )
    write_export(schaltung, "ampel_schaltungen", pd.Timestamp("2024-01-22"), raw)
    pool = base / "pool"
    res = CliRunner().invoke(
        cli, ["--config", str(cfg), "pool", "--raw", str(raw), "--out", str(pool)]
    )
    assert res.exit_code == 0, res.output
    return {"cfg": cfg, "raw": raw, "pool": pool, "pool_output": res.output}


@pytest.fixture(scope="module")
def stadt(zweite_stadt: Path, tmp_path_factory) -> dict[str, Path]:
    """The second city (the session's ``zweite_stadt``: config, one export per table, pool), all
    its reports of 2023-Q4 (on this module's copy of the pool) and the mail dry run."""
    base = tmp_path_factory.mktemp("zweite_stadt")
    cfg = zweite_stadt / "config"
    pool = base / "pool"
    shutil.copytree(zweite_stadt / "pool", pool)  # a report run records its plans in the pool
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(paths.CONFIG_ENV, str(cfg))
        out = base / "reports"
        result = runner.run(PERIODE, pool=pool, out=out, workers=WORKERS, progress=False)
        eml = base / "eml"
        mail = CliRunner().invoke(
            cli,
            [
                "--config",
                str(cfg),
                "mail",
                "--periode",
                PERIODE,
                "--reports",
                str(out),
                "--pool",
                str(pool),
                "--dry-run",
                str(eml),
            ],
        )
        yield {
            "cfg": cfg,
            "raw": zweite_stadt / "raw",
            "pool": pool,
            "out": out / PERIODE,
            "result": result,
            "mail": mail,
            "eml": eml,
        }


def test_one_export_per_table_gives_the_pool_with_zero_padded_codes(stadt):
    names = sorted(p.name for p in stadt["raw"].iterdir())
    assert len(names) == 12 and any(
        n.startswith("jugendhilfe_") and n.endswith(".xlsx") for n in names
    )
    pool = pd.read_parquet(stadt["pool"] / "kennzahlen.parquet")
    sr = set(pool.loc[pool["ebene"] == "sozialraum", "raum"])
    assert sr == {*SOZIALRAEUME, "ohne Zuordnung"}
    stv = set(pool.loc[pool["ebene"] == "stadtviertel", "raum"])
    assert stv == {f"{i:03d}" for i in range(1, 13)}
    # one export per table still gives every quarter and year
    hze = pool[(pool["kennzahl"] == "jh_hze_gesamt") & (pool["raum"] == "Gesamtstadt")]["periode"]
    assert sorted(hze)[0] == "2019-03-31" and len(hze) == 20
    assert set(pool.loc[pool["kennzahl"] == "jh_z5_anteil_hilfen_vor_dem_fall", "periode"]) == {
        "2019",
        "2020",
        "2021",
        "2022",
        "2023",
    }
    jh = pd.read_parquet(stadt["pool"] / "abdeckung.parquet").set_index("tabelle")
    assert jh.loc["hilfen_vor_dem_fall", "grund"] == "daten"


def test_all_four_products_for_every_area(stadt):
    result = stadt["result"]
    got = {(e["produkt"], e["raum"]): e["status"] for e in result.entries}
    want = {(p, r): "ok" for p in (1, 2, 3, 4) for r in [*SOZIALRAEUME, "Gesamtstadt"]}
    assert got == want, [e.get("fehler") for e in result.entries if e["status"] != "ok"]
    assert result.warnungen == []  # no polygons configured: nothing to mismatch


def _html(stadt, produkt: int, raum: str) -> str:
    return (stadt["out"] / PRODUKTE[produkt].ordner / f"{_slug(raum)}.html").read_text(
        encoding="utf-8"
    )


def test_reports_adapt_to_the_city(stadt):
    for p in (1, 2, 3, 4):
        for raum in [*SOZIALRAEUME, "Gesamtstadt"]:
            text = _html(stadt, p, raum)
            assert not re.search(r"\bUlm", text), (p, raum)
            assert "Wiblingen" not in text and "Böfingen" not in text
    gesamt = _html(stadt, 1, "Gesamtstadt")
    assert f"Gebiet:</b> Gesamtstadt {STADT}" in gesamt
    assert f"In {STADT} lebten am 31.12.2023" in gesamt
    # no polygons: the map is a table of the Stadtviertel, codes with their leading zeros
    assert "keine Polygone hinterlegt" in gesamt and "001 Viertel 1 an der Äußeren Straße" in gesamt
    assert "012 Viertel 12" in gesamt
    nord = _html(stadt, 1, "Nord / Ost")
    assert (
        "Sozialraum Nord / Ost" in nord and "001 Viertel 1" in nord and "004 Viertel 4" not in nord
    )
    assert "Die Reihe beginnt 2018" in nord
    # the Erfassungsbogen has a column per Sozialraum; the Ampel grid a row per area
    bogen = _html(stadt, 2, "Gesamtstadt")
    for sr in SOZIALRAEUME:
        assert f">{html.escape(sr)}</th>" in bogen
    assert "Die Reihe zeigt den Ausschnitt ab dem 31.03.2021" in bogen
    ampel = _html(stadt, 4, "Gesamtstadt")
    for sr in SOZIALRAEUME:
        assert re.search(rf"<th[^>]*>{re.escape(html.escape(sr))}</th>", ampel)
    # a switch's reason stands in its own area's report only (need-to-know), escaped
    assert "Neue Wohngruppe" not in ampel and "(Text im Bericht Nord / Ost)" in ampel
    assert "Neue Wohngruppe &lt;Haus 3&gt; im Viertel 002" in _html(stadt, 4, "Nord / Ost")
    assert "Der Verlauf zeigt den Ausschnitt ab dem 1. Quartal 2022" in ampel


def test_index_page_links_every_area(stadt):
    index = (stadt["out"] / "index.html").read_text(encoding="utf-8")
    for sr in SOZIALRAEUME:
        assert re.search(rf"<th[^>]*>{re.escape(html.escape(sr))}</th>", index)
        assert f'href="1_sozialstruktur/{_slug(sr)}.html"' in index
    assert index.count(">Bericht</a>") == 20
    runs = json.loads((stadt["out"] / "runs.json").read_text(encoding="utf-8"))
    assert len({e["slug"] for e in runs["reports"]}) == 5


def test_mail_dry_run_follows_the_citys_verteiler(stadt):
    assert stadt["mail"].exit_code == 0, stadt["mail"].output
    files = sorted(stadt["eml"].glob("*.eml"))
    assert len({f.name.split("__teil-")[0].removesuffix(".eml") for f in files}) == 5  # addresses
    assert all(f.stat().st_size <= 10_000_000 for f in files)  # a larger one goes in parts
    msg = email.message_from_bytes(
        (stadt["eml"] / "srtl-nord-ost@musterstadt.example.eml").read_bytes(), policy=policy.default
    )
    assert str(msg["Subject"]).endswith("– Sozialraum Nord / Ost")
    names = sorted(p.get_filename() for p in msg.iter_attachments())
    assert names and all(
        n.split("__")[-1].split(".")[0] in ("nord-ost", "gesamtstadt") for n in names
    )
    assert {n.split("__")[0] for n in names} == {"1_sozialstruktur", "2_quartalsmeldung", "4_ampel"}


def test_no_ulm_name_or_code_in_the_package_outside_the_demo():
    """Everything city-specific comes from config/ (the demo generator, demo*.py, is Ulm's on
    purpose)."""
    rg = pd.read_csv(paths.project_root() / "config" / "raumgliederung.csv", sep=";", dtype=str)
    names = {n for n in {*rg["sozialraum"], *rg["stadtteil"], *rg["stadtviertel"]} if n != "West"}
    patterns = [
        r"\bUlm",
        r"ul-stv",
        *(r"(?<![\w-])" + re.escape(n) + r"(?![\w-])" for n in names),
        *(r"[\"']" + c + r"[\"']" for c in rg["stadtviertel_nr"]),
    ]
    lib = Path(runner.__file__).parents[1]
    found = []
    for f in sorted(lib.rglob("*")):
        if f.suffix not in (".py", ".j2", ".json") or f.relative_to(lib).parts[0] == "demo":
            continue
        text = f.read_text(encoding="utf-8")
        found += [
            f"{f.relative_to(lib)}: {m.group()}" for p in patterns for m in re.finditer(p, text)
        ]
    assert found == []


# ---------------------------------------------------------------------------- one city per folder
def _kz(*args: str):
    return CliRunner().invoke(cli, list(args))


def _ulm_stempel() -> dict:
    from kennzahlen.catalog import stadtkennung

    return stadtkennung.aktuell(paths.project_root() / "config").stempel()


def test_the_pool_and_reports_carry_the_citys_identity(stadt):
    from kennzahlen.mail.identitaet import kennung_der_datei

    manifest = json.loads((stadt["pool"] / "manifest.json").read_text(encoding="utf-8"))
    runs = json.loads((stadt["out"] / "runs.json").read_text(encoding="utf-8"))
    assert manifest["stadt"]["name"] == runs["stadt"]["name"] == STADT
    assert manifest["stadt"]["raumgliederung"] != _ulm_stempel()["raumgliederung"]
    ident = kennung_der_datei(stadt["out"] / "3_wirkungskennzahlen" / "nord-ost.html")
    assert ident == {
        "produkt": 3,
        "raum": "Nord / Ost",
        "periode": PERIODE,
        "berichtszeitraum": "2023",
        "stadt": runs["stadt"],
    }


def test_another_configuration_has_no_default_folders(stadt, tmp_path):
    """The README's path 'Eine andere Stadt' with folders left out used to read and overwrite
    this project's data/ and reports/."""
    cfg = str(stadt["cfg"])
    for args, option in [
        (["pool"], "--raw"),
        (["pool", "--raw", str(stadt["raw"])], "--out"),
        (["report", "--periode", PERIODE, "--produkt", "3"], "--pool"),
        (["report", "--periode", PERIODE, "--pool", str(stadt["pool"])], "--out"),
        (["mail", "--periode", PERIODE, "--dry-run", str(tmp_path / "eml")], "--reports"),
    ]:
        res = _kz("--config", cfg, *args)
        assert res.exit_code != 0, args
        assert f"gibt es keinen Standardordner: bitte {option} angeben" in res.output, res.output
    assert not (tmp_path / "eml").exists()


def test_another_citys_pool_or_report_folder_is_refused_naming_both(stadt, demo_pool, tmp_path):
    """`--config stadt2 report` on Ulm's pool wrote 'Gesamtstadt Musterstadt' with Ulm's numbers
    over Ulm's public report; Ulm's configuration on the other city's folders is refused too."""
    cfg = str(stadt["cfg"])
    out = tmp_path / "reports"
    res = _kz(
        "--config", cfg, "report", "--periode", PERIODE, "--produkt", "3",
        "--pool", str(demo_pool), "--out", str(out),
    )  # fmt: skip
    assert res.exit_code == 1
    assert f"Der Datenpool {demo_pool.resolve()} gehört zu Ulm (Raumgliederung " in res.output
    assert f"die Konfiguration {stadt['cfg'].resolve()} zu {STADT} (Raumgliederung" in res.output
    assert not (out / PERIODE / "runs.json").exists()
    # Ulm's report folder: refused by report and mail of the other city
    ulm = tmp_path / "ulm_reports" / PERIODE
    ulm.mkdir(parents=True)
    (ulm / "runs.json").write_text(
        json.dumps({"periode": PERIODE, "stadt": _ulm_stempel(), "reports": []}), "utf-8"
    )
    for befehl in (
        ["report", "--periode", PERIODE, "--produkt", "3", "--out", str(ulm.parent)],
        ["mail", "--periode", PERIODE, "--reports", str(ulm.parent), "--dry-run", str(tmp_path)],
    ):
        pool = ["--pool", str(stadt["pool"])]
        res = _kz("--config", cfg, *befehl, *pool)
        assert res.exit_code != 0
        assert f"Der Berichtsordner {ulm.resolve() if befehl[0] == 'report' else ulm}" in res.output
        assert "gehört zu Ulm (Raumgliederung" in res.output, res.output
    # Ulm's configuration never mails the other city's reports
    ulm_cfg = str(paths.project_root() / "config")
    res = _kz(
        "--config", ulm_cfg, "mail", "--periode", PERIODE, "--reports", str(stadt["out"].parent),
        "--pool", str(stadt["pool"]), "--dry-run", str(tmp_path / "eml"),
    )  # fmt: skip
    assert res.exit_code == 2 and f"gehört zu {STADT} (Raumgliederung" in res.output
    assert not (tmp_path / "eml").exists()


def test_another_citys_raw_folder_is_one_paragraph_and_its_pool_is_kept(stadt, demo_raw, tmp_path):
    """`--config stadt2 pool` on Ulm's raw folder printed 332,434 problem lines."""
    cfg = str(stadt["cfg"])
    res = _kz("--config", cfg, "pool", "--raw", str(demo_raw), "--out", str(tmp_path / "pool"))
    assert res.exit_code == 2
    zeilen = res.output.strip().splitlines()
    assert len(zeilen) <= 3, zeilen[:10]
    assert "passen nicht zur Raumgliederung" in res.output
    assert re.search(
        r"[\d.]+ von [\d.]+ Zeilen in [\d.]+ Dateien nennen ein Stadtviertel", res.output
    )
    assert "Gehören die Exporte zu einer anderen Stadt?" in res.output
    # a pool folder of Ulm is never replaced by the other city's pool
    ulm_pool = tmp_path / "ulm_pool"
    ulm_pool.mkdir()
    manifest = {"dateien": {}, "stadt": _ulm_stempel()}
    (ulm_pool / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    res = _kz("--config", cfg, "pool", "--raw", str(stadt["raw"]), "--out", str(ulm_pool))
    assert res.exit_code == 2 and f"Der Datenpool {ulm_pool} gehört zu Ulm" in res.output
    assert json.loads((ulm_pool / "manifest.json").read_text("utf-8")) == manifest
