"""Benchmarks (not tests): the code before and after a change, side by side in one run.

    make benchmark      # = .venv/bin/python benchmarks/run.py  (long: about an hour on 2 cores)
    .venv/bin/python benchmarks/run.py --only quarter --reps 3 --vorher 97f207e

Every comparison alternates the variants (``vorher``: the code of git revision ``--vorher``,
unpacked into benchmarks/out/code-<rev>; ``nachher``: this working tree) in each repetition and
reports medians, with the load average (``/proc/loadavg``) at each measurement. The parts:

- ``pool``: ``kennzahlen pool`` on the demo at --scale 1, 10, 30: wall time and peak RSS;
- ``xlsx``: the --scale 3 demo with every record table as XLSX against the same as CSV;
- ``memory``: a 1-million-row ``jugendhilfe`` CSV (benchmarks/daten.py);
- ``quarter``: the 24 reports of 2023-Q4: the naive loop (papermill CLI, then nbconvert CLI,
  per report) against the runner;
- ``rerun``: ``kennzahlen report`` again with nothing changed;
- ``scaling``: pool and report time and memory for 5, 12, 25 Sozialräume at --scale 30, and the
  24 reports on the --scale 10 and 30 pools.

Results: benchmarks/out/results.json (and printed). Copy the tables into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: where the benchmarks work (not versioned); KENNZAHLEN_BENCH_OUT moves it (the smoke test)
OUT = Path(os.environ.get("KENNZAHLEN_BENCH_OUT", HERE / "out"))
BIN = Path(sys.executable).parent
PERIODE = "2023-Q4"
sys.path.insert(0, str(HERE))


def load() -> str:
    """The 1-minute load average now."""
    return Path("/proc/loadavg").read_text().split()[0]


def code_tree(rev: str) -> Path:
    """The project at git revision ``rev``, unpacked once into benchmarks/out/code-<commit>.

    The folder is named after the commit ``rev`` stands for, so ``HEAD`` or a branch name never
    reuses a folder unpacked when it stood for another commit.
    """
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{rev}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()[:12]
    target = OUT / f"code-{commit}"
    if not target.exists():
        data = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True
        ).stdout
        tmp = OUT / f".code-{commit}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        with tarfile.open(fileobj=BytesIO(data)) as tar:
            tar.extractall(tmp, filter="data")
        tmp.rename(target)
    return target


def env_of(tree: Path, config: Path | None = None) -> dict[str, str]:
    """The environment that runs the package, notebooks and config of ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree / "lib"), "KENNZAHLEN_HOME": str(tree)}
    if config is not None:
        env["KENNZAHLEN_CONFIG"] = str(config)
    return env


def measure(cmd: list[str], env: dict[str, str]) -> dict:
    """Wall seconds, user+system CPU seconds and peak RSS (MiB, largest process) of a command."""
    t0 = time.perf_counter()
    res = subprocess.run(
        ["/usr/bin/time", "-f", "TIME %U %S %M", *cmd], env=env, capture_output=True, text=True
    )
    sec = time.perf_counter() - t0
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")
    last = [ln for ln in res.stderr.splitlines() if ln.startswith("TIME ")][-1].split()
    return {
        "s": round(sec, 2),
        "cpu": round(float(last[1]) + float(last[2]), 1),
        "mib": round(int(last[3]) / 1024),
        "load": load(),
    }


def kz(*args: str) -> list[str]:
    return [str(BIN / "kennzahlen"), *args]


def median_of(runs: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 2)


def summary(runs: list[dict]) -> dict:
    return {
        "median_s": median_of(runs, "s"),
        "median_cpu": median_of(runs, "cpu"),
        "peak_mib": max(r["mib"] for r in runs),
        "runs": runs,
    }


def demo(scale: float, config: Path | None = None, name: str | None = None) -> Path:
    raw = OUT / (name or f"raw_scale{scale:g}")
    if not raw.exists():
        subprocess.run(
            kz("demo", "--out", str(raw), "--scale", str(scale)),
            check=True,
            stdout=subprocess.DEVNULL,
            env=env_of(ROOT, config),
        )
    return raw


def same_pool(a: Path, b: Path) -> bool:
    """Whether two pools hold the same tables (kennzahlen, ampel, ampel_details)."""
    import pandas as pd

    return all(
        pd.read_parquet(a / f).equals(pd.read_parquet(b / f))
        for f in ("kennzahlen.parquet", "ampel.parquet", "ampel_details.parquet")
    )


def pool_runs(variants: dict, raw: Path, tag: str, reps: int, config: Path | None = None) -> dict:
    """``kennzahlen pool`` on ``raw`` for each variant, alternating, ``reps`` times."""
    runs: dict[str, list[dict]] = {v: [] for v in variants}
    for i in range(reps):
        for name, tree in variants.items():
            out = OUT / f"pool_{tag}_{name}"
            shutil.rmtree(out, ignore_errors=True)
            r = measure(kz("pool", "--raw", str(raw), "--out", str(out)), env_of(tree, config))
            runs[name].append(r)
            print(f"  pool {tag} {name} #{i + 1}: {r}", flush=True)
    return {name: summary(rs) for name, rs in runs.items()}


SKALEN = [1.0, 10.0, 30.0]


def bench_pool(variants: dict, reps: int, results: dict) -> None:
    rows = {}
    for scale in SKALEN:
        raw = demo(scale)
        rows[f"scale{scale}"] = pool_runs(variants, raw, f"scale{scale}", reps)
        if len(variants) > 1:
            names = list(variants)
            rows[f"scale{scale}"]["gleich"] = same_pool(
                OUT / f"pool_scale{scale}_{names[0]}", OUT / f"pool_scale{scale}_{names[1]}"
            )
    results["pool"] = rows


def bench_xlsx(variants: dict, reps: int, results: dict) -> None:
    from daten import xlsx_copy

    csv_raw = demo(3)
    xlsx_raw = OUT / "raw_scale3_xlsx"
    if not xlsx_raw.exists():
        xlsx_copy(csv_raw, xlsx_raw)
    csv_runs, xlsx_runs = [], {v: [] for v in variants}
    for _ in range(reps):  # CSV and XLSX alternate, so that both meet the same load
        csv_runs.append(pool_runs({"nachher": variants["nachher"]}, csv_raw, "csv3", 1)["nachher"])
        for name, res in pool_runs(variants, xlsx_raw, "xlsx3", 1).items():
            xlsx_runs[name].append(res)
    out = {
        "csv": summary([r for res in csv_runs for r in res["runs"]]),
        "xlsx": {v: summary([r for res in rs for r in res["runs"]]) for v, rs in xlsx_runs.items()},
    }
    out["gleich"] = same_pool(OUT / "pool_csv3_nachher", OUT / "pool_xlsx3_nachher")
    out["verhaeltnis"] = round(out["xlsx"]["nachher"]["median_s"] / out["csv"]["median_s"], 2)
    out["verhaeltnis_cpu"] = round(
        out["xlsx"]["nachher"]["median_cpu"] / out["csv"]["median_cpu"], 2
    )
    results["xlsx"] = out


def bench_memory(variants: dict, reps: int, results: dict) -> None:
    from daten import jugendhilfe_csv

    raw = OUT / "raw_jh1m"
    if not raw.exists():
        jugendhilfe_csv(raw, 1_000_000)
    results["memory"] = pool_runs(variants, raw, "jh1m", reps)


def _pool1() -> Path:
    pool = OUT / "pool_quarter"
    if not pool.exists():
        subprocess.run(
            kz("pool", "--raw", str(demo(1)), "--out", str(pool)),
            check=True,
            stdout=subprocess.DEVNULL,
            env=env_of(ROOT),
        )
    return pool


def naive_loop(pool: Path, env: dict[str, str]) -> dict:
    """The 24 reports one by one: papermill CLI, then nbconvert CLI (the code of ``env``)."""
    from kennzahlen.catalog.geography import areas
    from kennzahlen.core.vocabulary import PRODUKTE
    from kennzahlen.runner import slug

    out = OUT / "reports_naive"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    tree = Path(env["KENNZAHLEN_HOME"])
    t0, cpu0 = time.perf_counter(), os.times()
    for prod in PRODUKTE.values():
        for raum in areas():
            executed = out / f"{prod.ordner}__{slug(raum)}.ipynb"
            pm = [str(BIN / "papermill"), str(tree / "notebooks" / prod.notebook), str(executed)]
            pm += ["-p", "periode", PERIODE, "-p", "sozialraum", raum, "-p", "pool", str(pool)]
            pm += ["--cwd", str(tree / "notebooks"), "-k", "python3"]
            subprocess.run(pm, check=True, capture_output=True, env=env)
            nbc = [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)]
            subprocess.run(nbc, check=True, capture_output=True, env=env)
    cpu1 = os.times()
    cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    return {
        "s": round(time.perf_counter() - t0, 2),
        "cpu": round(cpu, 1),
        "mib": 0,
        "load": load(),
    }


def runner_run(pool: Path, out: Path, env: dict[str, str], force: bool = True) -> dict:
    args = ["report", "--periode", PERIODE, "--pool", str(pool), "--out", str(out)]
    return measure(kz(*args, *(["--force"] if force else [])), env)


def bench_quarter(variants: dict, reps: int, results: dict) -> None:
    pool = _pool1()
    runs: dict[str, list[dict]] = {"naiv": [], **{v: [] for v in variants}}
    for i in range(reps):
        r = naive_loop(pool, env_of(ROOT))
        runs["naiv"].append(r)
        print(f"  naive #{i + 1}: {r}", flush=True)
        for name, tree in variants.items():
            r = runner_run(pool, OUT / f"reports_{name}", env_of(tree))
            runs[name].append(r)
            print(f"  runner {name} #{i + 1}: {r}", flush=True)
    res = {name: summary(rs) for name, rs in runs.items()}
    for name in variants:
        res[f"faktor_{name}"] = round(res["naiv"]["median_s"] / res[name]["median_s"], 2)
    results["quarter"] = res


def bench_rerun(variants: dict, reps: int, results: dict) -> None:
    pool = _pool1()
    runs: dict[str, list[dict]] = {v: [] for v in variants}
    for name, tree in variants.items():  # a complete run first: the rerun has nothing to do
        runner_run(pool, OUT / f"rerun_{name}", env_of(tree), force=False)
        runner_run(pool, OUT / f"rerun_{name}", env_of(tree), force=False)
    for i in range(max(reps, 5)):
        for name, tree in variants.items():
            r = runner_run(pool, OUT / f"rerun_{name}", env_of(tree), force=False)
            runs[name].append(r)
            print(f"  rerun {name} #{i + 1}: {r}", flush=True)
    results["rerun"] = {name: summary(rs) for name, rs in runs.items()}


def bench_scaling(variants: dict, reps: int, results: dict) -> None:
    """Pool and reports (nachher) by population and by number of Sozialräume."""
    from daten import stadt_config

    tree = variants["nachher"]
    rows = {}
    for scale in (1, 10, 30):
        raw = demo(scale)
        p = pool_runs({"nachher": tree}, raw, f"scaling_scale{scale}", 1)["nachher"]
        pool = OUT / f"pool_scaling_scale{scale}_nachher"
        r = summary([runner_run(pool, OUT / f"reports_scale{scale}", env_of(tree))])
        rows[f"bevoelkerung_x{scale}"] = {"pool": p, "berichte": r, "sozialraeume": 5}
        print(f"  scale {scale}: pool {p['median_s']} s, reports {r['median_s']} s", flush=True)
    for n in (5, 12, 25):
        cfg = OUT / f"config_sr{n}"
        if not cfg.exists():
            stadt_config(cfg, n)
        raw = demo(30, cfg, f"raw_scale30_sr{n}")
        p = pool_runs({"nachher": tree}, raw, f"sr{n}", 1, cfg)["nachher"]
        pool = OUT / f"pool_sr{n}_nachher"
        r = summary([runner_run(pool, OUT / f"reports_sr{n}", env_of(tree, cfg))])
        rows[f"sozialraeume_{n}"] = {"pool": p, "berichte": r, "sozialraeume": n}
        print(f"  {n} Sozialräume: pool {p['median_s']} s, reports {r['median_s']} s", flush=True)
    results["scaling"] = rows


PARTS = ("rerun", "xlsx", "memory", "pool", "quarter", "scaling")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=PARTS, action="append")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--vorher", default="97f207e", help="git revision of the code before")
    ap.add_argument("--skalen", type=float, nargs="+", help="demo scales of the pool part")
    args = ap.parse_args()
    if args.skalen:
        SKALEN[:] = args.skalen
    OUT.mkdir(parents=True, exist_ok=True)
    variants = {"vorher": code_tree(args.vorher), "nachher": ROOT}
    results_file = OUT / "results.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    for name in args.only or PARTS:
        print(f"== {name} (load {load()})", flush=True)
        globals()[f"bench_{name}"](variants, args.reps, results)
        results_file.write_text(json.dumps(results, indent=2))
    print(json.dumps({k: results[k] for k in args.only or PARTS}, indent=2))


if __name__ == "__main__":
    main()
