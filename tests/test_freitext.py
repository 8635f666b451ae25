"""Need-to-know for free text: no Sozialraumteamleitung reads another Sozialraum's case narratives.

A team gets its own Sozialraum's reports and the Gesamtstadt's. The Gesamtstadt reports of
Produkt 2 and 4 used to list every Sozialraum's Ampel reasons, explanations and measures (68 rows
reached the five teams in the demo mailing). Read here from the .eml files of the demo dry run,
as the teams would receive them.
"""

from __future__ import annotations

import email
import html
import shutil
from email import policy
from pathlib import Path

import pandas as pd
import pytest

from kennzahlen.core.schema import GESAMTSTADT
from kennzahlen.mail import load_verteiler, mail_reports

PERIODE = "2023-Q4"


def _freitexte(pool: Path) -> list[tuple[str, str]]:
    """(area, text) of every free text in the pool: Ampel switches, explanations, measures."""
    ampel = pd.read_parquet(pool / "ampel.parquet")
    erl = pd.read_parquet(pool / "erlaeuterungen.parquet")
    mn = pd.read_parquet(pool / "massnahmen.parquet")
    rows = list(
        zip(
            ampel.loc[ampel["manuell"], "sozialraum"],
            ampel.loc[ampel["manuell"], "begruendung"],
            strict=True,
        )
    )
    rows += list(zip(erl["sozialraum"], erl["text"], strict=True))
    rows += list(zip(mn["sozialraum"], mn["massnahme"], strict=True))
    rows += [(r, t) for r, t in zip(mn["sozialraum"], mn["ergebnis"], strict=True) if pd.notna(t)]
    return [(str(r), str(t)) for r, t in rows if str(t).strip()]


@pytest.fixture(scope="module")
def postfaecher(reports: Path, demo_pool: Path, tmp_path_factory) -> dict[str, str]:
    """Per address: everything its messages carry (text and HTML attachments, unescaped)."""
    tmp = tmp_path_factory.mktemp("freitext")
    root = tmp / "reports"
    shutil.copytree(
        reports,
        root / PERIODE,
        ignore=shutil.ignore_patterns("mail_log.csv", ".mail_unterwegs.json"),
    )
    eml = tmp / "eml"
    mail_reports(PERIODE, root, demo_pool, dry_run=eml, echo=lambda s: None)
    out: dict[str, str] = {}
    for f in sorted(eml.glob("*.eml")):
        msg = email.message_from_bytes(f.read_bytes(), policy=policy.default)
        teile = [msg.get_body(("plain",)).get_content()]
        teile += [
            html.unescape(p.get_content())
            for p in msg.iter_attachments()
            if p.get_content_type() == "text/html"
        ]
        adresse = str(msg["To"])
        out[adresse] = out.get(adresse, "") + "\n".join(teile)
    return out


def test_no_team_reads_another_sozialraums_free_text(postfaecher, demo_pool):
    verteiler = load_verteiler()
    teams = {a: g.sozialraum for g in verteiler.gruppen if g.sozialraum for a in g.empfaenger}
    texte = _freitexte(demo_pool)
    assert len({r for r, _ in texte}) >= 5  # the demo has free text in most areas
    fremd = [
        (adresse, raum, text)
        for adresse, eigen in teams.items()
        for raum, text in texte
        if raum not in (eigen, GESAMTSTADT) and text in postfaecher[adresse]
    ]
    assert fremd == []
    # the rule shows what a team needs: its own free text
    eigene = [(a, t) for a, e in teams.items() for r, t in texte if r == e and t in postfaecher[a]]
    assert len({a for a, _ in eigene}) == 3  # the demo teams with free text in 2023-Q4


def test_groups_without_a_binding_read_every_free_text(postfaecher, demo_pool):
    """Fachkoordination/Fachplanung gets every area's Ampel report: nothing is lost to it."""
    fk = postfaecher["fachkoordination@example.org"]
    ampel = pd.read_parquet(demo_pool / "ampel.parquet")
    quartal = ampel[(ampel["quartal"] == PERIODE) & ampel["manuell"]]
    assert len(quartal) and all(t in fk for t in quartal["begruendung"])
