"""benchmarks/run.py's ``code_tree``: the code of a revision, never a stale copy of another one."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def run_mod(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """benchmarks/run.py working on a throwaway git repository."""
    spec = importlib.util.spec_from_file_location("bench_run_code_tree", RUN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.org")
    _git(repo, "config", "user.name", "t")
    monkeypatch.setattr(mod, "ROOT", repo)
    monkeypatch.setattr(mod, "OUT", tmp_path / "out")
    return mod, repo


def _commit(repo: Path, text: str) -> str:
    (repo / "stand.txt").write_text(text)
    _git(repo, "add", "stand.txt")
    _git(repo, "commit", "-q", "-m", text)
    return _git(repo, "rev-parse", "HEAD")


def test_head_after_a_new_commit_is_the_new_code(run_mod) -> None:
    mod, repo = run_mod
    erste = _commit(repo, "eins")
    alt = mod.code_tree("HEAD")
    assert (alt / "stand.txt").read_text() == "eins"
    zweite = _commit(repo, "zwei")
    neu = mod.code_tree("HEAD")
    assert (neu / "stand.txt").read_text() == "zwei", "HEAD reused the folder of an older commit"
    assert neu != alt
    # a short hash and the full one share the folder of their commit; the old one is still there
    assert mod.code_tree(zweite[:7]) == neu
    assert mod.code_tree(erste) == alt
    assert (alt / "stand.txt").read_text() == "eins"


def test_an_unknown_revision_is_refused(run_mod) -> None:
    mod, repo = run_mod
    _commit(repo, "eins")
    with pytest.raises(subprocess.CalledProcessError):
        mod.code_tree("gibt-es-nicht")
    assert not list((mod.OUT).glob("code-*"))
