"""What a search returns: plain dataclasses, easy to render as text, HTML or JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from nis_library.catalogue import ItemSummary


@dataclass(frozen=True)
class Hit(ItemSummary):
    rank: int
    snippet: str  # HTML: escaped text with <mark> around matched words
    matched_by: tuple[str, ...]  # "words", "meaning" or both: why it matched
    matched_words: tuple[str, ...]  # the query's words (stemmed) found in the item
    keyword_score: float | None  # BM25F, when it matched by words
    similarity: float | None  # cosine similarity, when it matched by meaning


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class FacetCount:
    name: str
    label: str
    values: tuple[FacetValue, ...]


@dataclass
class SearchResults:
    query: str
    mode: str
    filters: dict[str, tuple[str, ...]]
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: list[FacetCount]
    did_you_mean: str | None = None
    messages: list[str] = field(default_factory=list)
    expanded_with: tuple[str, ...] = ()  # synonyms added to the query
    sort: str = "relevance"  # the order chosen (see `request.SORTS`)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_dict(self) -> dict:
        data = asdict(self)
        data["pages"] = self.pages
        return data
