"""The command line: ``kennzahlen demo | pool | report | mail``."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from kennzahlen.core import befehlszeile, namen, paths

befehlszeile.einschalten()  # click's own messages in German, before the first option is made

MULTI_VALUE_OPTIONS = ("--produkt", "--raum")
#: seconds one notebook cell may run in `kennzahlen report` (a hanging cell held the batch and its
#: folder lock forever); the slowest cell of the demo takes a few seconds
ZEITLIMIT_ZELLE = 1800


def expand_multi(argv: list[str]) -> list[str]:
    """Let `--produkt 1 2 3` and `--raum Nord Süd` name several values after one flag."""
    out: list[str] = []
    current = None
    for tok in argv:
        if tok in MULTI_VALUE_OPTIONS:
            current = tok
            out.append(tok)
            continue
        if current and not tok.startswith("-") and out[-1] != current:
            out.append(current)
        elif tok.startswith("-"):
            current = None
        out.append(tok)
    return out


class _Commands(click.Group):
    """The command group; no Python traceback reaches the person running a command.

    Commands in ``LAZY`` are imported only when named (or listed by ``--help``): ``mail`` needs
    pandas and pydantic, which an unchanged ``report`` rerun must not wait for.
    """

    LAZY = {"mail": ("kennzahlen.mail", "mail_command")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str):
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            from importlib import import_module

            module, attr = self.LAZY[cmd_name]
            self.add_command(getattr(import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """An unknown command is named with the nearest ones ("meinten Sie 'report'?")."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            ctx.fail(
                namen.satz(f"Den Befehl '{name}' gibt es nicht", name, self.list_commands(ctx))
            )
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (
            click.exceptions.ClickException,
            click.exceptions.Exit,
            click.exceptions.Abort,
            SystemExit,
            KeyboardInterrupt,
        ):
            raise
        except Exception as exc:
            if os.environ.get("KENNZAHLEN_DEBUG"):
                raise
            raise click.ClickException(
                f"Unerwarteter Fehler ({type(exc).__name__}: {exc}). Der Befehl wurde abgebrochen; "
                "bereits fertige Ausgaben bleiben gültig. Für einen vollständigen Fehlerbericht "
                f"den Befehl mit KENNZAHLEN_DEBUG=1 wiederholen."
            ) from None


WARTEN = click.option(
    "--warten",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    metavar="SEKUNDEN",
    help="So lange warten, wenn ein anderer Lauf den Ordner gerade benutzt (0: sofort abbrechen).",
)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Konfigurationsordner der Stadt (Standard: config/ oder $KENNZAHLEN_CONFIG).",
)
def cli(config_dir: Path | None) -> None:
    """Kennzahlensystem Soziales: Datenpool bauen, Berichte erzeugen und versenden."""
    if config_dir is not None:  # the environment carries it to the report workers and kernels
        os.environ[paths.CONFIG_ENV] = str(config_dir.resolve())


#: set by :func:`main`: the command has its process to itself (not a test's CliRunner), so it
#: may change process-wide settings such as the garbage collector's
_EIGENER_PROZESS = False


def main() -> None:
    """Console entry point `kennzahlen`."""
    global _EIGENER_PROZESS
    _EIGENER_PROZESS = True
    cli(args=expand_multi(sys.argv[1:]), prog_name="kennzahlen")


@cli.command()
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="Zielordner (muss leer sein).",
)
@click.option(
    "--seed",
    default=2023,
    show_default=True,
    help="Zufallsstartwert (gleicher Wert = gleiche Dateien).",
)
@click.option(
    "--scale", default=1.0, show_default=True, help="Vervielfacht die Stadt (für Lasttests)."
)
def demo(out: Path, seed: int, scale: float) -> None:
    """Schreibt die Demo-Lieferungen (die eingebaute Demo-Stadt, 2019-Q1 bis 2023-Q4) in einen
    leeren Ordner."""
    import math

    from kennzahlen.demo import write_demo

    if out.exists() and not out.is_dir():
        raise click.ClickException(
            f"--out {out} ist eine Datei, kein Ordner: bitte einen leeren Ordner angeben."
        )
    if not (math.isfinite(scale) and scale > 0):
        raise click.ClickException(
            f"--scale {scale} ungültig: erwartet eine Zahl größer als 0, z. B. 1 oder 30."
        )
    t0 = time.perf_counter()
    try:
        files = write_demo(out, seed=seed, scale=scale)
    except (FileExistsError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{len(files)} Demo-Exporte nach {out} geschrieben ({time.perf_counter() - t0:.1f} s)."
    )


def _ordner(wert: Path | None, standard: str, option: str) -> Path:
    """The folder of an option; its project default only with the project's own config."""
    from kennzahlen.catalog.stadtkennung import FremdeStadt, ordner

    try:
        return ordner(wert, standard, option)
    except FremdeStadt as exc:
        raise click.UsageError(str(exc)) from None


OHNE_FREMDE = " (Standard nur mit config/ dieses Projekts)"


@cli.command()
@click.option(
    "--raw",
    type=click.Path(path_type=Path),
    default=None,
    show_default="data/raw" + OHNE_FREMDE,
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    show_default="data/processed" + OHNE_FREMDE,
    help="Ordner des Datenpools: leer oder ein früherer Datenpool (nie der Rohdatenordner).",
)
@WARTEN
def pool(raw: Path | None, out: Path | None, warten: float) -> None:
    """Liest und prüft die Rohdaten und schreibt den Datenpool (atomar)."""
    from kennzahlen.core.memory import arrow_aus_malloc, selten_sammeln

    if _EIGENER_PROZESS:
        selten_sammeln()
    from kennzahlen.pool.store import PoolTargetError, check_stadt_des_ziels, check_target

    arrow_aus_malloc()  # before pandas is imported (core.memory.lean)
    from kennzahlen.pool.unveraendert import pruefen, schluessel

    raw = _ordner(raw, "data/raw", "--raw")
    out = _ordner(out, "data/processed", "--out")

    t0 = time.perf_counter()
    try:
        check_target(out, raw)
        # unchanged: the same exports, config content and code made the pool, nothing is written
        version, schon = pruefen(raw, out)
        if version is None:
            check_stadt_des_ziels(out)  # before the build: another city's pool is never replaced
        key, memo = ("", None) if version is not None else (schon or schluessel(raw, out))
    except PoolTargetError as exc:
        _refuse_pool(str(exc))
    except OSError as exc:
        _refuse_pool(f"{exc.filename or raw}: nicht lesbar ({exc.strerror or exc}).")
    if version is not None:
        click.echo(
            f"Datenpool unverändert: {out} (Version {version}) ist aus denselben Exporten, "
            f"derselben Konfiguration und demselben Programm gebaut; nichts neu berechnet "
            f"({time.perf_counter() - t0:.1f} s)."
        )
        return
    _build_pool(raw, out, warten, key, memo, t0)


def _refuse_pool(message: str) -> None:
    click.echo(message, err=True)
    click.echo("Der Datenpool wurde NICHT geschrieben; der bisherige bleibt unverändert.", err=True)
    sys.exit(2)


def _build_pool(raw: Path, out: Path, warten: float, key: str, memo, t0: float) -> None:
    """Build and write the pool (``key``: the inputs' key, recorded for the next build)."""
    from kennzahlen.core.memory import lean
    from kennzahlen.core.safeio import LockBusy
    from kennzahlen.pipeline import build_pool_frames, pool_summary
    from kennzahlen.pool.store import PoolTargetError
    from kennzahlen.pool.write import write_pool
    from kennzahlen.reading.problems import InvalidInput

    lean(raw)
    try:
        frames, raw_data = build_pool_frames(raw, pool=out, dateistand=memo)
    except (InvalidInput, PoolTargetError) as exc:
        _refuse_pool(str(exc))
    except OSError as exc:
        _refuse_pool(f"{exc.filename or raw}: nicht lesbar ({exc.strerror or exc}).")
    exporte = getattr(raw_data, "exporte", None)
    try:
        target = write_pool(
            frames, out, raw=raw, wait=warten, echo=click.echo, exporte=exporte, lauf=key
        )
    except (PoolTargetError, LockBusy) as exc:
        _refuse_pool(str(exc))
    except OSError as exc:
        _refuse_pool(f"Datenpool nach {out} nicht schreibbar ({exc.strerror or exc}).")
    finally:
        if exporte is not None:
            exporte.verwerfen()  # its staging folder (moved into the pool when it was written)
    for line in pool_summary(frames, raw_data):
        click.echo(line)
    click.echo(f"Geschrieben: {target} ({time.perf_counter() - t0:.1f} s)")


@cli.command()
@click.option("--periode", required=True, help="Quartal JJJJ-Qn, z. B. 2023-Q4.")
@click.option(
    "--produkt",
    "produkte",
    type=click.IntRange(1, 4),
    multiple=True,
    help="Produkt(e) 1–4 (mehrfach angeben; Standard: alle).",
)
@click.option(
    "--raum",
    "raeume",
    multiple=True,
    help="Sozialraum oder Gesamtstadt (mehrfach; Standard: alle).",
)
@click.option(
    "--pool",
    "pool_dir",
    type=click.Path(path_type=Path),
    default=None,
    show_default="data/processed" + OHNE_FREMDE,
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    show_default="reports" + OHNE_FREMDE,
)
@click.option("--force", is_flag=True, help="Auch unveränderte Berichte neu erzeugen.")
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=None,
    help="Parallele Berichte (Standard: Anzahl Kerne).",
)
@click.option(
    "--pdf",
    "pdf_gewuenscht",
    is_flag=True,
    help="Auch PDF (A4) schreiben: für Produkt 3 (config/pdf.yaml) bzw. die mit --produkt "
    "genannten Produkte. Braucht Chromium.",
)
@click.option(
    "--zeitlimit",
    type=click.IntRange(min=0),
    default=ZEITLIMIT_ZELLE,
    show_default=True,
    metavar="SEKUNDEN",
    help="So lange darf eine Zelle eines Berichts rechnen; länger: der Bericht schlägt fehl (mit "
    "seinem Namen), die anderen laufen weiter. 0: ohne Grenze.",
)
@WARTEN
def report(
    periode: str,
    produkte: tuple[int, ...],
    raeume: tuple[str, ...],
    pool_dir: Path | None,
    out: Path | None,
    force: bool,
    workers: int | None,
    pdf_gewuenscht: bool,
    zeitlimit: int,
    warten: float,
) -> None:
    """Erzeugt die Berichte eines Quartals als HTML (papermill + nbconvert), auf Wunsch als PDF."""
    from kennzahlen.runner import RunnerError, run
    from kennzahlen.runner.pdf import PdfFehler, produkte_fuer_pdf

    pool_dir = _ordner(pool_dir, "data/processed", "--pool")
    out = _ordner(out, "reports", "--out")
    try:
        pdf_produkte, pdf_hinweis = produkte_fuer_pdf(pdf_gewuenscht, list(produkte) or None)
    except PdfFehler as exc:
        raise click.ClickException(str(exc)) from None
    if pdf_hinweis:
        click.echo(f"Hinweis: {pdf_hinweis}", err=True)
    try:
        result = run(
            periode,
            list(produkte) or None,
            list(raeume) or None,
            pool_dir,
            out,
            force,
            workers,
            wait=warten,
            echo=click.echo,
            pdf=pdf_produkte,
            zeitlimit=zeitlimit or None,
        )
    except (RunnerError, PdfFehler) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(
            f"Berichte nach {out} nicht schreibbar ({exc.strerror or exc})."
        ) from None
    _report_summary(periode, result, pdf_produkte)
    if result.failed:
        sys.exit(1)


def _report_summary(periode: str, result, pdf_produkte: list[int] | None) -> None:
    """What a report run did, in German: counts, reports not made and why, PDFs, failures."""
    from kennzahlen.core.vocabulary import PRODUKTE
    from kennzahlen.runner import Status

    counts = {s: sum(e.status == s for e in result.entries) for s in Status}
    ohne_daten = counts[Status.KEINE_DATEN]
    click.echo(
        f"{len(result.entries)} Berichte für {periode}: {counts[Status.OK]} erstellt, "
        f"{counts[Status.UEBERSPRUNGEN]} unverändert übersprungen, "
        + (f"{ohne_daten} ohne Daten nicht erstellt, " if ohne_daten else "")
        + f"{counts[Status.FEHLER]} fehlgeschlagen ({result.seconds:.1f} s)."
    )
    ohne: dict[int, list] = {}
    for e in result.nicht_erstellt:
        ohne.setdefault(e.produkt, []).append(e)
    for nr, es in sorted(ohne.items()):
        click.echo(
            f"Nicht erstellt: Produkt {nr} {PRODUKTE[nr].titel} ({es[0].berichtszeitraum}, "
            f"{len(es)} {'Bericht' if len(es) == 1 else 'Berichte'}): {es[0].grund}"
        )
    if result.pdfs and pdf_produkte:  # PDFs are made only for the products asked for
        neu = sum(p["neu"] for p in result.pdfs)
        click.echo(
            f"PDF: {len(result.pdfs)} für Produkt {', '.join(map(str, pdf_produkte))} "
            f"({neu} neu, {len(result.pdfs) - neu} unverändert), "
            f"z. B. {result.out / result.pdfs[0]['pdf']}"
        )
    for w in result.warnungen:
        click.echo(f"Warnung: {w}", err=True)
    for e in result.failed:
        click.echo(f"FEHLER Produkt {e['produkt']} {e['raum']}: {e.get('fehler')}", err=True)
        click.echo(f"  ausgeführtes Notebook: {result.out / e.get('notebook', '')}", err=True)
    click.echo(f"Übersicht: {result.index}")


if __name__ == "__main__":
    main()


befehlszeile.platzhalter(cli)  # German placeholders in the help of every command
