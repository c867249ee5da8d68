"""Did you mean: the corrections it finds, and the bounds on its work whatever the query (counted,
not timed)."""

from __future__ import annotations

import random
import string

import pytest

from indexer.bundle.embeddings import HashingEmbedder
from nis_library.search import SearchService, spelling
from nis_library.search.request import MAX_QUERY_CHARS
from tests.support import ContentTree, build_hashing


@pytest.fixture
def service(tree: ContentTree, instance) -> SearchService:
    return SearchService(build_hashing(tree, instance).bundle, lambda name: HashingEmbedder())


@pytest.fixture
def work(monkeypatch) -> dict[str, int]:
    """Counts of the corrector's units of work: index checks, dictionary lookups, edit distances."""
    counts = {"lookups": 0, "distances": 0}
    real_lookup, real_distance = spelling.SpellingVocabulary.lookup, spelling.distance

    def lookup(self, variant):
        counts["lookups"] += 1
        return real_lookup(self, variant)

    def distance(a, b):
        counts["distances"] += 1
        return real_distance(a, b)

    monkeypatch.setattr(spelling.SpellingVocabulary, "lookup", lookup)
    monkeypatch.setattr(spelling, "distance", distance)
    return counts


def counting_known(known=lambda word: False):
    checked = []

    def is_known(word):
        checked.append(word)
        return known(word)

    return is_known, checked


def random_words(count: int, length: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(length)) for _ in range(count))


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("vocabulery", "vocabulary"),
        ("vocabluary", "vocabulary"),
        ("vocabularyy", "vocabulary"),
        ("vocabuary", "vocabulary"),
    ],
)
def test_one_edit_typos_are_corrected(typed, meant):
    vocabulary = spelling.SpellingVocabulary({"vocabulary": 5, "vocal": 2, "visual": 9})
    assert spelling.suggestion(typed, lambda w: False, vocabulary) == meant


def test_the_closest_word_wins_then_the_most_frequent():
    vocabulary = spelling.SpellingVocabulary({"reading": 1, "heading": 50, "readings": 50})
    assert spelling.suggestion("readng", lambda w: False, vocabulary) == "reading"


def test_distance_counts_a_swap_as_one_edit():
    assert spelling.distance("freind", "friend") == 1
    assert spelling.distance("kitten", "sitting") == 3
    assert spelling.distance("", "abc") == 3


def test_the_service_corrects_through_the_bounded_corrector(service):
    results = service.search(service.parse("vocabulery", mode="keyword"))
    assert results.query == "vocabulary" and results.corrected_from == "vocabulery"


def test_an_abbreviation_in_capitals_is_never_corrected():
    vocabulary = spelling.SpellingVocabulary({"pads": 9, "ebsa": 1, "sends": 3, "special": 5})
    assert spelling.suggestion("PDAs and EBAS", lambda w: False, vocabulary) is None
    assert spelling.suggestion("SENDS", lambda w: False, vocabulary) is None
    assert spelling.suggestion("pdas", lambda w: False, vocabulary) == "pads"  # typed as a word, it is one


def test_a_synonym_file_term_is_known_and_a_correction_can_reach_one(service):
    assert spelling.suggestion("dyspraxia", service._is_known, service.spelling) is None
    assert spelling.suggestion("dyspraxya", service._is_known, service.spelling) == "dyspraxia"


def test_the_correction_keeps_the_rest_of_the_text_as_typed():
    vocabulary = spelling.SpellingVocabulary({"reading": 3})
    assert spelling.suggestion("Year 3: readng, again!", lambda w: w != "readng", vocabulary) == (
        "Year 3: reading, again!"
    )


def test_a_300_character_non_word_costs_no_lookup(service, work):
    text = random_words(1, MAX_QUERY_CHARS)
    is_known, checked = counting_known()
    assert spelling.suggestion(text, is_known, service.spelling) is None
    assert checked == [] and work == {"lookups": 0, "distances": 0}
    service.search(service.parse(text, mode="hybrid"))  # and the whole search does no more
    assert work == {"lookups": 0, "distances": 0}


def test_fifty_unknown_words_cost_a_bounded_number_of_lookups(service, work):
    text = random_words(50, 5)[:MAX_QUERY_CHARS]
    is_known, checked = counting_known()
    spelling.suggestion(text, is_known, service.spelling)
    assert len(checked) <= spelling.MAX_CORRECTED_WORDS  # none is known, so each checked is corrected
    assert work["lookups"] <= spelling.MAX_CORRECTED_WORDS * spelling.max_lookups(5)
    assert work["distances"] <= spelling.MAX_CORRECTED_WORDS * spelling.MAX_CANDIDATES


def test_known_words_are_checked_at_most_a_fixed_number_of_times(service, work):
    is_known, checked = counting_known(known=lambda word: True)
    spelling.suggestion(" ".join(["vocabulary"] * 60), is_known, service.spelling)
    assert len(checked) == 0  # in the spelling vocabulary: not even asked
    spelling.suggestion(random_words(60, 4), is_known, service.spelling)
    assert len(checked) == spelling.MAX_CHECKED_WORDS and work["lookups"] == 0


def test_candidates_per_word_are_bounded(work):
    crowded = {f"wor{a}{b}": 1 for a in string.ascii_lowercase for b in string.ascii_lowercase}  # 676 words
    vocabulary = spelling.SpellingVocabulary(crowded)
    vocabulary.closest("worxx")
    assert work["lookups"] <= spelling.max_lookups(len("worxx"))
    assert 0 < work["distances"] <= spelling.MAX_CANDIDATES  # of the 51 words one edit away


def test_an_ordinary_english_word_is_never_corrected_into_a_library_word():
    vocabulary = spelling.SpellingVocabulary({"kind": 40, "note": 30, "story": 20, "attention": 9})
    assert spelling.suggestion("SLCN kids", lambda w: False, vocabulary) is None
    assert spelling.suggestion("book up to his nose, says sorry", lambda w: False, vocabulary) is None
    assert spelling.suggestion("short attension span", lambda w: False, vocabulary) == "short attention span"
