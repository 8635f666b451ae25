"""Check a mailing request before anything else: period, Verteiler, runs.json."""

from __future__ import annotations

from pathlib import Path

from kennzahlen.catalog.stadtkennung import FremdeStadt, aktuell, ordner
from kennzahlen.mail.identitaet import ordner_probleme
from kennzahlen.mail.nachrichten import MailRefused, check_periode, load_runs
from kennzahlen.mail.verteiler import Verteiler, VerteilerError, load_verteiler


def check_mailing(
    periode: str,
    reports_dir: Path | None,
    pool_dir: Path | None,
    verteiler: Verteiler | Path | None,
) -> tuple[Verteiler, dict, Path, Path]:
    """Check the request (period, Verteiler, runs.json, the city of the report folder and the
    pool); return what planning needs."""
    check_periode(periode)
    try:  # with another city's configuration there are no default folders
        periode_dir = ordner(reports_dir, "reports", "--reports") / periode
        pool_dir = ordner(pool_dir, "data/processed", "--pool")
    except FremdeStadt as exc:
        raise MailRefused([str(exc)]) from None
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
    problems = ordner_probleme(runs, periode_dir, pool_dir, _manifest(pool_dir), aktuell())
    if problems:
        raise MailRefused(["Versand abgelehnt, nichts wurde gesendet:", *problems])
    return verteiler, runs, periode_dir, pool_dir


def _manifest(pool_dir: Path) -> dict | None:
    """The pool's manifest (None without a pool: check_reports names that)."""
    from kennzahlen.pool.store import current

    version = current(pool_dir)
    if version is None:
        return None
    try:
        data = version.manifest
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
