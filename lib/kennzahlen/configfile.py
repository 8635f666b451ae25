"""Reading the YAML files in config/ that a Fachplaner edits: one place for the common errors.

Every config file is read with :class:`StrictLoader`: a ``yaml.SafeLoader`` that refuses a key
written twice in one mapping. Plain YAML keeps the last one silently, so a second
``produkte:`` in ``config/disclosure.yaml`` would switch the first one off without a word.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

_MERGE = "tag:yaml.org,2002:merge"


class DuplicateKeyError(ConstructorError):
    """A mapping key appears twice; ``mark`` is the second occurrence, ``first`` the first."""

    def __init__(self, key: object, mark: yaml.Mark, first: yaml.Mark):
        self.key = key
        self.first = first
        super().__init__(None, None, f"Schlüssel '{key}' doppelt", mark)


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that rejects duplicate keys in a mapping (merge keys ``<<`` aside)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            seen: dict[object, yaml.Mark] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    continue  # SafeLoader reports an unhashable key itself
                if key in seen:
                    raise DuplicateKeyError(key, key_node.start_mark, seen[key])
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def duplicate_key_message(path: Path | str, exc: DuplicateKeyError) -> str:
    """The German message for a duplicate key: file, line, column, key, and the first line."""
    m = exc.problem_mark
    return (
        f"{path}, Zeile {m.line + 1}, Spalte {m.column + 1}: der Schlüssel '{exc.key}' steht "
        f"doppelt (zuerst in Zeile {exc.first.line + 1}); YAML würde den ersten Eintrag "
        f"stillschweigend ersetzen. Bitte einen der beiden Einträge löschen oder umbenennen."
    )


def load_yaml_text(text: str, path: Path | str, error: type[Exception]) -> Any:
    """Parse YAML text strictly (duplicate keys refused); errors raise ``error`` naming the file."""
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except DuplicateKeyError as exc:
        raise error(duplicate_key_message(path, exc)) from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: kein gültiges YAML: {exc}") from None


def read_yaml(path: Path, error: type[Exception], was: str) -> Any:
    """The parsed YAML of ``path``; a missing file, bad YAML or a duplicate key raises ``error``.

    ``was`` names the file's content in German for the message (e.g. "die Ampel-Konfiguration").
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: {was} fehlt") from None
    return load_yaml_text(text, path, error)
