"""Mailing the reports: Verteiler validation, dry run, a real SMTP server on loopback, refusals."""

from __future__ import annotations

import csv
import email
import hashlib
import html
import json
import re
import socket
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner

from kennzahlen.catalog import stadtkennung
from kennzahlen.catalog.geography import sozialraeume
from kennzahlen.core import paths
from kennzahlen.mail import (
    PASSWORD_ENV,
    VerteilerError,
    load_verteiler,
    mail_command,
    plan_messages,
)

PERIODE = "2023-Q4"
VERTEILER = paths.CONFIG / "verteiler.yaml"
SLUGS = {
    "Gesamtstadt": "gesamtstadt",
    "Böfingen": "boefingen",
    "Eselsberg": "eselsberg",
    "Mitte/Ost": "mitte-ost",
    "West": "west",
    "Wiblingen": "wiblingen",
}
PRODUKTE = {
    1: ("1_sozialstruktur", "Sozialstrukturelle Daten", "2023"),
    2: ("2_quartalsmeldung", "Quartalsmeldung", PERIODE),
    3: ("3_wirkungskennzahlen", "Wirkungskennzahlen der Sozialraumorientierung", "2023"),
    4: ("4_ampel", "Ampel", PERIODE),
}


# ---------------------------------------------------------------------------- fixtures
def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def meta(ident: dict) -> str:
    """The identity tag the runner writes into a report's head."""
    text = html.escape(json.dumps(ident, ensure_ascii=False, sort_keys=True), quote=True)
    return f'<meta name="{stadtkennung.META}" content="{text}">'


class Fake:
    """A reports/<periode>/ folder as the runner writes it (docs/architecture.md), and a pool."""

    def __init__(self, root: Path):
        self.root = root
        self.pool = root / "data" / "processed"
        self.reports = root / "reports"
        self.dir = self.reports / PERIODE
        self.pool.mkdir(parents=True)
        self.stadt = stadtkennung.aktuell().stempel()
        self.write_manifest("abc")
        entries = []
        for nr, (ordner, titel, zeitraum) in PRODUKTE.items():
            (self.dir / ordner).mkdir(parents=True)
            for raum, slug in SLUGS.items():
                html = f"{ordner}/{slug}.html"
                ident = {"produkt": nr, "raum": raum, "periode": PERIODE}
                ident.update(berichtszeitraum=zeitraum, stadt=self.stadt)
                (self.dir / html).write_text(
                    f"<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'>"
                    f"{meta(ident)}<title>{titel} – "
                    f"{raum}</title></head><body><h1>{titel} – "
                    f"{raum}</h1><p>BERICHT:{nr}:{slug}</p></body></html>",
                    "utf-8",
                )
                (self.dir / f"{ordner}/{slug}.ipynb").write_text("{}", "utf-8")  # never attached
                anhaenge = []
                if nr == 2:
                    anhaenge.append(f"{ordner}/{slug}.xlsx")
                    (self.dir / anhaenge[-1]).write_bytes(b"PK\x03\x04 BERICHT:2:" + slug.encode())
                if nr == 3:
                    (self.dir / f"{ordner}/{slug}.audit.csv").write_text("tabelle;zeile\n", "utf-8")
                entries.append(
                    {
                        "produkt": nr,
                        "produkt_ordner": ordner,
                        "produkt_titel": titel,
                        "raum": raum,
                        "slug": slug,
                        "berichtszeitraum": zeitraum,
                        "html": html,
                        "anhaenge": anhaenge,
                        "notebook": f"{ordner}/{slug}.ipynb",
                        "status": "ok",
                        "fehler": None,
                        "erstellt": "2026-11-25T08:00:00",
                        "input_hash": "x",
                        "kernaussagen": [f"Kernaussage P{nr} {raum}: alles im Rahmen."],
                    }
                )
        self.runs = {
            "periode": PERIODE,
            "pool": str(self.pool),
            "pool_manifest_sha256": _sha(self.pool / "manifest.json"),
            "reports": entries,
            "stadt": self.stadt,
        }
        self.save()

    def write_manifest(self, inhalt: str) -> None:
        """The pool's manifest.json (with the identity of the configuration in use)."""
        data = {"dateien": {"kennzahlen.parquet": inhalt}, "stadt": self.stadt}
        (self.pool / "manifest.json").write_text(json.dumps(data) + "\n", "utf-8")

    def save(self) -> None:
        """runs.json, with the checksums of the files as they are now (as the runner records)."""
        for e in self.runs["reports"]:
            if e.get("html"):
                rels = [e["html"], *e.get("anhaenge", []), *([e["pdf"]] if e.get("pdf") else [])]
                e["dateien"] = {r: _sha(self.dir / r) for r in rels if (self.dir / r).is_file()}
        (self.dir / "runs.json").write_text(
            json.dumps(self.runs, ensure_ascii=False, indent=1), "utf-8"
        )

    def entry(self, nr: int, raum: str) -> dict:
        return next(e for e in self.runs["reports"] if e["produkt"] == nr and e["raum"] == raum)

    def args(self, *extra: str, verteiler: Path = VERTEILER) -> list[str]:
        return [
            "--periode",
            PERIODE,
            "--reports",
            str(self.reports),
            "--pool",
            str(self.pool),
            "--verteiler",
            str(verteiler),
            *extra,
        ]


@pytest.fixture
def fake(tmp_path: Path) -> Fake:
    return Fake(tmp_path)


class Sink:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.received: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        ok = (login, password) == ("sozialplanung", "geheim-aus-der-umgebung")
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    sink = Sink()
    port = _free_port()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=port,
        authenticator=sink.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield sink, f"127.0.0.1:{port}"
    finally:
        controller.stop()


def run(args: list[str], env: dict | None = None):
    return CliRunner().invoke(
        mail_command, args, env=env or {PASSWORD_ENV: None}, catch_exceptions=False
    )


def expected_per_address() -> dict[str, dict[tuple[int, str], None]]:
    """Which (product, area) each address should get, computed from the YAML directly."""
    import yaml

    raw = yaml.safe_load(VERTEILER.read_text("utf-8"))
    out: dict[str, dict] = {}
    for g in raw["gruppen"]:
        areas = [g["sozialraum"], "Gesamtstadt"] if g.get("sozialraum") else list(SLUGS)
        for a in g["empfaenger"]:
            for p in g["produkte"]:
                for area in areas:
                    out.setdefault(a, {})[(p, area)] = None
    return out


def attachments(msg) -> list[tuple[str, bytes]]:
    return [(part.get_filename(), part.get_payload(decode=True)) for part in msg.iter_attachments()]


def areas_in(msg) -> set[str]:
    """The area slugs of every attached report, by file name and by the marker in its content."""
    found = set()
    for name, data in attachments(msg):
        found.add(name.rsplit("__", 1)[-1].split(".")[0])
        marker = data.decode("utf-8", "replace").split("BERICHT:")[1]
        found.add(marker.split(":")[1].split("<")[0].strip())
    return found


# ---------------------------------------------------------------------------- the Verteiler
def test_verteiler_follows_the_paper():
    v = load_verteiler(VERTEILER)
    per_product = {p: {g.id for g in v.gruppen if p in g.produkte} for p in (1, 2, 3, 4)}
    srtl = {f"srtl-{s}" for s in ("boefingen", "eselsberg", "mitte-ost", "west", "wiblingen")}
    assert per_product[1] == srtl | {"fachplanungen", "abteilungsleitung"}
    assert per_product[2] == srtl | {"controlling-c2"}
    assert per_product[3] == {"gemeinderat-fba", "bm2", "abteilungsleitung"}
    assert per_product[4] == srtl | {"fachkoordination-fachplanung"}
    bound = {g.sozialraum: g.id for g in v.gruppen if g.sozialraum}
    assert sorted(bound) == sozialraeume()  # each Sozialraum's team leader is its own bound group
    assert all(a.endswith("@example.org") for a in v.adressen())
    assert v.smtp.benutzer is None


BASE = """
absender: {name: Sozialplanung, adresse: sozialplanung@example.org}
gruppen:
  - {id: srtl-west, name: SRTL West, sozialraum: West, produkte: [1, 2],
     empfaenger: [west@example.org]}
"""


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            "  - {id: c2, name: C2, produkte: [5], empfaenger: [c2@example.org]}\n",
            "Gruppe 'c2' (Nr. 2), produkte: unbekanntes Produkt 5",
        ),
        (
            "  - {id: srtl-x, name: X, sozialraum: Söflingen, produkte: [1], empfaenger: "
            "[x@example.org]}\n",
            "Gruppe 'srtl-x' (Nr. 2), sozialraum: unbekannter Sozialraum 'Söflingen' (bekannt: "
            "Böfingen, ",
        ),
        (
            "  - {id: c2, name: C2, produkte: [2], empfaenger: ['c2 at example.org']}\n",
            "Gruppe 'c2' (Nr. 2), empfaenger.0: keine gültige E-Mail-Adresse: 'c2 at example.org'",
        ),
        (
            "  - {id: srtl-west, name: Doppelt, produkte: [2], empfaenger: [c2@example.org]}\n",
            "Gruppe 'srtl-west' (Nr. 2): id doppelt (schon Nr. 1)",
        ),
        (
            "  - {id: srtl-wib, name: W, sozialraum: Wiblingen, produkte: [1], empfaenger: "
            "[WEST@example.org]}\n",
            "Adresse west@example.org: steht in Gruppen mit verschiedener Bindung",
        ),
        (
            "  - {id: al, name: AL, oeffentlich: false, produkte: [1, 3], empfaenger: "
            "[west@example.org]}\n",
            "Adresse west@example.org: steht in Gruppen mit verschiedener Bindung",
        ),
        (
            "  - {id: c2, name: C2, produkte: [], empfaenger: [c2@example.org]}\n",
            "Gruppe 'c2' (Nr. 2), produkte: braucht mindestens einen Eintrag",
        ),
        (
            "  - {id: c2, name: C2, produkte: [2], empfaenger: [c2@example.org, c2@example.org]}\n",
            "Adresse doppelt in der Gruppe: c2@example.org",
        ),
        (
            "smtp: {host: mail.example.org, benutzer: so, passwort: geheim}\n",
            "smtp.passwort: ein Passwort gehört nicht in die Datei; setzen Sie die "
            "Umgebungsvariable KENNZAHLEN_SMTP_PASSWORD",
        ),
        (
            "smtp: {host: mail.example.org, port: 99999}\n",
            "smtp.port: Wert 99999 muss <= 65535 sein",
        ),
        ("empfaenger: [x@example.org]\n", "empfaenger: unbekanntes Feld"),
    ],
)
def test_verteiler_errors(tmp_path, extra, message):
    f = tmp_path / "verteiler.yaml"
    f.write_text(BASE + extra, encoding="utf-8")
    with pytest.raises(VerteilerError) as exc:
        load_verteiler(f)
    assert message in str(exc.value)
    assert str(exc.value).startswith(f"{f}: der Verteiler ist ungültig (")
    assert not re.search(r"Input should|Extra inputs|List should", str(exc.value))  # German only


def test_verteiler_error_stops_the_command(fake, tmp_path):
    f = tmp_path / "v.yaml"
    f.write_text(BASE.replace("[1, 2]", "[1, 7]"), encoding="utf-8")
    result = run(fake.args("--dry-run", str(tmp_path / "out"), verteiler=f))
    assert result.exit_code == 2
    assert "unbekanntes Produkt 7" in result.output
    assert not (tmp_path / "out").exists()


def test_plan_binds_sozialraum_groups(fake):
    v = load_verteiler(VERTEILER)
    plan = {n.empfaenger: n for n in plan_messages(v, fake.runs)}
    got = {a: {(e["produkt"], e["raum"]) for e in n.berichte} for a, n in plan.items()}
    assert got == {a: set(x) for a, x in expected_per_address().items()}
    assert got["srtl-wiblingen@example.org"] == {
        (p, r) for p in (1, 2, 4) for r in ("Wiblingen", "Gesamtstadt")
    }
    assert (
        plan["fachplanung@example.org"].gruppen_ids == "fachplanungen, fachkoordination-fachplanung"
    )


# ---------------------------------------------------------------------------- dry run
def test_dry_run_writes_the_messages_the_verteiler_implies(fake, tmp_path):
    out = tmp_path / "out"
    result = run(fake.args("--dry-run", str(out)))
    assert result.exit_code == 0, result.output
    expected = expected_per_address()
    files = sorted(out.glob("*.eml"))
    assert len(files) == len(expected) == 11
    assert "11 Nachricht(en) als .eml" in result.output
    for f in files:
        msg = email.message_from_bytes(f.read_bytes(), policy=policy.default)
        to = str(msg["To"])
        assert f.name == f"{to}.eml"
        want = expected[to]
        names = [n for n, _ in attachments(msg)]
        n_xlsx = sum(1 for p, _ in want if p == 2)
        assert len(names) == len(want) + n_xlsx
        assert all(n.endswith((".html", ".xlsx")) for n in names)  # no .ipynb, no .audit.csv
        assert str(msg["Subject"]).startswith("Kennzahlensystem Soziales – Berichte 2023-Q4 – ")
    log = list(csv.DictReader((fake.dir / "mail_log.csv").open(encoding="utf-8"), delimiter=";"))
    assert len(log) == 11 and {r["modus"] for r in log} == {"dry-run"}
    assert list(log[0]) == [
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
    assert all(r["ergebnis"].startswith("geschrieben: ") for r in log)


def test_message_text_is_german_with_key_messages(fake, tmp_path):
    out = tmp_path / "out"
    assert run(fake.args("--dry-run", str(out))).exit_code == 0
    msg = email.message_from_bytes(
        (out / "srtl-wiblingen@example.org.eml").read_bytes(), policy=policy.default
    )
    assert (
        str(msg["Subject"]) == "Kennzahlensystem Soziales – Berichte 2023-Q4 – Sozialraum Wiblingen"
    )
    assert msg["From"].addresses[0].addr_spec == "sozialplanung@example.org"
    text = msg.get_body(("plain",)).get_content()
    assert "für das 4. Quartal 2023 (Verteiler: Sozialraumteamleitung Wiblingen)" in text
    assert "Kernaussage P2 Wiblingen: alles im Rahmen." in text
    assert "Kernaussage P1 Gesamtstadt" in text and "West" not in text
    assert "Angehängt (8 Dateien):" in text
    assert (
        "• 2_quartalsmeldung__2023-Q4__wiblingen.xlsx – Quartalsmeldung – Wiblingen – 4. Quartal "
        "2023" in text
    )
    assert (
        "• 1_sozialstruktur__2023__gesamtstadt.html – Sozialstrukturelle Daten – Gesamtstadt – "
        "Jahr 2023" in text
    )
    html = dict(attachments(msg))["4_ampel__2023-Q4__wiblingen.html"]
    assert b"BERICHT:4:wiblingen" in html
    part = next(p for p in msg.iter_attachments() if p.get_filename().endswith(".html"))
    assert part.get_content_type() == "text/html"
    council = email.message_from_bytes(
        (out / "bm2@example.org.eml").read_bytes(), policy=policy.default
    )
    assert str(council["Subject"]).endswith("– Bürgermeister*in Dezernat 2 (BM 2)")
    assert {n for n, _ in attachments(council)} == {
        f"3_wirkungskennzahlen__2023__{s}.html" for s in SLUGS.values()
    }


def test_a_mailed_report_says_where_the_overview_is_instead_of_a_dead_link(fake, tmp_path):
    """The link back to the index works in the reports folder; the copy in a mail, with no
    index beside it, names where the overview is instead (issue 26)."""
    from kennzahlen.runner.navigation import fuer_leser

    f = fake.dir / fake.entry(3, "West")["html"]
    text = f.read_text("utf-8").replace(
        "<p>", '<div class="kz-kern">Kern</div><h2>Erster Teil</h2><h2>Zweiter Teil</h2><p>', 1
    )
    f.write_text(fuer_leser(text), "utf-8")
    fake.save()  # the report as the runner wrote it (its checksum in runs.json)
    link = (
        '<p class="kz-zurueck"><a href="../index.html">← Zur Übersicht aller Berichte des '
        "Quartals</a></p>"
    )
    assert link in f.read_text("utf-8")
    out = tmp_path / "out"
    res = run(fake.args("--dry-run", str(out)))
    assert res.exit_code == 0, res.output
    msg = email.message_from_bytes(
        (out / "bm2@example.org.eml").read_bytes(), policy=policy.default
    )
    kopie = dict(attachments(msg))["3_wirkungskennzahlen__2023__west.html"].decode("utf-8")
    hinweis = (
        '<p class="kz-zurueck kz-anhang">Dieser Bericht kam als Anhang einer E-Mail: welche '
        "Berichte dazugehören, sagt die E-Mail; die Übersicht aller Berichte des Quartals liegt im "
        "Berichtsordner der Abteilung Soziales (Datei index.html).</p>"
    )
    assert kopie == f.read_text("utf-8").replace(link, hinweis)  # nothing else changed
    assert "../index.html" not in kopie and link in f.read_text("utf-8")


def test_files_other_than_html_and_xlsx_are_not_sent(fake, tmp_path):
    fake.entry(3, "West")["anhaenge"] = ["3_wirkungskennzahlen/west.audit.csv"]
    fake.save()
    out = tmp_path / "out"
    result = run(fake.args("--dry-run", str(out)))
    assert result.exit_code == 0
    assert "west.audit.csv wird nicht versendet" in result.output
    msg = email.message_from_bytes(
        (out / "bm2@example.org.eml").read_bytes(), policy=policy.default
    )
    assert not any(n.endswith(".csv") for n, _ in attachments(msg))


# ---------------------------------------------------------------------------- a real SMTP server
def test_send_to_local_smtp_server(fake, smtp_server):
    sink, hostport = smtp_server
    result = run(fake.args("--smtp", hostport))
    assert result.exit_code == 0, result.output
    assert "11 von 11 Nachricht(en) gesendet." in result.output
    expected = expected_per_address()
    assert sorted(r[0] for _, r, _ in sink.received) == sorted(expected)
    by_to = {rcpt[0]: msg for _, rcpt, msg in sink.received}
    for to, msg in by_to.items():
        assert str(msg["To"]) == to
        got = {n for n, _ in attachments(msg)}
        want = {f"{PRODUKTE[p][0]}__{PRODUKTE[p][2]}__{SLUGS[r]}.html" for p, r in expected[to]}
        want |= {
            f"2_quartalsmeldung__{PERIODE}__{SLUGS[r]}.xlsx" for p, r in expected[to] if p == 2
        }
        assert got == want
    assert all(sender == "sozialplanung@example.org" for sender, _, _ in sink.received)
    log = list(csv.DictReader((fake.dir / "mail_log.csv").open(encoding="utf-8"), delimiter=";"))
    assert [r["ergebnis"] for r in log] == ["gesendet"] * 11 and {r["modus"] for r in log} == {
        "smtp"
    }
    assert sink.logins == []  # no user configured: no login


def test_no_sozialraum_group_gets_another_sozialraums_report(fake, smtp_server):
    sink, hostport = smtp_server
    assert run(fake.args("--smtp", hostport)).exit_code == 0
    v = load_verteiler(VERTEILER)
    checked = 0
    for _, rcpt, msg in sink.received:
        bound = {g.sozialraum for g in v.gruppen_von(rcpt[0]) if g.sozialraum}
        if not bound:
            continue
        (raum,) = bound
        assert areas_in(msg) == {SLUGS[raum], "gesamtstadt"}, rcpt
        text = msg.get_body(("plain",)).get_content()
        assert not any(other in text for other in SLUGS if other not in (raum, "Gesamtstadt"))
        checked += 1
    assert checked == 5


def test_password_comes_from_the_environment_only(fake, smtp_server, tmp_path):
    sink, hostport = smtp_server
    f = tmp_path / "v.yaml"
    f.write_text(
        VERTEILER.read_text("utf-8").replace("benutzer: null", "benutzer: sozialplanung"), "utf-8"
    )
    assert not any("pass" in p.name or "kennwort" in p.name for p in mail_command.params)
    refused = run(fake.args("--smtp", hostport, verteiler=f), env={PASSWORD_ENV: None})
    assert refused.exit_code == 2
    assert f"die Umgebungsvariable {PASSWORD_ENV} fehlt" in refused.output
    assert sink.received == [] and sink.logins == []
    ok = run(
        fake.args("--smtp", hostport, verteiler=f), env={PASSWORD_ENV: "geheim-aus-der-umgebung"}
    )
    assert ok.exit_code == 0, ok.output
    assert sink.logins == [("sozialplanung", "geheim-aus-der-umgebung")]
    assert len(sink.received) == 11
    wrong = run(fake.args("--smtp", hostport, verteiler=f), env={PASSWORD_ENV: "falsch"})
    assert wrong.exit_code == 2 and "Anmeldung fehlgeschlagen" in wrong.output
    assert len(sink.received) == 11
    assert "geheim-aus-der-umgebung" not in (fake.dir / "mail_log.csv").read_text("utf-8")


def test_starttls_that_the_server_lacks_sends_nothing(fake, smtp_server):
    sink, hostport = smtp_server
    result = run(fake.args("--smtp", hostport, "--starttls"))
    assert result.exit_code == 2
    assert "STARTTLS" in result.output and "nichts wurde gesendet" in result.output
    assert sink.received == []
    assert not (fake.dir / "mail_log.csv").exists()


def test_unreachable_server_sends_nothing(fake):
    result = run(fake.args("--smtp", f"127.0.0.1:{_free_port()}"))
    assert result.exit_code == 2 and "nicht erreichbar" in result.output


# ---------------------------------------------------------------------------- refusals
def _refused(fake, smtp_server, tmp_path, *needles: str) -> None:
    sink, hostport = smtp_server
    for args in (fake.args("--smtp", hostport), fake.args("--dry-run", str(tmp_path / "out"))):
        result = run(args)
        assert result.exit_code == 2, result.output
        assert "Versand abgelehnt, nichts wurde gesendet" in result.output
        for needle in needles:
            assert needle in result.output
    assert sink.received == []
    assert not (tmp_path / "out").exists()
    assert not (fake.dir / "mail_log.csv").exists()


def test_failed_report_is_refused(fake, smtp_server, tmp_path):
    e = fake.entry(2, "West")
    e.update(status="fehler", fehler="PapermillExecutionError: KeyError 'jh_hze_gesamt'")
    fake.save()
    _refused(
        fake,
        smtp_server,
        tmp_path,
        "Produkt 2 West: Status 'fehler': PapermillExecutionError: KeyError 'jh_hze_gesamt'",
    )


def test_report_older_than_the_pool_is_refused(fake, smtp_server, tmp_path):
    fake.write_manifest("neu")
    _refused(fake, smtp_server, tmp_path, "Produkt 1 Gesamtstadt: älter als der Datenpool")


def test_report_from_an_older_pool_inside_a_newer_run_is_refused(fake, smtp_server, tmp_path):
    fake.entry(4, "Wiblingen")["pool_manifest_sha256"] = "0" * 64  # entry kept from an earlier run
    fake.save()
    _refused(fake, smtp_server, tmp_path, "Produkt 4 Wiblingen: älter als der Datenpool")


def test_missing_html_or_attachment_is_refused(fake, smtp_server, tmp_path):
    (fake.dir / "3_wirkungskennzahlen" / "eselsberg.html").unlink()
    (fake.dir / "2_quartalsmeldung" / "west.xlsx").unlink()
    _refused(
        fake,
        smtp_server,
        tmp_path,
        "Produkt 3 Eselsberg: Datei",
        "eselsberg.html fehlt",
        "Produkt 2 West: Datei",
        "west.xlsx fehlt",
        "2 Problem(e)",
    )


def test_missing_pool_or_runs_is_refused(fake, tmp_path):
    (fake.pool / "manifest.json").unlink()
    result = run(fake.args("--dry-run", str(tmp_path / "out")))
    assert result.exit_code == 2 and "ist nicht prüfbar (--pool angeben)" in result.output
    result = run(
        [
            "--periode",
            "2023-Q3",
            "--reports",
            str(fake.reports),
            "--pool",
            str(fake.pool),
            "--verteiler",
            str(VERTEILER),
            "--dry-run",
            str(tmp_path / "out"),
        ]
    )
    assert result.exit_code == 2 and "runs.json fehlt" in result.output
    assert run(fake.args("--smtp", "nur-ein-host")).exit_code == 2
    result = run(["--periode", "2023-4", "--reports", str(fake.reports)])
    assert result.exit_code == 2 and "Periode '2023-4' ungültig" in result.output


def test_uebersprungen_is_sent(fake, tmp_path):
    fake.entry(1, "West")["status"] = "uebersprungen"
    fake.save()
    assert run(fake.args("--dry-run", str(tmp_path / "out"))).exit_code == 0


# ---------------------------------------------------------------------------- report identity
def test_an_attachment_is_checked_by_its_identity_not_its_file_name(fake, smtp_server, tmp_path):
    """The issue's case: 'Gesamt-Stadt' and 'Gesamtstadt' wrote one file, runs.json listed both
    as ok, and every team got another area's report as 'Gesamtstadt'. Here West's entry names
    the Gesamtstadt's files: the HTML says what it is, and the refusal names it."""
    e = fake.entry(2, "West")
    e["html"] = "2_quartalsmeldung/gesamtstadt.html"
    e["anhaenge"] = ["2_quartalsmeldung/gesamtstadt.xlsx"]
    fake.save()
    _refused(
        fake,
        smtp_server,
        tmp_path,
        "Produkt 2 West: 2_quartalsmeldung/gesamtstadt.html ist laut seiner Kennung Produkt 2 "
        "Gesamtstadt 2023-Q4, nicht der Bericht, den runs.json nennt (Produkt 2 West 2023-Q4)",
        "1 Problem(e)",
    )


def test_a_file_changed_after_its_report_was_made_is_refused(fake, smtp_server, tmp_path):
    """The last of two colliding reports overwrote the other's Excel file: its checksum in
    runs.json no longer matches. A report without its identity tag is refused too."""
    (fake.dir / "2_quartalsmeldung" / "west.xlsx").write_bytes(b"PK\x03\x04 BERICHT:2:andere")
    html_file = fake.dir / "4_ampel" / "boefingen.html"
    html_file.write_text(
        re.sub(r"<meta name=\"kennzahlen-bericht\"[^>]*>", "", html_file.read_text())
    )
    _refused(
        fake,
        smtp_server,
        tmp_path,
        "Produkt 2 West: 2_quartalsmeldung/west.xlsx ist nicht mehr die Datei, die der Bericht "
        "geschrieben hat",
        "Produkt 4 Böfingen: 4_ampel/boefingen.html trägt keine Berichtskennung",
    )


def test_reports_and_pool_of_another_city_are_refused_naming_both(fake, smtp_server, tmp_path):
    """A report folder made with another city's configuration is never mailed with this one's
    Verteiler (the issue: the other city's council got Ulm's Produkt 3)."""
    andere = {**fake.stadt, "name": "Musterstadt", "raumgliederung": "0123456789abcdef"}
    fake.runs["stadt"] = andere
    fake.save()
    _refused(
        fake,
        smtp_server,
        tmp_path,
        f"Der Berichtsordner {fake.dir} gehört zu Musterstadt (Raumgliederung 01234567), die "
        f"Konfiguration {paths.CONFIG.resolve()} zu Ulm",
    )
    fake.runs["stadt"] = fake.stadt
    fake.save()
    (fake.pool / "manifest.json").write_text(
        json.dumps({"dateien": {"kennzahlen.parquet": "abc"}, "stadt": andere}), "utf-8"
    )
    _refused(fake, smtp_server, tmp_path, f"Der Datenpool {fake.pool} gehört zu Musterstadt")
    # a report whose own tag names another city, in a folder that is this city's
    fake.write_manifest("abc")
    f = fake.dir / "3_wirkungskennzahlen" / "gesamtstadt.html"
    f.write_text(f.read_text().replace("&quot;Ulm&quot;", "&quot;Musterstadt&quot;"))
    fake.save()
    _refused(
        fake,
        smtp_server,
        tmp_path,
        "Produkt 3 Gesamtstadt: 3_wirkungskennzahlen/gesamtstadt.html gehört zu Musterstadt",
    )
