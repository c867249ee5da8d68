"""The library's names a recommendation may use (`LibraryTerms`): the reviews that can make one
(with the year and series their IDs take), the item IDs, the areas of development and the layers.
Built from the bundle being served (the web app) or from the content folder (the CLI)."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.bundle import store
from indexer.content.taxonomy import Taxonomy
from indexer.record.reviews import Review

# The letter of a recommendation ID for each publication a review can belong to.
SERIES = {"standards": "S", "packages": "P"}


@dataclass(frozen=True)
class ReviewTerms:
    id: str
    title: str
    publication: str
    year: int | None  # the year the review opened (else closed); None: it has no dates yet

    @property
    def series(self) -> str | None:
        return SERIES.get(self.publication)


@dataclass(frozen=True)
class LibraryTerms:
    reviews: dict[str, ReviewTerms]
    items: frozenset[str]
    areas: dict[str, str]  # id -> label
    layers: dict[str, str]


def _review_terms(review: Review) -> ReviewTerms:
    day = review.opened or review.closed
    return ReviewTerms(review.id, review.title, review.publication, day.year if day else None)


def terms_of(reviews: list[Review], item_ids, taxonomy: Taxonomy) -> LibraryTerms:
    return LibraryTerms(
        {r.id: _review_terms(r) for r in reviews},
        frozenset(item_ids),
        {a.id: a.label for a in taxonomy.areas},
        {layer.id: layer.label for layer in taxonomy.layers},
    )


def from_catalogue(catalogue) -> LibraryTerms:
    """From a `nis_library.catalogue.Catalogue` (the bundle being served)."""
    with catalogue.db() as db:
        item_ids = store.read_content_hashes(db).keys()
    return terms_of(list(catalogue.reviews.values()), item_ids, catalogue.taxonomy)


def from_library(library) -> LibraryTerms | None:
    """From an `indexer.record.library.Library` (the content folder); None without a taxonomy."""
    if library.taxonomy is None:
        return None
    ids = set(library.working_ids) | set(library.published.versions if library.published else ())
    return terms_of(list(library.reviews.values()), ids, library.taxonomy)
