"""The index page of a period (`kennzahlen.index_page`: the quarter at a glance)."""

from __future__ import annotations

from pathlib import Path


def render_index(periode: str, entries: list[dict], pool_dir: Path | str | None = None) -> str:
    """The index page of a period from the runs.json entries (and the pool's Ampel and Stand)."""
    from ..index_page import render_index as _render

    return _render(periode, entries, pool_dir)
