"""The delivery log (``mail_log.csv``) and the delivery key that makes a mailing exactly once."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from kennzahlen.core.safeio import atomic_write, fsync_dir
from kennzahlen.mail.nachrichten import Nachricht

# ---------------------------------------------------------------------------- the delivery log
LOG_FIELDS = [
    "zeit",
    "empfaenger",
    "gruppe",
    "betreff",
    "anhaenge",
    "modus",
    "ergebnis",
    "zustellung",
    "pool_version",
    "message_id",
]
GESENDET = "gesendet"
UNGEWISS = "ungewiss"


def delivery_key(periode: str, nachricht: Nachricht, pool_version: str | None) -> str:
    """The identity of one delivery: recipient, report set and pool version (a short hash).

    A part of a split message adds its number, the number of parts and whether it is a
    Nachtrag; a whole message keeps the key it had before messages could be split."""
    berichte = [
        [e.get("produkt"), e.get("raum"), e.get("berichtszeitraum")] for e in nachricht.berichte
    ]
    ident: dict[str, Any] = {
        "empfaenger": nachricht.empfaenger,
        "periode": periode,
        "berichte": berichte,
        "pool": pool_version,
    }
    if nachricht.geteilt:
        ident["teil"] = [nachricht.teil, nachricht.teile]
        ident["nachtrag"] = nachricht.nachtrag
    text = json.dumps(ident, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class MailLog:
    """``mail_log.csv``: one row per message tried, appended, flushed and fsynced at once.

    A delivery counts as done when a row with its ``zustellung`` key says ``gesendet`` (the
    server accepted it) or ``ungewiss`` (the run stopped between handing the message over and
    the server's answer: most likely delivered, so not sent again without ``--resend``).
    Just before the end of a message is handed over, its key is written to
    ``.mail_unterwegs.json``; a run that finds this file finished, logs the key as ``ungewiss``.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.inflight = self.path.with_name(".mail_unterwegs.json")

    def rows(self) -> list[dict]:
        """All rows logged so far (old logs without the newer columns read with them empty)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8", newline="") as fh:
            return [dict(r) for r in csv.DictReader(fh, delimiter=";")]

    def done(self) -> dict[str, dict]:
        """Delivery key -> the row that says it was delivered (or possibly delivered)."""
        out: dict[str, dict] = {}
        for r in self.rows():
            key, ergebnis = r.get("zustellung"), r.get("ergebnis") or ""
            if not key or r.get("modus") != "smtp" or not ergebnis.startswith((GESENDET, UNGEWISS)):
                continue
            frueher = out.get(key)  # a certain delivery outranks an uncertain one
            if frueher is None or (
                ergebnis.startswith(GESENDET) and not frueher["ergebnis"].startswith(GESENDET)
            ):
                out[key] = r
        return out

    def zugestellt(self, empfaenger: str, pool_version: str | None) -> set[str]:
        """Names of the files that reached ``empfaenger`` (delivered or possibly delivered) from
        this pool version, over every message and part logged."""
        version = (pool_version or "")[:16]
        out: set[str] = set()
        for r in self.rows():
            ergebnis = r.get("ergebnis") or ""
            if (
                r.get("empfaenger") == empfaenger
                and r.get("modus") == "smtp"
                and r.get("pool_version") == version
                and ergebnis.startswith((GESENDET, UNGEWISS))
            ):
                out.update(x.strip() for x in (r.get("anhaenge") or "").split(" | ") if x.strip())
        return out

    def _migrate(self) -> None:
        """A log written before the ``zustellung`` column: rewrite it once with the new header."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with self.path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh, delimiter=";"), [])
        if header != LOG_FIELDS:
            rows = self.rows()
            buf = io.StringIO()
            w = csv.DictWriter(buf, fieldnames=LOG_FIELDS, delimiter=";", extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
            atomic_write(self.path, buf.getvalue())

    def append(self, row: dict) -> None:
        """Append one row and make it durable (flush + fsync) before anything else happens."""
        self._migrate()
        new = not self.path.exists() or self.path.stat().st_size == 0
        with self.path.open("a", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=LOG_FIELDS, delimiter=";", extrasaction="ignore")
            if new:
                w.writeheader()
            w.writerow(row)
            fh.flush()
            os.fsync(fh.fileno())
        if new:
            fsync_dir(self.path.parent)

    def begin(self, row: dict) -> None:
        """Mark a message as being handed over (durable), just before its final line is sent."""
        atomic_write(self.inflight, json.dumps(row, ensure_ascii=False))

    def end(self) -> None:
        """The message's outcome is logged: clear the mark."""
        with contextlib.suppress(FileNotFoundError):
            self.inflight.unlink()

    def recover(self) -> dict | None:
        """After a killed run: log the message it was handing over as ``ungewiss`` (returned)."""
        try:
            row = json.loads(self.inflight.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError:
            self.end()
            return None
        logged = None
        if row.get("zustellung") not in self.done():
            logged = {
                **row,
                "zeit": _now(),
                "ergebnis": f"{UNGEWISS}: Lauf wurde während der Übergabe "
                f"abgebrochen – vermutlich zugestellt, bei Bedarf mit --resend erneut senden",
            }
            self.append(logged)
        self.end()
        return logged


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")
