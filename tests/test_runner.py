"""The batch runner on tiny notebooks: failures stay local, parameters are checked, reruns skip."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from kennzahlen import runner
from kennzahlen.cli import expand_multi
from kennzahlen.core.vocabulary import PRODUKTE


def _notebook(
    path: Path,
    body: str,
    params: str = 'periode = "2023-Q4"\nsozialraum = "Gesamtstadt"\npool = None',
) -> None:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    p = new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, new_code_cell(body)]
    nbformat.write(nb, path)


def manifest(inhalt: str) -> str:
    """A fake pool's manifest.json, with the identity of the configuration in use (a pool of
    another or no configuration is refused)."""
    from kennzahlen.catalog import stadtkennung

    stadt = stadtkennung.aktuell().stempel()
    return json.dumps({"dateien": {"kennzahlen.parquet": inhalt}, "stadt": stadt})


@pytest.fixture()
def setup(tmp_path: Path) -> dict[str, Path]:
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    pool = tmp_path / "pool"
    pool.mkdir()
    (pool / "manifest.json").write_text(manifest("abc"))
    ok = (
        'from IPython.display import HTML, display\ndisplay(HTML(f"<p>Bericht {sozialraum} '
        '{periode}</p>"))'
    )
    _notebook(nbs / PRODUKTE[1].notebook, ok)
    _notebook(nbs / PRODUKTE[3].notebook, ok)
    _notebook(
        nbs / PRODUKTE[4].notebook,
        'if sozialraum == "Wiblingen":\n    raise ValueError("kaputt in Wiblingen")\nprint("ok")',
    )
    return {"nbs": nbs, "pool": pool, "out": tmp_path / "reports"}


def _run(s: dict[str, Path], produkte, raeume, force=False, workers=1):
    """A run on the tiny notebooks: one warm kernel (two worker processes where the workers are
    the point: a failure stays in its worker)."""
    return runner.run(
        "2023-Q4",
        produkte,
        raeume,
        s["pool"],
        s["out"],
        force=force,
        workers=workers,
        notebooks=s["nbs"],
        progress=False,
    )


def test_failing_report_does_not_stop_the_others(setup):
    res = _run(setup, [1, 4], ["Wiblingen", "West"], workers=2)
    status = {(e["produkt"], e["raum"]): e["status"] for e in res.entries}
    assert status == {
        (1, "Wiblingen"): "ok",
        (1, "West"): "ok",
        (4, "Wiblingen"): "fehler",
        (4, "West"): "ok",
    }
    failed = res.failed[0]
    assert "kaputt in Wiblingen" in failed["fehler"]
    # the failed report is kept as an executed notebook with its error
    executed = setup["out"] / "2023-Q4" / "4_ampel" / "wiblingen.ipynb"
    assert "kaputt in Wiblingen" in executed.read_text()
    assert not (setup["out"] / "2023-Q4" / "4_ampel" / "wiblingen.html").exists()
    html = (setup["out"] / "2023-Q4" / "1_sozialstruktur" / "west.html").read_text()
    assert "Bericht West 2023-Q4" in html
    index = (setup["out"] / "2023-Q4" / "index.html").read_text()
    assert "Fehlgeschlagene Berichte" in index and "1_sozialstruktur/west.html" in index


def test_unknown_parameter_is_refused(setup):
    _notebook(setup["nbs"] / PRODUKTE[3].notebook, "print(1)", params='periode = "x"\npool = None')
    with pytest.raises(runner.RunnerError, match="unbekannte\\(r\\) Parameter sozialraum"):
        _run(setup, [3], ["West"])


def test_unchanged_rerun_executes_nothing_and_a_change_reruns(setup):
    first = _run(setup, [1], ["West", "Gesamtstadt"])
    assert {e["status"] for e in first.entries} == {"ok"}
    html = setup["out"] / "2023-Q4" / "1_sozialstruktur" / "west.html"
    mtime = html.stat().st_mtime_ns
    second = _run(setup, [1], ["West", "Gesamtstadt"])
    assert {e["status"] for e in second.entries} == {"uebersprungen"}
    assert html.stat().st_mtime_ns == mtime
    # a new pool (new export arrived) makes every report stale
    (setup["pool"] / "manifest.json").write_text(manifest("def"))
    third = _run(setup, [1], ["West"])
    assert [e["status"] for e in third.entries] == ["ok"]
    forced = _run(setup, [1], ["West"], force=True)
    assert [e["status"] for e in forced.entries] == ["ok"]
    runs = json.loads((setup["out"] / "2023-Q4" / "runs.json").read_text())
    assert {(e["produkt"], e["raum"]) for e in runs["reports"]} == {(1, "West"), (1, "Gesamtstadt")}


def test_bad_period_and_area_are_refused(setup):
    with pytest.raises(runner.RunnerError, match="JJJJ-Qn"):
        runner.plan("2023-4", [1], None, setup["pool"], setup["out"], setup["nbs"])
    with pytest.raises(runner.RunnerError, match="Unbekannte"):
        runner.plan("2023-Q4", [1], ["Atlantis"], setup["pool"], setup["out"], setup["nbs"])


def test_berichtszeitraum_and_slug():
    assert runner.berichtszeitraum(2, "2021-Q4") == "2021-Q4"
    assert runner.berichtszeitraum(1, "2021-Q4") == "2021"
    assert runner.berichtszeitraum(3, "2022-Q3") == "2021"
    assert runner.slug("Mitte/Ost") == "mitte-ost" and runner.slug("Böfingen") == "boefingen"


def test_cli_accepts_several_values_after_one_flag():
    args = expand_multi(
        [
            "report",
            "--periode",
            "2023-Q4",
            "--produkt",
            "1",
            "2",
            "--raum",
            "West",
            "Mitte/Ost",
            "--force",
        ]
    )
    assert args == [
        "report",
        "--periode",
        "2023-Q4",
        "--produkt",
        "1",
        "--produkt",
        "2",
        "--raum",
        "West",
        "--raum",
        "Mitte/Ost",
        "--force",
    ]


def test_one_retry_on_a_kernel_start_failure(setup, monkeypatch):
    import papermill

    calls = []
    real = papermill.execute_notebook

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    monkeypatch.setattr(time, "sleep", lambda s: None)
    res = runner.run(
        "2023-Q4",
        [1],
        ["West"],
        setup["pool"],
        setup["out"],
        workers=1,
        notebooks=setup["nbs"],
        progress=False,
    )
    assert [e["status"] for e in res.entries] == ["ok"] and len(calls) == 2


def test_other_errors_are_not_retried(setup, monkeypatch):
    import papermill

    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise ValueError("kaputt")

    monkeypatch.setattr(papermill, "execute_notebook", broken)
    res = runner.run(
        "2023-Q4",
        [1],
        ["West"],
        setup["pool"],
        setup["out"],
        workers=1,
        notebooks=setup["nbs"],
        progress=False,
    )
    assert [e["status"] for e in res.entries] == ["fehler"] and len(calls) == 1


def test_warm_kernel_leaves_nothing_behind_between_reports(setup):
    """Reports share a warm kernel per worker; each starts with an empty namespace."""
    _notebook(
        setup["nbs"] / PRODUKTE[1].notebook,
        "leftover = sozialraum\nimport os\nprint(os.getpid())",
    )
    _notebook(
        setup["nbs"] / PRODUKTE[3].notebook,
        'assert "leftover" not in globals(), "state leaked from the previous report"\nimport '
        "os\nprint(os.getpid())",
    )
    res = runner.run(
        "2023-Q4",
        [1, 3],
        ["West"],
        setup["pool"],
        setup["out"],
        workers=1,
        notebooks=setup["nbs"],
        progress=False,
    )
    assert [e["status"] for e in res.entries] == ["ok", "ok"]
    pids = [
        nbformat.read(setup["out"] / "2023-Q4" / PRODUKTE[n].ordner / "west.ipynb", as_version=4)
        .cells[-1]
        .outputs[0]["text"]
        .strip()
        for n in (1, 3)
    ]
    assert pids[0] == pids[1], "both reports ran in the same (warm) kernel"


def test_a_late_export_redoes_only_the_products_that_show_it(demo_pool):
    manifest = json.loads((demo_pool / "manifest.json").read_text())
    before = {n: runner.product_dependencies(n, manifest) for n in PRODUKTE}
    assert all(before.values())
    late = json.loads(json.dumps(manifest))
    late["stand"]["jugendhilfe"] = "a-new-export"
    after = {n: runner.product_dependencies(n, late) for n in PRODUKTE}
    assert after[1] == before[1]  # Sozialstruktur does not show Jugendhilfe
    assert all(after[n] != before[n] for n in (2, 3, 4))
    changed = json.loads(json.dumps(manifest))
    changed["kennzahlen"]["bev_gesamt"] = "other"
    after = {n: runner.product_dependencies(n, changed) for n in PRODUKTE}
    assert after[1] != before[1] and after[2] == before[2] and after[4] == before[4]


def test_reports_carry_their_identity_and_internal_ones_say_so(setup):
    """Each report names what it is (product, area, period, city) in a <meta> tag, runs.json the
    city and each file's checksum; internal reports and the index page say 'intern – nicht zur
    Weitergabe', the public Produkt 3 does not."""
    import hashlib

    from kennzahlen.catalog import stadtkennung
    from kennzahlen.mail.identitaet import kennung_der_datei

    res = _run(setup, [1, 3], ["West"])
    assert not res.failed, res.failed
    out = setup["out"] / "2023-Q4"
    stadt = stadtkennung.aktuell().stempel()
    p1 = out / "1_sozialstruktur" / "west.html"
    assert kennung_der_datei(p1) == {
        "produkt": 1,
        "raum": "West",
        "periode": "2023-Q4",
        "berichtszeitraum": "2023",
        "stadt": stadt,
    }
    assert "intern – nicht zur Weitergabe" in p1.read_text()
    assert (
        "intern – nicht zur Weitergabe"
        not in (out / "3_wirkungskennzahlen" / "west.html").read_text()
    )
    assert "intern – nicht zur Weitergabe" in (out / "index.html").read_text()
    runs = json.loads((out / "runs.json").read_text())
    assert runs["stadt"] == stadt
    e = next(e for e in runs["reports"] if e["produkt"] == 1)
    assert e["dateien"] == {e["html"]: hashlib.sha256(p1.read_bytes()).hexdigest()}
