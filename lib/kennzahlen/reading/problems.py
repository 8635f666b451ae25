"""A problem in the raw input (file, line, column, value, what to fix) and the error that carries
every problem of a build: the one shape of bad input from reading to the command line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Problem:
    """One problem in the input: where it is (file, line, column), the value, what to fix."""

    datei: str
    zeile: int | None
    spalte: str | None
    wert: str | None
    meldung: str

    def __str__(self) -> str:
        where = [self.datei]
        if self.zeile is not None:
            where.append(f"Zeile {self.zeile}")
        if self.spalte is not None:
            where.append(f"Spalte '{self.spalte}'")
        return f"{', '.join(where)}: {self.meldung}"


class InvalidInput(Exception):
    """Bad raw data: carries every problem of every file."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} Problem in den Rohdaten:" if n == 1 else f"{n} Probleme in den Rohdaten:"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))

    def __reduce__(self):  # keep the problems when the exception crosses a process boundary
        return (type(self), (self.problems,))
