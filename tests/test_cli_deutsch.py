"""The command line speaks German, click's own texts included (issue 26: "Invalid value for
'--produkt'", "Show this message and exit.").

click's messages come from its source (every ``_("…")`` and ``ngettext("…", "…")``): each must
have its German text, so a click release with a new message fails here. The outputs of help,
a bad value, a missing option, a missing value, an unknown command and an extra argument must
hold none of click's English sentences or placeholders.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kennzahlen.cli import cli
from kennzahlen.core import befehlszeile


def _click_meldungen() -> tuple[set[str], set[tuple[str, str]], set[str]]:
    """click's msgids: gettext, ngettext pairs, and the modules that call gettext."""
    einfach, mehrzahl, module = set(), set(), set()
    for f in sorted(Path(click.__file__).parent.glob("*.py")):
        text = f.read_text(encoding="utf-8")
        if "from gettext import" in text:
            module.add(f.stem)
        for node in ast.walk(ast.parse(text)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "_" and args:
                einfach.add(args[0])
            elif node.func.id == "ngettext" and len(args) >= 2:
                mehrzahl.add((args[0], args[1]))
    return einfach, mehrzahl, module


def test_every_message_of_click_has_its_german_text():
    einfach, mehrzahl, module = _click_meldungen()
    assert len(einfach) > 50 and len(mehrzahl) > 5  # the reader finds click's messages
    assert sorted(einfach - set(befehlszeile.DEUTSCH)) == []
    assert sorted(mehrzahl - set(befehlszeile.DEUTSCH_N)) == []
    assert sorted(module - set(befehlszeile.MODULE) - {"_winconsole"}) == []
    for name in befehlszeile.MODULE:  # and each of them translates in this process
        modul = sys.modules[f"click.{name}"]
        assert getattr(modul, "_", befehlszeile.deutsch) is befehlszeile.deutsch, name


def _stuecke(meldungen) -> list[str]:
    """The fixed words of messages (their placeholders cut out)."""
    return [
        stueck.strip(" .:'()?\n\t")
        for msg in meldungen
        for stueck in re.split(r"\{[^}]*\}|%\([a-z]+\)s", msg)
    ]


def _englisch(text: str) -> list[str]:
    """click's English in an output: the fixed words of its messages (but words German has too,
    'Option', 'Argument'), its placeholders."""
    de = " ".join(
        _stuecke([*befehlszeile.DEUTSCH.values(), *sum(befehlszeile.DEUTSCH_N.values(), ())])
    )
    teile = _stuecke([*befehlszeile.DEUTSCH, *sum(befehlszeile.DEUTSCH_N, ())])
    funde = [t for t in teile if len(t) >= 5 and t in text and t not in de]
    platzhalter = r"\b(OPTIONS|COMMAND|ARGS|INTEGER|FLOAT|RANGE|PATH|DIRECTORY|FILE)\b"
    return funde + re.findall(platzhalter, text)


AUFRUFE = {
    "hilfe": ["--help"],
    "hilfe report": ["report", "--help"],
    # "--help", not "-h": click keeps a command's help option from its first call, and other
    # test files call the mail command alone (without the group's "-h")
    "hilfe mail": ["mail", "--help"],
    "falscher Wert": ["report", "--periode", "2023-Q4", "--produkt", "7"],
    "keine Zahl": ["report", "--periode", "2023-Q4", "--workers", "x"],
    "fehlende Option": ["report"],
    "fehlender Wert": ["report", "--periode"],
    "unbekannte Option": ["report", "--periode", "2023-Q4", "--produckt", "2"],
    "unbekannter Befehl": ["repot"],
    "weiteres Argument": ["report", "--periode", "2023-Q4", "West"],
    "fehlender Ordner": ["--config", "/gibt/es/nicht", "report", "--periode", "2023-Q4"],
}


@pytest.mark.parametrize("fall", AUFRUFE)
def test_help_and_usage_errors_are_german_only(fall: str):
    res = CliRunner().invoke(cli, AUFRUFE[fall], prog_name="kennzahlen")
    assert res.exit_code == (0 if fall.startswith("hilfe") else 2), res.output
    assert _englisch(res.output) == [], res.output
    assert ("Aufruf: kennzahlen" in res.output) or ("Fehler: " in res.output)


def test_the_messages_read_as_german_sentences():
    def aus(*args: str) -> str:
        return CliRunner().invoke(cli, list(args), prog_name="kennzahlen").output

    hilfe = aus("report", "--help")
    assert "Aufruf: kennzahlen report [OPTIONEN]" in hilfe and "Optionen:" in hilfe
    assert re.search(r"-h, --help +Diese Hilfe zeigen und beenden\.", hilfe)
    assert re.search(
        r"--periode TEXT +Quartal JJJJ-Qn, z\. B\. 2023-Q4\.  \[Pflichtangabe\]", hilfe
    )
    assert "--produkt ZAHL" in hilfe and "--pool PFAD" in hilfe and "[Standard: 0; x>=0]" in hilfe
    assert "Aufruf: kennzahlen [OPTIONEN] BEFEHL [ARGUMENTE]..." in aus("--help")
    assert "Befehle:" in aus("--help")
    assert (
        "Hilfe: 'kennzahlen report --help'.\n\nFehler: Ungültiger Wert für '--produkt': 7 liegt "
        "nicht im Bereich 1<=x<=4.\n"
    ) in aus("report", "--periode", "2023-Q4", "--produkt", "7")
    assert "'x' ist keine gültige ganze Zahl." in aus(
        "report", "--periode", "2023-Q4", "--workers", "x"
    )
    assert "Fehler: Es fehlt die Option '--periode'.\n" in aus("report")
    assert "Fehler: Die Option '--periode' braucht einen Wert.\n" in aus("report", "--periode")
    assert "Fehler: Den Befehl 'repot' gibt es nicht – meinten Sie 'report'?\n" in aus("repot")
    assert "Fehler: Unerwartetes weiteres Argument (West).\n" in aus(
        "report", "--periode", "2023-Q4", "West"
    )
    assert "Ordner '/gibt/es/nicht' gibt es nicht." in aus("--config", "/gibt/es/nicht", "demo")


def test_the_installed_command_is_german_in_any_locale():
    """The console script, with an English locale: the language is the program's, not the
    machine's."""
    exe = Path(sys.executable).parent / "kennzahlen"
    env = {**os.environ, "LANG": "en_US.UTF-8", "LANGUAGE": "en", "LC_ALL": "C.UTF-8"}
    res = subprocess.run(
        [str(exe), "report", "--periode", "2023-Q4", "--produkt", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert res.returncode == 2
    assert "Fehler: Ungültiger Wert für '--produkt': 0 liegt nicht im Bereich" in res.stderr
    assert _englisch(res.stdout + res.stderr) == []
