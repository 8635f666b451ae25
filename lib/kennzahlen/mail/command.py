"""The command ``kennzahlen mail``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kennzahlen.core import befehlszeile
from kennzahlen.mail.nachrichten import MailRefused
from kennzahlen.mail.send import MailResult, mail_reports

befehlszeile.einschalten()  # click's own messages in German, before the first option is made


@click.command("mail")
@click.option("--periode", required=True, help="Quartal der Berichte, JJJJ-Qn (z. B. 2023-Q4).")
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    show_default="reports (nur mit config/ dieses Projekts)",
    help="Berichtsordner (darin <periode>/runs.json).",
)
@click.option(
    "--pool",
    "pool_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    show_default="data/processed (nur mit config/ dieses Projekts)",
    help="Datenpool, gegen den die Aktualität geprüft wird.",
)
@click.option(
    "--verteiler",
    "verteiler_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    show_default="config/verteiler.yaml",
    help="Verteiler-Datei.",
)
@click.option(
    "--dry-run",
    "dry_run",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Nichts senden: je Nachricht eine .eml-Datei in diesen Ordner schreiben und die "
    "Aufteilung mit den Größen zeigen.",
)
@click.option(
    "--smtp",
    "smtp",
    default=None,
    metavar="HOST:PORT",
    help="SMTP-Server statt dem aus der Verteiler-Datei.",
)
@click.option(
    "--starttls", is_flag=True, default=False, help="Verbindung mit STARTTLS verschlüsseln."
)
@click.option(
    "--resend",
    is_flag=True,
    default=False,
    help="Auch senden, was laut mail_log.csv schon zugestellt ist (bewusste Wiederholung).",
)
@click.option(
    "--empfaenger",
    "empfaenger",
    multiple=True,
    metavar="ADRESSE",
    help="Nur an diese Adresse(n) senden (mehrfach angeben; mit --resend für eine gezielte "
    "Wiederholung).",
)
@click.option(
    "--warten",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    metavar="SEKUNDEN",
    help="So lange warten, wenn ein anderer Lauf den Berichtsordner gerade benutzt.",
)
def mail_command(
    periode: str,
    reports_dir: Path | None,
    pool_dir: Path | None,
    verteiler_file: Path | None,
    dry_run: Path | None,
    smtp: str | None,
    starttls: bool,
    resend: bool,
    empfaenger: tuple[str, ...],
    warten: float,
) -> None:
    """Versendet die Berichte einer Periode an den Verteiler (eine Nachricht je Empfänger*in).

    Keine Nachricht ist größer als smtp.max_nachricht_mb der Verteiler-Datei (Standard 10 MB) oder
    als die Grenze, die der Server nennt; was nicht in eine passt, geht in mehreren Teilen
    („Teil 1 von 3“). Jede Zustellung steht sofort in reports/<periode>/mail_log.csv; ein erneuter
    Aufruf sendet nur, was noch nicht zugestellt ist (--resend: bewusst noch einmal). Das
    SMTP-Passwort kommt nur aus der Umgebungsvariablen KENNZAHLEN_SMTP_PASSWORD.
    """
    try:
        result = mail_reports(
            periode,
            reports_dir,
            pool_dir,
            verteiler_file,
            dry_run,
            smtp,
            starttls,
            echo=click.echo,
            resend=resend,
            empfaenger=list(empfaenger) or None,
            wait=warten,
        )
    except MailRefused as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(
            f"Versand abgebrochen: {exc.strerror or exc} ({getattr(exc, 'filename', '') or ''}). "
            f"Was schon zugestellt ist, steht im Protokoll; ein erneuter Aufruf sendet den Rest.",
            err=True,
        )
        sys.exit(1)
    _summary(result, dry_run)


def _schon_text(result: MailResult) -> str:
    """What the log says was delivered before and is not sent again: certain and uncertain apart."""
    ungewiss = result.schon_ungewiss
    sicher = len(result.schon_zugestellt) - len(ungewiss)
    text = f"{sicher} Nachricht(en) laut Protokoll schon zugestellt"
    if ungewiss:
        text += (
            f", {len(ungewiss)} mit ungewisser Zustellung (an {', '.join(dict.fromkeys(ungewiss))})"
        )
    return text + ", nicht erneut gesendet (--resend sendet sie noch einmal)."


def _summary(result: MailResult, dry_run: Path | None) -> None:
    """What was sent (or written), the notes, the log file; exit 1 when a message failed."""
    for h in result.hinweise:
        click.echo(f"Hinweis: {h}", err=True)
    n = len(result.log)
    if dry_run is not None:
        click.echo(f"{n} Nachricht(en) als .eml nach {dry_run} geschrieben (nichts gesendet).")
    else:
        unsicher = result.ungewiss
        click.echo(
            f"{n - len(result.failed) - len(unsicher)} von {n} Nachricht(en) gesendet"
            + (f", {len(unsicher)} unsicher." if unsicher else ".")
        )
        if unsicher:
            wer = ", ".join(dict.fromkeys(r["empfaenger"] for r in unsicher))
            click.echo(
                f"Unsicher (im Protokoll „ungewiss“): {len(unsicher)} Nachricht(en) an {wer} – die "
                "Verbindung brach nach der Übergabe ab, bevor der Server den Empfang bestätigte. "
                "Vermutlich zugestellt; sie werden nicht von selbst erneut gesendet. Bei Bedarf "
                "nachfragen und mit --resend --empfaenger ADRESSE gezielt wiederholen.",
                err=True,
            )
        if result.schon_zugestellt:
            click.echo(_schon_text(result))
    click.echo(f"Protokoll: {result.log_file}")
    if result.failed:
        click.echo(
            f"{len(result.failed)} Nachricht(en) nicht zugestellt: siehe Protokoll; ein erneuter "
            f"Aufruf sendet nur diese.",
            err=True,
        )
        sys.exit(1)


befehlszeile.platzhalter(mail_command)
