"""Modules an analyst calls: ``kz.sozialindex(…)`` and ``kz.ampel(…)``.

``kennzahlen.sozialindex`` and ``kennzahlen.ampel`` are modules (the computation at pool
build), so the package attribute of the same name is the module, whatever else it is set to
(importing a submodule sets it). Rather than give the analysts' functions other names, the two
modules are made callable: ``kz.sozialindex(pool, "2023")`` calls
:func:`kennzahlen.werkbank.sozialindex`, and everything else about the module stays as it was
(``from kennzahlen import sozialindex as si``; ``si.pool_frames(…)``). JupyterLab's contextual
help shows the function's signature and docstring as the call signature and call docstring.
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Callable


def aufrufbar(modulname: str, funktion: Callable) -> None:
    """Make the module ``modulname`` callable: calling it calls ``funktion``."""

    def __call__(self, *args, **kwargs):  # noqa: N807 - the protocol's name
        return funktion(*args, **kwargs)

    sig = inspect.signature(funktion)
    selbst = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    __call__.__signature__ = sig.replace(parameters=[selbst, *sig.parameters.values()])
    __call__.__doc__ = funktion.__doc__
    modul = sys.modules[modulname]
    name = f"AufrufbaresModul_{modulname.rsplit('.', 1)[-1]}"
    modul.__class__ = type(name, (types.ModuleType,), {"__call__": __call__})
