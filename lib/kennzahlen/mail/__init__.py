"""Mailing a period's reports to the Verteiler (config/verteiler.yaml).

``kennzahlen mail --periode 2023-Q4`` reads ``reports/<periode>/runs.json`` (written by the
runner), works out which reports each recipient gets (one message per address, with every
report of all its groups), checks every report first and sends nothing if one of them is
not fit to go: its status is not ``ok``/``uebersprungen``, its HTML or an attachment is
missing, or it is older than the data pool.

*Older than the pool* is decided by content, not by file times: the SHA-256 of the pool's
``manifest.json`` now must equal ``pool_manifest_sha256`` in runs.json (per report if the
entry carries one, else the run's). File times would call a report stale after a rebuild of
the pool from the same data, and do not survive copying a reports folder; the manifest hash
changes exactly when the pool's files do.

A group bound to a Sozialraum receives only that Sozialraum's reports and the Gesamtstadt
ones; an address in a bound group may not be in a group with another binding, so a
Sozialraumteamleitung never gets another Sozialraum's report. The SMTP password comes only
from the environment variable ``KENNZAHLEN_SMTP_PASSWORD`` — never from the config file or a
command line option. Every message is logged in ``reports/<periode>/mail_log.csv``.

No message is larger than ``smtp.max_nachricht_mb`` (default 10 MB, 1 MB = 1,000,000 bytes),
measured as the bytes on the wire (the serialised message after base64, CRLF line ends), or
than the server's own limit when it announces one (``SIZE`` in its EHLO answer): a recipient's
reports that do not fit into one message go out in several ("Teil 1 von 3", see
:func:`pack_reports`), each part a delivery of its own in the log. A single report that alone
exceeds the limit is refused before anything is sent.
"""

from __future__ import annotations

from kennzahlen.mail.check import check_mailing
from kennzahlen.mail.command import mail_command
from kennzahlen.mail.log import MailLog
from kennzahlen.mail.nachrichten import (
    Anhang,
    MailRefused,
    Nachricht,
    body,
    build_message,
    check_reports,
    load_runs,
    plan_messages,
    subject,
    wire_bytes,
)
from kennzahlen.mail.parts import Aufteilung, Hoechstgroesse, megabytes, pack_reports, plan_parts
from kennzahlen.mail.plan import _message_id, plan_mailing
from kennzahlen.mail.send import MailResult, eml_name, mail_reports, send_messages, write_dry_run
from kennzahlen.mail.smtp import effective_limit
from kennzahlen.mail.verteiler import MB, PASSWORD_ENV, Verteiler, VerteilerError, load_verteiler

__all__ = [
    "Anhang",
    "Aufteilung",
    "Hoechstgroesse",
    "MB",
    "MailLog",
    "MailRefused",
    "MailResult",
    "Nachricht",
    "PASSWORD_ENV",
    "Verteiler",
    "VerteilerError",
    "_message_id",
    "body",
    "build_message",
    "check_mailing",
    "check_reports",
    "effective_limit",
    "eml_name",
    "load_runs",
    "load_verteiler",
    "mail_command",
    "mail_reports",
    "megabytes",
    "pack_reports",
    "plan_mailing",
    "plan_messages",
    "plan_parts",
    "send_messages",
    "subject",
    "wire_bytes",
    "write_dry_run",
]
