"""Every period the pool holds gives every report, or says plainly what is missing (issue 19).

- the sentence about missing data, from the pool's table ``abdeckung``, checked by hand;
- the runner's pre-check: which quarters each product can fill, a product without data skipped
  with its reason (runs.json, index page, command line, mail), a quarter outside the pool refused;
- the real runner on the demo pool (first quarter, the first quarter of each year; the last
  quarter is the session's ``reports``), on the second city and on a pool of population only:
  no report with a Python error, a warning or a NaN, every report not made with its reason;
- the notebooks in-process on pools that lack whole tables: no error, no warning, no chart with
  empty or NaN axes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from berichtspruefung import SICHTBAR_VERBOTEN, bericht_probleme, sichtbarer_text
from click.testing import CliRunner
from inprocess import achsen_probleme, run_notebook

from kennzahlen import runner
from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.cli import cli
from kennzahlen.core import paths
from kennzahlen.core.vocabulary import PRODUKTE
from kennzahlen.pool import abdeckung
from kennzahlen.pool.abdeckung import Abdeckung
from kennzahlen.products import common

#: the end-to-end layer (`pytest -m "not e2e"` leaves it out; markers in pyproject.toml)
pytestmark = pytest.mark.e2e

NOTEBOOKS = paths.project_root() / "notebooks"
ALLE = {1, 2, 3, 4}
#: report workers of the runs here (2 to 8 reports each): one warm kernel. A second worker costs
#: its own process and kernel start (about 10 s of CPU) and gains no time while the other test
#: worker keeps the second core busy; runs of two workers: tests/test_runner.py,
#: tests/test_runner_safety.py, tests/test_zweite_stadt.py
WORKERS = 1


def _html(periode_dir: Path, produkt: int, raum: str) -> str:
    return (periode_dir / PRODUKTE[produkt].ordner / f"{runner.slug(raum)}.html").read_text(
        encoding="utf-8"
    )


def _status(result: runner.RunResult) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for e in result.entries:
        out.setdefault(e["produkt"], set()).add(e["status"])
    return out


# ---------------------------------------------------------------------------- the sentence
def _ts(day: str) -> pd.Timestamp:
    return pd.Timestamp(day)


ABDECKUNG = abdeckung.frame_of(
    [
        Abdeckung(
            "bevoelkerung",
            "stichtage",
            von=_ts("2018-12-31"),
            bis=_ts("2023-12-31"),
            stichtage=frozenset({_ts("2018-12-31"), _ts("2023-12-31")}),
            grund="stichtage",
        ),
        Abdeckung(
            "transferleistungen",
            "stichtage",
            von=_ts("2019-03-31"),
            bis=_ts("2023-12-31"),
            stichtage=frozenset({_ts("2019-03-31"), _ts("2023-12-31")}),
            grund="stichtage",
        ),
        Abdeckung(
            "jugendhilfe",
            "zeitraum",
            von=_ts("2019-01-01"),
            bis=_ts("2023-12-31"),
            grund="config",
            vollstaendig_ab=_ts("2019-01-01"),
        ),
        Abdeckung(
            "teilhabeteam", "zeitraum", von=_ts("2020-10-01"), bis=_ts("2023-12-31"), grund="daten"
        ),
        Abdeckung("wohnraumsicherung", "zeitraum"),  # exported, but no Abdeckung
    ]
)


@pytest.mark.parametrize(
    "tabelle, periode, warum",
    [
        ("transferleistungen", "2018-12-31", "erst ab dem Stichtag 31.03.2019 geliefert"),
        ("transferleistungen", "2018", "erst ab dem Stichtag 31.03.2019 geliefert"),
        ("transferleistungen", "2019-03-31", None),
        ("transferleistungen", "2024-Q1", "nur bis zum Stichtag 31.12.2023 geliefert"),
        ("jugendhilfe", "2018", "erst ab dem 1. Quartal 2019 vollständig"),
        ("jugendhilfe", "2019-Q1", None),
        (
            "jugendhilfe",
            "2018-12-31",
            "erst ab dem 1. Quartal 2019 vollständig",
        ),
        (
            "teilhabeteam",
            "2020",
            "Exporte erst ab dem 4. Quartal 2020",
        ),  # a yearly value needs the whole year
        ("teilhabeteam", "2020-Q4", None),
        ("teilhabeteam", "2024-Q1", "Exporte nur bis zum 4. Quartal 2023"),
        ("wohnraumsicherung", "2021", "nicht geliefert"),
        ("haushalte", "2021-12-31", "nicht geliefert"),  # not in the pool at all
    ],
)
def test_why_a_table_cannot_answer_a_period(tabelle, periode, warum):
    assert common.warum_fehlt(ABDECKUNG, tabelle, periode) == warum


def test_one_sentence_names_the_data_the_reason_and_what_is_left_out():
    fehlend = common.fehlende_tabellen(ABDECKUNG, ["transferleistungen"], "2018-12-31")
    assert common.fehlt_satz("2018-12-31", fehlend, "die Quoten fehlen daher", zeit="2018") == (
        "Für 2018 liegen keine Transferleistungsdaten vor (erst ab dem Stichtag 31.03.2019 "
        "geliefert); die Quoten fehlen daher."
    )
    fehlend = common.fehlende_tabellen(
        ABDECKUNG, ["jugendhilfe", "teilhabeteam", "transferleistungen"], "2019"
    )
    assert common.fehlt_satz("2019", fehlend, "die Kennzahl fehlt daher") == (
        "Für 2019 liegen keine Daten der Teilhabeteams vor (Exporte erst ab dem 4. Quartal 2020); "
        "die Kennzahl fehlt daher."
    )
    fehlend = common.fehlende_tabellen(
        ABDECKUNG, ["jugendhilfe", "teilhabeteam", "transferleistungen"], "2018-Q4"
    )
    assert common.fehlt_satz("2018-Q4", fehlend, "die Ampel fehlt daher") == (
        "Für das 4. Quartal 2018 liegen keine Jugendhilfedaten (erst ab dem 1. "
        "Quartal 2019 "
        "vollständig), keine Daten der Teilhabeteams (Exporte erst ab dem 4. Quartal 2020) und "
        "keine "
        "Transferleistungsdaten (erst ab dem Stichtag 31.03.2019 geliefert) vor; die Ampel fehlt "
        "daher."
    )
    # the tables cover the period, the area has no value: said without a table
    assert common.fehlt_satz(
        "2021-12-31", {}, "die Quote fehlt daher", gebiet="den Sozialraum Süd"
    ) == (
        "Für den 31.12.2021 liegen für den Sozialraum Süd keine Werte vor; die Quote fehlt daher."
    )


def test_datenlage_tells_which_kennzahlen_the_pool_holds():
    daten = pd.DataFrame(
        {
            "kennzahl": ["bev_gesamt", "bev_gesamt", "sgb2_quote", "sgb2_quote"],
            "ebene": ["gesamtstadt", "gesamtstadt", "gesamtstadt", "gesamtstadt"],
            "raum": ["Gesamtstadt"] * 4,
            "periode": ["2018-12-31", "2019-12-31", "2019-12-31", "2018-12-31"],
            "wert": [100.0, 110.0, 0.05, float("nan")],  # a row without a value is no value
        }
    )
    ids = {"bev_gesamt": "Einwohner*innen", "sgb2_quote": "SGB-II-Quote"}
    lage = common.datenlage(daten, ids, "2018-12-31", ABDECKUNG, raum="Gesamtstadt", zeit="2018")
    assert lage.vorhanden == ("bev_gesamt",) and lage.fehlend == ("sgb2_quote",) and not lage.nichts
    assert lage.satz == (
        "Für 2018 liegen keine Transferleistungsdaten vor (erst ab dem Stichtag 31.03.2019 "
        "geliefert); daher fehlt „SGB-II-Quote“."
    )
    voll = common.datenlage(daten, ids, "2019-12-31", ABDECKUNG, raum="Gesamtstadt")
    assert voll.fehlend == () and voll.satz == "" and voll.hinweis().data == ""
    leer = common.datenlage(
        daten,
        ids,
        "2017-12-31",
        ABDECKUNG,
        raum="Gesamtstadt",
        folge="die Tabelle fehlt daher",
        zeit="2017",
    )
    assert leer.nichts and leer.satz.endswith("; die Tabelle fehlt daher.")


# --------------------------------------------------------------------------- the runner's pre-check
def test_precheck_tells_per_product_which_quarters_the_demo_pool_fills(demo_pool: Path):
    q = runner.quartale(demo_pool)
    jahre = range(2019, 2024)
    alle = ["2018-Q4", *[f"{j}-Q{n}" for j in jahre for n in (1, 2, 3, 4)]]
    assert q[1] == alle  # population from 31.12.2018: 2018 is reported from 2018-Q4 to 2019-Q3
    assert q[2] == q[4] == alle[1:]  # the case tables from 2019-Q1
    assert q[3] == alle[4:]  # the first full year of every table behind Produkt 3 is 2019


def test_a_product_without_data_is_skipped_with_its_reason(demo_pool: Path, tmp_path: Path):
    jobs = runner.plan("2019-Q1", pool=demo_pool, out=tmp_path)
    grund = {j.produkt: j.keine_daten for j in jobs}
    assert {p for p, g in grund.items() if g} == {3}
    assert grund[3].startswith("Für 2018 liegen keine ")
    assert "Jugendhilfedaten" in grund[3] and "erst ab dem 1. Quartal 2019" in grund[3]
    assert grund[3].endswith("; die Wirkungskennzahlen fehlen daher.")
    jobs = runner.plan("2018-Q4", pool=demo_pool, out=tmp_path)
    assert {j.produkt for j in jobs if j.keine_daten} == {2, 3, 4}
    assert not tmp_path.joinpath("2018-Q4").exists()  # planning writes nothing


@pytest.mark.parametrize("periode, extra", [("2018-Q3", ""), ("2024-Q1", "Fehlen neue Exporte")])
def test_a_quarter_outside_the_pool_is_refused(
    demo_pool: Path, tmp_path: Path, periode: str, extra: str
):
    with pytest.raises(runner.RunnerError) as exc:
        runner.plan(periode, pool=demo_pool, out=tmp_path)
    text = str(exc.value)
    assert "keine Daten zum Stichtag" in text and "für keines der Produkte" in text
    assert "Er enthält die Quartale 2018-Q4 bis 2023-Q4." in text and extra in text


def test_command_line_index_and_runs_json_name_what_was_not_made(demo_pool: Path, tmp_path: Path):
    """A run whose only product has no data starts no kernel and is not a failure."""
    args = [
        "report",
        "--periode",
        "2019-Q2",
        "--produkt",
        "3",
        "--raum",
        "Gesamtstadt",
        "--raum",
        "West",
        "--pool",
        str(demo_pool),
        "--out",
        str(tmp_path),
    ]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert (
        "2 Berichte für 2019-Q2: 0 erstellt, 0 unverändert übersprungen, 2 ohne Daten nicht "
        "erstellt, 0 fehlgeschlagen"
    ) in res.output
    assert (
        "Nicht erstellt: Produkt 3 Wirkungskennzahlen der Sozialraumorientierung (2018, 2 "
        "Berichte): Für 2018 liegen keine "
    ) in res.output
    assert "FEHLER" not in res.output
    runs = json.loads((tmp_path / "2019-Q2" / "runs.json").read_text(encoding="utf-8"))
    for e in runs["reports"]:
        assert e["status"] == runner.KEINE_DATEN and e["html"] is None and e["fehler"] is None
        assert e["grund"].startswith("Für 2018 liegen keine ")
    assert not (tmp_path / "2019-Q2" / "3_wirkungskennzahlen").exists()
    index = (tmp_path / "2019-Q2" / "index.html").read_text(encoding="utf-8")
    assert "Nicht erstellte Berichte" in index and "nicht erstellt: keine Daten" in index
    assert "Fehlgeschlagene Berichte" not in index and "Für 2018 liegen keine " in index
    assert (
        CliRunner().invoke(cli, args).exit_code == 0
    )  # again: still nothing to do, still no failure


def test_mail_sends_the_others_and_says_what_was_not_made(tmp_path: Path):
    from test_mail import Fake, attachments, run

    fake = Fake(tmp_path)
    for e in fake.runs["reports"]:
        if e["produkt"] == 3:
            (fake.dir / e["html"]).unlink()
            e.update(
                status=runner.KEINE_DATEN,
                html=None,
                fehler=None,
                kernaussagen=[],
                grund="Für 2022 liegen keine Jugendhilfedaten vor (nicht geliefert); "
                "die Wirkungskennzahlen fehlen daher.",
            )
    fake.save()
    out = tmp_path / "eml"
    result = run(fake.args("--dry-run", str(out)))
    assert result.exit_code == 0, result.output
    assert (
        "Produkt 3: ohne Daten nicht erstellt, nicht versendet – Für 2022 liegen keine"
        in result.output
    )
    import email
    from email import policy

    names = [
        n
        for f in out.glob("*.eml")
        for n, _ in attachments(email.message_from_bytes(f.read_bytes(), policy=policy.default))
    ]
    assert names and not any(n.startswith("3_") for n in names)
    assert any(n.startswith("1_") for n in names)


# ------------------------------------------------------------------------- the demo pool's quarters
def _quartale_zum_testen(demo_pool: Path) -> list[str]:
    """The first quarter of the pool, the first quarter of each year and the last quarter."""
    alle = sorted({q for qs in runner.quartale(demo_pool).values() for q in qs})
    return list(dict.fromkeys([alle[0], *[q for q in alle if q.endswith("-Q1")], alle[-1]]))


#: through the real runner (kernels, HTML); the others of _quartale_zum_testen run in-process, and
#: the last quarter is the session's ``reports`` (all 24 of 2023-Q4)
IM_RUNNER = ("2018-Q4", "2019-Q1")


@pytest.fixture(scope="module")
def demo_laeufe(demo_pool: Path, tmp_path_factory) -> dict[str, runner.RunResult]:
    """All four products, Gesamtstadt and one Sozialraum, one runner call per quarter."""
    out = tmp_path_factory.mktemp("datenlage")
    raeume = ["Gesamtstadt", sozialraeume()[0]]
    return {
        q: runner.run(q, pool=demo_pool, out=out, raeume=raeume, workers=WORKERS, progress=False)
        for q in IM_RUNNER
    }


def test_the_quarters_tested(demo_pool: Path):
    assert _quartale_zum_testen(demo_pool) == [
        "2018-Q4",
        "2019-Q1",
        "2020-Q1",
        "2021-Q1",
        "2022-Q1",
        "2023-Q1",
        "2023-Q4",
    ]


def test_every_quarter_builds_every_report_or_says_why(demo_laeufe, reports: Path):
    erwartet_ohne = {"2018-Q4": {2, 3, 4}, "2019-Q1": {3}}
    for q, res in demo_laeufe.items():
        status = _status(res)
        ohne = erwartet_ohne.get(q, set())
        assert status == {p: ({runner.KEINE_DATEN} if p in ohne else {"ok"}) for p in ALLE}, (
            q,
            status,
        )
        assert len(res.entries) == 8
        assert bericht_probleme(res.out) == [], q
    # the last quarter: the session's 24 reports of 2023-Q4
    assert bericht_probleme(reports) == []
    runs = json.loads((reports / "runs.json").read_text(encoding="utf-8"))
    assert len(runs["reports"]) == 24 and {e["status"] for e in runs["reports"]} <= {
        "ok",
        "uebersprungen",
    }


def _pruefe_in_process(nb: Path, parameter: dict, monkeypatch) -> str:
    """Run a notebook in-process; assert no warning, no empty or NaN chart, no NaN/None/error
    text."""
    lauf = run_notebook(nb, parameter, monkeypatch)
    assert lauf.warnungen == [], [str(w.message) for w in lauf.warnungen]
    assert [p for f in lauf.figuren for p in achsen_probleme(f)] == []
    text = sichtbarer_text(lauf.text())
    found = SICHTBAR_VERBOTEN.search(text)
    assert found is None, text[max(0, found.start() - 100) : found.end() + 50]
    return text


#: the tested quarters in-process; the last, 2023-Q4, in tests/test_proofreading.py
#: (test_every_report_chart_labels_its_ticks_truly: the same checks, every area, on the one
#: in-process run of each report that also has its charts proofread)
IN_PROCESS = ("2018-Q4", "2019-Q1", "2020-Q1", "2021-Q1", "2022-Q1", "2023-Q1")


def test_every_tested_quarter_is_checked_in_process(demo_pool: Path):
    from test_proofreading import PERIODE

    assert [*IN_PROCESS, PERIODE] == _quartale_zum_testen(demo_pool)


@pytest.mark.parametrize("periode", IN_PROCESS)
@pytest.mark.parametrize("notebook", ["01", "02", "03", "04"])
def test_notebooks_in_process_on_the_demo_quarters(
    demo_pool: Path, periode: str, notebook: str, monkeypatch
):
    """Every tested quarter (also those the runner runs): the charts and texts the notebooks
    make (2023-Q4: tests/test_proofreading.py)."""
    nb = next(NOTEBOOKS.glob(f"{notebook}_*.ipynb"))
    for raum in ("Gesamtstadt", sozialraeume()[0]):
        _pruefe_in_process(
            nb, {"periode": periode, "sozialraum": raum, "pool": str(demo_pool)}, monkeypatch
        )


def test_early_reports_say_what_is_missing(demo_laeufe, demo_pool: Path, monkeypatch):
    q1 = demo_laeufe["2019-Q1"].out
    p1 = sichtbarer_text(_html(q1, 1, "Gesamtstadt"))
    assert (
        "Für 2018 liegen keine Sozialhilfedaten (erst ab dem 1. Quartal 2019 "
        "vollständig) "
        "und keine Transferleistungsdaten (erst ab dem Stichtag 31.03.2019 geliefert) vor; "
        "die Armutsindikatoren fehlen daher."
    ) in p1
    assert "Einwohner*innen" in p1 and "Haushalte" in p1  # and the rest is shown
    assert "für 2017 liegt keine Einwohnerzahl vor" in p1  # the key message without a previous year
    assert "Eine Entwicklung lässt sich erst ab zwei Jahren zeigen" in p1
    p2 = sichtbarer_text(_html(q1, 2, sozialraeume()[0]))
    assert "der Vergleich mit dem" not in p2 and "die Veränderungen fehlen daher" in p2
    assert (
        "Für das 4. Quartal 2018 (Vorquartal) und das 1. Quartal 2018 (Vorjahresquartal) liegen"
        in p2
    )
    assert "Ein Verlauf lässt sich erst ab zwei Stichtagen zeigen" in p2
    p4 = sichtbarer_text(_html(q1, 4, "Gesamtstadt"))
    assert "ohne Aussage (Vergleichsquartale fehlen noch: 30" in p4
    nb = next(NOTEBOOKS.glob("03_*.ipynb"))
    p3 = _pruefe_in_process(
        nb, {"periode": "2020-Q1", "sozialraum": "Gesamtstadt", "pool": str(demo_pool)}, monkeypatch
    )
    assert (
        "Für 2019 liegen keine Daten der Teilhabeteams vor (Exporte erst ab dem 4. Quartal 2020); "
        "die Kennzahl fehlt daher."
    ) in p3
    assert (
        "Für 2019 liegen keine Daten der Teilhabeteams vor (Exporte erst ab dem 4. Quartal 2020); "
        "daher fehlt „Anteil der Fälle mit Nahfeld- und sozialräumlichen Ressourcen“."
    ) in p3  # the key message
    # a change against the year before misses the year before, not the Teilhabeteams' data
    assert (
        "Für 2019 lässt sich noch keine Veränderung zum Vorjahr zeigen (für 2018 liegen keine "
        "Werte vor); daher fehlen „Veränderung der Nettoausgaben der Hilfen zur Erziehung je Fall"
    ) in p3


def test_produkt_3_charts_say_from_when_and_why(demo_pool: Path, reports: Path, monkeypatch):
    nb = next(NOTEBOOKS.glob("03_*.ipynb"))
    p3 = _pruefe_in_process(
        nb, {"periode": "2021-Q1", "sozialraum": "Gesamtstadt", "pool": str(demo_pool)}, monkeypatch
    )  # reports 2020
    assert (
        "Die Reihe beginnt 2019, weil die Exporte der Jugendhilfe erst ab dem "
        "1. Quartal "
        "2019 vollständig sind und die Exporte der Hilfen vor dem Fall Daten ab dem 1. Quartal "
        "2019 enthalten."
    ) in p3
    p3 = sichtbarer_text(_html(reports, 3, "Gesamtstadt"))  # reports 2023
    assert (
        "Die Reihe beginnt 2021, weil die Exporte der Teilhabeteams Daten ab dem 4. Quartal 2020 "
        "enthalten; ein Jahreswert braucht alle vier Quartale eines Jahres."
    ) in p3
    assert p3.count("Die Reihe beginnt 2019, weil") == 4  # the other four charts


# ---------------------------------------------------------------------------- other pools
@pytest.fixture(scope="module")
def nur_bevoelkerung(demo_raw: Path, tmp_path_factory) -> Path:
    """A pool built from the population table only."""
    from kennzahlen.pipeline import build_pool_frames
    from kennzahlen.pool.write import write_pool

    base = tmp_path_factory.mktemp("nur_bevoelkerung")
    raw = base / "raw"
    raw.mkdir()
    for f in demo_raw.glob("bevoelkerung_*"):
        shutil.copy(f, raw / f.name)
    frames, _ = build_pool_frames(raw)
    write_pool(frames, base / "pool")
    return base / "pool"


def test_population_only_pool_builds_produkt_1_and_says_why_not_the_others(
    nur_bevoelkerung: Path, tmp_path: Path
):
    q = runner.quartale(nur_bevoelkerung)
    assert q[2] == q[3] == q[4] == [] and q[1][0] == "2018-Q4" and q[1][-1] == "2023-Q4"
    raeume = ["Gesamtstadt", sozialraeume()[-1]]
    for periode, jahr in (("2019-Q1", "2018"), ("2023-Q4", "2023")):
        res = runner.run(
            periode,
            pool=nur_bevoelkerung,
            out=tmp_path,
            raeume=raeume,
            workers=WORKERS,
            progress=False,
        )
        assert _status(res) == {
            1: {"ok"},
            2: {runner.KEINE_DATEN},
            3: {runner.KEINE_DATEN},
            4: {runner.KEINE_DATEN},
        }
        assert bericht_probleme(res.out) == []
        grund = {e["produkt"]: e["grund"] for e in res.nicht_erstellt}
        assert grund[4].endswith("(nicht geliefert); die Ampel fehlt daher.")
        assert grund[2].endswith("(nicht geliefert); die Quartalsmeldung fehlt daher.")
        p1 = sichtbarer_text(_html(res.out, 1, raeume[1]))
        assert (
            f"Für {jahr} liegen keine Haushaltsdaten vor (nicht geliefert); die Haushaltszahlen "
            "fehlen daher." in p1
        )
        assert (  # the deliveries as the department calls them, never the raw table names
            "keine Lieferung: Haushaltegenerierung, Sozialhilfe (Open), Transferleistungen "
            "(Jobcenter, Wohngeld- und AsylbLG-Stelle)" in p1
        )
        assert "Einwohner*innen" in p1


@pytest.mark.parametrize("notebook", ["02", "03", "04"])
def test_skipped_notebooks_still_run_on_their_own(
    nur_bevoelkerung: Path, notebook: str, monkeypatch
):
    """Opened by hand on a pool without their data, the notebooks say so instead of failing."""
    nb = next(NOTEBOOKS.glob(f"{notebook}_*.ipynb"))
    lauf = run_notebook(
        nb,
        {"periode": "2021-Q4", "sozialraum": "Gesamtstadt", "pool": str(nur_bevoelkerung)},
        monkeypatch,
    )
    text = sichtbarer_text(lauf.text())
    assert text.count("Für ") >= 1 and (" fehlt daher." in text or " fehlen daher." in text)
    assert not lauf.figuren and not lauf.warnungen
    assert SICHTBAR_VERBOTEN.search(text) is None


@pytest.fixture(scope="module")
def teilpools(demo_raw: Path, tmp_path_factory) -> dict[str, Path]:
    """Pools lacking whole tables: transfers and population only; case tables without population."""
    from kennzahlen.pipeline import build_pool_frames
    from kennzahlen.pool.write import write_pool

    out = {}
    for name, tabellen in {
        "transfer": ("bevoelkerung", "transferleistungen"),
        "faelle": ("jugendhilfe", "sozialhilfe", "hilfen_vor_dem_fall", "teilhabeteam"),
    }.items():
        base = tmp_path_factory.mktemp(name)
        (base / "raw").mkdir()
        for t in tabellen:
            for f in demo_raw.glob(f"{t}_*"):
                shutil.copy(f, base / "raw" / f.name)
        frames, _ = build_pool_frames(base / "raw")
        write_pool(frames, base / "pool")
        out[name] = base / "pool"
    return out


@pytest.mark.parametrize(
    "pool_name, periode", [("transfer", "2020-Q1"), ("faelle", "2019-Q1"), ("faelle", "2021-Q1")]
)
@pytest.mark.parametrize("notebook", ["01", "02", "03", "04"])
def test_notebooks_on_pools_lacking_tables(
    teilpools, pool_name: str, periode: str, notebook: str, monkeypatch
):
    nb = next(NOTEBOOKS.glob(f"{notebook}_*.ipynb"))
    for raum in ("Gesamtstadt", sozialraeume()[1]):
        _pruefe_in_process(
            nb,
            {"periode": periode, "sozialraum": raum, "pool": str(teilpools[pool_name])},
            monkeypatch,
        )


def test_second_city_first_quarters(zweite_stadt: Path, tmp_path: Path):
    """The second city (tests/test_zweite_stadt.py; its 2023-Q4 runs there, on the same session's
    build of it): its first quarters."""
    from test_zweite_stadt import SOZIALRAEUME

    base = tmp_path
    stadt = {"pool": base / "pool"}
    shutil.copytree(zweite_stadt / "pool", stadt["pool"])  # the runs record their plans there
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(paths.CONFIG_ENV, str(zweite_stadt / "config"))
        q = runner.quartale(stadt["pool"])
        erste = sorted({x for qs in q.values() for x in qs})[0]
        assert erste == "2018-Q4"
        for periode in (erste, "2019-Q1"):
            res = runner.run(
                periode,
                pool=stadt["pool"],
                out=base / "reports",
                raeume=["Gesamtstadt", SOZIALRAEUME[0]],
                workers=WORKERS,
                progress=False,
            )
            assert bericht_probleme(res.out) == [], periode
            assert not res.failed and len(res.entries) == 8
            assert all(e["status"] == "ok" or e["grund"].startswith("Für ") for e in res.entries)
        assert _status(res) == {1: {"ok"}, 2: {"ok"}, 3: {runner.KEINE_DATEN}, 4: {"ok"}}  # 2019-Q1


def test_grey_lights_say_why(demo_pool: Path):
    """Counted by hand from the demo's Ampel: in 2019-Q1 no rule has its comparison quarters yet,
    and two Arbeitsfelder (Hilfen vor dem Fall 2018, Nahfeld-Quote) have no value in all six
    areas; in 2023-Q4 the four grey lights are Wohnraumsicherung with under 10 cases."""
    from kennzahlen.products.ampelbericht import bericht as p4

    lichter, details = p4.load_ampel(demo_pool, "2019-Q1")
    assert p4.grau_gruende(lichter, details) == {
        "Vergleichsquartale fehlen noch": 30,
        "kein Wert": 12,
    }
    lichter, details = p4.load_ampel(demo_pool, "2023-Q4")
    assert p4.grau_gruende(lichter, details) == {"zu wenige Fälle": 4}
    assert set(lichter.loc[lichter["farbe"] == "grau", "arbeitsfeld"]) == {"ws"}
    assert (
        "4 ohne Aussage (zu wenige Fälle: 4)."
        in p4.kernaussagen(lichter, "2023-Q4", "Gesamtstadt", details)[0]
    )
