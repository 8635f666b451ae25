"""Mail that arrives: no message above the size limit; reports split over parts, exactly once.

The limit is measured on the bytes on the wire (the serialised message after base64, CRLF).
Demo tests use the 24 reports of 2023-Q4 from the session fixture ``reports``; the others use
the small fake reports folder of ``test_mail`` with reports padded to a chosen size.
"""

from __future__ import annotations

import email
import random
import re
import shutil
from collections import Counter
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from faultsmtp import FaultyController, FaultySink, free_port
from test_mail import SLUGS, VERTEILER, Fake, expected_per_address

from kennzahlen.mail import (
    MB,
    PASSWORD_ENV,
    Hoechstgroesse,
    MailLog,
    MailRefused,
    VerteilerError,
    _message_id,
    build_message,
    check_mailing,
    load_verteiler,
    mail_command,
    mail_reports,
    pack_reports,
    plan_mailing,
    plan_parts,
    wire_bytes,
)

#: the end-to-end layer (`pytest -m "not e2e"` leaves it out; markers in pyproject.toml)
pytestmark = pytest.mark.e2e

PERIODE = "2023-Q4"
FAST = {"reconnect_delays": (0.05, 0.1, 0.2), "retry_delays": (0.05, 0.1)}
ABTEILUNG = "abteilungsleitung-so@example.org"
RAUM = {slug: raum for raum, slug in SLUGS.items()}


# ---------------------------------------------------------------------------- helpers
def verteiler_mit(folder: Path, mb: float | str, text: str | None = None) -> Path:
    """config/verteiler.yaml with ``smtp.max_nachricht_mb: mb``."""
    text = text or VERTEILER.read_text("utf-8")
    f = folder / f"verteiler-{mb}.yaml"
    if re.search(r"(?m)^  max_nachricht_mb:", text):
        text = re.sub(r"(?m)^  max_nachricht_mb: .*$", f"  max_nachricht_mb: {mb}", text, count=1)
    else:
        text = re.sub(r"(?m)^smtp:\n", f"smtp:\n  max_nachricht_mb: {mb}\n", text, count=1)
    f.write_text(text, "utf-8")
    return f


def berichte_in(msg) -> list[tuple[int, str]]:
    """(product, area) of each attached HTML report, from its file name."""
    out = []
    for part in msg.iter_attachments():
        name = part.get_filename()
        if name.endswith(".html"):
            out.append((int(name[0]), RAUM[name.rsplit("__", 1)[1].removesuffix(".html")]))
    return out


def dateien_in(msg) -> list[str]:
    return [p.get_filename() for p in msg.iter_attachments()]


def read_eml(f: Path):
    return email.message_from_bytes(f.read_bytes(), policy=policy.default)


def text_of(msg) -> str:
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")  # read from a CRLF file


def summary_of(text: str) -> str:
    """The part of the body between 'Das Wichtigste in Kürze' and the list of attachments."""
    return text[text.index("Das Wichtigste in Kürze:") : text.index("In dieser Nachricht (")]


class SizeSink(FaultySink):
    """Stores what it accepts; answers 552 above ``max_bytes`` (without announcing it), and 554
    for the n-th message to an address in ``fail_nth``."""

    def __init__(self, max_bytes: int | None = None):
        super().__init__()
        self.max_bytes = max_bytes
        self.too_big: list[int] = []
        self.fail_nth: dict[str, set[int]] = {}
        self.seen: Counter = Counter()
        self.sizes: list[
            int
        ] = []  # bytes of each accepted message as received (CRLF, no dot-stuffing)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.seen[address] += 1
        if self.seen[address] in self.fail_nth.get(address, set()):
            return "554 5.7.1 abgelehnt (Test)"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.max_bytes is not None and len(envelope.original_content) > self.max_bytes:
            self.too_big.append(len(envelope.original_content))
            return "552 5.3.4 message size exceeds fixed maximum message size"
        self.sizes.append(len(envelope.original_content))
        return await super().handle_DATA(server, session, envelope)

    def reports_per_recipient(self) -> Counter:
        """How often each (address, product, area) arrived."""
        return Counter((rcpt[0], *b) for _, rcpt, msg in self.received for b in berichte_in(msg))


@pytest.fixture
def size_server():
    """Start a server: ``size_server(max_bytes=…, announce=…)`` -> (sink, 'host:port')."""
    controllers = []

    def start(max_bytes: int | None = None, announce: int | None = None) -> tuple[SizeSink, str]:
        sink = SizeSink(max_bytes)
        port = free_port()
        controller = FaultyController(
            sink, hostname="127.0.0.1", port=port, data_size_limit=announce
        )
        controller.start()
        controllers.append(controller)
        return sink, f"127.0.0.1:{port}"

    yield start
    for c in controllers:
        c.stop()


def schwerer(f: Path, nbytes: int) -> None:
    """Pad a report's HTML to ``nbytes`` with a comment of random letters (as ``pad`` does); a
    report heavier than that loses its charts' pixels first (the mail reads only its identity)."""
    text = f.read_text("utf-8")
    if len(text.encode("utf-8")) + 10 >= nbytes:  # heavier already: its charts made tiny first
        text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:image/png;base64,AAAA", text)
    n = nbytes - len(text.encode("utf-8")) - 10
    assert n > 0, (f, nbytes)
    filler = "".join(random.Random(f.name).choices("abcdefghij", k=n))
    f.write_text(text.replace("</body>", f"<!--{filler}--></body>"), "utf-8")
    _pruefsumme_neu(f)


def _pruefsumme_neu(f: Path) -> None:
    """Record the padded file's checksum in its run's runs.json, as the runner would have."""
    import hashlib
    import json

    ordner = f.parent.parent
    runs = json.loads((ordner / "runs.json").read_text("utf-8"))
    rel = f.relative_to(ordner).as_posix()
    for e in runs["reports"]:
        if rel in e.get("dateien", {}):
            e["dateien"][rel] = hashlib.sha256(f.read_bytes()).hexdigest()
    (ordner / "runs.json").write_text(json.dumps(runs, ensure_ascii=False), "utf-8")


def run(args: list[str]):
    return CliRunner().invoke(mail_command, args, env={PASSWORD_ENV: None}, catch_exceptions=False)


# ---------------------------------------------------------------------------- the packing rule
def test_pack_reports_by_hand():
    # everything fits: one part, in report order
    assert pack_reports([(1, 3), (1, 3), (2, 3)], 10) == [[0, 1, 2]]
    # product 1 (6 + 5) is too big for one part: cut in report order into [0] and [1]; then
    # first-fit-decreasing: 6 -> new part (room 4), 5 -> new part (room 5), product 2 (4) -> part 1,
    # product 3 (3) -> part 2 (room 5)
    assert pack_reports([(1, 6), (1, 5), (2, 4), (3, 3)], 10) == [[0, 2], [1, 3]]
    # a product that fits stays together even when a smaller split would fill parts better
    assert pack_reports([(1, 4), (1, 4), (2, 4), (2, 4)], 10) == [[0, 1], [2, 3]]
    # runs of a product are cut where the next area no longer fits: 4+4 | 4+4 | 4
    assert pack_reports([(3, 4)] * 5, 9) == [[0, 1], [2, 3], [4]]
    # runs of one product share a part only as neighbours: [0] and [2] would fit together, but
    # a part "Gesamtstadt, Eselsberg" beside "Böfingen" breaks the order a reader looks in
    assert pack_reports([(1, 5), (1, 6), (1, 5)], 10) == [[0], [1], [2]]
    # ... and another product's block may join either: [0] + product 2 | [1] | [2]
    assert pack_reports([(1, 5), (1, 6), (1, 5), (2, 5)], 10) == [[0, 3], [1], [2]]
    # equal blocks: the earlier product first
    assert pack_reports([(2, 5), (1, 5), (3, 5)], 9) == [[0], [1], [2]]
    with pytest.raises(ValueError):
        pack_reports([(1, 11)], 10)


# ---------------------------------------------------------------------------- the config key
def test_default_limit_is_10_mb():
    v = load_verteiler(VERTEILER)
    assert v.smtp.max_nachricht_mb == 10 and v.smtp.max_bytes == 10 * MB == 10_000_000


@pytest.mark.parametrize(
    "value, ok", [("2", 2_000_000), ("7.5", 7_500_000), ("4.1", 4_100_000), ("0.1", 100_000)]
)
def test_limit_in_the_file(tmp_path, value, ok):
    assert load_verteiler(verteiler_mit(tmp_path, value)).smtp.max_bytes == ok


@pytest.mark.parametrize(
    "value", ["zehn", "'10 MB'", "'10,5'", "0", "-1", "true", "5000", ".nan", "0.05"]
)
def test_a_bad_limit_is_refused_in_german(tmp_path, value):
    f = verteiler_mit(tmp_path, value)
    with pytest.raises(VerteilerError) as info:
        load_verteiler(f)
    text = str(info.value)
    assert text.startswith(f"{f}: der Verteiler ist ungültig (")
    assert (
        "smtp.max_nachricht_mb: die Höchstgröße einer Nachricht ist eine Zahl in MB von 0,1 bis "
        "1.000" in text
    )
    assert "1 MB = 1.000.000 Bytes" in text and "(Wert: " in text


# ---------------------------------------------------------------------------- the demo quarter
@pytest.fixture
def quartal(reports: Path, demo_pool: Path, tmp_path: Path) -> dict:
    """A copy of the 24 demo reports of 2023-Q4 (the mail log and lock go into the copy)."""
    root = tmp_path / "reports"
    shutil.copytree(
        reports,
        root / PERIODE,
        ignore=shutil.ignore_patterns("mail_log.csv", ".mail_unterwegs.json"),
    )
    return {"reports": root, "pool": demo_pool, "dir": root / PERIODE, "tmp": tmp_path}


def quartal_args(q: dict, *extra: str, verteiler: Path = VERTEILER) -> list[str]:
    return [
        "--periode",
        PERIODE,
        "--reports",
        str(q["reports"]),
        "--pool",
        str(q["pool"]),
        "--verteiler",
        str(verteiler),
        *extra,
    ]


def wanted() -> dict[str, set[tuple[int, str]]]:
    return {a: set(x) for a, x in expected_per_address().items()}


P = ["Gesamtstadt", "Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen"]
#: the limit of the demo-quarter tests: two Produkt-3 reports (with their Kennzahlensteckbriefe,
#: about 0.8 MB each, 1.37 times that on the wire) fit into one message, three do not
GRENZE = 2.2


def plan_fuer(quartal: dict, verteiler_datei: Path):
    """The planned parts of the demo quarter under a Verteiler file (sizes follow the reports)."""
    v = load_verteiler(verteiler_datei)
    verteiler, runs, periode_dir, pool_dir = check_mailing(
        PERIODE, quartal["reports"], quartal["pool"], v
    )
    versand = plan_mailing(PERIODE, verteiler, runs, periode_dir, pool_dir)
    return verteiler, versand, plan_parts(versand, Hoechstgroesse.aus_verteiler(verteiler))


def plan_2mb(quartal: dict):
    return plan_fuer(quartal, verteiler_mit(quartal["tmp"], GRENZE))


def parts_of(plan) -> dict[str, list[list[tuple[int, str]]]]:
    """Per address the (product, area) of each planned part, in part order."""
    out: dict[str, list] = {}
    for n in plan.senden:
        out.setdefault(n.empfaenger, []).append([(b["produkt"], b["raum"]) for b in n.berichte])
    return out


def assert_packed_by_the_rule(parts: list[list[tuple[int, str]]]) -> None:
    """What pack_reports promises, whatever the report sizes: within a part the reports keep
    report order (product, then Gesamtstadt, then the Sozialräume A-Z), the areas a part carries
    of a product are neighbours in the address's list, and parts are ordered by their first
    report."""
    order = [(p, r) for p in range(1, 5) for r in P]
    mine = sorted((b for part in parts for b in part), key=order.index)
    for part in parts:
        idx = [mine.index(b) for b in part]
        assert idx == sorted(idx), part
        for produkt in {p for p, _ in part}:
            own = [i for i in idx if mine[i][0] == produkt]
            assert own == list(range(own[0], own[0] + len(own))), part
    firsts = [mine.index(part[0]) for part in parts]
    assert firsts == sorted(firsts), parts


def test_two_mb_on_the_demo_quarter_gives_the_expected_parts(quartal):
    out = quartal["tmp"] / "eml"
    result = run(
        quartal_args(
            quartal, "--dry-run", str(out), verteiler=verteiler_mit(quartal["tmp"], GRENZE)
        )
    )
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.eml"))
    sizes = {f.name: f.stat().st_size for f in files}
    assert max(sizes.values()) <= GRENZE * 1_000_000, sizes
    parts: dict[str, list] = {}
    for f in files:
        msg = read_eml(f)
        to = str(msg["To"])
        m = re.search(r"– Teil (\d+) von (\d+)$", str(msg["Subject"]))
        assert m, msg["Subject"]
        i, n = int(m[1]), int(m[2])
        assert f.name == f"{to}__teil-{i}-von-{n}.eml"
        parts.setdefault(to, [None] * n)[i - 1] = (msg, berichte_in(msg))
        names = dateien_in(msg)  # an Excel file travels with its HTML report
        assert {x.removesuffix(".xlsx") for x in names if x.endswith(".xlsx")} <= {
            x.removesuffix(".html") for x in names
        }
        assert (
            len(wire_bytes(msg)) == f.stat().st_size
        )  # the file holds exactly the bytes on the wire
    got = {to: [b for _, b in p] for to, p in parts.items()}
    _, _, plan = plan_2mb(quartal)
    erwartet = parts_of(plan)
    assert got == erwartet  # the files on disk are the plan
    assert len(files) == len(plan.senden) > len(erwartet)  # 2 MB splits the demo quarter
    for p in got.values():
        assert_packed_by_the_rule(p)
    # the P3 reports (1,2 MB each, 1,6 MB as base64) travel one by one, the Gesamtstadt first
    assert got["bm2@example.org"] == [[(3, r)] for r in P]
    for to, p in parts.items():  # together every report once
        carried = [b for _, bs in p for b in bs]
        assert len(carried) == len(set(carried)) and set(carried) == wanted()[to]
        texts = [text_of(msg) for msg, _ in p]
        assert len({summary_of(t) for t in texts}) == 1  # the same summary in every part
        for i, t in enumerate(texts, start=1):
            assert f"Dies ist Teil {i} von {len(p)}." in t
            for j, (_, bs) in enumerate(p, start=1):
                if j != i:  # names the reports of the other parts
                    assert f"In Teil {j} von {len(p)}:" in t
                    section = t.split(f"In Teil {j} von {len(p)}:\n")[1].split("\n\n")[0]
                    assert [line.split(" – ")[1] for line in section.splitlines()] == [
                        raum for _, raum in bs
                    ]
    assert (
        "Höchstgröße je Nachricht: 2,20 MB (smtp.max_nachricht_mb in der Verteiler-Datei)"
        in result.output
    )
    n = len(erwartet[ABTEILUNG])
    assert f"  {ABTEILUNG}: {n} Teile" in result.output
    k = erwartet[ABTEILUNG].index([(3, "Gesamtstadt")]) + 1
    line = next(
        x
        for x in result.output.splitlines()
        if x.strip().startswith(f"Teil {k} von {n}:") and ABTEILUNG in x
    )
    assert f"{ABTEILUNG}__teil-{k}-von-{n}.eml" in line and "Produkt 3: Gesamtstadt" in line
    mb = re.search(rf"Teil {k} von {n}: (\d,\d\d) MB", line)
    assert mb and 1.5 < float(mb[1].replace(",", ".")) <= GRENZE, line
    assert f"{len(files)} Nachricht(en) als .eml" in result.output


def test_default_limit_on_the_demo_quarter(quartal):
    """Before: 11 messages, the Abteilungsleitung's 10.6 MB in one. Now the files on disk are the
    plan, none above 10 MB; the Abteilungsleitung's reports travel in parts, each report once."""
    out = quartal["tmp"] / "eml"
    result = run(quartal_args(quartal, "--dry-run", str(out)))
    assert result.exit_code == 0, result.output
    sizes = {f.name: f.stat().st_size for f in out.glob("*.eml")}
    _, _, plan = plan_fuer(quartal, VERTEILER)
    assert len(sizes) == len(plan.senden) and max(sizes.values()) <= 10_000_000
    teile = sorted(
        (n for n in sizes if n.startswith(f"{ABTEILUNG}__teil-")),
        key=lambda n: int(n.split("__teil-")[1].split("-")[0]),
    )
    assert len(teile) >= 2
    getragen = [b for n in teile for b in berichte_in(read_eml(out / n))]
    assert sorted(getragen) == sorted([(1, r) for r in P] + [(3, r) for r in P])
    assert len(getragen) == 2 * len(P)  # each report once (packed by size: kennzahlen.mail)
    assert sum(sizes[n] for n in teile) > 10_000_000  # it would not have fitted into one


def test_planned_sizes_are_the_measured_sizes(quartal):
    verteiler, versand, plan = plan_2mb(quartal)
    assert len(plan.senden) > len(parts_of(plan))  # some addresses get parts
    for n in plan.senden[:8]:
        # the plan is measured with the (longer) Message-ID of a resend: exactly that message's size
        msg = build_message(PERIODE, n, verteiler, _message_id(versand, n, resend=True))
        assert len(wire_bytes(msg)) == n.groesse <= GRENZE * 1_000_000


def test_all_parts_arrive_at_a_server_that_refuses_large_messages(quartal, size_server):
    """The server says nothing about its limit (no SIZE) and answers 552 above 2.3 MB."""
    sink, hostport = size_server(max_bytes=2_300_000, announce=None)
    result = run(
        quartal_args(quartal, "--smtp", hostport, verteiler=verteiler_mit(quartal["tmp"], GRENZE))
    )
    assert result.exit_code == 0, result.output
    _, _, plan = plan_2mb(quartal)
    n = len(plan.senden)
    teile = len(parts_of(plan)[ABTEILUNG])
    assert f"{n} von {n} Nachricht(en) gesendet." in result.output
    assert "der Server 127.0.0.1" in result.output and "nennt keine Grenze (SIZE)" in result.output
    assert sink.too_big == []
    assert sink.reports_per_recipient() == Counter(
        {(a, *b): 1 for a, bs in wanted().items() for b in bs}
    )
    assert len(sink.sizes) == n and max(sink.sizes) <= GRENZE * 1_000_000
    rows = MailLog(quartal["dir"] / "mail_log.csv").rows()
    assert len(rows) == n and len({r["zustellung"] for r in rows}) == n
    assert {r["betreff"].rsplit("– ", 1)[1] for r in rows if r["empfaenger"] == ABTEILUNG} == {
        f"Teil {i} von {teile}" for i in range(1, teile + 1)
    }
    again = run(
        quartal_args(quartal, "--smtp", hostport, verteiler=verteiler_mit(quartal["tmp"], GRENZE))
    )
    assert (
        "0 von 0 Nachricht(en) gesendet" in again.output
        and f"{n} Nachricht(en) laut Protokoll" in again.output
    )


def test_the_servers_size_is_used_when_smaller(quartal, size_server):
    """The server announces SIZE 3000000 (aiosmtpd answers 552 above it): 3 MB holds, not 10."""
    sink, hostport = size_server(announce=3_000_000)
    nur = ["--empfaenger", ABTEILUNG, "--empfaenger", "fachplanung@example.org"]
    result = run(quartal_args(quartal, "--smtp", hostport, *nur))
    assert result.exit_code == 0, result.output
    assert (
        "Höchstgröße je Nachricht: 3,00 MB (SIZE des Servers "
        + hostport
        + ", kleiner als die 10,00 MB aus smtp.max_nachricht_mb)"
    ) in result.output
    # the parts are those of a 3 MB plan (more than the 2 of the 10 MB default)
    teile = parts_of(plan_fuer(quartal, verteiler_mit(quartal["tmp"], 3))[2])
    a, f = len(teile[ABTEILUNG]), len(teile["fachplanung@example.org"])
    assert a > 2 and f"  {ABTEILUNG}: {a} Teile" in result.output
    assert max(sink.sizes) <= 3_000_000 and len(sink.sizes) == a + f
    got = sink.reports_per_recipient()
    assert got == Counter(
        {
            (a, *b): 1
            for a, bs in wanted().items()
            for b in bs
            if a in (ABTEILUNG, "fachplanung@example.org")
        }
    )


def test_a_smaller_limit_after_552_sends_only_the_missing_reports(quartal, size_server):
    """Run 1 (10 MB) against a server that takes 5 MB: 552 for the large parts. Run 2 with 4 MB:
    a new split, and only the reports that are still missing go out (a Nachtrag), none twice."""
    # the server takes the Abteilungsleitung's P1 part (10 MB plan) but not its larger P3 part:
    # the P3 reports of this copy weigh 0,9 MB each (padded), whatever the demo reports weigh
    for f in (quartal["dir"] / "3_wirkungskennzahlen").glob("*.html"):
        schwerer(f, 900_000)
    _, _, plan = plan_fuer(quartal, VERTEILER)
    p1, p3 = (n.groesse for n in plan.senden if n.empfaenger == ABTEILUNG)
    c2 = next(n.groesse for n in plan.senden if n.empfaenger == "controlling-c2@example.org")
    assert max(p1, c2) < p3 and p3 > 4_000_000  # the premise of this test
    sink, hostport = size_server(max_bytes=(max(p1, c2) + p3) // 2)
    nur = [
        "--empfaenger",
        ABTEILUNG,
        "--empfaenger",
        "bm2@example.org",
        "--empfaenger",
        "controlling-c2@example.org",
    ]
    first = run(quartal_args(quartal, "--smtp", hostport, *nur))
    assert first.exit_code == 1
    assert "2 von 4 Nachricht(en) gesendet." in first.output
    rows = MailLog(quartal["dir"] / "mail_log.csv").rows()
    failed = [r for r in rows if r["ergebnis"].startswith("abgewiesen")]
    assert {(r["empfaenger"], r["betreff"].rsplit(" – ", 1)[1]) for r in failed} == {
        (ABTEILUNG, "Teil 2 von 2"),
        ("bm2@example.org", "Bürgermeister*in Dezernat 2 (BM 2)"),
    }
    assert all(
        "552" in r["ergebnis"] and "ist dem Server zu groß: smtp.max_nachricht_mb" in r["ergebnis"]
        for r in failed
    )
    delivered_before = sink.reports_per_recipient()
    assert set(delivered_before) == {(ABTEILUNG, 1, r) for r in P} | {
        ("controlling-c2@example.org", 2, r) for r in P
    }

    second = run(
        quartal_args(quartal, "--smtp", hostport, *nur, verteiler=verteiler_mit(quartal["tmp"], 4))
    )
    assert second.exit_code == 0, second.output
    assert (
        f"{ABTEILUNG}: 6 von 12 Berichten sind laut Protokoll schon zugestellt (mit einer anderen "
        f"Aufteilung); ein Nachtrag bringt die 6 fehlenden"
    ) in second.output
    sent = [(rcpt[0], str(msg["Subject"])) for _, rcpt, msg in sink.received[2:]]
    assert sorted(sent) == sorted(
        [
            (
                ABTEILUNG,
                "Kennzahlensystem Soziales – Berichte 2023-Q4 – Abteilungsleitung Soziales – "
                "Nachtrag, Teil 1 von 2",
            ),
            (
                ABTEILUNG,
                "Kennzahlensystem Soziales – Berichte 2023-Q4 – Abteilungsleitung Soziales – "
                "Nachtrag, Teil 2 von 2",
            ),
            (
                "bm2@example.org",
                "Kennzahlensystem Soziales – Berichte 2023-Q4 – Bürgermeister*in Dezernat 2 (BM 2) "
                "– Teil 1 von 2",
            ),
            (
                "bm2@example.org",
                "Kennzahlensystem Soziales – Berichte 2023-Q4 – Bürgermeister*in Dezernat 2 (BM 2) "
                "– Teil 2 von 2",
            ),
        ]
    )  # controlling-c2's message fits 4 MB as it did 10 MB: the same delivery, not sent again
    nachtrag = next(msg for _, rcpt, msg in sink.received[2:] if rcpt[0] == ABTEILUNG)
    text = text_of(nachtrag)
    assert "Dies ist ein Nachtrag (Teil 1 von 2)" in text
    assert (
        "Schon früher zugestellt:\n  • Sozialstrukturelle Daten – Gesamtstadt – Jahr 2023" in text
    )
    assert sink.reports_per_recipient() == Counter(
        {
            (a, *b): 1
            for a, bs in wanted().items()
            for b in bs
            if a in (ABTEILUNG, "bm2@example.org", "controlling-c2@example.org")
        }
    )
    assert max(sink.sizes[2:]) <= 4_000_000
    third = run(
        quartal_args(quartal, "--smtp", hostport, *nur, verteiler=verteiler_mit(quartal["tmp"], 4))
    )
    assert third.exit_code == 0 and "0 von 0 Nachricht(en) gesendet" in third.output
    assert len(sink.received) == 6


# ---------------------------------------------------------------------------- small fake reports
def pad(fake: Fake, produkt: int, raum: str, nbytes: int, seed: int = 0) -> None:
    """Make a fake report's HTML ``nbytes`` long (random letters: base64 makes them 4/3 as long)."""
    f = fake.dir / fake.entry(produkt, raum)["html"]
    text = f.read_text("utf-8")
    filler = "".join(random.Random(seed).choices("abcdefghij", k=max(0, nbytes - len(text) - 10)))
    f.write_text(text.replace("</body>", f"<!--{filler}--></body>"), "utf-8")
    fake.save()  # the runner records each file's checksum in runs.json


@pytest.fixture
def fake(tmp_path: Path) -> Fake:
    return Fake(tmp_path)


def send(fake: Fake, hostport: str, verteiler, **kw):
    return mail_reports(
        PERIODE,
        fake.reports,
        fake.pool,
        verteiler,
        smtp=hostport,
        echo=lambda s: None,
        **{**FAST, **kw},
    )


def test_a_single_report_above_the_limit_is_refused_before_anything_is_sent(
    fake, size_server, tmp_path
):
    pad(fake, 3, "West", 300_000)
    f = verteiler_mit(tmp_path, 0.2)
    sink, hostport = size_server()
    for args in (
        fake.args("--smtp", hostport, verteiler=f),
        fake.args("--dry-run", str(tmp_path / "out"), verteiler=f),
    ):
        result = run(args)
        assert result.exit_code == 2, result.output
        assert "Versand abgelehnt, nichts wurde gesendet (1 Bericht(e) zu groß):" in result.output
        assert re.search(
            r"Produkt 3 West \(3_wirkungskennzahlen__2023__west\.html\): ergibt allein eine "
            r"Nachricht "
            r"von 0,4\d MB, mehr als die Höchstgröße von 0,20 MB \(smtp\.max_nachricht_mb in der "
            r"Verteiler-Datei\)",
            result.output,
        )
        assert result.output.count("Produkt 3 West") == 1  # three recipients get it: named once
    assert sink.received == [] and sink.mails == 0
    assert not (tmp_path / "out").exists()
    assert not (fake.dir / "mail_log.csv").exists()


def big_fake(fake: Fake) -> None:
    """Every report of products 1 and 3 about 60 KB: the Abteilungsleitung's 12 reports ~1 MB."""
    for nr in (1, 3):
        for raum in SLUGS:
            pad(fake, nr, raum, 60_000, seed=nr * 10 + len(raum))


def test_a_rerun_after_a_failure_in_part_2_sends_only_the_missing_parts(
    fake, size_server, tmp_path
):
    big_fake(fake)
    v = verteiler_mit(tmp_path, 0.3)
    sink, hostport = size_server()
    sink.fail_nth[ABTEILUNG] = {2}  # the second message to the Abteilungsleitung: 554
    first = send(fake, hostport, v)
    failed = [(r["empfaenger"], r["betreff"].rsplit(" – ", 1)[1]) for r in first.failed]
    assert failed == [(ABTEILUNG, "Teil 2 von 4")], first.log
    got = [
        str(m["Subject"]).rsplit(" – ", 1)[1]
        for _, rcpt, m in sink.received
        if rcpt[0] == ABTEILUNG
    ]
    assert got == ["Teil 1 von 4", "Teil 3 von 4", "Teil 4 von 4"]
    n_before = len(sink.received)
    second = send(fake, hostport, v)
    assert [
        (r["empfaenger"], r["betreff"].rsplit(" – ", 1)[1], r["ergebnis"]) for r in second.log
    ] == [(ABTEILUNG, "Teil 2 von 4", "gesendet")]
    assert len(sink.received) == n_before + 1
    assert sink.reports_per_recipient() == Counter(
        {(a, *b): 1 for a, bs in wanted().items() for b in bs}
    )
    assert max(sink.sizes) <= 300_000
    third = send(fake, hostport, v)
    assert third.log == [] and len(sink.received) == n_before + 1


def test_the_report_set_changes_between_runs(fake, size_server, tmp_path):
    """A group gets a product more: only its new reports go (a Nachtrag). Fewer reports, or a
    smaller limit that would split what was already delivered: nothing goes twice."""
    big_fake(fake)
    text = VERTEILER.read_text("utf-8")
    v = verteiler_mit(tmp_path, 0.3, text)
    sink, hostport = size_server()
    assert not send(fake, hostport, v).failed
    n_before = len(sink.received)

    mehr = tmp_path / "mehr"
    mehr.mkdir()
    text_mehr = text.replace(
        "oeffentlich: false  # bekommt Produkt 3 zur Kenntnis, gibt aber nichts weiter\n"
        "    produkte: [1, 3]",
        "oeffentlich: false\n    produkte: [1, 3, 4]",
    )
    assert text_mehr != text
    grown = send(fake, hostport, verteiler_mit(mehr, 0.3, text_mehr))
    assert [(r["empfaenger"], r["betreff"].rsplit(" – ", 1)[1]) for r in grown.log] == [
        (ABTEILUNG, "Nachtrag")
    ]
    new = sink.received[n_before:]
    assert [berichte_in(m) for _, _, m in new] == [[(4, r) for r in P]]
    assert "Schon früher zugestellt:" in text_of(new[0][2])
    assert any("ein Nachtrag bringt die 6 fehlenden" in h for h in grown.hinweise)
    expected = Counter({(a, *b): 1 for a, bs in wanted().items() for b in bs})
    expected.update({(ABTEILUNG, 4, r): 1 for r in P})
    assert sink.reports_per_recipient() == expected

    # back to the old set, and a limit that splits everything differently: all delivered already
    kleiner = tmp_path / "kleiner"
    kleiner.mkdir()
    again = send(fake, hostport, verteiler_mit(kleiner, 0.2, text))
    assert again.log == [] and sink.reports_per_recipient() == expected
    # a deliberate resend sends the new split in full
    resent = send(
        fake,
        hostport,
        verteiler_mit(kleiner, 0.2, text),
        resend=True,
        empfaenger=["bm2@example.org"],
    )
    assert [r["betreff"].rsplit(" – ", 1)[1] for r in resent.log] == [
        "Teil 1 von 3",
        "Teil 2 von 3",
        "Teil 3 von 3",
    ]


def test_a_message_that_fits_keeps_its_old_delivery_key(fake, size_server, tmp_path):
    """Logs written before messages could be split stay valid: an unsplit message has the same
    key as before, so an upgrade sends nothing again."""
    import hashlib
    import json

    sink, hostport = size_server()
    send(fake, hostport, VERTEILER)
    rows = MailLog(fake.dir / "mail_log.csv").rows()
    bm2 = next(r for r in rows if r["empfaenger"] == "bm2@example.org")
    berichte = [
        [3, raum, "2023"]
        for raum in ["Gesamtstadt", "Böfingen", "Eselsberg", "Mitte/Ost", "West", "Wiblingen"]
    ]
    old = json.dumps(
        {
            "empfaenger": "bm2@example.org",
            "periode": PERIODE,
            "berichte": berichte,
            "pool": fake.runs["pool_manifest_sha256"],
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    assert bm2["zustellung"] == hashlib.sha256(old.encode("utf-8")).hexdigest()[:24]


def test_refusal_raises_mail_refused_in_the_api(fake, tmp_path):
    pad(fake, 1, "Gesamtstadt", 200_000)
    with pytest.raises(MailRefused) as info:
        mail_reports(
            PERIODE,
            fake.reports,
            fake.pool,
            verteiler_mit(tmp_path, 0.1),
            dry_run=tmp_path / "o",
            echo=lambda s: None,
        )
    assert "Produkt 1 Gesamtstadt (1_sozialstruktur__2023__gesamtstadt.html)" in str(info.value)


def test_part_numbers_never_mix_two_splits(fake, size_server, tmp_path):
    """Run 1 (0.35 MB): BM 2 gets [Gesamtstadt–Mitte/Ost] [West, Wiblingen]; part 1 fails.
    Run 2 (0.2 MB) would split [Gesamtstadt, Böfingen] [Eselsberg, Mitte/Ost] [West, Wiblingen]:
    the missing reports go as a Nachtrag, not as 'Teil 1 von 3' beside the 'Teil 2 von 2' held."""
    big_fake(fake)
    sink, hostport = size_server()
    sink.fail_nth["bm2@example.org"] = {1}
    first = send(fake, hostport, verteiler_mit(tmp_path, 0.35), empfaenger=["bm2@example.org"])
    assert [r["betreff"].rsplit(" – ", 1)[1] for r in first.failed] == ["Teil 1 von 2"]
    assert [berichte_in(m) for _, _, m in sink.received] == [[(3, "West"), (3, "Wiblingen")]]
    second = send(fake, hostport, verteiler_mit(tmp_path, 0.2), empfaenger=["bm2@example.org"])
    assert [r["betreff"].rsplit(" – ", 1)[1] for r in second.log] == [
        "Nachtrag, Teil 1 von 2",
        "Nachtrag, Teil 2 von 2",
    ]
    assert [berichte_in(m) for _, _, m in sink.received[1:]] == [
        [(3, r) for r in P[:2]],
        [(3, r) for r in P[2:4]],
    ]
    text = text_of(sink.received[1][2])
    assert (
        "In Nachtrag, Teil 2 von 2:\n  • Wirkungskennzahlen der Sozialraumorientierung – Eselsberg"
        in text
    )
    assert (
        "Schon früher zugestellt:\n  • Wirkungskennzahlen der Sozialraumorientierung – West – Jahr "
        "2023" in text
    )
