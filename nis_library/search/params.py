"""The search page's query string: read strictly (unknown or repeated parameters and invalid UTF-8
are refused with a message), and written back for links that change one thing (remove a filter,
go to a page). Values themselves are checked by `nis_library.search`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from indexer.bundle.documents import FACETS
from nis_library.search import InvalidSearch
from nis_library.web import query_strings

FILTER_NAMES = tuple(f.name for f in FACETS)
SINGLE_PARAMETERS = ("q", "mode", "sort", "page", "as_typed", "shortlist")
PARAMETERS = SINGLE_PARAMETERS + FILTER_NAMES


@dataclass(frozen=True)
class SearchArgs:
    text: str = ""
    mode: str | None = None
    page: str = "1"
    filters: dict[str, list[str]] = field(default_factory=dict)
    as_typed: bool = False  # search the words as typed, without correcting their spelling
    sort: str | None = None
    shortlist: str = ""  # item IDs, comma-separated: the visitor's shortlist, carried in the address


def read_search_args(raw_query: bytes) -> SearchArgs:
    """Parse the raw query string (bytes, so invalid UTF-8 is caught, not replaced)."""
    single: dict[str, str] = {}
    filters: dict[str, list[str]] = {}
    for name, value in query_strings.pairs(raw_query, _not_text):
        if name in SINGLE_PARAMETERS:
            if name in single:
                raise InvalidSearch(f"'{name}' appears more than once in the address; give it once.", name)
            single[name] = value
        elif name in FILTER_NAMES:
            filters.setdefault(name, []).append(value)
        else:
            raise InvalidSearch(
                f"The address has an unknown parameter '{name[:40]}'. This page understands: {', '.join(PARAMETERS)}.",
                name,
                PARAMETERS,
            )
    page = single.get("page") or "1"  # checked, with every other value, by the search itself
    as_typed = single.get("as_typed", "")
    if as_typed not in ("", "1"):
        raise InvalidSearch("'as_typed' can only be 1 (search the words as typed).", "as_typed", ("1",))
    return SearchArgs(
        single.get("q", ""),
        single.get("mode") or None,
        page,
        filters,
        as_typed=as_typed == "1",
        sort=single.get("sort") or None,
        shortlist=single.get("shortlist", ""),
    )


def _not_text(message: str) -> InvalidSearch:
    return InvalidSearch(message + ", or start a new search.", "query")


def search_path(
    text: str = "",
    mode: str = "hybrid",
    filters: Mapping[str, Iterable[str]] | None = None,
    page: int = 1,
    base: str = "/search",
    as_typed: bool = False,
    sort: str = "relevance",
    shortlist: tuple[str, ...] = (),
) -> str:
    """The /search address for a state; defaults are left out so addresses stay short."""
    pairs: list[tuple[str, str]] = []
    if text:
        pairs.append(("q", text))
    if mode and mode != "hybrid":
        pairs.append(("mode", mode))
    if sort and sort != "relevance":
        pairs.append(("sort", sort))
    for name in FILTER_NAMES:
        for value in (filters or {}).get(name, ()):
            pairs.append((name, value))
    if page > 1:
        pairs.append(("page", str(page)))
    if as_typed:
        pairs.append(("as_typed", "1"))
    if shortlist:
        pairs.append(("shortlist", ",".join(shortlist)))
    return base + ("?" + urlencode(pairs) if pairs else "")


def without_filter(filters: Mapping[str, Iterable[str]], name: str, value: str) -> dict[str, tuple[str, ...]]:
    return {n: tuple(v for v in values if (n, v) != (name, value)) for n, values in filters.items()}
