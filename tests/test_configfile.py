"""Config files that cannot publish internals: duplicate keys refused, public groups checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kennzahlen import ampel, mail
from kennzahlen.catalog import geography, steuerung, veroeffentlichung
from kennzahlen.catalog import model as catalog
from kennzahlen.core import paths
from kennzahlen.core.configfile import StrictLoader, load_yaml_text
from kennzahlen.disclosure import config as disclosure_config
from kennzahlen.pool import abdeckung
from kennzahlen.runner import pdf
from kennzahlen.sozialindex import config as sozialindex

CONFIG = paths.CONFIG


def _loaders():
    """Every config YAML with the function that loads it and the error it raises."""
    return [
        ("kennzahlen.yaml", lambda p: catalog._load(str(p)), catalog.CatalogError),
        ("ampel.yaml", lambda p: ampel.load_ampel_config(p), ampel.AmpelConfigError),
        (
            "disclosure.yaml",
            lambda p: disclosure_config.load_config(p),
            disclosure_config.DisclosureConfigError,
        ),
        ("verteiler.yaml", lambda p: mail.load_verteiler(p), mail.VerteilerError),
        ("abdeckung.yaml", lambda p: abdeckung.load_config(p), abdeckung.AbdeckungConfigError),
        ("geographie.yaml", lambda p: geography.load_config(p), geography.GeografieError),
        ("steuerung.yaml", lambda p: steuerung.load_config(p), steuerung.SteuerungConfigError),
        ("sozialindex.yaml", lambda p: sozialindex.load(p), sozialindex.SozialindexError),
        ("pdf.yaml", lambda p: pdf.load_config(p), pdf.PdfFehler),
        (
            "veroeffentlichung.yaml",
            lambda p: veroeffentlichung.load_config(p),
            veroeffentlichung.VeroeffentlichungError,
        ),
    ]


def test_every_config_yaml_is_covered():
    assert {p.name for p in CONFIG.glob("*.yaml")} == {name for name, _, _ in _loaders()}


@pytest.mark.parametrize(("name", "load", "error"), _loaders(), ids=[n for n, _, _ in _loaders()])
def test_shipped_config_loads(name, load, error):
    load(CONFIG / name)


@pytest.mark.parametrize(("name", "load", "error"), _loaders(), ids=[n for n, _, _ in _loaders()])
def test_duplicate_top_level_key_is_refused_with_file_and_line(tmp_path: Path, name, load, error):
    text = (CONFIG / name).read_text(encoding="utf-8")
    lines = text.splitlines()
    first = next(i for i, ln in enumerate(lines) if re.match(r"^[a-z_]+:", ln))
    key = lines[first].split(":")[0]
    # append a second copy of the first top-level key at the end of the file
    extra = (
        f"{key}: {{}}\n"
        if name != "kennzahlen.yaml"
        else f"{key}:\n  x: {{tabelle: bevoelkerung, regel: summe}}\n"
    )
    f = tmp_path / name
    f.write_text(text.rstrip("\n") + "\n" + extra, encoding="utf-8")
    with pytest.raises(error) as exc:
        load(f)
    msg = str(exc.value)
    assert str(f) in msg
    assert f"Zeile {len(lines) + 1}, Spalte 1" in msg
    assert f"Schlüssel '{key}' steht doppelt (zuerst in Zeile {first + 1})" in msg


def test_second_produkte_key_cannot_make_product_3_internal(tmp_path: Path):
    """The issue's case: a second 'produkte:' would silently win."""
    f = tmp_path / "disclosure.yaml"
    f.write_text("k: 3\nprodukte:\n  3: oeffentlich\nprodukte:\n  3: intern\n", encoding="utf-8")
    with pytest.raises(
        disclosure_config.DisclosureConfigError,
        match=r"Zeile 4, Spalte 1: der Schlüssel 'produkte'",
    ):
        disclosure_config.load_config(f)
    # the same product twice inside 'produkte' (as number and as text) is refused too
    f.write_text("produkte:\n  3: oeffentlich\n  '3': intern\n", encoding="utf-8")
    with pytest.raises(disclosure_config.DisclosureConfigError, match="Produkt 3 doppelt"):
        disclosure_config.load_config(f)
    f.write_text("produkte:\n  3: oeffentlich\n  3: intern\n", encoding="utf-8")
    with pytest.raises(
        disclosure_config.DisclosureConfigError, match="Zeile 3, Spalte 3: der Schlüssel '3'"
    ):
        disclosure_config.load_config(f)


def test_nested_duplicates_and_aliases():
    with pytest.raises(ValueError, match="Zeile 3, Spalte 5: der Schlüssel 'b'"):
        load_yaml_text("a:\n  - b: 1\n    b: 2\n", "x.yaml", ValueError)
    # an alias (also in a merge key) is refused where it stands
    with pytest.raises(ValueError, match=r"x.yaml, Zeile 3, Spalte 7: der Verweis '\*b'"):
        load_yaml_text("base: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n", "x.yaml", ValueError)
    assert issubclass(StrictLoader, __import__("yaml").SafeLoader)


@pytest.mark.parametrize(("name", "load", "error"), _loaders(), ids=[n for n, _, _ in _loaders()])
def test_an_alias_is_refused_in_every_config_file(tmp_path: Path, name, load, error):
    """A YAML alias (``*name``) is no shortcut a Fachplaner needs; refused with file and line."""
    text = (CONFIG / name).read_text(encoding="utf-8")
    f = tmp_path / name
    f.write_text(text.rstrip("\n") + "\nx_anker: &a [1]\nx_verweis: *a\n", encoding="utf-8")
    with pytest.raises(error) as exc:
        load(f)
    zeile = len(text.rstrip("\n").splitlines()) + 2
    assert f"{f}, Zeile {zeile}, Spalte 12: der Verweis '*a'" in str(exc.value)


def test_an_alias_bomb_in_the_verteiler_is_refused_at_once(tmp_path: Path):
    """Nine levels of ten aliases each would expand to 10^9 entries: it used to hang
    ``kennzahlen mail``."""
    import signal
    import time

    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    f = _verteiler(
        tmp_path,
        "  - {id: c2, name: C2, produkte: [2], empfaenger: [c2@example.org]}\n"
        + "\n".join(lines)
        + "\n",
    )

    def zu_lange(*_):
        raise TimeoutError("der Verteiler lädt nach 5 s noch")

    alt = signal.signal(signal.SIGALRM, zu_lange)
    signal.alarm(5)  # the old loader hung here: fail instead of holding the suite
    t0 = time.perf_counter()
    try:
        with pytest.raises(mail.VerteilerError, match=r"Zeile 5, Spalte 10: der Verweis '\*a0'"):
            mail.load_verteiler(f)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, alt)
    assert time.perf_counter() - t0 < 1


def _verteiler(tmp_path: Path, gruppe: str) -> Path:
    f = tmp_path / "verteiler.yaml"
    f.write_text(
        "absender: {name: Sozialplanung, adresse: sp@example.org}\ngruppen:\n" + gruppe,
        encoding="utf-8",
    )
    return f


def test_public_group_refuses_internal_products(tmp_path: Path):
    f = _verteiler(
        tmp_path,
        "  - {id: gemeinderat, name: Gemeinderat, oeffentlich: true, produkte: [2, 3],"
        " empfaenger: [gr@example.org]}\n",
    )
    with pytest.raises(mail.VerteilerError) as exc:
        mail.load_verteiler(f)
    msg = str(exc.value)
    assert (
        str(f) in msg
        and "Gruppe 'gemeinderat' (Nr. 1)" in msg
        and "Produkt 2 (Quartalsmeldung)" in msg
    )
    assert "Produkt 3" not in msg  # public: allowed
    # an internal group may get it; a public group with only Produkt 3 is fine
    mail.load_verteiler(
        _verteiler(
            tmp_path,
            "  - {id: c2, name: C2, oeffentlich: false, produkte: [2, 3], empfaenger: "
            "[c2@example.org]}\n",
        )
    )
    mail.load_verteiler(
        _verteiler(
            tmp_path,
            "  - {id: gr, name: GR, oeffentlich: true, produkte: [3], empfaenger: "
            "[gr@example.org]}\n",
        )
    )


def test_public_group_follows_the_disclosure_config(tmp_path: Path):
    """Produkt 3 made internal in disclosure.yaml: the council group may no longer get it."""
    d = tmp_path / "disclosure.yaml"
    d.write_text("produkte:\n  3: intern\n", encoding="utf-8")
    f = _verteiler(
        tmp_path,
        "  - {id: gr, name: GR, oeffentlich: true, produkte: [3], empfaenger: [gr@example.org]}\n",
    )
    with pytest.raises(mail.VerteilerError, match=r"Produkt 3 \(Wirkungskennzahlen"):
        mail.load_verteiler(f, disclosure_config=d)


def test_shipped_council_groups_are_public():
    v = mail.load_verteiler(CONFIG / "verteiler.yaml")
    public = {g.id for g in v.gruppen if g.oeffentlich}
    assert public == {"gemeinderat-fba", "bm2"}
    assert all(g.produkte == [3] for g in v.gruppen if g.oeffentlich)


def test_group_with_a_public_product_must_say_whether_it_is_public(tmp_path: Path):
    """The default 'oeffentlich: false' is not taken silently for a group that gets Produkt 3."""
    gruppen = (
        "  - id: c2\n    name: Controlling\n    produkte: [2]\n    empfaenger: [c2@example.org]\n"
        "  - id: ausschuss\n    name: Neuer Ausschuss\n{flag}    produkte: [1, 3]\n"
        "    empfaenger: [ausschuss@example.org]\n"
    )
    f = _verteiler(tmp_path, gruppen.format(flag=""))
    with pytest.raises(mail.VerteilerError) as exc:
        mail.load_verteiler(f)
    msg = str(exc.value)
    assert str(f) in msg
    assert "Gruppe 'ausschuss' (Nr. 2, Zeile 7): bekommt Produkt 3 (Wirkungskennzahlen" in msg
    assert "'oeffentlich: true'" in msg and "'oeffentlich: false'" in msg
    assert "'c2'" not in msg  # only internal products: the flag may be left out
    assert (
        not mail.load_verteiler(
            _verteiler(tmp_path, gruppen.format(flag="    oeffentlich: false\n"))
        )
        .gruppen[1]
        .oeffentlich
    )
    with pytest.raises(
        mail.VerteilerError, match=r"Gruppe 'ausschuss' \(Nr. 2\): die Gruppe ist öffentlich"
    ):
        mail.load_verteiler(
            _verteiler(tmp_path, gruppen.format(flag="    oeffentlich: true\n"))
        )  # and gets Produkt 1
    # Produkt 3 made internal: nothing public in the group, the flag may be left out again
    d = tmp_path / "disclosure.yaml"
    d.write_text("produkte:\n  3: intern\n", encoding="utf-8")
    mail.load_verteiler(_verteiler(tmp_path, gruppen.format(flag="")), disclosure_config=d)


def test_a_public_address_in_an_internal_group_is_refused_naming_both(tmp_path: Path):
    """The issue's case: the council office's address pasted into 'fachplanungen' (Produkt 1,
    exact small counts) – its one message would carry both. Allowed only when the address is
    listed under 'intern_und_oeffentlich'."""
    text = (CONFIG / "verteiler.yaml").read_text(encoding="utf-8")
    rat = "geschaeftsstelle-gemeinderat@example.org"
    text = text.replace(
        "empfaenger: [fachplanung@example.org]", f"empfaenger: [fachplanung@example.org, {rat}]"
    )
    f = tmp_path / "verteiler.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(mail.VerteilerError) as exc:
        mail.load_verteiler(f)
    msg = str(exc.value)
    assert (
        f"Adresse {rat}: steht in der öffentlichen Gruppe 'gemeinderat-fba' und in der Gruppe "
        "'fachplanungen', die interne Produkte bekommt (Produkt 1)" in msg
    )
    assert "(1 Problem(e))" in msg  # fachplanung@ (two internal groups) is fine
    liste = "intern_und_oeffentlich: []"
    assert liste in text
    f.write_text(text.replace(liste, f"intern_und_oeffentlich: [{rat.upper()}]"), "utf-8")
    v = mail.load_verteiler(f)
    assert {g.id for g in v.gruppen_von(rat)} == {"fachplanungen", "gemeinderat-fba"}
    f.write_text(text.replace(liste, "intern_und_oeffentlich: [niemand@example.org]"), "utf-8")
    with pytest.raises(mail.VerteilerError, match="niemand@example.org steht in keiner Gruppe"):
        mail.load_verteiler(f)


@pytest.mark.parametrize("zeichen", ["\\r\\n", "\\n", "\\0", "\\t"])
def test_control_characters_in_a_group_name_name_the_group(tmp_path: Path, zeichen: str):
    """CR/LF in a group name used to end in 'Unerwarteter Fehler (ValueError: Header values may
    not contain …)' when the subject was built; now the Verteiler does not load."""
    f = _verteiler(
        tmp_path,
        "  - {id: c2, name: C2, produkte: [2], empfaenger: [c2@example.org]}\n"
        f'  - {{id: leitung, name: "Leitung{zeichen}Bcc: x@example.com", produkte: [1], '
        "empfaenger: [l@example.org]}\n",
    )
    with pytest.raises(mail.VerteilerError) as exc:
        mail.load_verteiler(f)
    msg = str(exc.value)
    assert "Gruppe 'leitung' (Nr. 2), name: enthält Steuerzeichen" in msg, msg
    assert "'c2'" not in msg
