"""The compiled check of each output a report's kernel sends (runner.basis.schnelle_ausgabepruefung,
issue 28): what nbformat accepts and what it refuses, and with which message, stay the same."""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbformat.v4 import nbbase

from kennzahlen.runner.basis import schnelle_ausgabepruefung

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhg"
    + "GAWjR9awAAAABJRU5ErkJggg=="
)
GUELTIG = [
    ("stream", {"output_type": "stream", "name": "stdout", "text": "Hallo\n"}),
    ("stream", {"output_type": "stream", "name": "stderr", "text": ["a\n", "b"]}),
    (
        "display_data",
        {
            "output_type": "display_data",
            "data": {"image/png": PNG, "text/plain": ["<Figure>"]},
            "metadata": {"image/png": {"width": 640}, "kernaussagen": ["Die Quote steigt."]},
        },
    ),
    (
        "display_data",
        {
            "output_type": "display_data",
            "data": {"text/html": "<table></table>", "application/vnd.x+json": {"a": [1]}},
            "metadata": {},
        },
    ),
    (
        "execute_result",
        {
            "output_type": "execute_result",
            "data": {"text/plain": "1"},
            "metadata": {},
            "execution_count": 3,
        },
    ),
    ("error", {"output_type": "error", "ename": "KeyError", "evalue": "'x'", "traceback": ["t"]}),
]


def _ungueltige():
    """Outputs nbformat refuses, one defect each."""
    stream, bild, ergebnis, fehler = GUELTIG[0][1], GUELTIG[2][1], GUELTIG[4][1], GUELTIG[5][1]

    def mit(node: dict, **aenderung) -> dict:
        out = copy.deepcopy(node)
        for key, value in aenderung.items():
            if value is KeyError:
                out.pop(key)
            else:
                out[key] = value
        return out

    return [
        ("stream", mit(stream, name=KeyError)),
        ("stream", mit(stream, name=5)),
        ("stream", mit(stream, text=3)),
        ("stream", mit(stream, extra="x")),
        ("display_data", mit(bild, metadata=KeyError)),
        ("display_data", mit(bild, data={"image/png": 5})),
        ("display_data", mit(bild, data={"application/json": "{}", "text/plain": 1})),
        ("display_data", mit(bild, execution_count=1)),
        ("execute_result", mit(ergebnis, execution_count=True)),
        ("execute_result", mit(ergebnis, execution_count=KeyError)),
        ("execute_result", mit(ergebnis, execution_count="1")),
        ("error", mit(fehler, traceback="t")),
        ("error", mit(fehler, ename=None)),
        ("display_data", mit(stream, output_type="display_data")),
        ("display_data", [1, 2]),
    ]


def _verdict(check, ref: str, node) -> str | None:
    try:
        check(node, ref)
    except nbformat.ValidationError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _nbformat(node, ref):
    return nbformat.validate(node, ref=ref, version=4)


@pytest.mark.parametrize("ref, node", GUELTIG + _ungueltige())
def test_the_compiled_check_gives_nbformats_verdict_and_message(ref, node):
    schnelle_ausgabepruefung()
    assert getattr(nbbase.validate, "kennzahlen", False)
    node = nbformat.from_dict(node)
    erwartet = _verdict(_nbformat, ref, node)
    assert _verdict(nbbase.validate, ref, node) == erwartet
    assert (erwartet is None) == ((ref, node) in [(r, nbformat.from_dict(n)) for r, n in GUELTIG])


def test_outputs_from_kernel_messages_as_before():
    """nbclient's path: an IOPub message to an output node; a bad one is refused as before."""
    schnelle_ausgabepruefung()
    schnelle_ausgabepruefung()  # twice: the check is installed once
    msg = {
        "header": {"msg_type": "display_data"},
        "content": {"data": {"image/png": PNG}, "metadata": {"image/png": {"width": 4}}},
    }
    out = nbformat.v4.output_from_msg(msg)
    assert out == {"output_type": "display_data", **msg["content"]}
    schlecht = {"header": {"msg_type": "stream"}, "content": {"name": 5, "text": "x"}}
    with pytest.raises(nbformat.ValidationError) as neu:
        nbformat.v4.output_from_msg(schlecht)
    with pytest.raises(nbformat.ValidationError) as alt:
        _nbformat(nbformat.from_dict({"output_type": "stream", **schlecht["content"]}), "stream")
    assert str(neu.value) == str(alt.value)
    zelle = nbformat.v4.new_code_cell("1 + 1")  # a cell is checked the same way
    assert zelle.source == "1 + 1" and zelle.outputs == []
