"""German for the command line: click's own messages (usage, help, errors) and placeholders.

click writes its own texts ("Usage:", "Show this message and exit.", "Invalid value for
'--produkt': …") in English through ``gettext`` and ships no catalog: a German one is not in
reach of an install. :func:`einschalten` gives click's ``gettext`` calls the German catalog
below (:data:`DEUTSCH`, :data:`DEUTSCH_N`), and :func:`platzhalter` the placeholders click
takes from its type names ("INTEGER RANGE", "[OPTIONS]", "COMMAND [ARGS]..."). Every message
click can write is in the catalog (``tests/test_cli_deutsch.py`` reads them from click's
source, so a click release with a new message fails there, not in front of a user).

Called where commands are defined (``kennzahlen.cli``, ``kennzahlen.mail.command``) before the
first option: click names a path type ("Pfad", "Ordner") when the option is made.
"""

from __future__ import annotations

import gettext
import importlib

import click

#: click's messages (its gettext msgids) in German
DEUTSCH: dict[str, str] = {
    # help and usage
    "Usage:": "Aufruf:",
    "Options": "Optionen",
    "Commands": "Befehle",
    "Positional arguments": "Argumente",
    "Show this message and exit.": "Diese Hilfe zeigen und beenden.",
    "Show the version and exit.": "Die Version zeigen und beenden.",
    "%(prog)s, version %(version)s": "%(prog)s, Version %(version)s",
    "default: {default}": "Standard: {default}",
    "required": "Pflichtangabe",
    "env var: {var}": "Umgebungsvariable: {var}",
    "(dynamic)": "(wird beim Aufruf bestimmt)",
    "deprecated": "veraltet",
    "Try '{command} {option}' for help.": "Hilfe: '{command} {option}'.",
    # errors
    "Error: {message}": "Fehler: {message}",
    "Aborted!": "Abgebrochen.",
    "unknown error": "unbekannter Fehler",
    "Missing command.": "Es fehlt ein Befehl.",
    "Missing argument": "Es fehlt das Argument",
    "Missing option": "Es fehlt die Option",
    "Missing parameter": "Es fehlt die Angabe",
    "Missing parameter: {param_name}": "Es fehlt die Angabe {param_name}",
    "Missing {param_type}": "Es fehlt: {param_type}",
    "No such option {name!r}.": "Die Option {name!r} gibt es nicht.",
    "No such command {name!r}.": "Den Befehl {name!r} gibt es nicht.",
    "Invalid value for {param_hint}: {message}": "Ungültiger Wert für {param_hint}: {message}",
    "Invalid value: {message}": "Ungültiger Wert: {message}",
    "Could not open file {filename!r}: {message}": (
        "Die Datei {filename!r} lässt sich nicht öffnen: {message}"
    ),
    "Invalid start character for option ({option})": (
        "Ungültiges erstes Zeichen einer Option ({option})"
    ),
    "Option {name!r} does not take a value.": "Die Option {name!r} nimmt keinen Wert.",
    "Argument {name!r} takes {nargs} values.": "Das Argument {name!r} nimmt {nargs} Werte.",
    "Value must be an iterable.": "Der Wert muss eine Liste sein.",
    # values
    "{value} is not in the range {range}.": "{value} liegt nicht im Bereich {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} ist keine gültige {number_type}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} ist kein gültiger Ja/Nein-Wert. Erlaubt sind: {states}"
    ),
    "{value!r} is not a valid UUID.": "{value!r} ist keine gültige UUID.",
    "Choose from:\n\t{choices}": "Zur Wahl stehen:\n\t{choices}",
    "Choice({choices})": "Auswahl({choices})",
    "file": "Datei",
    "directory": "Ordner",
    "path": "Pfad",
    "{name} {filename!r} is a file.": "{name} {filename!r} ist eine Datei.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} ist ein Ordner.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} ist nicht lesbar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} ist nicht beschreibbar.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} ist nicht ausführbar.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} gibt es nicht.",
    # prompts and terminal
    "Do you want to continue?": "Fortfahren?",
    "Confirm the action without prompting.": "Ohne Rückfrage bestätigen.",
    "Repeat for confirmation": "Zur Bestätigung wiederholen",
    "Error: The two entered values do not match.": (
        "Fehler: Die beiden Eingaben stimmen nicht überein."
    ),
    "Error: invalid input": "Fehler: ungültige Eingabe",
    "Press any key to continue...": "Weiter mit einer beliebigen Taste …",
    "Unknown color {colour!r}": "Unbekannte Farbe {colour!r}",
    "Unknown standard stream '{name}'": "Unbekannter Standard-Datenstrom '{name}'",
    "d": "T",  # days in a progress bar's remaining time
    "{editor}: Editing failed": "{editor}: Bearbeiten fehlgeschlagen",
    "{editor}: Editing failed: {e}": "{editor}: Bearbeiten fehlgeschlagen: {e}",
    "Windows error: {error}": "Windows-Fehler: {error}",
    "Couldn't detect Bash version, shell completion is not supported.": (
        "Die Bash-Version ist nicht zu erkennen: keine Vervollständigung in der Shell."
    ),
    "Shell completion is not supported for Bash versions older than 4.4.": (
        "Vervollständigung in der Shell braucht Bash 4.4 oder neuer."
    ),
    # mistakes in a program's own definition of its commands
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": (
        "Hinweis: Der Befehl {name!r} ist veraltet.{extra_message}"
    ),
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": (
        "Hinweis: {param_type} {name!r} ist veraltet.{extra_message}"
    ),
    "Could not determine name for option with declarations {decls!r}": (
        "Kein Name für die Option mit den Angaben {decls!r}"
    ),
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?": (
        "Keine Option angegeben, nur ein Name ({name}): war ein Argument gemeint oder '--{name}'?"
    ),
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": (
        "Ein Argument hat genau eine Angabe, nicht {length}: {decls}."
    ),
    "Name '{name}' defined twice": "Der Name '{name}' ist doppelt vergeben",
    "Boolean option {decl!r} cannot use the same flag for true/false.": (
        "Die Ja/Nein-Option {decl!r} braucht verschiedene Schalter für ja und nein."
    ),
}

#: click's messages with a number: (singular, plural) in English -> in German
DEUTSCH_N: dict[tuple[str, str], tuple[str, str]] = {
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Meinten Sie {possibility}?",
        "(Meinten Sie eine davon: {possibilities}?)",
    ),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Unerwartetes weiteres Argument ({args}).",
        "Unerwartete weitere Argumente ({args}).",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "Die Option {name!r} braucht einen Wert.",
        "Die Option {name!r} braucht {nargs} Werte.",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "Erwartet {nargs} Werte, angegeben wurde 1.",
        "Erwartet {nargs} Werte, angegeben wurden {len}.",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} ist nicht {choice}.",
        "{value!r} ist keiner der Werte {choices}.",
    ),
    (
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
    ): (
        "{value!r} passt nicht zum Format {format}.",
        "{value!r} passt zu keinem der Formate {formats}.",
    ),
    (
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
    ): (
        "{len_type} Werte sind nötig, angegeben wurde {len_value}.",
        "{len_type} Werte sind nötig, angegeben wurden {len_value}.",
    ),
}

#: the English words click fills into its messages (a number type, a kind of parameter)
WOERTER: dict[str, dict[str, str]] = {
    "number_type": {
        "integer": "ganze Zahl",
        "integer range": "ganze Zahl",
        "float": "Zahl",
        "float range": "Zahl",
    },
    "param_type": {"option": "Option", "argument": "Argument", "parameter": "Angabe"},
}

#: the placeholder of an option's value in the help, by click's type name
METAVARS: dict[str, str] = {
    "integer": "ZAHL",
    "integer range": "ZAHL",
    "float": "ZAHL",
    "float range": "ZAHL",
    "boolean": "JA|NEIN",
    "filename": "DATEI",
    "datetime": "DATUM",
}

#: click's modules that translate (``_winconsole`` exists only on Windows)
MODULE = (
    "core",
    "decorators",
    "exceptions",
    "formatting",
    "parser",
    "shell_completion",
    "termui",
    "types",
    "utils",
    "_termui_impl",
)


class _Satz(str):
    """A German message whose ``format`` puts the English words click fills in into German."""

    def format(self, *args: object, **kwargs: object) -> str:
        for name, woerter in WOERTER.items():
            wert = kwargs.get(name)
            if isinstance(wert, str):
                kwargs[name] = woerter.get(wert, wert)
        return str.format(self, *args, **kwargs)


def deutsch(message: str) -> str:
    """click's ``gettext``: the German message (an unknown one stays as it is)."""
    return _Satz(DEUTSCH.get(message, message))


def deutsch_n(singular: str, plural: str, n: int) -> str:
    """click's ``ngettext``: the German message for ``n``."""
    de = DEUTSCH_N.get((singular, plural))
    if de is None:
        return singular if n == 1 else plural
    return _Satz(de[0] if n == 1 else de[1])


def einschalten() -> None:
    """click speaks German in this process (repeated calls change nothing)."""
    for name in MODULE:
        modul = importlib.import_module(f"click.{name}")
        if getattr(modul, "_", None) in (gettext.gettext, deutsch):
            modul._ = deutsch  # type: ignore[attr-defined]
        if getattr(modul, "ngettext", None) in (gettext.ngettext, deutsch_n):
            modul.ngettext = deutsch_n  # type: ignore[attr-defined]


def platzhalter(befehl: click.Command) -> click.Command:
    """German placeholders in the help of a command and its subcommands: ``[OPTIONEN]``,
    ``BEFEHL [ARGUMENTE]...`` and an option's value by its type (``ZAHL``); returns it."""
    if befehl.options_metavar == "[OPTIONS]":
        befehl.options_metavar = "[OPTIONEN]"
    if isinstance(befehl, click.Group):
        befehl.subcommand_metavar = "BEFEHL [ARGUMENTE]..."
        for unter in befehl.commands.values():
            platzhalter(unter)
    for p in befehl.params:
        flag = isinstance(p, click.Option) and p.is_flag
        if p.metavar is None and not flag and p.type.name in METAVARS:
            p.metavar = METAVARS[p.type.name]
    return befehl
