"""The keyword index's analyzer: word families the Porter stemmer leaves apart are joined before it,
so a parent's "anxious" finds an item that speaks of "anxiety" with no synonym's help."""

from __future__ import annotations

import pytest
from whoosh.analysis import StemmingAnalyzer

from indexer.bundle import keyword_index
from indexer.bundle.analysis import WORD_FAMILIES
from indexer.bundle.embeddings import HashingEmbedder
from nis_library.search import SearchService
from tests.support import ContentTree, build_hashing

ANALYZER = keyword_index.make_schema()["title"].analyzer


def stems(text: str) -> list[str]:
    return [token.text for token in ANALYZER(text)]


@pytest.mark.parametrize(
    "word, family",
    [
        ("anxious", "anxiety"),
        ("autistic", "autism"),
        ("dyslexic", "dyslexia"),
        ("organize", "organise"),
        ("organization", "organisation"),
        ("behavior", "behaviour"),
        ("regulating", "regulate"),
        ("hyperactive", "hyperactivity"),
    ],
)
def test_a_word_and_its_family_share_a_stem(word, family):
    assert stems(word) == stems(family)
    # ... where the plain stemming analyzer keeps them apart
    assert [t.text for t in StemmingAnalyzer()(word)] != [t.text for t in StemmingAnalyzer()(family)]


def test_other_words_are_analysed_as_the_stemming_analyzer_does():
    text = "The pupils were reading quietly in the dinner hall, anxious about the test"
    plain = [t.text for t in StemmingAnalyzer()(text)]
    assert stems(text) == [stems("anxiety")[0] if word == "anxiou" else word for word in plain]


def test_every_family_maps_to_a_word_the_table_does_not_map_again():
    assert not set(WORD_FAMILIES.values()) & set(WORD_FAMILIES)


def test_exact_words_anxious_finds_an_item_that_says_anxiety(tree: ContentTree, instance):
    tree.replace(
        "items/intervention/INT-0001.md",
        "summary: A fixture intervention for the validator's tests.",
        "summary: A fixture intervention for pupils whose anxiety keeps them from class.",
    )
    service = SearchService(build_hashing(tree, instance).bundle, lambda name: HashingEmbedder())
    results = service.search(service.parse("anxious", {}, "keyword", 1, 20))
    assert [hit.id for hit in results.hits] == ["INT-0001"]
    assert results.expanded_with == ()  # the words typed, no synonym widened them
