"""Check a mailing request before anything else: period, Verteiler, runs.json."""

from __future__ import annotations

from pathlib import Path

from kennzahlen.core import paths
from kennzahlen.mail.nachrichten import MailRefused, check_periode, load_runs
from kennzahlen.mail.verteiler import Verteiler, VerteilerError, load_verteiler


def check_mailing(
    periode: str,
    reports_dir: Path | None,
    pool_dir: Path | None,
    verteiler: Verteiler | Path | None,
) -> tuple[Verteiler, dict, Path, Path]:
    """Check the request (period, Verteiler, runs.json); return what planning needs."""
    check_periode(periode)
    periode_dir = Path(reports_dir or paths.REPORTS) / periode
    pool_dir = Path(pool_dir or paths.PROCESSED)
    if not isinstance(verteiler, Verteiler):
        try:
            verteiler = load_verteiler(verteiler)
        except VerteilerError as exc:
            raise MailRefused([str(exc)]) from None
    runs = load_runs(periode_dir)
    if runs.get("periode") not in (None, periode):
        raise MailRefused(
            [f"{periode_dir / 'runs.json'} gehört zur Periode {runs['periode']}, nicht {periode}"]
        )
    return verteiler, runs, periode_dir, pool_dir
