"""The layer contract of the package (docs/architecture.md), checked on the import graph.

- every pipeline stage imports only from the stages below it (import-linter, the contracts in
  pyproject.toml: also run by ``make lint``);
- no import circle between any two modules, imports inside functions included;
- no private name (``_x``) imported from another package: what a stage offers is public.

The one deliberate exception is :mod:`kennzahlen.core.aufrufbar`: ``kz.sozialindex(…)`` and
``kz.ampel(…)`` name the analysts' function of the API as a string, imported on the first call.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib" / "kennzahlen"


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.find_modules_directly_imported_by(w)))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    x = stack.pop()
                    on_stack.discard(x)
                    comp.append(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_the_cycle_finder_finds_a_circle():
    g = grimp.ImportGraph()
    for m in ("p", "p.a", "p.b", "p.c"):
        g.add_module(m)
    g.add_import(importer="p.a", imported="p.b")
    g.add_import(importer="p.b", imported="p.c")
    g.add_import(importer="p.c", imported="p.a")
    assert _cycles(g) == [["p.a", "p.b", "p.c"]]


def test_no_import_circle_between_modules():
    graph = grimp.build_graph("kennzahlen", exclude_type_checking_imports=True)
    assert not _cycles(graph), "Import-Kreise:\n" + "\n".join(map(str, _cycles(graph)))


def test_stages_import_only_from_below():
    """import-linter's contracts in pyproject.toml (layers bottom to top, products independent)."""
    exe = Path(sys.executable).with_name("lint-imports")
    res = subprocess.run(
        [str(exe), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert "0 broken" in res.stdout


def _modname(path: Path, lib: Path = LIB) -> str:
    parts = list(path.relative_to(lib.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_imports(lib: Path = LIB) -> list[str]:
    """``module: imported.name`` for every private name a module imports from another package."""
    hits = []
    for path in sorted(lib.rglob("*.py")):
        mod = _modname(path, lib)
        pkg = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kennzahlen")
            ):
                continue
            module = node.module or ""
            is_pkg = (lib.parent / module.replace(".", "/")).is_dir()
            source_pkg = module if is_pkg else module.rsplit(".", 1)[0]
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and source_pkg != pkg:
                    hits.append(f"{mod}: {module}.{alias.name}")
    return hits


def test_no_private_name_across_packages():
    assert not private_imports(), "\n".join(private_imports())


@pytest.mark.parametrize(
    "source, found",
    [
        ("from kennzahlen.b.x import _geheim\n", True),
        ("from kennzahlen.a.y import _nachbar\n", False),  # same package
        ("from kennzahlen.b.x import oeffentlich\n", False),
    ],
)
def test_the_private_name_check_sees_a_private_import(tmp_path: Path, source: str, found: bool):
    lib = tmp_path / "kennzahlen"
    for sub in ("a", "b"):
        (lib / sub).mkdir(parents=True)
        (lib / sub / "__init__.py").write_text("")
    (lib / "a" / "z.py").write_text(source)
    assert bool(private_imports(lib)) is found
