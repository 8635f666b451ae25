"""Which worker makes which report (issue 28): a product's reports stay with one warm worker, every
report is handed out exactly once, and a run of one product still uses a second worker."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from kennzahlen.runner.jobs import Job
from kennzahlen.runner.verteilung import Verteilung, kosten_aus

RAEUME = ["Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen", "Gesamtstadt"]


def _jobs(produkte: list[int], raeume: list[str] = RAEUME) -> list[Job]:
    return [Job(nr, raum, "2023-Q4", "pool", "out", "nb") for nr in produkte for raum in raeume]


def _lauf(jobs: list[Job], n: int, seed: int | None) -> dict[int, list[Job]]:
    """Hand out every job to ``n`` workers that finish in a random order (``seed``) or in turn
    (None): what each one made."""
    verteilung = Verteilung(jobs)
    gemacht: dict[int, list[Job]] = {i: [] for i in range(n)}
    laufend = {}
    for i in range(n):
        job = verteilung.naechster(i)
        if job is not None:
            laufend[i] = job
    rng = random.Random(seed)
    while laufend:
        # in turn: the one that started its report first (all reports take as long)
        i = next(iter(laufend)) if seed is None else rng.choice(sorted(laufend))
        gemacht[i].append(laufend.pop(i))
        job = verteilung.naechster(i)
        if job is not None:
            laufend[i] = job
    assert verteilung.uebrig() == 0
    return gemacht


def test_a_quarter_on_two_workers_makes_each_product_in_one_worker():
    jobs = _jobs([1, 2, 3, 4])
    gemacht = _lauf(jobs, 2, seed=None)
    for nr in (1, 2, 3, 4):
        bei = [i for i, made in gemacht.items() if any(j.produkt == nr for j in made)]
        assert len(bei) == 1, (nr, bei)
        assert [j.raum for j in gemacht[bei[0]] if j.produkt == nr] == RAEUME  # in plan order


def test_every_report_is_handed_out_once_whatever_the_order_of_finishing():
    jobs = _jobs([1, 2, 3, 4])
    for seed in range(50):
        gemacht = _lauf(jobs, 2, seed)
        alle = [job for made in gemacht.values() for job in made]
        assert sorted(map(id, alle)) == sorted(map(id, jobs))
        for nr in (1, 2, 3, 4):  # a product joined by the other worker: it has at least two
            for made in gemacht.values():
                anzahl = sum(1 for j in made if j.produkt == nr)
                assert anzahl in (0, 6) or anzahl >= 2, (seed, nr, anzahl)


def test_the_first_products_go_to_different_workers_and_a_worker_keeps_its_product():
    verteilung = Verteilung(_jobs([1, 2, 3, 4]))
    assert (verteilung.naechster(0).produkt, verteilung.naechster(1).produkt) == (1, 2)
    assert [verteilung.naechster(1).produkt for _ in range(5)] == [2] * 5
    assert verteilung.naechster(1).produkt == 3  # its product done: one nobody has started
    assert verteilung.naechster(0).produkt == 1


def test_one_product_is_shared_only_when_each_worker_keeps_enough_reports():
    gemacht = _lauf(_jobs([3]), 2, seed=1)
    assert all(gemacht.values())  # six reports: the second worker joins
    verteilung = Verteilung(_jobs([3], RAEUME[:3]))
    assert verteilung.naechster(0) is not None
    assert verteilung.naechster(1) is None  # two left: not worth a second first report
    assert verteilung.uebrig() == 2


def test_many_workers_and_areas_get_every_report_once():
    raeume = [f"Raum {k}" for k in range(30)]
    jobs = _jobs([1, 2, 3, 4], raeume)
    for n in (1, 3, 8):
        gemacht = _lauf(jobs, n, seed=n)
        alle = [job for made in gemacht.values() for job in made]
        assert sorted(map(id, alle)) == sorted(map(id, jobs))
        assert sum(1 for made in gemacht.values() if made) == n  # every worker has work


#: seconds a report of each product took in a quarter of the demo (about 13, 6, 22 and 7 s each)
KOSTEN = {1: 2.23, 2: 0.98, 3: 3.73, 4: 1.08}


def _dauer(kosten: dict[int, float] | None, n: int = 2) -> float:
    """When the last of ``n`` workers ends a quarter whose reports take ``KOSTEN`` seconds each,
    handed out by a Verteilung that knows ``kosten`` (or nothing)."""
    verteilung = Verteilung(_jobs([1, 2, 3, 4]), kosten)
    frei = dict.fromkeys(range(n), 0.0)  # worker -> when it is free
    ende = 0.0
    while frei:
        i = min(frei, key=lambda w: (frei[w], w))
        job = verteilung.naechster(i)
        if job is None:
            ende = max(ende, frei.pop(i))
            continue
        frei[i] += KOSTEN[job.produkt]
    assert verteilung.uebrig() == 0
    return ende


def test_the_costliest_product_starts_first_when_an_earlier_run_tells():
    verteilung = Verteilung(_jobs([1, 2, 3, 4]), KOSTEN)
    assert (verteilung.naechster(0).produkt, verteilung.naechster(1).produkt) == (3, 1)
    assert [verteilung.naechster(1).produkt for _ in range(5)] == [1] * 5
    assert verteilung.naechster(1).produkt == 4  # then the costlier of the two left
    # without an earlier run: as many reports each, plan order
    assert Verteilung(_jobs([1, 2, 3, 4]), {}).naechster(0).produkt == 1


def test_the_workers_end_closer_together_with_the_costs_of_the_last_run():
    # by hand: without, worker 0 makes 1 and 4 (13.4 + 6.5 s), worker 1 makes 2 and 3 (5.9 +
    # 22.4 s = 28.3 s); with, worker 0 makes 3 (22.4 s), worker 1 makes 1, 4 and 2 (25.8 s)
    assert round(_dauer(None), 2) == 28.26
    assert round(_dauer(KOSTEN), 2) == 25.74


def test_a_product_without_a_cost_counts_as_the_mean_of_the_others():
    verteilung = Verteilung(_jobs([1, 2, 3]), {1: 1.0, 2: 5.0})  # 3: counts as 3.0
    assert [verteilung.naechster(i).produkt for i in range(3)] == [2, 3, 1]


def _runs(ordner: Path, berichte: list[dict], mtime: float) -> None:
    ordner.mkdir(parents=True)
    f = ordner / "runs.json"
    f.write_text(json.dumps({"periode": ordner.name, "reports": berichte}), encoding="utf-8")
    os.utime(f, (mtime, mtime))


def _bericht(nr: int, raum: str, sekunden: float | None, status: str = "ok") -> dict:
    return {"produkt": nr, "raum": raum, "status": status, "sekunden": sekunden}


def test_the_costs_come_from_the_newest_run_that_made_a_product(tmp_path):
    _runs(
        tmp_path / "2023-Q3",
        [_bericht(1, "West", 4.0), _bericht(1, "Mitte/Ost", 2.0), _bericht(3, "West", 9.0)],
        1_000,
    )
    _runs(
        tmp_path / "2023-Q4",
        [
            _bericht(3, "West", 5.0),
            _bericht(3, "Böfingen", 7.0),
            _bericht(2, "West", 1.0, "fehler"),  # a failed report tells nothing
            _bericht(4, "West", None),  # nor one without its time
        ],
        2_000,
    )
    (tmp_path / "2024-Q1").mkdir()
    (tmp_path / "2024-Q1" / "runs.json").write_text("{kaputt", encoding="utf-8")  # ignored
    assert kosten_aus(tmp_path / "2024-Q1") == {3: 6.0, 1: 3.0}
    assert kosten_aus(tmp_path / "2025-Q1") == {3: 6.0, 1: 3.0}  # a period not made yet
    assert kosten_aus(tmp_path / "leer" / "2023-Q4") == {}
