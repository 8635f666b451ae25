"""A recipient group with ``pdf: true`` gets each report's PDF too (issue 14); without the PDF the
mailing is refused before anything is sent."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

from test_mail import VERTEILER, Fake, attachments, run


def _verteiler_mit_pdf(tmp_path: Path) -> Path:
    text = VERTEILER.read_text("utf-8")
    gruppe = "  - id: gemeinderat-fba\n"
    assert text.count(gruppe) == 1
    text = text.replace(gruppe, gruppe + "    pdf: true\n")
    f = tmp_path / "verteiler.yaml"
    f.write_text(text, "utf-8")
    return f


def _nachrichten(out: Path) -> dict[str, list[email.message.EmailMessage]]:
    found: dict[str, list] = {}
    for f in sorted(out.glob("*.eml")):
        msg = email.message_from_bytes(f.read_bytes(), policy=policy.default)
        found.setdefault(str(msg["To"]), []).append(msg)
    return found


def test_group_with_pdf_gets_the_pdf_and_others_do_not(tmp_path: Path):
    fake = Fake(tmp_path)
    verteiler = _verteiler_mit_pdf(tmp_path)
    out = tmp_path / "eml"
    res = run(fake.args("--dry-run", str(out), verteiler=verteiler))
    assert res.exit_code != 0
    assert "bekommt den Bericht als PDF" in res.output and "--produkt 3 --pdf" in res.output
    assert not out.exists() or not list(out.glob("*.eml"))  # refused: nothing written
    for e in fake.runs["reports"]:
        if e["produkt"] == 3:
            e["pdf"] = e["html"].replace(".html", ".pdf")
            (fake.dir / e["pdf"]).write_bytes(b"%PDF-1.7 BERICHT:3:" + e["slug"].encode())
    fake.save()
    res = run(fake.args("--dry-run", str(out), verteiler=verteiler))
    assert res.exit_code == 0, res.output
    msgs = _nachrichten(out)
    rat = [a for m in msgs["geschaeftsstelle-gemeinderat@example.org"] for a in attachments(m)]
    pdfs = [(name, data) for name, data in rat if name.endswith(".pdf")]
    assert len(pdfs) == 6 and len([n for n, _ in rat if n.endswith(".html")]) == 6
    assert all(data.startswith(b"%PDF") for _, data in pdfs)
    for m in msgs["geschaeftsstelle-gemeinderat@example.org"]:
        for part in m.iter_attachments():
            if part.get_filename().endswith(".pdf"):
                assert part.get_content_type() == "application/pdf"
    bm2 = [n for m in msgs["bm2@example.org"] for n, _ in attachments(m)]
    assert bm2 and not any(n.endswith(".pdf") for n in bm2)  # its group has no pdf: true
