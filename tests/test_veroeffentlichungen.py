"""The publication ledger of Produkt 3 (kennzahlen.disclosure.veroeffentlichungen): kept with the
pool,
written atomically, read by the reports instead of recomputing the year's plan."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_attack import _hzp_pool

from kennzahlen.api import load_pool
from kennzahlen.core.safeio import TEMP_TAG
from kennzahlen.core.schema import OHNE_ZUORDNUNG
from kennzahlen.disclosure import plan as dp
from kennzahlen.disclosure import veroeffentlichungen as buch
from kennzahlen.pool import store as poolstore
from kennzahlen.products import wirkung

KID = "ah_z4_anteil_hzp_ambulant"


@pytest.fixture(autouse=True)
def _frische_plaene():
    wirkung.plan._PLAENE.clear()
    yield
    wirkung.plan._PLAENE.clear()


def _status(plan) -> dict:
    return {o: plan.status(*o) for o in plan.orte}


def test_the_reports_read_the_recorded_plan(tmp_path: Path, monkeypatch):
    """The first report of the year decides and records the plan; every later one (another
    process, a rerun) reads it and decides nothing: the same statuses, the same publication."""
    pool = wirkung.zur_veroeffentlichung(_hzp_pool(), tmp_path)
    erst = wirkung.plan_jahr(pool, "2023")
    assert erst.nr == 1 and [v.nr for v in buch.load_veroeffentlichungen(tmp_path, 3, "2023")] == [
        1
    ]
    wirkung.plan._PLAENE.clear()

    def kein_neuer_plan(*a, **k):
        raise AssertionError("der Plan steht im Veröffentlichungsbuch")

    monkeypatch.setattr(dp, "build_plan", kein_neuer_plan)
    gelesen = wirkung.plan_jahr(wirkung.zur_veroeffentlichung(_hzp_pool(), tmp_path), "2023")
    assert gelesen.nr == 1 and _status(gelesen) == _status(erst)
    z = gelesen.zelle(KID, "Zähler", OHNE_ZUORDNUNG)
    assert (
        z.status == "klein" and z.intervall == erst.zelle(KID, "Zähler", OHNE_ZUORDNUNG).intervall
    )
    t = wirkung.kennzahl_tabelle(pool, wirkung.kennzahlen_p3("2023")[0], "2023")
    assert t.plan is not None
    assert len(buch.load_veroeffentlichungen(tmp_path, 3, "2023")) == 1


def test_new_counts_are_a_new_publication_that_hides_at_least_as_much(tmp_path: Path):
    """A late export changes a count: the year is published again, as publication 2, made with
    publication 1 (everything 1 hid stays hidden)."""
    erst = wirkung.plan_jahr(wirkung.zur_veroeffentlichung(_hzp_pool(), tmp_path), "2023")
    spaet = _hzp_pool()
    m = (spaet["kennzahl"] == KID) & (spaet["raum"].isin([OHNE_ZUORDNUNG, "Gesamtstadt"]))
    spaet.loc[m, ["zaehler", "nenner"]] += 2  # two late ambulant cases without address: 3 of 6
    dann = wirkung.plan_jahr(wirkung.zur_veroeffentlichung(spaet, tmp_path), "2023")
    assert [v.nr for v in buch.load_veroeffentlichungen(tmp_path, 3, "2023")] == [
        1,
        2,
    ] and dann.nr == 2
    for ort, st in _status(erst).items():
        if st in ("klein", "gesperrt"):
            assert dann.status(*ort) in ("klein", "gesperrt"), ort
    assert dann.zelle(KID, "Zähler", OHNE_ZUORDNUNG).vorgesperrt  # 3 now, hidden still
    assert len(dann.frueher) > 0


def test_a_killed_write_leaves_no_publication(tmp_path: Path):
    """A publication file the index does not name (the run died in between) was never used by
    a report: it does not count and is written again."""
    ordner = buch.ordner(tmp_path, 3, "2023")
    ordner.mkdir(parents=True)
    (ordner / "001.parquet").write_bytes(b"halb geschrieben")
    temp = ordner / f"{TEMP_TAG}index.abc123.json"  # a temp file of an interrupted index write
    temp.write_text("{", encoding="utf-8")
    assert buch.load_veroeffentlichungen(tmp_path, 3, "2023") == []
    plan = wirkung.plan_jahr(wirkung.zur_veroeffentlichung(_hzp_pool(), tmp_path), "2023")
    assert plan.nr == 1
    index = json.loads((ordner / "index.json").read_text(encoding="utf-8"))
    assert [v["datei"] for v in index["veroeffentlichungen"]] == ["001.parquet"]
    assert len(buch.load_veroeffentlichungen(tmp_path, 3, "2023")[0].frame()) > 0
    assert not temp.exists()  # cleaned under the ledger's lock


def test_the_ledger_survives_a_pool_rebuild(tmp_path: Path):
    """The ledger lives in the pool folder beside the versions: a new pool build neither refuses
    the folder nor touches the ledger (pruned versions do not take it along)."""
    from kennzahlen.pool.write import write_pool
    from kennzahlen.pool.zaehlen import POOL_COLUMNS

    pool_dir = tmp_path / "pool"
    stand = pd.DataFrame(
        {
            "datei": ["sozialhilfe_2024-01-18.csv"],
            "tabelle": ["sozialhilfe"],
            "stand": [pd.Timestamp("2024-01-18")],
            "zeilen": [1],
        }
    )
    frames = {"kennzahlen": _hzp_pool()[POOL_COLUMNS], "stand": stand}
    write_pool(frames, pool_dir)
    daten = wirkung.zur_veroeffentlichung(load_pool(pool_dir), pool_dir)
    wirkung.plan_jahr(daten, "2023")
    index = buch.ordner(pool_dir, 3, "2023") / "index.json"
    vorher = index.read_bytes()
    for tag in (1, 2, 3):  # three rebuilds: old versions are pruned
        neu = _hzp_pool()
        neu.loc[neu["kennzahl"] == "bev_gesamt", "zaehler"] += tag
        write_pool({**frames, "kennzahlen": neu[POOL_COLUMNS]}, pool_dir)
    assert poolstore.foreign_entries(pool_dir) == []
    assert index.read_bytes() == vorher
    assert len(list((pool_dir / poolstore.VERSIONS).iterdir())) == 2


def _pool_mit_stand(pool_dir: Path, kennzahlen: pd.DataFrame, stand: str) -> pd.DataFrame:
    """A pool version with these Kennzahlen and a Sozialhilfe export of this Stand (marked for
    publication, as the reports read it)."""
    from kennzahlen.pool.write import write_pool
    from kennzahlen.pool.zaehlen import POOL_COLUMNS

    exporte = pd.DataFrame(
        {
            "datei": [f"sozialhilfe_{stand}.csv", "bevoelkerung_2024-01-23.csv"],
            "tabelle": ["sozialhilfe", "bevoelkerung"],
            "stand": [pd.Timestamp(stand), pd.Timestamp("2024-01-23")],
            "zeilen": [1, 1],
        }
    )
    write_pool({"kennzahlen": kennzahlen[POOL_COLUMNS], "stand": exporte}, pool_dir)
    return wirkung.zur_veroeffentlichung(load_pool(pool_dir), pool_dir)


def test_a_changed_value_appears_in_the_revisions_table(tmp_path: Path):
    """2023 is published; a late Sozialhilfe export (Stand 15.02.2024) adds two ambulant HzP
    cases in West; the next publication of 2023 shows 33 of 180 instead of 31 of 178: the
    revisions table lists old, new and the late export as cause, for West and Gesamtstadt."""
    from kennzahlen.products.wirkung import revisionen

    pool_dir = tmp_path / "pool"
    erst = _pool_mit_stand(pool_dir, _hzp_pool(), "2024-01-18")
    assert wirkung.plan_jahr(erst, "2023").nr == 1
    assert revisionen.revisionen(erst, ["2023"]).empty  # one publication: nothing revised
    spaet = _hzp_pool()
    for raum in ("West", "Gesamtstadt"):
        m = (spaet["kennzahl"] == KID) & (spaet["raum"] == raum)
        spaet.loc[m, ["zaehler", "nenner"]] += 2
    dann = _pool_mit_stand(pool_dir, spaet, "2024-02-15")
    assert wirkung.plan_jahr(dann, "2023").nr == 2
    tab = revisionen.revisionen(dann, ["2023"])
    heute = pd.Timestamp.now().strftime("%d.%m.%Y")
    gezeigt = {
        (r.Gebiet, r.Angabe): (
            r.bisher.replace(f" ({heute})", ""),
            r.neu.replace(f" ({heute})", ""),
        )
        for r in tab.itertuples()
    }
    assert gezeigt == {  # 31/178 = 17,4 %, 33/180 = 18,3 %; 116/579 = 20,0 %, 118/581 = 20,3 %
        ("West", "Zähler"): ("31", "33"),
        ("West", "Nenner"): ("178", "180"),
        ("West", "Wert"): ("17,4\xa0%", "18,3\xa0%"),
        ("Gesamtstadt", "Zähler"): ("116", "118"),
        ("Gesamtstadt", "Nenner"): ("579", "581"),
        ("Gesamtstadt", "Wert"): ("20,0\xa0%", "20,3\xa0%"),
    }
    assert set(tab["Kennzahl"]) == {"Anteil ambulanter Hilfe zur Pflege"}
    assert set(tab["Ursache"]) == {
        "Späte Lieferung: Sozialhilfe (Open) mit Stand 15.02.2024 (vorher 18.01.2024)"
    }
    assert set(tab["Jahr"]) == {"2023"}
