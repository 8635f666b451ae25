"""A quarter's reports: the naive loop against the runner, CPU of the whole process tree (issue 28).

    .venv/bin/python benchmarks/quartal.py --pool POOL [--reps 3] [--vorher 23f492b]
        [--periode 2023-Q4] [--produkt 2 --raum West]   # a part only (the smoke test)
        [--ohne-naiv]                                    # the runner(s) only

Per repetition, one after the other (alternating, so that the load of a shared machine falls on
all of them alike):

- ``naiv``: per report the papermill command line, then ``jupyter nbconvert --to html
  --no-input`` (the code and notebooks of this tree);
- ``nachher``: ``kennzahlen report --periode P --force`` of this tree;
- ``vorher`` (with ``--vorher REV``): the same with the code of git revision REV (unpacked into
  benchmarks/out/code-REV, run through ``PYTHONPATH``/``KENNZAHLEN_HOME`` as ``run.py`` does).

Measured: wall seconds and CPU seconds (user + system) of the command *and every process it
started* (workers, kernels, the command lines of the naive loop): what the operating system
accounts to the waited-for children. Medians per variant, the factor naive / runner (CPU and
wall), the load average at each run. Results: printed and in benchmarks/out/quartal.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from run import BIN, OUT, ROOT, code_tree, env_of, load, measure


def _berichte(produkte: list[int] | None, raeume: list[str] | None) -> list[tuple[int, str]]:
    """(product, area) of every report the runner makes for this selection."""
    from kennzahlen.catalog.geography import areas
    from kennzahlen.core.vocabulary import PRODUKTE

    return [
        (nr, raum)
        for nr in PRODUKTE
        if not produkte or nr in produkte
        for raum in areas()
        if not raeume or raum in raeume
    ]


def naiv(pool: Path, periode: str, berichte: list[tuple[int, str]], out: Path) -> dict:
    """The reports one by one: papermill CLI, then nbconvert CLI (this tree's code)."""
    from kennzahlen.core.vocabulary import PRODUKTE
    from kennzahlen.runner import slug

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {**env_of(ROOT), "MPLBACKEND": "Agg"}
    t0, cpu0 = time.perf_counter(), os.times()
    for nr, raum in berichte:
        produkt = PRODUKTE[nr]
        executed = out / f"{produkt.ordner}__{slug(raum)}.ipynb"
        pm = [str(BIN / "papermill"), str(ROOT / "notebooks" / produkt.notebook), str(executed)]
        pm += ["-p", "periode", periode, "-p", "sozialraum", raum, "-p", "pool", str(pool)]
        pm += ["--cwd", str(ROOT / "notebooks"), "-k", "python3", "--no-progress-bar"]
        subprocess.run(pm, check=True, capture_output=True, env=env)
        nbc = [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)]
        subprocess.run(nbc, check=True, capture_output=True, env=env)
    cpu1 = os.times()
    cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    return {"s": round(time.perf_counter() - t0, 2), "cpu": round(cpu, 1), "load": load()}


def runner(tree: Path, pool: Path, periode: str, out: Path, auswahl: list[str]) -> dict:
    """``kennzahlen report --force`` of ``tree`` (its package, notebooks and config)."""
    cmd = [sys.executable, "-c", "from kennzahlen.cli import main; main()", "report"]
    cmd += ["--periode", periode, "--pool", str(pool), "--out", str(out), "--force", *auswahl]
    return measure(cmd, {**env_of(tree), "MPLBACKEND": "Agg"})


def _median(runs: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 2)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", type=Path, required=True)
    ap.add_argument("--periode", default="2023-Q4")
    ap.add_argument("--produkt", type=int, action="append")
    ap.add_argument("--raum", action="append")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--vorher", help="git revision of the code before (optional)")
    ap.add_argument("--ohne-naiv", action="store_true", help="the runner(s) only")
    args = ap.parse_args(argv)
    pool = args.pool.resolve()
    auswahl = [f"--produkt={p}" for p in args.produkt or []]
    auswahl += [f"--raum={r}" for r in args.raum or []]
    berichte = _berichte(args.produkt, args.raum)
    varianten = {"nachher": ROOT, **({"vorher": code_tree(args.vorher)} if args.vorher else {})}
    runs: dict[str, list[dict]] = {v: [] for v in ([] if args.ohne_naiv else ["naiv"])}
    runs.update({v: [] for v in varianten})
    for i in range(args.reps):
        if not args.ohne_naiv:
            runs["naiv"].append(naiv(pool, args.periode, berichte, OUT / "quartal_naiv"))
            print(f"  naiv #{i + 1}: {runs['naiv'][-1]}", flush=True)
        for name, tree in varianten.items():
            out = OUT / f"quartal_{name}"
            runs[name].append(runner(tree, pool, args.periode, out, auswahl))
            print(f"  {name} #{i + 1}: {runs[name][-1]}", flush=True)
    res: dict = {"berichte": len(berichte), "periode": args.periode}
    for name, rs in runs.items():
        res[name] = {"median_s": _median(rs, "s"), "median_cpu": _median(rs, "cpu"), "runs": rs}
    if "naiv" in res:
        for name in varianten:
            res[f"faktor_cpu_{name}"] = round(
                res["naiv"]["median_cpu"] / res[name]["median_cpu"], 2
            )
            res[f"faktor_s_{name}"] = round(res["naiv"]["median_s"] / res[name]["median_s"], 2)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "quartal.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in res.items() if not isinstance(v, dict)}, indent=1))
    for name in runs:
        print(f"{name}: {res[name]['median_cpu']} s CPU, {res[name]['median_s']} s wall (median)")
    return res


if __name__ == "__main__":
    main()
