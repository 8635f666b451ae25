"""Which worker makes which report: a product's reports stay with the worker that has them warm.

A worker's kernel keeps what a product's reports of a period share (imports, the period's tables,
figures kept, the publication plan of Produkt 3): the first report of a product in a kernel pays
for it, the others reuse it. Handed out in plan order to whichever worker was free, both workers
made every product and paid every product's first report twice (a quarter of 24 reports: about
12 s of 58 s CPU on 2 workers against one). Here a free worker goes on with its own product;
when that is done it starts a product nobody has started (the one with the most work left);
it joins a product another worker is making only when every worker on it keeps at least
:data:`MIN_JE_WORKER` of its reports, so that the extra first report is spread over enough others.

"The most work left" is the number of reports left times what a report of the product took in
the last run the report folder remembers (:func:`kosten_aus`, ``sekunden`` in runs.json): the
costliest product starts first, so that the workers end closer together (a quarter on two
workers: Produkt 3 takes about as long as two others together). Without such a run every product
counts alike and the number of reports decides, as before.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from pathlib import Path

from kennzahlen.runner.jobs import Job

#: a worker joins a product others are making only when each of them keeps this many of its reports
MIN_JE_WORKER = 2


class Verteilung:
    """The reports of a run not handed out yet, per product, and which worker has which product."""

    def __init__(self, jobs: list[Job], kosten: Mapping[int, float] | None = None) -> None:
        """Keep ``jobs`` per product in plan order (products in the order they first appear);
        ``kosten``: seconds a report of a product took (:func:`kosten_aus`; a product without
        one counts as the mean of the others)."""
        kosten = {nr: float(s) for nr, s in (kosten or {}).items() if s and s > 0}
        mittel = sum(kosten.values()) / len(kosten) if kosten else 1.0
        self._offen: dict[int, deque[Job]] = {}
        for job in jobs:
            self._offen.setdefault(job.produkt, deque()).append(job)
        self._worker: dict[int, set[int]] = {nr: set() for nr in self._offen}
        self._produkt_von: dict[int, int] = {}
        self._je_bericht = {nr: kosten.get(nr, mittel) for nr in self._offen}

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
            return max(neu, key=self._rest)
        teilbar = [
            nr
            for nr in offen
            if len(self._offen[nr]) >= MIN_JE_WORKER * (len(self._worker[nr]) + 1)
        ]
        if teilbar:
            return max(teilbar, key=lambda nr: self._rest(nr) / len(self._worker[nr]))
        return None

    def _rest(self, nr: int) -> float:
        """The work left of a product: its reports left times the seconds of one."""
        return len(self._offen[nr]) * self._je_bericht[nr]

    def uebrig(self) -> int:
        """How many reports are not handed out yet."""
        return sum(len(q) for q in self._offen.values())


def kosten_aus(out_dir: Path) -> dict[int, float]:
    """Seconds a report of each product took: per product from the newest runs.json, of the
    report folder (``out_dir``, one period) and the other periods' folders beside it, that has
    reports of it made with their time ({} when there is none; a file that cannot be read
    counts as none)."""
    from kennzahlen.runner.basis import GEMACHT, RunnerError
    from kennzahlen.runner.runs import eintraege, load_runs

    dateien = []
    for f in dict.fromkeys([out_dir / "runs.json", *out_dir.parent.glob("*/runs.json")]):
        try:
            dateien.append((f.stat().st_mtime, f))
        except OSError:
            continue
    kosten: dict[int, float] = {}
    for _, f in sorted(dateien, reverse=True):
        try:
            berichte = eintraege(load_runs(f.parent))
        except (OSError, RunnerError, TypeError, ValueError):
            continue
        je_produkt: dict[int, list[float]] = {}
        for e in berichte:
            if e.status in GEMACHT and isinstance(e.sekunden, int | float) and e.sekunden > 0:
                je_produkt.setdefault(e.produkt, []).append(float(e.sekunden))
        for nr, sek in je_produkt.items():
            kosten.setdefault(nr, sum(sek) / len(sek))
    return kosten
