"""benchmarks/README.md's links into HISTORY.md lead to a section that is there."""

from __future__ import annotations

import re
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _anker(ueberschrift: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", ueberschrift.strip().lower())
    return text.replace(" ", "-")


def test_every_history_link_has_its_section() -> None:
    readme = (BENCH / "README.md").read_text(encoding="utf-8")
    history = (BENCH / "HISTORY.md").read_text(encoding="utf-8")
    anker = {_anker(z[3:]) for z in history.splitlines() if z.startswith("## ")}
    links = re.findall(r"\(HISTORY\.md#([^)\s]+)\)", readme)
    assert links, "README.md links no round in HISTORY.md"
    fehlend = sorted(set(links) - anker)
    assert not fehlend, f"README.md links sections HISTORY.md does not have: {fehlend}"


def test_the_anchor_rule_on_a_known_heading() -> None:
    assert (
        _anker("Issue 28, sixth step: pool build CPU — scipy, Ampel, formatting, collections (x6)")
        == "issue-28-sixth-step-pool-build-cpu--scipy-ampel-formatting-collections-x6"
    )
