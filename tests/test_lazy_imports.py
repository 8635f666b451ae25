"""The deferred import of rfc3987_syntax (kennzahlen.core.lazy_imports): nothing built on start-up,
the same answers from jsonschema's two IRI format checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("rfc3987_syntax")

#: IRIs and IRI references, valid and not (spaces, a bad percent escape, a bare fragment, umlauts)
WERTE = [
    "https://www.ulm.de/leben/soziales",
    "https://ulm.de/straße?stadtteil=Böfingen#karte",
    "http://example.com/a b",
    "http://example.com/%zz",
    "#abschnitt",
    "relative/pfad",
    "",
    "mailto:sozialplanung@ulm.de",
]

PRUEFEN = f"""
import json, sys
import jsonschema
checker = jsonschema.FormatChecker()
out = {{f: [checker.conforms(v, f) for v in {WERTE!r}] for f in ("iri", "iri-reference")}}
print(json.dumps(out))
"""


def _python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_reading_a_notebook_builds_no_iri_parser():
    out = _python(
        "import sys, kennzahlen, nbformat, papermill\n"
        "print('rfc3987_syntax.syntax_helpers' in sys.modules, 'lark' in sys.modules)"
    )
    assert out.split() == ["False", "False"]


def test_the_iri_checks_answer_as_without_the_stand_in_and_bring_the_real_module():
    ohne = json.loads(_python(PRUEFEN).splitlines()[-1])
    mit = _python(
        "import sys, kennzahlen\n"
        "print(getattr(sys.modules['rfc3987_syntax'], '__kennzahlen_stand_in__', False))\n"
        + PRUEFEN
        + "m = sys.modules['rfc3987_syntax']\n"
        "print(getattr(m, '__kennzahlen_stand_in__', False), hasattr(m, 'syntax_parser'))\n"
    ).splitlines()
    assert mit[0] == "True"  # the stand-in until the first check
    assert json.loads(mit[1]) == ohne
    assert set(ohne["iri"]) == {True, False}  # the values tell the checks' answers apart
    assert mit[2].split() == ["False", "True"]  # then the real module


def test_nothing_is_done_once_jsonschema_is_there():
    out = _python(
        "import sys, types\n"
        "sys.modules['jsonschema'] = types.ModuleType('jsonschema')\n"
        "from kennzahlen.core.lazy_imports import defer_rfc3987_syntax\n"
        "print(defer_rfc3987_syntax(), 'rfc3987_syntax' in sys.modules)"
    )
    assert out.split() == ["False", "False"]


def test_the_test_suite_loads_the_stand_in_before_nbval(tmp_path):
    """pytest with the project's options (``-p kennzahlen.core.lazy_imports``, pyproject.toml)
    loads nbval, and with it nbformat, without building the parser."""
    (tmp_path / "test_leer.py").write_text("def test_leer():\n    pass\n")
    code = (
        "import sys, pytest\n"
        f"rc = pytest.main([{str(tmp_path / 'test_leer.py')!r}, '-q', '-p', 'no:xdist',"
        f" '-c', {str(ROOT / 'pyproject.toml')!r}, '--rootdir', {str(ROOT)!r}])\n"
        "print(rc, 'nbformat' in sys.modules, 'rfc3987_syntax.syntax_helpers' in sys.modules)"
    )
    assert _python(code).split()[-3:] == ["0", "True", "False"]
