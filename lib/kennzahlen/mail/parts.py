"""The size limit: a recipient's reports split into parts that each fit into one message."""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Any

from kennzahlen.core import fmt
from kennzahlen.mail.log import MailLog, delivery_key
from kennzahlen.mail.nachrichten import (
    Anhang,
    MailRefused,
    Nachricht,
    _add,
    _attachments,
    _label,
    _text_message,
    anhang_daten,
    mit_pdf,
    subject,
    wire_bytes,
)
from kennzahlen.mail.plan import Versand, _message_id
from kennzahlen.mail.verteiler import MB, Verteiler


# ---------------------------------------------------------------------------- size limit and parts
@dataclass(frozen=True)
class Hoechstgroesse:
    """The largest message allowed, in bytes on the wire, and where that limit comes from."""

    bytes: int
    quelle: str

    @classmethod
    def aus_verteiler(cls, verteiler: Verteiler) -> Hoechstgroesse:
        """The limit of ``smtp.max_nachricht_mb`` in the Verteiler file."""
        return cls(verteiler.smtp.max_bytes, "smtp.max_nachricht_mb in der Verteiler-Datei")


def megabytes(n: int) -> str:
    """Bytes as German megabytes, 1 MB = 1.000.000 Bytes: 1910123 -> '1,91 MB'."""
    return f"{fmt.zahl(n / MB, 2)} MB"


def pack_reports(berichte: list[tuple[Any, int]], capacity: int) -> list[list[int]]:
    """Split reports over the fewest parts of at most ``capacity`` bytes, related ones together.

    ``berichte`` are (product, size) in report order (product, then Gesamtstadt, then the
    Sozialräume A–Z); the size is a report's bytes on the wire (its HTML and its Excel file
    together: they never separate). Returns the indices of each part. The rule:

    1. Everything fits: one part.
    2. Each product is a block. A product too large for one part is cut in report order into
       the fewest runs that fit (a new run starts when the next area no longer fits), so the
       areas of a part are neighbours in the list and Gesamtstadt comes first.
    3. Blocks are packed first-fit-decreasing: the largest block first, each into the first
       part that still has room and holds no other run of its product, else into a new part
       (ties: the earlier product first). Two runs of a product never share a part: neighbouring
       runs do not fit together (that is where the cut was), others would break rule 2.
    4. Within a part, reports keep report order; parts are ordered by their first report.

    Deterministic: the same reports and sizes give the same parts. A report larger than
    ``capacity`` raises ValueError (the caller refuses it before anything is sent).
    """
    too_big = [i for i, (_, size) in enumerate(berichte) if size > capacity]
    if too_big:
        raise ValueError(f"Bericht(e) {too_big} größer als {capacity} Bytes")
    if sum(size for _, size in berichte) <= capacity:
        return [list(range(len(berichte)))] if berichte else []
    blocks: list[list[int]] = []
    for produkt in dict.fromkeys(p for p, _ in berichte):
        run: list[int] = []
        filled = 0
        for i, (p, size) in enumerate(berichte):
            if p != produkt:
                continue
            if run and filled + size > capacity:
                blocks.append(run)
                run, filled = [], 0
            run.append(i)
            filled += size
        blocks.append(run)

    def block_size(b: list[int]) -> int:
        return sum(berichte[i][1] for i in b)

    def produkte(part: list[int]) -> set:
        return {berichte[i][0] for i in part}

    parts: list[list[int]] = []
    room: list[int] = []
    for block in sorted(blocks, key=lambda b: (-block_size(b), b[0])):
        size = block_size(block)
        for k, free in enumerate(room):
            if size <= free and berichte[block[0]][0] not in produkte(parts[k]):
                parts[k] += block
                room[k] -= size
                break
        else:
            parts.append(list(block))
            room.append(capacity - size)
    return sorted((sorted(p) for p in parts), key=lambda p: p[0])


def _rid(entry: dict) -> tuple:
    return (entry.get("produkt"), entry.get("raum"), entry.get("berichtszeitraum"))


class _Sizer:
    """Measures bytes on the wire with the email generator: each attachment once (cached), and
    the text and headers of a message; a message is their sum (checked in the tests)."""

    def __init__(self, versand: Versand):
        self.versand = versand
        self._anhang: dict[tuple[Path, str], int] = {}

    @staticmethod
    @functools.cache
    def framing() -> int:
        """Bytes a multipart message adds around each attachment (boundary line, CRLFs)."""

        def msg(k: int) -> EmailMessage:
            m = EmailMessage()
            m.set_content("x")
            for _ in range(k):
                m.add_attachment(b"x", maintype="text", subtype="html", filename="x.html")
            return m

        part = len(list(msg(1).iter_parts())[1].as_bytes(policy=SMTP_POLICY))
        return len(wire_bytes(msg(2))) - len(wire_bytes(msg(1))) - part

    def anhang(self, a: Anhang) -> int:
        """What one attached file adds to a message: its MIME part after base64, with framing."""
        key = (a.path, a.name)
        if key not in self._anhang:
            m = EmailMessage()
            _add(m, a, anhang_daten(a))
            self._anhang[key] = (
                len(list(m.iter_parts())[0].as_bytes(policy=SMTP_POLICY)) + self.framing()
            )
        return self._anhang[key]

    def text(self, n: Nachricht) -> int:
        """The message without attachments, as a multipart message (headers, text, end line);
        with the longer Message-ID of a resend, so that the plan is an upper bound."""
        msg = _text_message(
            self.versand.periode,
            n,
            self.versand.verteiler,
            _message_id(self.versand, n, resend=True),
        )
        msg.make_mixed()
        return len(wire_bytes(msg))


def _split(
    versand: Versand,
    n: Nachricht,
    berichte: list[dict],
    limit: Hoechstgroesse,
    sizer: _Sizer,
    frueher: list[dict] | None = None,
) -> tuple[list[Nachricht], dict[tuple, str]]:
    """The parts for ``berichte`` of one address, each at most ``limit``; or why one cannot go."""
    units = [(e, _attachments(e, versand.periode_dir, mit_pdf(n, e))[0]) for e in berichte]
    sizes = [sum(sizer.anhang(a) for a in files) for _, files in units]

    def parts_of(groups: list[list[int]]) -> list[Nachricht]:
        aufteilung = [[units[i][0] for i in g] for g in groups]
        out = []
        for nr, g in enumerate(groups, start=1):
            part = replace(
                n,
                berichte=aufteilung[nr - 1],
                teil=nr,
                teile=len(groups),
                alle=list(n.berichte),
                aufteilung=aufteilung,
                frueher=list(frueher or []),
                nachtrag=bool(frueher),
                anhaenge=[a for i in g for a in units[i][1]],
                betreff="",
            )
            part.betreff = subject(versand.periode, part)
            part.groesse = sizer.text(part) + sum(sizes[i] for i in g)
            out.append(part)
        return out

    reserve = sizer.text(parts_of([list(range(len(units)))])[0])
    while True:
        capacity = limit.bytes - reserve
        too_big = {
            _rid(e): (
                f"{_label(e)} ({', '.join(a.name for a in files)}): ergibt allein eine Nachricht "
                f"von {megabytes(sizes[i] + reserve)}, mehr als die Höchstgröße von "
                f"{megabytes(limit.bytes)} ({limit.quelle}) – den Bericht verkleinern oder, wenn "
                f"der Mailserver größere Nachrichten annimmt, die Höchstgröße erhöhen"
            )
            for i, (e, files) in enumerate(units)
            if sizes[i] > capacity
        }
        if too_big:
            return [], too_big
        parts = parts_of(
            pack_reports(
                [(e.get("produkt"), size) for (e, _), size in zip(units, sizes, strict=True)],
                capacity,
            )
        )
        over = max(p.groesse for p in parts) - limit.bytes
        if over <= 0:
            return parts, {}
        reserve += over  # the text of the parts is longer than planned: plan with less room


@dataclass
class Aufteilung:
    """The messages of a mailing under a size limit: what to send, what the log says is done."""

    senden: list[Nachricht]
    schon_zugestellt: list[Nachricht]
    hinweise: list[str]
    hoechstgroesse: Hoechstgroesse


def _unsent(
    versand: Versand,
    n: Nachricht,
    parts: list[Nachricht],
    limit: Hoechstgroesse,
    sizer: _Sizer,
    log: MailLog,
    done: Collection[str],
) -> tuple[list[Nachricht], list[Nachricht], list[Nachricht], list[str]]:
    """For one address: the parts still to send, those logged as delivered, a Nachtrag (the
    reports it has not had, when earlier deliveries came in another split) and its note."""
    key = functools.partial(delivery_key, versand.periode, pool_version=versand.pool_version)
    offen = [p for p in parts if key(p) not in done]
    geloggt = [p for p in parts if key(p) in done]
    files = log.zugestellt(n.empfaenger, versand.pool_version)
    erhalten = {
        _rid(e)
        for e in n.berichte
        if {a.name for a in _attachments(e, versand.periode_dir, mit_pdf(n, e))[0]} <= files
    }
    if erhalten <= {_rid(e) for p in geloggt for e in p.berichte}:
        # what arrived came in parts of this very split: send the others as planned
        return offen, geloggt, [], []
    fehlend = [e for e in n.berichte if _rid(e) not in erhalten]
    frueher = [e for e in n.berichte if _rid(e) in erhalten]
    if not fehlend:
        return [], geloggt, [], []
    nachtrag, too_big = _split(versand, n, fehlend, limit, sizer, frueher=frueher)
    if too_big:  # cannot happen: the same reports fitted above; refuse rather than guess
        raise MailRefused(
            [
                "Versand abgelehnt, nichts wurde gesendet:",
                *[f"  - {p}" for p in too_big.values()],
            ]
        )
    hinweis = (
        f"{n.empfaenger}: {len(frueher)} von {len(n.berichte)} Berichten sind laut Protokoll schon "
        f"zugestellt (mit einer anderen Aufteilung); ein Nachtrag bringt die {len(fehlend)} "
        "fehlenden"
    )
    return [], geloggt, nachtrag, [hinweis]


def plan_parts(
    versand: Versand, limit: Hoechstgroesse, log: MailLog | None = None, resend: bool = False
) -> Aufteilung:
    """Split every message to fit ``limit``; with ``log``, leave out what was delivered.

    Raises MailRefused (nothing sent) when a single report is larger than the limit. With a log
    (a real mailing, not ``resend``), a part whose delivery key is logged is not sent again. If
    some of an address's reports reached it in messages that are not parts of the current split
    (the limit, the server's SIZE or its report set changed since), it gets a *Nachtrag*: only
    the reports it has not had from this pool version, split again, its text listing those
    delivered earlier. So no report goes twice, none is lost, and part numbers never mix two
    splits, whatever changed between the runs.
    """
    sizer = _Sizer(versand)
    problems: dict[tuple, str] = {}
    plans = []
    for n in versand.nachrichten:
        parts, too_big = _split(versand, n, n.berichte, limit, sizer)
        problems.update({k: v for k, v in too_big.items() if k not in problems})
        plans.append((n, parts))
    if problems:
        raise MailRefused(
            [
                f"Versand abgelehnt, nichts wurde gesendet ({len(problems)} Bericht(e) zu groß):",
                *[f"  - {p}" for p in problems.values()],
            ]
        )
    if log is None or resend:
        return Aufteilung([p for _, parts in plans for p in parts], [], [], limit)
    done = log.done()
    senden, schon, hinweise = [], [], []
    for n, parts in plans:
        offen, geloggt, nachtrag, hinweis = _unsent(versand, n, parts, limit, sizer, log, done)
        senden += offen + nachtrag
        schon += geloggt
        hinweise += hinweis
    return Aufteilung(senden, schon, hinweise, limit)


def _kurz(berichte: list[dict]) -> str:
    """'Produkt 1: Gesamtstadt, Nord; Produkt 3: Süd' for the plan shown to the sender."""
    by: dict[Any, list[str]] = {}
    for e in berichte:
        by.setdefault(e.get("produkt"), []).append(str(e.get("raum")))
    return "; ".join(f"Produkt {p}: {', '.join(r)}" for p, r in by.items())
