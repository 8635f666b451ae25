"""runs.json entries as one dataclass (issue 29): statuses are an enum, the file keeps its shape."""

from __future__ import annotations

import json

import pytest

from kennzahlen.runner import RunnerError, Status
from kennzahlen.runner.eintrag import Eintrag
from kennzahlen.runner.runs import RunResult, eintraege, load_runs, write_runs

#: a runs.json as the runner wrote it before entries were a dataclass (one entry of each kind)
ALT = {
    "periode": "2023-Q4",
    "pool": "/daten/processed",
    "pool_manifest_sha256": "ab" * 32,
    "reports": [
        {
            "produkt": 1,
            "produkt_ordner": "1_sozialstruktur",
            "produkt_titel": "Sozialstrukturelle Daten",
            "raum": "Gesamtstadt",
            "slug": "gesamtstadt",
            "berichtszeitraum": "2022",
            "html": "1_sozialstruktur/gesamtstadt.html",
            "anhaenge": ["1_sozialstruktur/gesamtstadt.xlsx"],
            "notebook": "1_sozialstruktur/gesamtstadt.ipynb",
            "input_hash": "11",
            "pool_manifest_sha256": "ab" * 32,
            "erstellt": "2026-12-05T10:00:00",
            "dateien": {"1_sozialstruktur/gesamtstadt.html": "cd"},
            "status": "uebersprungen",
            "fehler": None,
            "kernaussagen": ["Ulm wächst."],
            "zielwerte": [],
            "sekunden": 12.5,
            "pdf": "1_sozialstruktur/gesamtstadt.pdf",
            "pdf_quelle": "ef",
        },
        {
            "produkt": 2,
            "produkt_ordner": "2_quartalsmeldung",
            "produkt_titel": "Quartalsmeldung",
            "raum": "West",
            "slug": "west",
            "berichtszeitraum": "2023-Q4",
            "html": "2_quartalsmeldung/west.html",
            "anhaenge": [],
            "notebook": "2_quartalsmeldung/west.ipynb",
            "input_hash": "22",
            "pool_manifest_sha256": "ab" * 32,
            "erstellt": "2026-12-05T10:00:01",
            "status": "fehler",
            "fehler": "Zelle 3: KeyError 'x'",
            "sekunden": 1.0,
        },
        {
            "produkt": 3,
            "produkt_ordner": "3_wirkungskennzahlen",
            "produkt_titel": "Wirkungskennzahlen",
            "raum": "Böfingen",
            "slug": "boefingen",
            "berichtszeitraum": "2022",
            "html": None,
            "anhaenge": [],
            "input_hash": "33",
            "pool_manifest_sha256": None,
            "erstellt": "2026-12-05T10:00:02",
            "status": "keine_daten",
            "fehler": None,
            "grund": "Der Datenpool enthält für 2022 keine Werte.",
            "eigenes_feld": {"von": "einer späteren Version"},
        },
    ],
    "lauf": {"schluessel": "k", "berichte": [[1, "Gesamtstadt"]], "raeume": [], "warnungen": []},
}


def test_an_old_runs_json_loads_as_entries_and_is_written_back_the_same(tmp_path):
    (tmp_path / "runs.json").write_text(json.dumps(ALT, indent=2, ensure_ascii=False) + "\n")
    entries = eintraege(load_runs(tmp_path))
    assert [type(e) for e in entries] == [Eintrag] * 3
    assert [e.status for e in entries] == [Status.UEBERSPRUNGEN, Status.FEHLER, Status.KEINE_DATEN]
    assert entries[2].weitere == {"eigenes_feld": {"von": "einer späteren Version"}}
    # every entry is written back as it was read: the same keys in the same order, the same values
    assert [e.als_json() for e in entries] == ALT["reports"]
    assert [list(e.als_json()) for e in entries] == [list(r) for r in ALT["reports"]]
    out = tmp_path / "neu"
    out.mkdir()
    merged = {e.schluessel: e for e in entries}
    write_runs(out, "2023-Q4", ALT["pool"], ALT["pool_manifest_sha256"], merged, lauf=ALT["lauf"],
               index=False)  # fmt: skip
    alt = (tmp_path / "runs.json").read_text(encoding="utf-8")
    assert (out / "runs.json").read_text(encoding="utf-8") == alt


def test_a_status_is_an_enum_that_json_writes_as_its_word():
    assert Status("keine_daten") is Status.KEINE_DATEN
    assert json.dumps({"status": Status.UEBERSPRUNGEN}) == '{"status": "uebersprungen"}'
    assert Status.FEHLER == "fehler"  # readers of runs.json as JSON compare with the word


def test_run_result_sorts_by_status_enum():
    entries = eintraege(ALT)
    result = RunResult("2023-Q4", None, entries, 1.0)  # type: ignore[arg-type]
    assert [e.raum for e in result.failed] == ["West"]
    assert [e.grund for e in result.nicht_erstellt] == [ALT["reports"][2]["grund"]]


def test_an_unknown_status_is_named_in_german():
    kaputt = {**ALT["reports"][1], "status": "halb"}
    with pytest.raises(RunnerError, match="Bericht 2/West hat den unbekannten Status 'halb'"):
        Eintrag.aus_json(kaputt)
