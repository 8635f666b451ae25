"""Reading the YAML files in config/ that a Fachplaner edits: one place for the common errors.

Every config file is read with :class:`StrictLoader`: a ``yaml.SafeLoader`` that refuses a key
written twice in one mapping. Plain YAML keeps the last one silently, so a second
``produkte:`` in ``config/disclosure.yaml`` would switch the first one off without a word.
It also refuses aliases (``*name``, and so merge keys ``<<: *name``): a Fachplaner has no need
for them, and nested aliases expand exponentially (an "alias bomb" of a few lines would hang
every command that reads the file).

Every config model derives from :class:`StrictModel` (unknown keys refused, values frozen), and
every validation error reaches the reader in German (:func:`german_error`), one line per problem
with the place in the file and the value (:func:`validate`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from yaml.constructor import ConstructorError

_MERGE = "tag:yaml.org,2002:merge"


class DuplicateKeyError(ConstructorError):
    """A mapping key appears twice; ``mark`` is the second occurrence, ``first`` the first."""

    def __init__(self, key: object, mark: yaml.Mark, first: yaml.Mark):
        self.key = key
        self.mark = mark
        self.first = first
        super().__init__(None, None, f"Schlüssel '{key}' doppelt", mark)


class AliasError(yaml.composer.ComposerError):
    """The file uses an alias (``*name``); ``problem_mark`` is where."""

    def __init__(self, anchor: str, mark: Any):
        self.anchor = anchor
        super().__init__(None, None, f"Verweis '*{anchor}'", mark)


class _NoDuplicates:
    """Refuses a duplicate key in a mapping (merge keys ``<<`` aside)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            seen: dict[object, yaml.Mark] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
                try:
                    hash(key)
                except TypeError:
                    continue  # SafeLoader reports an unhashable key itself
                if key in seen:
                    raise DuplicateKeyError(key, key_node.start_mark, seen[key])
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class StrictLoader(_NoDuplicates, yaml.SafeLoader):
    """``yaml.SafeLoader`` that rejects duplicate keys in a mapping and every alias."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise AliasError(str(event.anchor), event.start_mark)
        return super().compose_node(parent, index)


#: an alias can only stand after a space, a line start or a flow sign ("Einwohner*innen" is none)
_ALIAS_MOEGLICH = re.compile(r"(?:^|[\s\[{,:-])\*[^\s,\]}]", re.MULTILINE)


def _pruefe_aliase(text: str) -> None:
    """libyaml composes in C, past :meth:`StrictLoader.compose_node`: its events are read
    first (linear in the text, nothing expanded) where the text may hold an alias at all."""
    if not _ALIAS_MOEGLICH.search(text):
        return
    for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if isinstance(event, yaml.AliasEvent):
            raise AliasError(str(event.anchor), event.start_mark)


#: the same strict loader on libyaml's parser (about ten times as fast; for the large catalog),
#: or the plain one where PyYAML was built without libyaml
StrictCLoader: type = StrictLoader
if getattr(yaml, "__with_libyaml__", False):

    class _StrictCLoader(_NoDuplicates, yaml.CSafeLoader):
        """:class:`StrictLoader` on libyaml's parser."""

    StrictCLoader = _StrictCLoader
#: libyaml's plain loader for ``yaml.compose`` (line numbers of entries), where there is one
ComposeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def duplicate_key_message(path: Path | str, exc: DuplicateKeyError) -> str:
    """The German message for a duplicate key: file, line, column, key, and the first line."""
    m = exc.mark
    return (
        f"{path}, Zeile {m.line + 1}, Spalte {m.column + 1}: der Schlüssel '{exc.key}' steht "
        f"doppelt (zuerst in Zeile {exc.first.line + 1}); YAML würde den ersten Eintrag "
        f"stillschweigend ersetzen. Bitte einen der beiden Einträge löschen oder umbenennen."
    )


def alias_message(path: Path | str, exc: AliasError) -> str:
    """The German message for an alias: file, line, column, and what to write instead."""
    m = exc.problem_mark
    wo = f", Zeile {m.line + 1}, Spalte {m.column + 1}" if m is not None else ""
    return (
        f"{path}{wo}: der Verweis '*{exc.anchor}' "
        "(YAML-Anker und -Alias) ist in den Konfigurationsdateien nicht erlaubt; bitte den Wert "
        "an dieser Stelle ausschreiben."
    )


def load_yaml_text(
    text: str, path: Path | str, error: type[Exception], loader: type = StrictLoader
) -> Any:
    """Parse YAML text strictly (duplicate keys and aliases refused); errors raise ``error``
    naming the file."""
    try:
        if not issubclass(loader, StrictLoader):
            _pruefe_aliase(text)
        return yaml.load(text, Loader=loader)  # noqa: S506 - a StrictLoader is a SafeLoader
    except DuplicateKeyError as exc:
        raise error(duplicate_key_message(path, exc)) from None
    except AliasError as exc:
        raise error(alias_message(path, exc)) from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: kein gültiges YAML: {exc}") from None


def read_yaml(
    path: Path, error: type[Exception], was: str, loader: type[StrictLoader] = StrictLoader
) -> Any:
    """The parsed YAML of ``path``; a missing file, bad YAML or a duplicate key raises ``error``.

    ``was`` names the file's content in German for the message (e.g. "die Ampel-Konfiguration").
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: {was} fehlt") from None
    return load_yaml_text(text, path, error, loader)


# ---------------------------------------------------------------------------- config models
class StrictModel(BaseModel):
    """The base of every config model: an unknown key is an error, a loaded value is frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Model = TypeVar("Model", bound=BaseModel)

_PYDANTIC_DE = {
    "missing": "Pflichtfeld fehlt",
    "extra_forbidden": "unbekanntes Feld",
    "string_type": "erwartet einen Text",
    "int_parsing": "erwartet eine ganze Zahl",
    "int_type": "erwartet eine ganze Zahl",
    "int_from_float": "erwartet eine ganze Zahl",
    "float_parsing": "erwartet eine Zahl",
    "float_type": "erwartet eine Zahl",
    "dict_type": "erwartet einen Abschnitt (Schlüssel: Wert)",
    "list_type": "erwartet eine Liste",
    "model_type": "erwartet einen Abschnitt (Schlüssel: Wert)",
    "model_attributes_type": "erwartet einen Abschnitt (Schlüssel: Wert)",
    "too_short": "braucht mindestens einen Eintrag",
    "bool_parsing": "erwartet ja/nein",
    "bool_type": "erwartet ja/nein",
}
_BOUNDS = {
    "greater_than_equal": ">=",
    "less_than_equal": "<=",
    "greater_than": ">",
    "less_than": "<",
}


def german_error(e: Mapping[str, Any]) -> str:
    """One pydantic error as a German sentence (without its place in the file)."""
    kind = e.get("type", "")
    ctx = e.get("ctx") or {}
    if kind == "value_error":
        msg = str(ctx.get("error", e.get("msg", "")))
    elif kind == "literal_error":
        msg = f"Wert {e.get('input')!r} nicht erlaubt (erlaubt: {ctx.get('expected', '')})"
    elif kind in _BOUNDS:
        limit = next(iter(ctx.values()), "")
        msg = f"Wert {e.get('input')!r} muss {_BOUNDS[kind]} {limit} sein"
    elif kind == "string_too_short":
        msg = f"Text zu kurz (mindestens {ctx.get('min_length')} Zeichen)"
    elif kind == "string_too_long":
        msg = f"Text zu lang (höchstens {ctx.get('max_length')} Zeichen)"
    elif kind in _PYDANTIC_DE:
        msg = _PYDANTIC_DE[kind]
    else:
        msg = f"ungültiger Wert (Prüfung {kind or 'unbekannt'})"
    return msg.removeprefix("Value error, ")


def error_location(loc: tuple | list) -> str:
    """A pydantic error location as 'a.b.c', without pydantic's names of union members."""
    parts = [str(x) for x in loc if not str(x).startswith(("function-", "union["))]
    parts = [p for p in parts if not re.fullmatch(r"(str|int|float|bool|list\[.*\]|dict\[.*\])", p)]
    return ".".join(parts)


def problem_lines(
    exc: ValidationError, where: Callable[[tuple], str] = error_location
) -> list[str]:
    """Every error of a validation as one German line: 'place: message (Wert: …)'."""
    out = []
    for e in exc.errors():
        msg = german_error(e)
        value = e.get("input")
        if e.get("type") != "missing" and not isinstance(value, dict | list) and "Wert" not in msg:
            msg += f" (Wert: {value!r})"
        out.append(f"{where(tuple(e['loc'])) or '(Datei)'}: {msg}")
    return out


def problems_message(path: Path | str, kopf: str, problems: list[str]) -> str:
    """'<file>: <kopf> (n Problem(e)):' and one indented line per problem; ``kopf`` is a German
    clause such as 'die Ampel-Konfiguration ist ungültig'."""
    head = f"{path}: {kopf} ({len(problems)} Problem(e)):"
    return "\n".join([head, *[f"  - {p}" for p in problems]])


def validate(
    model: type[Model],
    raw: Any,
    path: Path | str,
    error: type[Exception],
    kopf: str,
    where: Callable[[tuple], str] = error_location,
) -> Model:
    """``raw`` validated as ``model``; every problem at once in ``error`` (German, after the
    clause ``kopf``, e.g. 'die Geheimhaltungsregeln sind ungültig')."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise error(problems_message(path, kopf, problem_lines(exc, where))) from None


def load_mapping(
    path: Path, error: type[Exception], was: str, abschnitte: str, leer_erlaubt: bool = True
) -> dict:
    """The YAML of a config file that must be a mapping (``abschnitte`` names its sections)."""
    raw = read_yaml(path, error, was)
    if raw is None and leer_erlaubt:
        return {}
    if not isinstance(raw, dict):
        raise error(f"{path}: erwartet {abschnitte}")
    return raw
