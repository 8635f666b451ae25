"""Issue 28, tenth step: the runner's parent reads a notebook's parameter names without
papermill (``runner.basis.notebook_parameters``), with papermill's answer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import papermill
import pytest

from kennzahlen.core import paths
from kennzahlen.runner import basis

NOTEBOOKS = sorted(Path(paths.NOTEBOOKS).glob("*.ipynb"))


def _papermill(nb: Path) -> set[str]:
    return set(papermill.inspect_notebook(str(nb)).keys())


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_of_the_project_gives_papermills_names(nb: Path) -> None:
    assert basis.notebook_parameters(nb) == _papermill(nb)
    assert basis._parameter_namen(json.loads(nb.read_text(encoding="utf-8"))) is not None


ZELLEN = [
    'periode = "2023-Q4"\nsozialraum = "Gesamtstadt"  # ein Raum\npool = None',
    "a: int = 1\nb: 'str' = 'x'  # type: str hilfe\nc = 2 # type: int",
    "# nur ein Kommentar\n\n   \n",
    "",
    "x = 'a=b'\ny = 1",  # two '=' on a line: papermill skips it
    "a = b = 1\nc = 3",
    "d = {\n  'k': 1,  # Kommentar\n  'l': 2,\n}\ne = [1,\n 2]",
    "a, b = 1, 2\nx += 1\nif True:\n    y = 1\nimport os\nz=os.sep",
    "_privat = 1\n1a = 2\nä = 3\nB_2 = 4",
    "f(x=1)\ng = f(y)",
    "lang = (1 +\n  2)  # hilfe",
    "x = 1\r\ny = 2\r\n",
]


@pytest.mark.parametrize("quelle", ZELLEN)
@pytest.mark.parametrize("als_liste", [False, True])
def test_odd_parameter_cells_give_papermills_names(tmp_path: Path, quelle: str, als_liste: bool):
    vorlage = json.loads(NOTEBOOKS[1].read_text(encoding="utf-8"))
    zelle = next(c for c in vorlage["cells"] if "parameters" in c["metadata"].get("tags", []))
    zelle["source"] = quelle.splitlines(keepends=True) if als_liste else quelle
    nb = tmp_path / "nb.ipynb"
    nb.write_text(json.dumps(vorlage), encoding="utf-8")
    assert basis.notebook_parameters(nb) == _papermill(nb)


def test_a_notebook_without_parameters_cell_and_other_languages(tmp_path: Path) -> None:
    vorlage = json.loads(NOTEBOOKS[1].read_text(encoding="utf-8"))
    for c in vorlage["cells"]:
        c["metadata"]["tags"] = [t for t in c["metadata"].get("tags", []) if t != "parameters"]
    nb = tmp_path / "ohne.ipynb"
    nb.write_text(json.dumps(vorlage), encoding="utf-8")
    assert basis.notebook_parameters(nb) == _papermill(nb) == set()
    vorlage["metadata"]["language_info"]["name"] = "R"
    assert basis._parameter_namen(vorlage) is None  # papermill's own way (another translator)


def test_the_parent_reads_the_names_without_importing_papermill() -> None:
    """papermill (with nbclient, jupyter_client, zmq, tornado) is about 0.2 s of CPU that a run's
    parent, which executes no notebook, need not pay."""
    code = (
        "import sys; from pathlib import Path; from kennzahlen.runner import basis; "
        f"n = basis.notebook_parameters(Path({str(NOTEBOOKS[1])!r})); "
        "assert n == {'periode', 'sozialraum', 'pool'}, n; "
        "print('papermill' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
