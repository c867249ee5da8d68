"""Search: keyword (Whoosh BM25F) and semantic (sentence embeddings) retrieval, fused by their
scores, with spelling correction, a relevance threshold, intent rules, filters and facet counts.
One function, `search`, serves the CLI, the web pages and the API; it returns plain dataclasses.
"""

from nis_library.search.bundle_search import SearchService, get_service, search
from nis_library.search.request import MODES, InvalidSearch, SearchRequest, parse_request
from nis_library.search.results import FacetCount, FacetValue, Hit, SearchResults

__all__ = [
    "MODES",
    "InvalidSearch",
    "SearchRequest",
    "parse_request",
    "FacetCount",
    "FacetValue",
    "Hit",
    "SearchResults",
    "SearchService",
    "get_service",
    "search",
]
