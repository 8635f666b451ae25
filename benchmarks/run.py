"""Benchmarks (not tests): a quarter of reports against the naive loop, reruns, pool scaling, sizes.

Run with ``make benchmark`` or ``.venv/bin/python benchmarks/run.py [--only pool|quarter|rerun|sizes]``.
Everything runs in a scratch folder (benchmarks/out/, not versioned); results are printed as
Markdown and written to benchmarks/out/results.json. Copy the table into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
PERIODE = "2023-Q4"


def timed(cmd: list[str]) -> float:
    """Wall seconds of a command."""
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def peak_of(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and the command's own peak RSS in MiB (GNU time -v; NaN without it)."""
    if not Path("/usr/bin/time").exists():
        return timed(cmd), float("nan")
    t0 = time.perf_counter()
    res = subprocess.run(["/usr/bin/time", "-v", *cmd], check=True, capture_output=True, text=True)
    sec = time.perf_counter() - t0
    for line in res.stderr.splitlines():
        if "Maximum resident set size" in line:
            return sec, int(line.split()[-1]) / 1024
    return sec, float("nan")


def demo(scale: float) -> Path:
    raw = OUT / f"raw_scale{scale:g}"
    if not raw.exists():
        subprocess.run(
            [str(BIN / "kennzahlen"), "demo", "--out", str(raw), "--scale", str(scale)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return raw


def bench_pool(results: dict) -> None:
    rows = []
    for scale in (1, 10, 30):
        raw = demo(scale)
        size = sum(f.stat().st_size for f in raw.iterdir()) / 1024**2
        out = OUT / f"pool_scale{scale}"
        sec, mib = peak_of([str(BIN / "kennzahlen"), "pool", "--raw", str(raw), "--out", str(out)])
        rows.append(
            {
                "scale": scale,
                "raw_mib": round(size, 1),
                "seconds": round(sec, 1),
                "peak_mib": round(mib),
            }
        )
        print(
            f"pool scale {scale}: {sec:.1f} s, peak {mib:.0f} MiB, raw {size:.0f} MiB", flush=True
        )
    results["pool"] = rows


def bench_quarter(results: dict) -> None:
    raw = demo(1)
    pool = OUT / "pool_scale1"
    if not pool.exists():
        subprocess.run(
            [str(BIN / "kennzahlen"), "pool", "--raw", str(raw), "--out", str(pool)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    fast_out = OUT / "reports_runner"
    shutil.rmtree(fast_out, ignore_errors=True)
    sec_fast = timed(
        [
            str(BIN / "kennzahlen"),
            "report",
            "--periode",
            PERIODE,
            "--pool",
            str(pool),
            "--out",
            str(fast_out),
            "--force",
        ]
    )
    print(f"runner: 24 reports in {sec_fast:.1f} s", flush=True)
    naive_out = OUT / "reports_naive"
    shutil.rmtree(naive_out, ignore_errors=True)
    naive_out.mkdir(parents=True)
    from kennzahlen.geography import areas
    from kennzahlen.runner import slug
    from kennzahlen.vocabulary import PRODUKTE

    t0 = time.perf_counter()
    for prod in PRODUKTE.values():
        for raum in areas():
            executed = naive_out / f"{prod.ordner}__{slug(raum)}.ipynb"
            subprocess.run(
                [
                    str(BIN / "papermill"),
                    str(ROOT / "notebooks" / prod.notebook),
                    str(executed),
                    "-p",
                    "periode",
                    PERIODE,
                    "-p",
                    "sozialraum",
                    raum,
                    "-p",
                    "pool",
                    str(pool),
                    "--cwd",
                    str(ROOT / "notebooks"),
                    "-k",
                    "python3",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            subprocess.run(
                [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
    sec_naive = time.perf_counter() - t0
    print(f"naive loop: 24 reports in {sec_naive:.1f} s", flush=True)
    results["quarter"] = {
        "runner_seconds": round(sec_fast, 1),
        "naive_seconds": round(sec_naive, 1),
        "ratio": round(sec_naive / sec_fast, 2),
        "cores": os.cpu_count(),
    }


def bench_rerun(results: dict) -> None:
    raw_src = demo(1)
    raw = OUT / "raw_rerun"
    pool = OUT / "pool_rerun"
    out = OUT / "reports_rerun"
    for p in (raw, pool, out):
        shutil.rmtree(p, ignore_errors=True)
    shutil.copytree(raw_src, raw)
    k = str(BIN / "kennzahlen")
    subprocess.run(
        [k, "pool", "--raw", str(raw), "--out", str(pool)], check=True, stdout=subprocess.DEVNULL
    )
    subprocess.run(
        [k, "report", "--periode", PERIODE, "--pool", str(pool), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    unchanged = timed([k, "report", "--periode", PERIODE, "--pool", str(pool), "--out", str(out)])
    print(f"unchanged rerun: {unchanged:.2f} s", flush=True)
    # a late export arrives: a re-delivery of the last jugendhilfe export with a newer Stand
    last = sorted(raw.glob("jugendhilfe_*"))[-1]
    shutil.copy(last, raw / f"jugendhilfe_2024-02-01{last.suffix}")
    t0 = time.perf_counter()
    subprocess.run(
        [k, "pool", "--raw", str(raw), "--out", str(pool)], check=True, stdout=subprocess.DEVNULL
    )
    subprocess.run(
        [k, "report", "--periode", PERIODE, "--pool", str(pool), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    late = time.perf_counter() - t0
    runs = json.loads((out / PERIODE / "runs.json").read_text(encoding="utf-8"))
    redone = sum(e["status"] == "ok" for e in runs["reports"])
    print(
        f"rerun after one new export (pool + {redone} of 24 reports redone): {late:.1f} s",
        flush=True,
    )
    results["rerun"] = {
        "unchanged_seconds": round(unchanged, 2),
        "new_export_seconds": round(late, 1),
        "reports_redone": redone,
    }


def bench_sizes(results: dict) -> None:
    base = OUT / "reports_runner" / PERIODE
    rows = []
    for html in sorted(base.glob("*/*.html")):
        rows.append(
            {"report": str(html.relative_to(base)), "kib": round(html.stat().st_size / 1024)}
        )
    results["sizes"] = rows
    if rows:
        print(
            f"report sizes: min {min(r['kib'] for r in rows)} KiB, max {max(r['kib'] for r in rows)} KiB"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["pool", "quarter", "rerun", "sizes"], action="append")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results_file = OUT / "results.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    todo = args.only or ["pool", "quarter", "rerun", "sizes"]
    for name in todo:
        globals()[f"bench_{name}"](results)
        results_file.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
