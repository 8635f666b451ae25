"""Mail exactly once: logged at acceptance, reruns send only what is missing, reconnects, TLS."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from faultsmtp import start
from test_mail import VERTEILER, Fake, expected_per_address

from kennzahlen.core.safeio import FolderLock
from kennzahlen.mail import PASSWORD_ENV, MailLog, MailRefused, mail_command, mail_reports

FAST = {"reconnect_delays": (0.05, 0.1, 0.2), "retry_delays": (0.05, 0.1)}
ALL = set(expected_per_address())
ABTEILUNG = "abteilungsleitung-so@example.org"


@pytest.fixture
def fake(tmp_path: Path) -> Fake:
    return Fake(tmp_path)


@pytest.fixture
def server():
    sink, controller, hostport = start()
    try:
        yield sink, hostport
    finally:
        controller.stop()


def send(fake: Fake, hostport: str, **kw):
    return mail_reports(
        "2023-Q4",
        fake.reports,
        fake.pool,
        VERTEILER,
        smtp=hostport,
        echo=lambda s: None,
        **{**FAST, **kw},
    )


def log_rows(fake: Fake) -> list[dict]:
    return list(csv.DictReader((fake.dir / "mail_log.csv").open(encoding="utf-8"), delimiter=";"))


def test_a_rerun_after_a_partial_failure_sends_only_what_is_missing(fake, server):
    sink, hostport = server
    assert ABTEILUNG in ALL
    sink.perm_fail[ABTEILUNG] = 1
    first = send(fake, hostport)
    assert [r["empfaenger"] for r in first.failed] == [ABTEILUNG]
    assert "554" in first.failed[0]["ergebnis"]
    assert set(sink.per_recipient()) == ALL - {ABTEILUNG}
    second = send(fake, hostport)
    assert [r["empfaenger"] for r in second.log] == [ABTEILUNG] and not second.failed
    assert sorted(second.schon_zugestellt) == sorted(ALL - {ABTEILUNG})
    assert sink.per_recipient() == {a: 1 for a in ALL}  # nobody got a second mail
    third = send(fake, hostport)
    assert third.log == [] and len(third.schon_zugestellt) == len(ALL)
    assert sink.per_recipient() == {a: 1 for a in ALL}


def test_every_delivery_is_logged_with_its_key_and_pool_version(fake, server):
    sink, hostport = server
    send(fake, hostport)
    rows = log_rows(fake)
    assert len(rows) == len(ALL) and {r["ergebnis"] for r in rows} == {"gesendet"}
    assert len({r["zustellung"] for r in rows}) == len(ALL)
    assert {r["pool_version"] for r in rows} == {fake.runs["pool_manifest_sha256"][:16]}
    ids = {str(msg["Message-ID"]) for _, _, msg in sink.received}
    assert ids == {r["message_id"] for r in rows}


def test_a_new_pool_version_is_a_new_delivery(fake, server):
    sink, hostport = server
    send(fake, hostport)
    fake.write_manifest("neu")
    import hashlib

    fake.runs["pool_manifest_sha256"] = hashlib.sha256(
        (fake.pool / "manifest.json").read_bytes()
    ).hexdigest()
    fake.save()
    again = send(fake, hostport)
    assert len(again.log) == len(ALL)
    assert sink.per_recipient() == {a: 2 for a in ALL}


def test_reconnect_with_backoff_after_a_dropped_connection(fake, server):
    sink, hostport = server
    sink.drop_at_mail = {4, 9}
    result = send(fake, hostport)
    assert not result.failed, result.log
    assert sink.drops == 2
    assert sink.per_recipient() == {a: 1 for a in ALL}
    assert [r["ergebnis"] for r in log_rows(fake)] == ["gesendet"] * len(ALL)


def test_temporary_refusals_are_retried_within_the_run(fake, server):
    sink, hostport = server
    sink.temp_fail[ABTEILUNG] = 2  # within the retries of one run
    sink.temp_fail["bm2@example.org"] = 5  # more than the retries of one run
    result = send(fake, hostport)
    assert [r["empfaenger"] for r in result.failed] == ["bm2@example.org"]
    assert "vorläufig abgewiesen: 451" in result.failed[0]["ergebnis"]
    assert sink.per_recipient() == {a: 1 for a in ALL - {"bm2@example.org"}}
    sink.temp_fail.clear()
    rerun = send(fake, hostport)
    assert [r["empfaenger"] for r in rerun.log] == ["bm2@example.org"] and not rerun.failed
    assert sink.per_recipient() == {a: 1 for a in ALL}


def test_accepted_then_dropped_is_ungewiss_and_not_sent_again(fake, server):
    sink, hostport = server
    sink.accept_then_drop = {ABTEILUNG}
    first = send(fake, hostport)
    assert [r["empfaenger"] for r in first.ungewiss] == [ABTEILUNG] and not first.failed
    assert sink.per_recipient() == {a: 1 for a in ALL}
    second = send(fake, hostport)
    assert second.log == [] and sink.per_recipient() == {a: 1 for a in ALL}
    deliberate = send(fake, hostport, resend=True, empfaenger=[ABTEILUNG])
    assert [r["ergebnis"] for r in deliberate.log] == ["gesendet"]
    counts = sink.message_ids()
    assert (
        len([k for k in counts if k[0] == ABTEILUNG]) == 2
    )  # the deliberate repeat has its own id


def test_resend_sends_everything_again_on_purpose(fake, server):
    sink, hostport = server
    send(fake, hostport)
    result = CliRunner().invoke(
        mail_command,
        fake.args("--smtp", hostport, "--resend"),
        env={PASSWORD_ENV: None},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert sink.per_recipient() == {a: 2 for a in ALL}
    plain = CliRunner().invoke(
        mail_command,
        fake.args("--smtp", hostport),
        env={PASSWORD_ENV: None},
        catch_exceptions=False,
    )
    assert plain.exit_code == 0 and "0 von 0 Nachricht(en) gesendet" in plain.output
    assert f"{len(ALL)} Nachricht(en) laut Protokoll schon zugestellt" in plain.output
    assert sink.per_recipient() == {a: 2 for a in ALL}


def test_a_user_name_without_tls_is_refused_unless_loopback(fake, tmp_path):
    f = tmp_path / "v.yaml"
    f.write_text(
        VERTEILER.read_text("utf-8").replace("benutzer: null", "benutzer: sozialplanung"), "utf-8"
    )
    for host in ("mail.example.org:587", "10.1.2.3:25", "[2001:db8::1]:25"):
        res = CliRunner().invoke(
            mail_command,
            fake.args("--smtp", host, verteiler=f),
            env={PASSWORD_ENV: "geheim"},
            catch_exceptions=False,
        )
        assert res.exit_code == 2, res.output
        assert "im Klartext" in res.output and "--starttls" in res.output
    assert not (fake.dir / "mail_log.csv").exists()


def test_a_second_mail_run_is_told_who_holds_the_folder(fake, server):
    sink, hostport = server
    with FolderLock(fake.dir, "Der Berichtsordner"), pytest.raises(MailRefused) as info:
        send(fake, hostport)
    assert f"PID {os.getpid()}" in str(info.value) and "Nichts wurde gesendet" in str(info.value)
    assert sink.received == []


def test_a_log_of_the_old_format_is_kept_and_extended(fake, server):
    sink, hostport = server
    old = (
        "zeit;empfaenger;gruppe;betreff;anhaenge;modus;ergebnis\n"
        "2026-01-01T08:00:00;x@example.org;g;b;a;smtp;gesendet\n"
    )
    (fake.dir / "mail_log.csv").write_text(old, "utf-8")
    send(fake, hostport)
    rows = log_rows(fake)
    assert rows[0]["empfaenger"] == "x@example.org" and rows[0]["zustellung"] == ""
    assert len(rows) == 1 + len(ALL)


def test_kill_during_sending_keeps_what_was_delivered_in_the_log(fake, server):
    """kill -9 while mailing: every accepted message is in the log, the rerun sends the rest."""
    sink, hostport = server
    sink.delay = 0.25
    cmd = [sys.executable, "-m", "kennzahlen.cli", "mail", *fake.args("--smtp", hostport)]
    env = {**os.environ, PASSWORD_ENV: ""}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(sink.received) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    delivered = set(sink.per_recipient())
    assert 3 <= len(delivered) < len(ALL)
    logged = MailLog(fake.dir / "mail_log.csv")
    logged_ok = {r["empfaenger"] for r in logged.rows() if r["ergebnis"] == "gesendet"}
    inflight = logged.inflight.exists()
    # every accepted message is logged, except at most the one whose answer was under way
    assert len(delivered - logged_ok) <= (1 if inflight else 0)
    sink.delay = 0.0
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert sink.per_recipient() == {a: 1 for a in ALL}
    assert not logged.inflight.exists()


def test_a_timeout_after_the_final_dot_is_reported_as_unsicher(fake, server, tmp_path):
    """The server takes the message but answers after the client's timeout: the delivery is
    uncertain. The summary used to count it as 'gesendet'."""
    sink, hostport = server
    sink.delay = 1.5
    verteiler = tmp_path / "verteiler.yaml"
    verteiler.write_text(
        VERTEILER.read_text(encoding="utf-8").replace(
            "  port: 25\n", "  port: 25\n  timeout: 0.3\n"
        ),
        encoding="utf-8",
    )
    args = fake.args("--smtp", hostport, "--empfaenger", ABTEILUNG, verteiler=verteiler)
    result = CliRunner().invoke(
        mail_command, args, env={PASSWORD_ENV: None}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "0 von 1 Nachricht(en) gesendet, 1 unsicher." in result.output
    assert f"Unsicher (im Protokoll „ungewiss“): 1 Nachricht(en) an {ABTEILUNG}" in result.output
    assert [r["ergebnis"].split(":")[0] for r in log_rows(fake)] == ["ungewiss"]
    assert sink.per_recipient() == {ABTEILUNG: 1}


_KILL_AFTER_BEGIN = """
import os, signal, sys
from kennzahlen.mail import log
_begin, victim = log.MailLog.begin, sys.argv[1]
def begin(self, row):
    _begin(self, row)
    if row["empfaenger"] == victim:
        os.kill(os.getpid(), signal.SIGKILL)  # after the mark, before the end marker is sent
log.MailLog.begin = begin
from kennzahlen.cli import main
sys.argv = ["kennzahlen", "mail", *sys.argv[2:]]
main()
"""


def test_a_kill_between_the_mark_and_the_end_marker_is_ungewiss_and_can_be_resent(fake, server):
    """The one case no sender can settle (RFC 1047): the run dies after marking a message as being
    handed over, before its end marker left. The server discards the cut-off message; the rerun
    cannot know, so it sends nothing twice, logs "ungewiss" and tells the operator the command;
    that command delivers it once."""
    sink, hostport = server
    env = {**os.environ, PASSWORD_ENV: ""}
    args = fake.args("--smtp", hostport)
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_AFTER_BEGIN, ABTEILUNG, *args], env=env, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL
    assert ABTEILUNG not in sink.per_recipient()  # cut off before its end: not delivered
    cmd = [sys.executable, "-m", "kennzahlen.cli", "mail", *args]
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    hint = f"{ABTEILUNG}: Zustellung ungewiss"
    ausgabe = rerun.stdout + rerun.stderr  # the hint is a warning (stderr)
    # the summary does not count the uncertain one as delivered
    sicher = len(ALL) - 1 - int(re.search(r"(\d+) von \d+ Nachricht\(en\) gesendet", ausgabe)[1])
    assert (
        f"{sicher} Nachricht(en) laut Protokoll schon zugestellt, 1 mit ungewisser Zustellung "
        f"(an {ABTEILUNG}), nicht erneut gesendet" in ausgabe
    ), ausgabe
    assert hint in ausgabe
    assert f"--resend --empfaenger {ABTEILUNG}" in ausgabe
    assert sink.per_recipient() == {a: 1 for a in ALL - {ABTEILUNG}}
    assert [
        r["ergebnis"].split(":")[0] for r in log_rows(fake) if r["empfaenger"] == ABTEILUNG
    ] == ["ungewiss"]
    resend = subprocess.run(
        [*cmd, "--resend", "--empfaenger", ABTEILUNG],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resend.returncode == 0, resend.stdout + resend.stderr
    assert sink.per_recipient() == {a: 1 for a in ALL}
