"""The register's query string, read strictly as the search page reads its own: only the filters,
each value one the register knows; anything else is refused with a message (a 400), never a 500."""

from __future__ import annotations

from urllib.parse import urlencode

from nis_library.governance.permissions import GovernanceError
from nis_library.governance.register import FILTER_LEGENDS, FILTERS
from nis_library.web import query_strings

MAX_VALUES = 100  # per filter: more than every value there is


class InvalidRegisterQuery(GovernanceError):
    """The address asks for something the register does not have."""


def read_filters(raw_query: bytes, labels: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """The chosen values of each filter, from the raw query string (bytes, so invalid UTF-8 is
    caught, not replaced). `labels`: every value each filter accepts."""
    filters: dict[str, list[str]] = {}
    for name, value in query_strings.pairs(raw_query, lambda message: InvalidRegisterQuery(message + ".")):
        if name not in FILTERS:
            raise InvalidRegisterQuery(
                f"The address has an unknown parameter '{name[:40]}'. This page understands: {', '.join(FILTERS)}."
            )
        if value not in labels[name]:
            raise InvalidRegisterQuery(
                f"There is no {FILTER_LEGENDS[name].lower()} '{value[:40]}' to filter by. "
                "Choose from the filters on the register page."
            )
        chosen = filters.setdefault(name, [])
        if value not in chosen:
            chosen.append(value)
        if len(chosen) > MAX_VALUES:
            raise InvalidRegisterQuery(f"Too many values of '{name}'.")
    return filters


def register_path(filters: dict[str, list[str]], base: str = "/recommendations") -> str:
    pairs = [(name, value) for name in FILTERS for value in filters.get(name, ())]
    return base + ("?" + urlencode(pairs) if pairs else "")
