"""What a search returns: plain dataclasses, easy to render as text, HTML or JSON."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from indexer.content.scope import Topic
from nis_library.catalogue import ItemSummary


@dataclass(frozen=True)
class Snippet:
    """Text from an item, and where the query's words are in it: [start, end) character offsets,
    in order, never overlapping."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    def pieces(self) -> Iterator[tuple[str, bool]]:
        """The text in runs, each with whether it is a matched word (what a template marks)."""
        position = 0
        for start, end in self.highlights:
            if start > position:
                yield self.text[position:start], False
            yield self.text[start:end], True
            position = end
        if position < len(self.text):
            yield self.text[position:], False


@dataclass(frozen=True)
class Hit(ItemSummary):
    rank: int
    snippet: Snippet  # the sentences with the matched words, or the summary
    matched_by: tuple[str, ...]  # "words", "meaning" or both: why it matched
    matched_words: tuple[str, ...]  # the query's words (stemmed) found in the item
    keyword_score: float | None  # BM25F, when it matched by words
    similarity: float | None  # cosine similarity, when it matched by meaning
    related: bool = False  # shown after the matches, under "Less closely related", and not counted
    why: str = ""  # one line: the words it has, or that it is close in meaning (explain.py)


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
    related: int = 0  # less closely related items shown after the `total` matches
    corrected_from: str | None = None  # the words as typed, when `query` is their spelling correction
    as_typed: bool = False  # the request asked for the words as typed (no spelling correction)
    sort: str = "relevance"  # the order chosen (see `request.SORTS`)
    missing_words: tuple[str, ...] = ()  # words of the query no item has (after stemming and synonyms)
    out_of_scope: tuple[Topic, ...] = ()  # topics of content/scope.yaml the query names: where to go

    @property
    def pages(self) -> int:
        return max(1, -(-(self.total + self.related) // self.per_page))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["pages"] = self.pages
        data["out_of_scope"] = [topic.model_dump(mode="json", by_alias=True) for topic in self.out_of_scope]
        return data
