"""`nis validate`'s check of `implements` against the register: a published version or a working
copy that names a recommendation the register does not know gets a warning (a typo, or a
recommendation not yet drafted)."""

from __future__ import annotations

from indexer.content.problems import Problem, Severity, display_path
from indexer.record.library import Library

CODE = "unknown-recommendation"


def unknown_implements(library: Library, known: set[str]) -> list[Problem]:
    problems = []
    for file in library.files:
        change = getattr(file.item, "change", None) if file.item is not None else None
        for rec_id in getattr(change, "implements", None) or ():
            if rec_id not in known:
                problems.append(_warning(file.display_path, f"{file.item.id}'s change implements {rec_id}", rec_id))
    for versions in library.published.versions.values() if library.published else ():
        for version in versions:
            for rec_id in version.record.implements:
                if rec_id not in known:
                    where = display_path(library.root, version.path.parent.parent.parent / "edition.yaml")
                    problems.append(_warning(where, f"{version.label} implements {rec_id}", rec_id))
    return problems


def _warning(path: str, what: str, rec_id: str) -> Problem:
    return Problem(
        path, 1, Severity.WARNING, CODE, f"{what}, which the recommendations register does not know ({rec_id})"
    )
