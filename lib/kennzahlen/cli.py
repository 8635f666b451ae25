"""The command line: ``kennzahlen demo | pool | report | mail``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from . import paths


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Kennzahlensystem Soziales: Datenpool bauen, Berichte erzeugen und versenden."""


@main.command()
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Zielordner (muss leer sein).")
@click.option("--seed", default=2023, show_default=True, help="Zufallsstartwert (gleicher Wert = gleiche Dateien).")
@click.option("--scale", default=1.0, show_default=True, help="Vervielfacht die Stadt (für Lasttests).")
def demo(out: Path, seed: int, scale: float) -> None:
    """Schreibt die Demo-Lieferungen (Ulm, 2019-Q1 bis 2023-Q4) in einen leeren Ordner."""
    from .demo import write_demo

    t0 = time.perf_counter()
    try:
        files = write_demo(out, seed=seed, scale=scale)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{len(files)} Demo-Exporte nach {out} geschrieben ({time.perf_counter() - t0:.1f} s).")


@main.command()
@click.option("--raw", type=click.Path(path_type=Path), default=paths.RAW, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=paths.PROCESSED, show_default=True)
def pool(raw: Path, out: Path) -> None:
    """Liest und prüft die Rohdaten und schreibt den Datenpool (atomar)."""
    from .pool import build_pool_frames, pool_summary, write_pool
    from .reading import InvalidInput

    t0 = time.perf_counter()
    try:
        frames, raw_data = build_pool_frames(raw)
    except InvalidInput as exc:
        click.echo(str(exc), err=True)
        click.echo("Der Datenpool wurde NICHT geschrieben; der bisherige bleibt unverändert.", err=True)
        sys.exit(2)
    target = write_pool(frames, out)
    for line in pool_summary(frames, raw_data):
        click.echo(line)
    click.echo(f"Geschrieben: {target} ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
