"""Which worker makes which report (issue 28): a product's reports stay with one warm worker, every
report is handed out exactly once, and a run of one product still uses a second worker."""

from __future__ import annotations

import random

from kennzahlen.runner.jobs import Job
from kennzahlen.runner.verteilung import Verteilung

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
