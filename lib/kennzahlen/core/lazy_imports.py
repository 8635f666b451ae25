"""Start-up of a process that reads a notebook: a library's work on import deferred to first use.

Reading a notebook (nbformat, and with it papermill, nbclient and nbconvert) imports
``jsonschema``, and ``jsonschema`` imports ``rfc3987_syntax`` when it is installed (JupyterLab's
``jupyter_events`` asks for it) for two format checks, 'iri' and 'iri-reference'. That module
builds its Earley parsers when it is imported: about 1.2 s of CPU in every process that reads a
notebook (the parent of a report run and its workers, each pytest worker through nbval), while no
notebook and no check of ours uses an IRI format. (Until now the runner kept the module out
altogether: that dropped the two checks in its processes and helped no other process.)

:func:`defer_rfc3987_syntax` puts a stand-in under the module's name before ``jsonschema`` is
imported: ``jsonschema`` finds ``is_valid_syntax`` as before, and the first call imports the real
module and hands on to it, so the two format checks give the same answers (tested). Called on
``import kennzahlen`` and, for the test suite, as the pytest plugin
``-p kennzahlen.core.lazy_imports`` (it loads before nbval's). Nothing is done when
``jsonschema`` or the module is imported already, or when it is not installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

_NAME = "rfc3987_syntax"


def defer_rfc3987_syntax() -> bool:
    """Put the stand-in in place (True), or leave things as they are (False: too late, or the
    module is not installed)."""
    if _NAME in sys.modules or "jsonschema" in sys.modules:
        return False
    try:
        spec = importlib.util.find_spec(_NAME)
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    stand_in = types.ModuleType(_NAME, "stand-in until first use (kennzahlen.core.lazy_imports)")
    stand_in.__dict__["is_valid_syntax"] = _is_valid_syntax
    stand_in.__dict__["__getattr__"] = _getattr
    stand_in.__dict__["__kennzahlen_stand_in__"] = True
    sys.modules[_NAME] = stand_in
    return True


def _real() -> types.ModuleType:
    """The real module (imported on first use, in place of the stand-in)."""
    current = sys.modules.get(_NAME)
    if current is not None and not getattr(current, "__kennzahlen_stand_in__", False):
        return current
    sys.modules.pop(_NAME, None)
    return importlib.import_module(_NAME)


def _is_valid_syntax(term: str, value: str):
    """``rfc3987_syntax.is_valid_syntax``, imported on the first call."""
    return _real().is_valid_syntax(term, value)


def _getattr(name: str):
    """Any other name of the module: from the real one."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(_real(), name)


defer_rfc3987_syntax()
