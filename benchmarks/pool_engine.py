"""The pool engine (issue 28): the code before and after, side by side in one run, CPU seconds.

    .venv/bin/python benchmarks/pool_engine.py                        # scales 1 and 3
    .venv/bin/python benchmarks/pool_engine.py --scales 1 30 --teile xlsx speicher
    .venv/bin/python benchmarks/pool_engine.py --klein                # smoke test, tiny demo

``--vorher`` (default abd7b1d, main before issue 28) is unpacked into benchmarks/out/code-<rev>
and run through PYTHONPATH (as in benchmarks/run.py); ``nachher`` is this working tree. Parts:

- *stages*, in process (each code tree in a process of its own): ``read_raw``, the counting
  (``PoolBuilder.build``; in the new tree also the naive engine of before,
  ``benchmarks/naiv_zaehlen.py``, on the same tables) and the rest (Ampel, steering tables,
  Sozialindex), CPU seconds;
- ``kennzahlen pool`` as a command (user + system CPU of the process, peak RSS): before; after
  into an empty folder (nothing kept); after again (unchanged); after with the last quarter's
  exports added to a pool built without them;
- the pools compared file by file (every table ``equals`` with its dtypes, and the checksums in
  the manifest): before against after, and after with the added quarter against after built at
  once;
- ``--teile xlsx``: the deliveries with every record table as XLSX against the same as CSV
  (after, into an empty folder); ``speicher``: one ``jugendhilfe`` CSV of 3 million rows.

Results: benchmarks/out/pool_engine.json, and a table printed for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import OUT, ROOT, code_tree, env_of, kz, load, measure  # noqa: E402


def stufen(raw: Path) -> dict:
    """CPU seconds of the pool's stages on ``raw`` in this process's code tree."""
    import pandas as pd

    from kennzahlen import pipeline
    from kennzahlen.catalog import geography
    from kennzahlen.catalog.model import load_catalog
    from kennzahlen.pool import abdeckung
    from kennzahlen.pool.zaehlen import PoolBuilder
    from kennzahlen.reading.raw import read_raw

    out: dict = {}
    t = time.process_time()
    rg, cat, ab = geography.raumgliederung(), load_catalog(), abdeckung.load_config()
    out["konfiguration"] = time.process_time() - t
    t = time.process_time()
    data = read_raw(raw, rg)
    out["lesen"] = time.process_time() - t
    t = time.process_time()
    pool = PoolBuilder(data.tables, cat, rg, data.files, ab).build()
    out["zaehlen"] = time.process_time() - t
    t = time.process_time()
    pipeline._extra_frames(pool, data, cat)
    pipeline._sozialindex_frames(pool, rg, cat)
    out["rest"] = time.process_time() - t
    if (HERE / "naiv_zaehlen.py").exists() and "naiv" in sys.argv:
        from naiv_zaehlen import NaivPoolBuilder

        t = time.process_time()
        naiv = NaivPoolBuilder(data.tables, cat, rg, data.files, ab).build()
        out["zaehlen_naiv"] = time.process_time() - t
        pd.testing.assert_frame_equal(naiv, pool, check_exact=True)
        out["zaehlen_gleich"] = True
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in out.items()}


def stufen_in(tree: Path, raw: Path, naiv: bool) -> dict:
    cmd = [sys.executable, str(HERE / "pool_engine.py"), "--stufen", str(raw)]
    res = subprocess.run(
        cmd + (["naiv"] if naiv else []),
        env=env_of(tree),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def gleiche_pools(a: Path, b: Path) -> bool:
    """Every table equal (values and dtypes) and the same checksums in the manifests."""
    import pandas as pd

    ma = json.loads((a / "manifest.json").read_text())
    mb = json.loads((b / "manifest.json").read_text())
    if sorted(ma["dateien"]) != sorted(mb["dateien"]):
        return False
    for name in ma["dateien"]:
        x, y = pd.read_parquet(a / name), pd.read_parquet(b / name)
        if not (x.equals(y) and list(x.dtypes) == list(y.dtypes)):
            return False
    return ma["dateien"] == mb["dateien"]


def ohne_letztes_quartal(raw: Path, out: Path) -> list[str]:
    """``out``: the deliveries of ``raw`` without the last quarter's exports (their names)."""
    from kennzahlen.core.periods import quartal_von_tag
    from kennzahlen.reading.text import parse_file_name

    stands = {f.name: parse_file_name(f.name) for f in raw.iterdir()}
    letztes = max(quartal_von_tag(p[1]) for p in stands.values() if p)
    neu = [n for n, p in stands.items() if p and quartal_von_tag(p[1]) == letztes]
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(raw, out, ignore=lambda _d, names: [n for n in names if n in neu])
    return sorted(neu)


def pool_cmd(raw: Path, out: Path, tree: Path) -> dict:
    r = measure(kz("pool", "--raw", str(raw), "--out", str(out)), env_of(tree))
    print(f"    pool {raw.name} -> {out.name}: {r}", flush=True)
    return r


def demo(scale: float) -> Path:
    raw = OUT / f"raw_scale{scale:g}"
    if not raw.exists():
        subprocess.run(
            kz("demo", "--out", str(raw), "--scale", str(scale)),
            check=True,
            stdout=subprocess.DEVNULL,
            env=env_of(ROOT),
        )
    return raw


def eine_skala(scale: float, vorher: Path) -> dict:
    """Stages, commands and pool comparison at one scale of the demo."""
    raw = demo(scale)
    res: dict = {"load": load()}
    res["stufen_vorher"] = stufen_in(vorher, raw, naiv=False)
    res["stufen_nachher"] = stufen_in(ROOT, raw, naiv=True)
    print(f"  stages: {res['stufen_vorher']} | {res['stufen_nachher']}", flush=True)
    tag = f"{scale:g}"
    alt, neu, teil = (OUT / f"pe_{tag}_{n}" for n in ("vorher", "nachher", "quartal"))
    for folder in (alt, neu, teil):
        shutil.rmtree(folder, ignore_errors=True)
    res["vorher"] = pool_cmd(raw, alt, vorher)
    res["nachher_leer"] = pool_cmd(raw, neu, ROOT)
    res["nachher_unveraendert"] = pool_cmd(raw, neu, ROOT)
    kleiner = OUT / f"raw_scale{tag}_ohne_quartal"
    res["neue_exporte"] = len(ohne_letztes_quartal(raw, kleiner))
    pool_cmd(kleiner, teil, ROOT)
    res["nachher_neues_quartal"] = pool_cmd(raw, teil, ROOT)
    res["gleich_vorher_nachher"] = gleiche_pools(alt, neu)
    res["gleich_mit_quartal"] = gleiche_pools(neu, teil)
    return res


def teil_xlsx(scale: float) -> dict:
    from daten import xlsx_copy

    raw = demo(scale)
    xlsx = OUT / f"raw_scale{scale:g}_xlsx"
    if not xlsx.exists():
        xlsx_copy(raw, xlsx)
    runs: dict[str, list] = {"csv": [], "xlsx": []}
    for _ in range(2):  # alternating, so that both meet the same load
        for name, src in (("csv", raw), ("xlsx", xlsx)):
            out = OUT / f"pe_{name}"
            shutil.rmtree(out, ignore_errors=True)
            runs[name].append(pool_cmd(src, out, ROOT))
    cpu = {n: min(r["cpu"] for r in rs) for n, rs in runs.items()}
    return {**runs, "verhaeltnis_cpu": round(cpu["xlsx"] / cpu["csv"], 2)}


def teil_speicher(vorher: Path, zeilen: int) -> dict:
    from daten import jugendhilfe_csv

    raw = OUT / f"raw_jh{zeilen}"
    if not raw.exists():
        jugendhilfe_csv(raw, zeilen)
    out: dict = {}
    for name, tree in (("vorher", vorher), ("nachher", ROOT)):
        target = OUT / f"pe_jh_{name}"
        shutil.rmtree(target, ignore_errors=True)
        out[name] = pool_cmd(raw, target, tree)
    return out


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--stufen":
        print(json.dumps(stufen(Path(sys.argv[2]))))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", type=float, nargs="*", default=[1, 3])
    ap.add_argument("--teile", nargs="*", default=[], choices=["xlsx", "speicher"])
    ap.add_argument("--vorher", default="abd7b1d", help="git revision of the code before")
    ap.add_argument("--zeilen", type=int, default=3_000_000, help="rows of the memory export")
    ap.add_argument("--klein", action="store_true", help="smoke test: a tiny demo, nothing else")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    vorher = code_tree(args.vorher)
    scales = [0.1] if args.klein else args.scales
    results: dict = {"vorher": args.vorher}
    for scale in scales:
        print(f"== scale {scale:g} (load {load()})", flush=True)
        results[f"scale{scale:g}"] = eine_skala(scale, vorher)
    if "xlsx" in args.teile:
        results["xlsx"] = teil_xlsx(scales[-1] if scales else 3)
    if "speicher" in args.teile:
        results["speicher"] = teil_speicher(vorher, args.zeilen)
    (OUT / ("pool_engine_klein.json" if args.klein else "pool_engine.json")).write_text(
        json.dumps(results, indent=2)
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
