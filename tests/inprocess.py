"""Run a product notebook in this process (no kernel): its code cells in order, with parameters,
collecting what it displays and every chart it draws. Fast enough to try many pools and periods;
the real runner runs the same notebooks in kernels in the other tests."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
import pytest

#: warnings a kernel would print into the report (stderr); library deprecations are not shown there
GEZEIGTE_WARNUNGEN = (UserWarning, RuntimeWarning, FutureWarning)


@dataclass
class Lauf:
    """What one in-process notebook run displayed."""

    ausgaben: list = field(default_factory=list)
    figuren: list = field(default_factory=list)
    warnungen: list = field(default_factory=list)

    def text(self) -> str:
        """The HTML/Markdown/text of every output, joined."""
        parts = []
        for o in self.ausgaben:
            data = getattr(o, "data", None)
            parts.append(
                data if isinstance(data, str) else repr(o) if not hasattr(o, "savefig") else ""
            )
        return "\n".join(parts)


def run_notebook(path: Path, parameters: dict, monkeypatch: pytest.MonkeyPatch) -> Lauf:
    """Execute the notebook's code cells with ``parameters`` injected after its parameters cell."""
    import IPython.display

    from kennzahlen.charts import plots

    lauf = Lauf()
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: lauf.ausgaben.extend(objs))
    done = plots._done

    def merken(fig):
        lauf.figuren.append(fig)
        return done(fig)

    monkeypatch.setattr(plots, "_done", merken)
    ns: dict = {"display": IPython.display.display, "__name__": "__main__"}
    nb = nbformat.read(path, as_version=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source)
            if "parameters" in cell.metadata.get("tags", []):
                # noqa: S102 - the project's own notebook
                exec(compile(tree, path.name, "exec"), ns)
                ns.update(parameters)
                continue
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, path.name, "exec"), ns)  # noqa: S102
            if last is not None:
                # noqa: S307
                value = eval(compile(ast.Expression(last.value), path.name, "eval"), ns)
                if value is not None:
                    lauf.ausgaben.append(value)
    lauf.warnungen = [w for w in caught if issubclass(w.category, GEZEIGTE_WARNUNGEN)]
    return lauf


def achsen_probleme(fig) -> list[str]:
    """Empty or NaN axes of a chart: no finite limits, nothing drawn, or 'nan' in a tick label."""
    fig.canvas.draw()
    out = []
    title = fig._suptitle.get_text() if fig._suptitle else ""
    for ax in fig.axes:
        if not ax.get_visible() or ax.get_label() == "<colorbar>":
            continue
        name = ax.get_title() or title
        limits = [*ax.get_xlim(), *ax.get_ylim()]
        if not np.all(np.isfinite(limits)):
            out.append(f"{name}: Achsengrenzen {limits}")
        lines = [
            ln for ln in ax.lines if np.isfinite(np.asarray(ln.get_ydata(), dtype=float)).any()
        ]
        if not (lines or ax.patches or ax.collections or ax.images):
            out.append(f"{name}: leere Achse")
        for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
            if "nan" in label.get_text().lower():
                out.append(f"{name}: Achsenbeschriftung '{label.get_text()}'")
    return out
