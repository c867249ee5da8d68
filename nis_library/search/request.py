"""A search request, checked: every bad value gets a clear message that names the valid ones."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from indexer.bundle.documents import FACET_BY_NAME, FACETS
from nis_library.web.numbers import whole_number

MODES = ("hybrid", "keyword", "semantic")
# Orders a visitor may choose: the ranking itself, or by a value, the ranking breaking ties.
SORTS = ("relevance", "evidence", "cost")
MAX_QUERY_CHARS = 600  # a paragraph of notes from a support plan (the judged ones: 386-448)
MAX_PER_PAGE = 100
MAX_PAGE = 1000
# A filter's values as given: one value, several (each made a string), or none.
FilterValues = str | Iterable[object] | None


class InvalidSearch(ValueError):
    """The request cannot be run as asked; `message` says why and what is valid."""

    def __init__(self, message: str, parameter: str, valid: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.parameter = parameter
        self.valid = valid


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    mode: str = "hybrid"
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"
    notes: tuple[str, ...] = ()  # things the reader should know, e.g. a shortened query
    as_typed: bool = False  # search the words as typed: no spelling correction


def clean_text(text: str) -> tuple[str, tuple[str, ...]]:
    """Normalise a query: NFKC, control characters out, whitespace folded, length capped."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0] or text[:MAX_QUERY_CHARS]
        return cut, (f"Your search was shortened to its first {len(cut)} characters.",)
    return text, ()


def parse_request(
    text: str | None = "",
    filters: Mapping[str, FilterValues] | None = None,
    mode: str | None = None,
    page: object = 1,
    per_page: object = 20,
    sort: str | None = None,
    *,
    as_typed: bool = False,
    valid_values: Mapping[str, tuple[str, ...]],
) -> SearchRequest:
    """Check every part of a request against the vocabularies of the bundle being searched."""
    cleaned, notes = clean_text(text or "")
    mode = (mode or "hybrid").strip().lower()
    if mode not in MODES:
        raise InvalidSearch(f"Unknown search mode '{mode}'. Choose one of: {', '.join(MODES)}.", "mode", MODES)
    sort = (sort or "relevance").strip().lower()
    if sort not in SORTS:
        raise InvalidSearch(f"Unknown sort order '{sort[:40]}'. Choose one of: {', '.join(SORTS)}.", "sort", SORTS)
    checked: dict[str, tuple[str, ...]] = {}
    for name, values in (filters or {}).items():
        if name not in FACET_BY_NAME:
            names = tuple(f.name for f in FACETS)
            raise InvalidSearch(f"Unknown filter '{name}'. Filters are: {', '.join(names)}.", name, names)
        if isinstance(values, str):
            values = [values]
        wanted = []
        for value in values or ():
            value = str(value).strip()
            if not value:
                continue
            if value not in valid_values[name]:
                raise InvalidSearch(
                    f"Unknown {FACET_BY_NAME[name].label.lower()} '{value[:60]}'. "
                    f"Valid values: {', '.join(valid_values[name])}.",
                    name,
                    valid_values[name],
                )
            if value not in wanted:
                wanted.append(value)
        if wanted:
            checked[name] = tuple(wanted)
    return SearchRequest(
        cleaned,
        checked,
        mode,
        _whole(page, "page", 1, MAX_PAGE),
        _whole(per_page, "per_page", 1, MAX_PER_PAGE),
        sort,
        notes,
        bool(as_typed),
    )


def _whole(value: object, name: str, low: int, high: int) -> int:
    """The one check of a page number or size, from an address ('２', '02' or '1_0' would be a
    page's second address: refused) or from code (an int)."""
    if isinstance(value, int) and not isinstance(value, bool):
        number: int | None = value if low <= value <= high else None
    else:
        number = whole_number(str(value), low=low, high=high)
    if number is None:
        raise InvalidSearch(f"'{name}' must be a whole number from {low} to {high}, written in digits 0 to 9.", name)
    return number
