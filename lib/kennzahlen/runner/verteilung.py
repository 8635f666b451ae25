"""Which worker makes which report: a product's reports stay with the worker that has them warm.

A worker's kernel keeps what a product's reports of a period share (imports, the period's tables,
figures kept, the publication plan of Produkt 3): the first report of a product in a kernel pays
for it, the others reuse it. Handed out in plan order to whichever worker was free, both workers
made every product and paid every product's first report twice (a quarter of 24 reports: about
12 s of 58 s CPU on 2 workers against one). Here a free worker goes on with its own product;
when that is done it starts a product nobody has started (the one with the most reports left);
it joins a product another worker is making only when every worker on it keeps at least
:data:`MIN_JE_WORKER` of its reports, so that the extra first report is spread over enough others.
"""

from __future__ import annotations

from collections import deque

from kennzahlen.runner.jobs import Job

#: a worker joins a product others are making only when each of them keeps this many of its reports
MIN_JE_WORKER = 2


class Verteilung:
    """The reports of a run not handed out yet, per product, and which worker has which product."""

    def __init__(self, jobs: list[Job]) -> None:
        """Keep ``jobs`` per product in plan order (products in the order they first appear)."""
        self._offen: dict[int, deque[Job]] = {}
        for job in jobs:
            self._offen.setdefault(job.produkt, deque()).append(job)
        self._worker: dict[int, set[int]] = {nr: set() for nr in self._offen}
        self._produkt_von: dict[int, int] = {}

    def naechster(self, worker: int) -> Job | None:
        """The next report for the free ``worker``, or None when it gets none any more."""
        nr = self._produkt_fuer(worker)
        if nr is None:
            return None
        if self._produkt_von.get(worker) != nr:
            old = self._produkt_von.get(worker)
            if old is not None:
                self._worker[old].discard(worker)
            self._produkt_von[worker] = nr
            self._worker[nr].add(worker)
        return self._offen[nr].popleft()

    def _produkt_fuer(self, worker: int) -> int | None:
        """The product the free ``worker`` goes on with (see the module's docstring)."""
        eigenes = self._produkt_von.get(worker)
        if eigenes is not None and self._offen[eigenes]:
            return eigenes
        offen = [nr for nr, q in self._offen.items() if q]
        neu = [nr for nr in offen if not self._worker[nr] - {worker}]
        if neu:
            return max(neu, key=lambda nr: len(self._offen[nr]))
        teilbar = [
            nr
            for nr in offen
            if len(self._offen[nr]) >= MIN_JE_WORKER * (len(self._worker[nr]) + 1)
        ]
        if teilbar:
            return max(teilbar, key=lambda nr: len(self._offen[nr]) / len(self._worker[nr]))
        return None

    def uebrig(self) -> int:
        """How many reports are not handed out yet."""
        return sum(len(q) for q in self._offen.values())
