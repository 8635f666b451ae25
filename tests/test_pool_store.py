"""The pool on disk: only our own files, never the raw folder, old or new pool at every instant."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kennzahlen.api import load_pool
from kennzahlen.cli import cli
from kennzahlen.core.safeio import FolderLock, LockBusy, shared_hold
from kennzahlen.pool import store as poolstore
from kennzahlen.pool.write import content_hashes, write_pool
from kennzahlen.pool.zaehlen import POOL_COLUMNS


def frames(tag: int) -> dict[str, pd.DataFrame]:
    """A tiny pool whose every table carries ``tag`` (so a mix of two pools is visible)."""
    k = pd.DataFrame(
        {
            "kennzahl": ["a", "a", "b"],
            "ebene": ["gesamtstadt"] * 3,
            "raum": ["Gesamtstadt"] * 3,
            "periode": ["2021", "2022", "2022"],
            "zaehler": [tag, tag + 1, tag + 2],
            "nenner": pd.array([pd.NA] * 3, dtype="Int64"),
            "wert": [float(tag)] * 3,
        }
    )[POOL_COLUMNS]
    stand = pd.DataFrame(
        {
            "datei": [f"jugendhilfe_{tag}.csv"],
            "tabelle": ["jugendhilfe"],
            "stand": [pd.Timestamp("2022-01-15")],
            "zeilen": [tag],
        }
    )
    return {"kennzahlen": k, "stand": stand, "ampel": pd.DataFrame({"tag": [tag]})}


def tag_of(out: Path) -> int:
    """Which pool the analysts' API reads; every table and the manifest must agree."""
    k = load_pool(out)
    tag = int(k["zaehler"].iloc[0])
    assert load_pool(out, "stand")["zeilen"].tolist() == [tag]
    assert load_pool(out, "ampel")["tag"].tolist() == [tag]
    assert (
        poolstore.current(out).manifest["kennzahlen"] == content_hashes(frames(tag))["kennzahlen"]
    )
    return tag


def top_level_tag(out: Path) -> int:
    """What `pd.read_parquet("data/processed/kennzahlen.parquet")` sees."""
    return int(pd.read_parquet(out / "kennzahlen.parquet")["zaehler"].iloc[0])


def cli_pool(raw: Path, out: Path):
    return CliRunner().invoke(cli, ["pool", "--raw", str(raw), "--out", str(out)])


# ----------------------------------------------------------------------- never delete foreign files
def test_out_with_other_files_is_refused_and_untouched(demo_raw: Path, tmp_path: Path):
    out = tmp_path / "auswertung"
    out.mkdir()
    (out / "notizen.txt").write_text("meine Notizen", "utf-8")
    (out / "alt.xlsx").write_bytes(b"PK")
    res = cli_pool(demo_raw, out)
    assert res.exit_code == 2, res.output
    assert "nicht von `kennzahlen pool` stammen: alt.xlsx, notizen.txt" in res.output
    assert "Traceback" not in res.output
    assert sorted(p.name for p in out.iterdir()) == ["alt.xlsx", "notizen.txt"]
    assert (out / "notizen.txt").read_text("utf-8") == "meine Notizen"


def test_out_that_holds_or_is_the_raw_folder_is_refused(demo_raw: Path, tmp_path: Path):
    data = tmp_path / "X" / "data"
    raw = data / "raw"
    shutil.copytree(demo_raw, raw)
    before = sorted(p.name for p in raw.iterdir())
    for out, why in (
        (data, "enthält den Rohdatenordner"),
        (raw, "ist der Rohdatenordner"),
        (raw / "pool", "liegt im Rohdatenordner"),
    ):
        res = cli_pool(raw, out)
        assert res.exit_code == 2, res.output
        assert why in res.output and "NICHT geschrieben" in res.output
    assert sorted(p.name for p in raw.iterdir()) == before
    assert sorted(p.name for p in data.iterdir()) == ["raw"]


def test_out_that_is_a_file_is_refused(demo_raw: Path, tmp_path: Path):
    f = tmp_path / "pool.parquet"
    f.write_bytes(b"keep me")
    res = cli_pool(demo_raw, f)
    assert res.exit_code == 2 and "ist eine Datei, kein Ordner" in res.output
    assert f.read_bytes() == b"keep me"


def test_unlisted_pool_looking_files_and_a_foreign_manifest_are_foreign(tmp_path: Path):
    out = tmp_path / "p"
    out.mkdir()
    (out / "kennzahlen.parquet").write_bytes(b"not ours: no manifest lists it")
    with pytest.raises(poolstore.PoolTargetError, match="kennzahlen.parquet"):
        write_pool(frames(1), out)
    (out / "kennzahlen.parquet").unlink()
    (out / "manifest.json").write_text('{"name": "a web app"}')
    with pytest.raises(poolstore.PoolTargetError, match="manifest.json"):
        write_pool(frames(1), out)
    assert (out / "manifest.json").read_text() == '{"name": "a web app"}'


def test_an_old_flat_pool_and_a_readme_are_ours_to_replace_or_keep(tmp_path: Path):
    out = tmp_path / "processed"
    out.mkdir()
    frames(1)["kennzahlen"].to_parquet(out / "kennzahlen.parquet")
    (out / "alt.parquet").write_bytes(b"listed by the old manifest")
    (out / "manifest.json").write_text(
        json.dumps({"dateien": {"kennzahlen.parquet": "x", "alt.parquet": "y"}})
    )
    (out / "README.md").write_text("checked in by the project", "utf-8")
    write_pool(frames(2), out)
    assert tag_of(out) == 2 and top_level_tag(out) == 2
    assert not (out / "alt.parquet").exists()  # listed by our own old manifest, not written again
    assert (out / "README.md").read_text("utf-8") == "checked in by the project"


# ---------------------------------------------------------------------------- the swap
def test_same_content_same_version_and_old_versions_pruned(tmp_path: Path):
    out = tmp_path / "pool"
    write_pool(frames(1), out)
    first = poolstore.current(out).manifest["version"]
    write_pool(frames(1), out)
    assert poolstore.current(out).manifest["version"] == first
    assert [p.name for p in (out / "versions").iterdir()] == [first]
    with shared_hold(out / "versions" / first / "manifest.json"):  # a report run reads version 1
        write_pool(frames(2), out)
        write_pool(frames(3), out)
        write_pool(frames(4), out)
        kept = {p.name for p in (out / "versions").iterdir()}
    assert first in kept and len(kept) == 3  # the read one, the previous, the current
    write_pool(frames(5), out)
    assert len(list((out / "versions").iterdir())) == 2
    assert tag_of(out) == 5


def test_folder_permissions_are_kept_and_no_temp_folder_remains(tmp_path: Path):
    out = tmp_path / "processed"
    out.mkdir()
    os.chmod(out, 0o775)
    (tmp_path / ".pool-tmp-abc123").mkdir()  # left beside the pool by an older, killed version
    frames(0)["kennzahlen"].to_parquet(tmp_path / ".pool-tmp-abc123" / "kennzahlen.parquet")
    (tmp_path / ".pool-old-4711").mkdir()
    (tmp_path / ".pool-old-4711" / "manifest.json").write_text("{}")
    (out / ".pool-tmp-killed").mkdir()  # a killed writer of this version
    (out / ".kz-tmp-kennzahlen.1234.parquet").write_bytes(b"half")
    write_pool(frames(1), out)
    write_pool(frames(2), out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o775
    for v in (out / "versions").iterdir():
        assert stat.S_IMODE(v.stat().st_mode) == 0o775
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".pool-")]
    assert not [p.name for p in out.iterdir() if p.name.startswith((".pool-", ".kz-tmp-"))]


def _kill_at(step: int, out: Path, tag: int) -> bool:
    """Write pool ``tag`` in a forked child that is killed (SIGKILL) before its ``step``-th file
    operation; True if the write finished before that step."""
    pid = os.fork()
    if pid == 0:  # the child: count renames, links and deletions, die at the chosen one
        try:
            count = [0]

            def counted(fn):
                def wrapper(*a, **k):
                    count[0] += 1
                    if count[0] == step:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return fn(*a, **k)

                return wrapper

            for mod, name in (
                (os, "replace"),
                (os, "rename"),
                (os, "link"),
                (os, "unlink"),
                (shutil, "rmtree"),
            ):
                setattr(mod, name, counted(getattr(mod, name)))
            write_pool(frames(tag), out)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status)


def test_killed_at_every_step_of_the_swap_the_pool_is_old_or_new(tmp_path: Path):
    out = tmp_path / "pool"
    out.mkdir()
    os.chmod(out, 0o755)
    write_pool(frames(1), out)
    results = []
    for step in range(1, 40):
        work = tmp_path / f"k{step}"
        shutil.copytree(out, work, symlinks=True)
        finished = _kill_at(step, work, 2)
        seen = tag_of(work)  # never "Kein Datenpool", never a mix of two pools
        assert seen in (1, 2), step
        assert top_level_tag(work) in (1, 2), step
        assert stat.S_IMODE(work.stat().st_mode) == 0o755
        write_pool(frames(2), work)  # the rerun completes the work and cleans up
        assert tag_of(work) == 2 and top_level_tag(work) == 2
        assert not [p.name for p in work.iterdir() if p.name.startswith((".pool-", ".kz-tmp-"))]
        assert poolstore.foreign_entries(work) == []
        results.append((step, seen, finished))
        if finished:
            break
    assert results[-1][2], "the write has more steps than the test tries"
    assert {seen for _, seen, _ in results} == {1, 2}  # kills before and after the switch


def test_a_second_writer_is_told_who_holds_the_folder(tmp_path: Path):
    out = tmp_path / "pool"
    write_pool(frames(1), out)
    with FolderLock(out, "Der Datenpool-Ordner"), pytest.raises(LockBusy) as info:
        write_pool(frames(2), out)
    msg = str(info.value)
    assert (
        f"PID {os.getpid()}" in msg
        and "seit" in msg
        and "wird gerade von einem anderen Lauf benutzt" in msg
    )
    assert tag_of(out) == 1


def test_readers_never_miss_the_pool_while_it_is_rewritten(tmp_path: Path):
    """A reader process loops over the pool while the writer swaps ten times."""
    import multiprocessing

    out = tmp_path / "pool"
    write_pool(frames(1), out)
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    errors = ctx.Queue()
    reader = ctx.Process(target=_read_loop, args=(out, stop, errors))
    reader.start()
    try:
        for tag in range(2, 12):
            write_pool(frames(tag), out)
    finally:
        stop.set()
        reader.join(30)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == []
    assert tag_of(out) == 11


def _read_loop(out: Path, stop, errors) -> None:
    n = 0
    while not stop.is_set() or n == 0:
        try:
            with poolstore.gehalten(out) as version:  # one version, kept while it is read
                tag = int(pd.read_parquet(version.dir / "kennzahlen.parquet")["zaehler"].iloc[0])
                assert pd.read_parquet(version.dir / "stand.parquet")["zeilen"].tolist() == [tag]
                assert version.manifest["kennzahlen"] == content_hashes(frames(tag))["kennzahlen"]
            assert load_pool(out)["zaehler"].iloc[0] >= tag
            top_level_tag(out)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.put(f"{type(exc).__name__}: {exc}")
            return
        n += 1


def test_manifest_names_its_files_with_checksums(tmp_path: Path):
    out = tmp_path / "pool"
    write_pool(frames(1), out)
    m = poolstore.current(out).manifest
    vdir = out / "versions" / m["version"]
    for name, digest in m["dateien"].items():
        assert hashlib.sha256((vdir / name).read_bytes()).hexdigest() == digest
        assert (out / name).read_bytes() == (vdir / name).read_bytes()
    assert (out / "manifest.json").read_bytes() == (vdir / "manifest.json").read_bytes()


def test_a_version_folder_reads_as_a_pool(tmp_path: Path):
    """The runner hands a report the version folder it planned with."""
    out = tmp_path / "pool"
    write_pool(frames(3), out)
    vdir = out / "versions" / poolstore.current(out).manifest["version"]
    assert tag_of(vdir) == 3


def test_a_reader_whose_version_is_pruned_before_it_holds_it_reads_the_newer_one(
    tmp_path: Path, monkeypatch
):
    """The race of a slow reader: it finds version 1 named, two builds follow and prune it before
    the reader holds it. `load_pool` reads the version named now instead of failing with
    'fehlt' (the reader loop below saw a FileNotFoundError under load)."""
    out = tmp_path / "pool"
    write_pool(frames(1), out)
    stale = poolstore.current(out)
    write_pool(frames(2), out)
    write_pool(frames(3), out)  # prunes version 1 (nobody holds it)
    assert not stale.dir.exists()
    echt = poolstore.current
    gesehen = []

    def langsam(root):  # the first look returns what a slow reader saw before the builds
        gesehen.append(root)
        return stale if len(gesehen) == 1 else echt(root)

    monkeypatch.setattr(poolstore, "current", langsam)
    assert int(load_pool(out)["zaehler"].iloc[0]) == 3
    with poolstore.gehalten(out) as version:
        assert version.dir.name == echt(out).dir.name


def test_prune_never_removes_a_version_held_while_it_decides(tmp_path: Path):
    """A reader holding a version (shared lock) keeps it through any number of builds; the
    version is removed by the first build after the reader lets go."""
    out = tmp_path / "pool"
    write_pool(frames(1), out)
    with poolstore.gehalten(out) as version:
        for tag in (2, 3, 4):
            write_pool(frames(tag), out)
        assert version.dir.exists()
        assert pd.read_parquet(version.dir / "kennzahlen.parquet")["zaehler"].iloc[0] == 1
    write_pool(frames(5), out)
    assert not version.dir.exists()
