"""The search page's query string: read strictly (unknown or repeated parameters and invalid UTF-8
are refused with a message), and written back for links that change one thing (remove a filter,
go to a page). Values themselves are checked by `nis_library.search`."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes, urlencode

from indexer.bundle.documents import FACETS
from nis_library.search import InvalidSearch
from nis_library.search.request import MAX_PAGE
from nis_library.web.numbers import whole_number

FILTER_NAMES = tuple(f.name for f in FACETS)
SINGLE_PARAMETERS = ("q", "mode", "sort", "page", "shortlist")
PARAMETERS = SINGLE_PARAMETERS + FILTER_NAMES


@dataclass(frozen=True)
class SearchArgs:
    text: str = ""
    mode: str | None = None
    page: str = "1"
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str | None = None
    shortlist: str = ""  # item IDs, comma-separated: the visitor's shortlist, carried in the address


def read_search_args(raw_query: bytes) -> SearchArgs:
    """Parse the raw query string (bytes, so invalid UTF-8 is caught, not replaced)."""
    single: dict[str, str] = {}
    filters: dict[str, list[str]] = {}
    for part in raw_query.split(b"&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition(b"=")
        name, value = _decode(raw_name), _decode(raw_value)
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
    page = single.get("page") or "1"
    if whole_number(page, low=1, high=MAX_PAGE) is None:  # '２', '02', '1_0' would be a page's second address
        raise InvalidSearch(f"'page' must be a whole number from 1 to {MAX_PAGE}, written in digits 0 to 9.", "page")
    return SearchArgs(
        single.get("q", ""),
        single.get("mode") or None,
        page,
        filters,
        single.get("sort") or None,
        single.get("shortlist", ""),
    )


def _decode(raw: bytes) -> str:
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidSearch(
            "The address contains characters that are not valid text (invalid UTF-8). "
            "Check the link, or start a new search.",
            "query",
        ) from None


def search_path(
    text: str = "",
    mode: str = "hybrid",
    filters: dict | None = None,
    page: int = 1,
    base: str = "/search",
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
    if shortlist:
        pairs.append(("shortlist", ",".join(shortlist)))
    return base + ("?" + urlencode(pairs) if pairs else "")


def without_filter(filters: dict, name: str, value: str) -> dict:
    return {n: tuple(v for v in values if (n, v) != (name, value)) for n, values in filters.items()}
