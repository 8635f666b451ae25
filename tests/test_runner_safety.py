"""Report runs that can be killed: a lock per folder, unique temp names, no orphans, resumable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import unicodedata
from pathlib import Path

import pytest
from procs import alive, descendants
from test_runner import _notebook, manifest

from kennzahlen import runner
from kennzahlen.core.safeio import FolderLock
from kennzahlen.core.vocabulary import PRODUKTE

#: the end-to-end layer (`pytest -m "not e2e"` leaves it out; markers in pyproject.toml)
pytestmark = pytest.mark.e2e

LINUX = sys.platform.startswith("linux")


@pytest.fixture()
def setup(tmp_path: Path) -> dict[str, Path]:
    """A fake pool and one tiny product notebook (the runner's tests use the same shape)."""
    s = {"nbs": tmp_path / "notebooks", "pool": tmp_path / "pool", "out": tmp_path / "reports"}
    s["nbs"].mkdir()
    s["pool"].mkdir()
    (s["pool"] / "manifest.json").write_text(manifest("abc"))
    _notebook(s["nbs"] / PRODUKTE[1].notebook, 'print(f"Bericht {sozialraum} {periode}")')
    return s


def _script(s: dict[str, Path], produkte: list[int], raeume: list[str], workers: int) -> list[str]:
    code = textwrap.dedent(f"""
        from pathlib import Path
        from kennzahlen import runner
        runner.run("2023-Q4", {produkte!r}, {raeume!r}, Path({str(s["pool"])!r}),
                   Path({str(s["out"])!r}), workers={workers}, notebooks=Path({str(s["nbs"])!r}),
                   progress=False)
    """)
    return [sys.executable, "-c", code]


def test_a_second_run_is_told_who_holds_the_folder(setup):
    folder = setup["out"] / "2023-Q4"
    with FolderLock(folder, "Der Berichtsordner"), pytest.raises(runner.RunnerError) as info:
        runner.run(
            "2023-Q4",
            [1],
            ["West"],
            setup["pool"],
            setup["out"],
            workers=1,
            notebooks=setup["nbs"],
            progress=False,
        )
    msg = str(info.value)
    assert f"PID {os.getpid()} auf " in msg and "seit " in msg and "Berichtsordner" in msg
    assert not (folder / "1_sozialstruktur" / "west.html").exists()


def test_a_second_run_waits_when_asked(setup):
    folder = setup["out"] / "2023-Q4"
    lock = FolderLock(folder, "Der Berichtsordner").acquire()
    threading.Timer(1.0, lock.release).start()
    said: list[str] = []
    res = runner.run(
        "2023-Q4",
        [1],
        ["West"],
        setup["pool"],
        setup["out"],
        workers=1,
        notebooks=setup["nbs"],
        progress=False,
        wait=60,
        echo=said.append,
    )
    assert [e["status"] for e in res.entries] == ["ok"]
    assert said and f"PID {os.getpid()}" in said[0]


def test_temp_names_are_unique_and_stale_ones_are_removed(setup):
    from kennzahlen.core.safeio import atomic_write, temp_name

    folder = setup["out"] / "2023-Q4" / "1_sozialstruktur"
    folder.mkdir(parents=True)
    target = folder / "west.html"
    names = {temp_name(target) for _ in range(50)}
    assert len(names) == 50 and all(n.name.startswith(".kz-tmp-west.") for n in names)
    for n in names:
        n.unlink()
    (folder / ".west.html.tmp-4711").write_text("from an older, killed run")
    (folder / ".west.xlsx.tmp").write_text("from an older, killed run")
    atomic_write(folder / ".kz-tmp-west.abc.html", "left by a kill")
    (folder / "notizen.txt").write_text("not ours")
    runner.run(
        "2023-Q4",
        [1],
        ["West"],
        setup["pool"],
        setup["out"],
        workers=1,
        notebooks=setup["nbs"],
        progress=False,
    )
    # files only: the Stadtviertel profiles of Produkt 1 have a folder of their own (issue 32)
    dateien = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert dateien == ["notizen.txt", "west.html", "west.ipynb"]


def test_excel_writers_on_one_file_do_not_collide(demo_pool: Path, tmp_path: Path):
    """Two runs writing the same Quartalsmeldung attachment (the old shared `.name.tmp`)."""
    from concurrent.futures import ThreadPoolExecutor

    import openpyxl

    from kennzahlen.products.quartalsmeldung.bericht import write_excel

    path = tmp_path / "west.xlsx"
    with ThreadPoolExecutor(4) as ex:
        futures = [ex.submit(write_excel, demo_pool, "2023-Q4", "West", path) for _ in range(8)]
        for f in futures:
            f.result()
    assert openpyxl.load_workbook(path).active["A1"].value.startswith("Erfassungsbogen")
    assert [p.name for p in tmp_path.iterdir()] == ["west.xlsx"]


def test_nfc_and_nfd_area_names_are_the_same_area(setup):
    nfd = unicodedata.normalize("NFD", "Böfingen")
    assert nfd != "Böfingen"
    jobs = runner.plan("2023-Q4", [1], [nfd, " West "], setup["pool"], setup["out"], setup["nbs"])
    assert [j.raum for j in jobs] == ["Böfingen", "West"]


def _cmdline(pid: int) -> bytes:
    """A process's command line ('' when it ended meanwhile)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.skipif(not LINUX, reason="reads /proc")
@pytest.mark.parametrize("workers", [1, 2])
def test_workers_and_kernels_die_with_a_killed_run(setup, workers):
    for nr in (1, 4):  # two products: each worker starts one (runner.verteilung)
        _notebook(
            setup["nbs"] / PRODUKTE[nr].notebook,
            "import time\ntime.sleep(120)\nopen('written-after-kill', 'w').write('x')",
        )
    proc = subprocess.Popen(
        _script(setup, [1, 4], ["West", "Wiblingen"], workers), cwd=setup["nbs"]
    )
    deadline = time.monotonic() + 90
    kernels: set[int] = set()
    while time.monotonic() < deadline:
        kids = descendants(proc.pid)
        kernels = {k for k in kids if b"ipykernel" in _cmdline(k)}
        if len(kernels) >= workers:
            break
        time.sleep(0.2)
    assert len(kernels) >= workers, "kernels did not start"
    tree = descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(p) for p in tree):
        time.sleep(0.1)
    left = [p for p in tree if alive(p)]
    for p in left:  # do not leave them running if the test fails
        os.kill(p, signal.SIGKILL)
    assert left == [], "workers or kernels outlived the killed run"
    assert not (setup["nbs"] / "written-after-kill").exists()


@pytest.mark.skipif(not LINUX, reason="kill -9")
def test_runs_json_is_written_per_report_and_a_rerun_redoes_only_the_rest(setup):
    _notebook(
        setup["nbs"] / PRODUKTE[1].notebook,
        'import os, time\nif sozialraum == "West" and not os.path.exists("rerun"):\n    '
        'time.sleep(120)\nprint("ok")',
    )
    runs = setup["out"] / "2023-Q4" / "runs.json"
    proc = subprocess.Popen(
        _script(setup, [1], ["Böfingen", "Eselsberg", "West"], 1), cwd=setup["nbs"]
    )
    deadline = time.monotonic() + 90
    done: list = []
    while time.monotonic() < deadline:
        if runs.exists():
            done = [e for e in json.loads(runs.read_text())["reports"] if e["status"] == "ok"]
            if len(done) == 2:
                break
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert sorted(e["raum"] for e in done) == ["Böfingen", "Eselsberg"]
    (setup["nbs"] / "rerun").write_text("")
    res = runner.run(
        "2023-Q4",
        [1],
        ["Böfingen", "Eselsberg", "West"],
        setup["pool"],
        setup["out"],
        workers=1,
        notebooks=setup["nbs"],
        progress=False,
    )
    status = {e["raum"]: e["status"] for e in res.entries}
    assert status == {"Böfingen": "uebersprungen", "Eselsberg": "uebersprungen", "West": "ok"}


@pytest.mark.skipif(not LINUX, reason="Unix sockets")
def test_kernel_files_of_killed_runs_are_removed(setup):
    import tempfile

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    tmp = Path(tempfile.gettempdir())
    stale = [
        tmp / f"kz-kernel-{dead.pid}-abcdef123456-1",
        tmp / f"kz-kernel-{dead.pid}-abcdef123456.json",
    ]
    mine = tmp / f"kz-kernel-{os.getpid()}-abcdef123456-1"
    for f in [*stale, mine]:
        f.write_text("")
    try:
        res = runner.run(
            "2023-Q4",
            [1],
            ["West"],
            setup["pool"],
            setup["out"],
            workers=1,
            notebooks=setup["nbs"],
            progress=False,
        )
        assert [e["status"] for e in res.entries] == ["ok"]
        assert not any(f.exists() for f in stale) and mine.exists()
        leftover = [f for f in tmp.glob(f"kz-kernel-{os.getpid()}-*") if f != mine]
        assert leftover == []  # the run's own kernel files are gone after its clean shutdown
    finally:
        mine.unlink(missing_ok=True)


def test_the_holder_is_named_even_while_the_lock_file_is_being_rewritten(tmp_path: Path):
    """A second run that reads the lock file while the holder rewrites it still names the holder.

    The holder text is replaced atomically, and a reader that finds no live holder in it reads
    again for a moment instead of saying "ohne Angaben" (seen in the concurrent-run fault test).
    """
    import json as _json
    import os as _os

    from kennzahlen.core.safeio import LockBusy

    lock = FolderLock(tmp_path, "Der Berichtsordner").acquire()
    try:
        # a stale text from a previous, dead holder, as the holder is about to overwrite it
        import socket

        dead = {"pid": 2**22 + 12345, "host": socket.gethostname(), "start": ""}
        lock.path.write_text(_json.dumps(dead), encoding="utf-8")

        import threading

        def rewrite() -> None:
            import time as _time

            _time.sleep(0.2)
            lock._write_holder()

        t = threading.Thread(target=rewrite)
        t.start()
        with pytest.raises(LockBusy) as info:
            FolderLock(tmp_path, "Der Berichtsordner").acquire()
        t.join()
        assert f"PID {_os.getpid()}" in str(info.value)
    finally:
        lock.release()


@pytest.mark.parametrize("taub", [False, True])
def test_a_cell_over_the_time_limit_fails_only_its_report(tmp_path: Path, taub):
    """One hanging cell used to hold the batch and its folder lock forever. With a time limit the
    report fails with a plain message naming it; the next report gets a new kernel and runs. A
    cell deaf to the interrupt (C code, a solver) is ended by killing its kernel."""
    nbs, pool = tmp_path / "notebooks", tmp_path / "pool"
    nbs.mkdir()
    pool.mkdir()
    (pool / "manifest.json").write_text(manifest("abc"))
    taub_code = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n" if taub else ""
    _notebook(
        nbs / PRODUKTE[4].notebook,
        taub_code + 'import time\nif sozialraum == "Wiblingen":\n    time.sleep(60)\nprint("ok")',
    )
    t0 = time.perf_counter()
    res = runner.run(
        "2023-Q4",
        [4],
        ["Wiblingen", "West"],
        pool,
        tmp_path / "reports",
        workers=1,
        notebooks=nbs,
        progress=False,
        zeitlimit=2,
    )
    assert time.perf_counter() - t0 < 40
    status = {e["raum"]: e["status"] for e in res.entries}
    assert status == {"Wiblingen": "fehler", "West": "ok"}
    assert res.failed[0]["fehler"] == (
        "Zeitlimit überschritten: eine Zelle von Produkt 4 Wiblingen (Ampel) lief länger als "
        "2 s (kennzahlen report --zeitlimit); der Bericht wurde abgebrochen, die anderen liefen "
        "weiter."
    )


@pytest.mark.parametrize("papermill_meldet", [True, False])
def test_only_a_complete_executed_notebook_replaces_the_old_one(
    tmp_path: Path, monkeypatch, papermill_meldet: bool
):
    """A rerun on a full disk replaced a good executed notebook with a truncated one."""
    import errno

    import papermill

    from kennzahlen.runner import worker

    nb = tmp_path / PRODUKTE[4].notebook
    _notebook(nb, 'print("ok")')
    executed = tmp_path / "west.ipynb"
    executed.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    alt = executed.read_bytes()

    def voll(_nb, output_path, **_kw):
        Path(output_path).write_text('{"cells": [{"cell_type": "co')  # cut off mid-write
        if papermill_meldet:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(papermill, "execute_notebook", voll)
    monkeypatch.setattr(worker, "_warm_kernel", lambda cwd: None)
    job = runner.Job(4, "West", "2023-Q4", str(tmp_path), str(tmp_path), str(nb))
    error = worker._execute_notebook(job, executed)
    assert isinstance(error, OSError)
    if not papermill_meldet:
        assert "nicht vollständig geschrieben (Datenträger voll?)" in str(error)
    assert executed.read_bytes() == alt
    assert sorted(p.name for p in tmp_path.iterdir()) == [PRODUKTE[4].notebook, "west.ipynb"]


@pytest.mark.skipif(not LINUX, reason="kill -9")
def test_a_killed_worker_fails_only_its_report_and_is_replaced(setup):
    """A worker process that dies (killed from its report's kernel) fails that report; its
    product's other reports are made by a new worker, the other product's by the other one."""
    kill = (
        'import os, signal\nif sozialraum == "West":\n    os.kill(os.getppid(), signal.SIGKILL)\n'
        'print(f"Bericht {sozialraum}")'
    )
    _notebook(setup["nbs"] / PRODUKTE[1].notebook, kill)
    _notebook(setup["nbs"] / PRODUKTE[4].notebook, 'print(f"Bericht {sozialraum}")')
    res = runner.run(
        "2023-Q4",
        [1, 4],
        ["West", "Wiblingen", "Eselsberg"],
        setup["pool"],
        setup["out"],
        workers=2,
        notebooks=setup["nbs"],
        progress=False,
    )
    status = {(e["produkt"], e["raum"]): e["status"] for e in res.entries}
    assert status == {
        (1, "West"): "fehler",
        (1, "Wiblingen"): "ok",
        (1, "Eselsberg"): "ok",
        (4, "West"): "ok",
        (4, "Wiblingen"): "ok",
        (4, "Eselsberg"): "ok",
    }
