"""Modules an analyst calls: ``kz.sozialindex(…)`` and ``kz.ampel(…)``.

``kennzahlen.sozialindex`` and ``kennzahlen.ampel`` are the pipeline stages (the computation at
pool build), so the package attribute of the same name is the stage's package, whatever else it
is set to (importing a subpackage sets it). Rather than give the analysts' functions other names,
the two packages are made callable: ``kz.sozialindex(pool, "2023")`` calls
:func:`kennzahlen.api.werkbank.sozialindex`, and everything else about the package stays as it
was (``from kennzahlen import sozialindex``; ``kennzahlen.sozialindex.config``). JupyterLab's
contextual help shows the function's signature and docstring.

The analysts' function lives in the API, the top layer; a stage must not import it. So the stage
names it as ``"module:function"`` and the function is imported on the first call (late binding,
the one deliberate exception to the layer contract, listed in tests/test_layers.py).
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from collections.abc import Callable


class _Aufruf:
    """The call of a callable module: imports ``"module:function"`` on first use and calls it;
    its ``__doc__`` and ``__signature__`` are the function's (for JupyterLab's help)."""

    def __init__(self, ziel: str) -> None:
        self.ziel = ziel
        self._f: Callable | None = None

    def funktion(self) -> Callable:
        if self._f is None:
            modul, name = self.ziel.split(":")
            self._f = getattr(importlib.import_module(modul), name)
        return self._f

    def __call__(self, *args, **kwargs):
        return self.funktion()(*args, **kwargs)

    # help() and the notebook's ? show the target's docstring; typeshed has __doc__ as a plain
    # attribute of every object, so a property in its place is flagged (on purpose here)
    @property  # type: ignore[misc]
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self.funktion().__doc__

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(self.funktion())


def aufrufbar(modulname: str, ziel: str) -> None:
    """Make the module ``modulname`` callable: calling it calls the function ``ziel``
    (``"kennzahlen.api.werkbank:sozialindex"``), imported on the first call."""
    aufruf = _Aufruf(ziel)
    modul = sys.modules[modulname]
    name = f"AufrufbaresModul_{modulname.rsplit('.', 1)[-1]}"
    modul.__class__ = type(
        name,
        (types.ModuleType,),
        {"__call__": aufruf, "__signature__": property(lambda _m: aufruf.__signature__)},
    )
