"""Problems found in content, reported as `path:line: severity: message`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TypedDict


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class ProblemDict(TypedDict):
    """A problem as `nis validate --format json` gives it."""

    path: str
    line: int
    severity: str
    code: str
    message: str


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    severity: Severity
    code: str  # a stable, machine-readable name for the fault, e.g. "unknown-value"
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity.value}: {self.message}"

    def as_dict(self) -> ProblemDict:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
        }


class Problems:
    """Collects problems for one file, so checks need not repeat its path."""

    def __init__(self, path: Path | str, root: Path | None = None):
        path = Path(path)
        if root is not None:
            try:
                path = path.relative_to(root)
            except ValueError:
                pass
        self.path = path.as_posix()
        self.found: list[Problem] = []

    def error(self, line: int, code: str, message: str) -> None:
        self.found.append(Problem(self.path, max(line, 1), Severity.ERROR, code, message))

    def warning(self, line: int, code: str, message: str) -> None:
        self.found.append(Problem(self.path, max(line, 1), Severity.WARNING, code, message))

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.found)


def did_you_mean(value: object, candidates: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix when a close match exists, else ''."""
    if not isinstance(value, str):
        return ""
    by_lower = {c.lower(): c for c in candidates}
    matches = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean '{by_lower[matches[0]]}'?)" if matches else ""


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def display_path(content_root: Path, path: Path) -> str:
    """A path as problems show it: from the content folder's parent (content/items/...)."""
    prefix = str(Path(content_root).parent) + "/"
    text = str(path)
    return text[len(prefix) :] if text.startswith(prefix) else Path(path).as_posix()


def error_at(path: str, line: int, code: str, message: str) -> Problem:
    """A single error, for problems that stand alone."""
    return Problem(path, max(line, 1), Severity.ERROR, code, message)


def warning_at(path: str, line: int, code: str, message: str) -> Problem:
    """A single warning: reported, never refused."""
    return Problem(path, max(line, 1), Severity.WARNING, code, message)
