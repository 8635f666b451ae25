"""Shared test set-up: one demo data pool per test session.

The pool is built once from the embedded demo deliveries into a temporary folder and
published to notebooks (nbval) and reports through the environment variable
``KENNZAHLEN_POOL``, so no test touches data/raw or data/processed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_SESSION_DIR: Path | None = None
#: the shared demo folder (under xdist) this worker has not taken its copy of yet: built or waited
#: for before the first test that may read it (tests of the small demo alone start at once)
_AUSSTEHEND: Path | None = None
_NUR_KLEIN = {"small_demo", "small_demo_raw", "small_demo_pool"}
_VOLL = {"demo_pool", "demo_raw", "reports"}


def _build_demo_pool(shared: Path | None = None) -> tuple[Path, Path]:
    """The demo deliveries and their pool. Without xdist built here, at once. Under xdist only
    named here: the first worker whose test needs them builds both into ``shared`` (under a file
    lock) and every worker takes its own copy of the pool (a report run writes its publication
    ledger into the pool folder); the deliveries are read-only. Not during collection: xdist hands
    out tests only when every worker has collected, and tests of the small demo alone need not
    wait for the big one."""
    global _SESSION_DIR, _AUSSTEHEND
    _SESSION_DIR = Path(tempfile.mkdtemp(prefix="kennzahlen-tests-"))
    if shared is None:
        raw, pool = _demo_into(_SESSION_DIR)
        return raw, pool
    _AUSSTEHEND = shared
    return shared / "raw", _SESSION_DIR / "pool"


def _demo_abwarten() -> None:
    """Build the demo (the first worker) or wait for it (the others), and take this worker's copy
    of its pool."""
    global _AUSSTEHEND
    from filelock import FileLock

    shared, _AUSSTEHEND = _AUSSTEHEND, None
    assert shared is not None and _SESSION_DIR is not None
    with FileLock(str(shared) + ".lock"):
        if not (shared / ".fertig").exists():
            shutil.rmtree(shared, ignore_errors=True)  # a worker that failed half-way
            _demo_into(shared)
            (shared / ".fertig").touch()
    shutil.copytree(shared / "pool", _SESSION_DIR / "pool")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before a test that may read the demo (any test but those of the small demo alone): the
    demo is ready."""
    if _AUSSTEHEND is None:
        return
    names = set(getattr(item, "fixturenames", ()))
    if names & _NUR_KLEIN and not names & _VOLL:
        return
    _demo_abwarten()


def _demo_into(folder: Path, scale: float = 1.0) -> tuple[Path, Path]:
    from kennzahlen.demo import write_demo
    from kennzahlen.pipeline import build_pool_frames
    from kennzahlen.pool.write import write_pool

    raw, pool = folder / "raw", folder / "pool"
    write_demo(raw, scale=scale)
    frames, _ = build_pool_frames(raw)
    write_pool(frames, pool)
    return raw, pool


#: the longest test files (seconds per file: the sum of its tests' durations with set-up, `pytest
#: --durations=0` on 2 cores, issue 28): they run first, so xdist (``--dist loadfile
#: --no-loadscope-reorder``) fills the gaps with the short ones instead of starting a long file when
#: the other worker is nearly done. xdist gives the first files one to each worker (three on two
#: cores: :func:`pytest_xdist_auto_num_workers`), and a worker its next file when its current one
#: has two tests left: the workers take the list in turn, as each frees. The session's 24 reports
#: (about 60 s, built by the first worker that asks, the others wait) come with test_datenlage.py;
#: the files beside it until they are ready use the small demo only (test_faults.py, test_xss.py)
#: or the demo pool (test_disclosure_leser.py); the files that read the reports follow. With three
#: workers the three that start with test_datenlage.py, test_faults.py and test_xss.py ended within
#: 5 s of each other (issue 28, suite11). A notebook (nbval) is a file, too: the longest is
#: listed, the short ones (5 s) are the tail.
LANGE_DATEIEN = (
    "tests/test_datenlage.py",  # 166 s, of which 62 s the session's 24 reports, which it builds
    "tests/test_faults.py",  # 103 s (small demo; reports and mail in subprocesses)
    "tests/test_xss.py",  # 70 s (small demo; 8 reports, 156 pages in Chromium)
    "tests/test_disclosure_leser.py",  # 74 s (the scale-3 pool, 2 x 5 years of plans)
    "tests/test_reports_browser.py",  # 139 s (reads the session's reports; axe-core per page)
    "tests/test_benchmarks.py",  # 127 s (every benchmark script on tiny data; reads the reports)
    "tests/test_zweite_stadt.py",  # 65 s (20 reports; the second city, built by test_datenlage)
    "tests/test_proofreading.py",  # 48 s
    "tests/test_mail_groesse.py",  # 31 s (reads the session's reports)
    "tests/test_runner_safety.py",  # 24 s
    "tests/test_rerun.py",  # 20 s
    "notebooks/03_wirkungskennzahlen.ipynb",  # 15 s (nbval; the other notebooks 3-6 s)
    "tests/test_demo.py",  # 12 s
    "tests/test_runner.py",  # 10 s
)


#: the environment variable that sets the number of workers of ``pytest -n auto`` (xdist's own)
WORKER_ENV = "PYTEST_XDIST_AUTO_NUM_WORKERS"


def worker_zahl(kerne: int) -> int:
    """Workers for ``pytest -n auto``: one more than cores. The suite waits much of its time on
    browsers, kernels and subprocesses (report runs, the fault suite), so a third worker on two
    cores fills the waits (issue 28: ``-n 3`` 8:45 against ``-n 2`` 9:54 on 2 cores)."""
    return max(1, kerne) + 1


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # without xdist (-p no:xdist) not called
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: :func:`worker_zahl` of the cores this process may use; ``PYTEST_XDIST_AUTO_NUM_
    WORKERS`` (xdist's variable) still decides when set, and ``-n logical`` stays xdist's."""
    if os.environ.get(WORKER_ENV) or config.option.numprocesses == "logical":
        return None  # xdist's own hook reads the variable, or counts logical cores
    try:
        kerne = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        kerne = os.cpu_count() or 1
    return worker_zahl(kerne)


def _rang(item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return LANGE_DATEIEN.index(path) if path in LANGE_DATEIEN else len(LANGE_DATEIEN)


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list
) -> None:
    """Longest files first (stable: the rest keep their order). Build the demo pool once, before
    any notebook kernel starts, if a collected test needs it (under xdist: before the first test
    that may read it, :func:`pytest_runtest_setup`)."""
    items.sort(key=_rang)
    if os.environ.get("KENNZAHLEN_POOL"):
        return
    needs = any(
        str(getattr(item, "path", "")).endswith(".ipynb")
        or {"demo_pool", "demo_raw"} & set(getattr(item, "fixturenames", ()))
        for item in items
    )
    if not needs:
        return
    shared = None
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = config._tmp_path_factory.getbasetemp().parent / "demo-shared"  # type: ignore[attr-defined]
    raw, pool = _build_demo_pool(shared)
    os.environ["KENNZAHLEN_POOL"] = str(pool)
    os.environ["KENNZAHLEN_TEST_RAW"] = str(raw)
    os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SESSION_DIR is not None:
        shutil.rmtree(_SESSION_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def demo_pool() -> Path:
    """The folder of the session's demo data pool."""
    return Path(os.environ["KENNZAHLEN_POOL"])


@pytest.fixture(scope="session")
def demo_raw() -> Path:
    """The folder of the session's demo deliveries (read-only for tests)."""
    return Path(os.environ["KENNZAHLEN_TEST_RAW"])


#: the small demo of the plumbing tests (command line, runner, mail, faults, XLSX reading): a
#: tenth of the Ulm demo, the same 207 exports of the same 16 tables (at 0.05 a year of the
#: Sozialindex has no weight left and the pool build stops)
KLEIN = 0.1


def _einmal(tmp_path_factory: pytest.TempPathFactory, name: str, build) -> Path:
    """A folder built once per test run: under xdist by the first worker that asks (under a file
    lock; the others wait and read it), without xdist in the session's temp folder."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    with FileLock(str(shared) + ".lock"):
        if not (shared / ".fertig").exists():
            shutil.rmtree(shared, ignore_errors=True)  # a worker that failed half-way
            build(shared)
            (shared / ".fertig").touch()
    return shared


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the small demo (``raw/`` and ``pool/``, scale :data:`KLEIN`), built once per
    test run and shared by the workers; read-only (take :func:`small_demo_pool` to write)."""
    return _einmal(tmp_path_factory, "klein-demo", lambda f: _demo_into(f, scale=KLEIN))


@pytest.fixture(scope="session")
def small_demo_raw(small_demo: Path) -> Path:
    """The small demo's deliveries (read-only for tests): for tests of plumbing, where the
    numbers are not the point."""
    return small_demo / "raw"


@pytest.fixture(scope="session")
def small_demo_pool(small_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This worker's copy of the small demo's pool (a report run writes its publication ledger
    into the pool folder)."""
    pool = tmp_path_factory.mktemp("klein") / "pool"
    shutil.copytree(small_demo / "pool", pool)
    return pool


@pytest.fixture(scope="session")
def zweite_stadt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The second city of tests/test_zweite_stadt.py (``config/``, ``raw/``: one export per table,
    ``pool/``), built once per test run and shared by the workers (tests/test_datenlage.py reports
    its first quarters); read-only: a report run takes its own copy of the pool (the ledger)."""

    def build(base: Path) -> None:
        from test_zweite_stadt import _write_config, baue_stadt

        from kennzahlen.core import paths

        _write_config(base / "config")
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv(paths.CONFIG_ENV, str(base / "config"))
            baue_stadt(base)

    return _einmal(tmp_path_factory, "zweite-stadt", build)


@pytest.fixture(scope="session")
def reports(demo_pool: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All 24 reports of 2023-Q4 on the demo pool, made once by the real runner (browser and
    disclosure tests read them, never write). Under xdist the workers share one set: the first
    worker that needs it builds it under a file lock, the others wait and read it (the demo pools
    of the workers are built from the same deliveries and are equal)."""
    from filelock import FileLock

    from kennzahlen import runner
    from kennzahlen.catalog.geography import areas
    from kennzahlen.core.vocabulary import PRODUKTE

    def build(out: Path) -> None:
        res = runner.run("2023-Q4", sorted(PRODUKTE), areas(), demo_pool, out, progress=False)
        assert not res.failed, res.failed

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        out = tmp_path_factory.mktemp("reports")
        build(out)
        return out / "2023-Q4"
    shared = tmp_path_factory.getbasetemp().parent / "reports-shared"
    done = shared / ".fertig"
    with FileLock(str(shared) + ".lock"):
        if not done.exists():
            shutil.rmtree(shared, ignore_errors=True)  # a worker that failed half-way
            build(shared)
            done.touch()
    return shared / "2023-Q4"


CHROMIUM = os.environ.get("KENNZAHLEN_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, via playwright) for every browser and PDF test."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium fehlt ({CHROMIUM}): .ci/run installiert es")
        pytest.skip("Chromium nicht installiert (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()
