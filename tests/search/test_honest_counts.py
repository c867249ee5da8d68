"""Counts that mean "this answers you" (issue 19): each match clears an absolute bar, words no item
has are named, and a query the library has nothing about counts nothing in any mode. On the shipped
library with the deterministic stand-in embedder; the real model's figures are in
scripts/eval_search.py."""

from __future__ import annotations

import json

import numpy as np
import pytest

from indexer.bundle.embeddings import HashingEmbedder
from nis_library.search import SearchService
from nis_library.search.coverage import robertson_idf
from nis_library.search.explain import why
from nis_library.search.relevance import AnswerBar, split

MODES = ("hybrid", "keyword", "semantic")


@pytest.fixture(scope="module")
def service(shipped_instance) -> SearchService:
    from indexer.bundle import location

    return SearchService(location.current_bundle(shipped_instance), lambda name: HashingEmbedder())


def run(service, text, mode="hybrid", per_page=50):
    return service.search(service.parse(text, None, mode, 1, per_page))


def test_a_word_most_items_use_weighs_nothing_and_a_rare_one_most():
    assert robertson_idf(100, 60) == 0.0 and robertson_idf(100, 50) == 0.0
    assert robertson_idf(100, 1) > robertson_idf(100, 10) > robertson_idf(100, 40) > 0


def test_coverage_is_the_share_of_distinctive_words_an_item_has(service):
    scored = service.score("selective mutism school", "keyword")
    weights = {unit.words: unit.weight for unit in scored.coverage.units}
    assert weights["school"] < 0.5 < weights["selective"]  # "school" is in most items
    row = service.row_of["INT-0406"]  # the selective mutism intervention
    assert scored.coverage.per_item[row] > 0.9
    assert scored.coverage.per_item.max() <= 1.0 and scored.coverage.per_item.min() >= 0.0


def test_a_synonym_stands_in_for_the_word_typed(service):
    scored = service.score("meltdowns", "hybrid")
    assert scored.coverage.missing == ()  # the library says "dysregulation" and "overwhelmed"
    assert scored.coverage.per_item.max() == 1.0


@pytest.mark.parametrize("mode", MODES)
def test_a_made_up_word_counts_nothing_and_is_named(service, mode):
    results = run(service, "flurbistat quixotrex", mode)
    assert results.total == 0 and all(hit.related for hit in results.hits)
    assert set(results.missing_words) == {"flurbistat", "quixotrex"}


@pytest.mark.parametrize("mode", MODES)
def test_a_match_on_common_words_alone_does_not_count(service, mode):
    # "insulin" and "injections" are in no item; "school" is in most
    results = run(service, "insulin injections at school", mode)
    assert results.total == 0
    assert {"insulin", "injections"} <= set(results.missing_words)


def test_a_real_question_still_counts_its_answers(service):
    results = run(service, "selective mutism")
    assert results.total >= 1 and results.hits[0].id == "INT-0406" and not results.hits[0].related
    assert results.missing_words == ()


@pytest.mark.parametrize("mode", MODES)
def test_the_count_is_exactly_the_results_marked_as_matches(service, mode):
    for text in ("can't sit still", "working memory", "insulin injections", "ear defenders in the hall"):
        results = run(service, text, mode, per_page=100)
        assert results.total == sum(1 for hit in results.hits if not hit.related)
        assert results.related == sum(1 for hit in results.hits if hit.related)
        assert all(not hit.related for hit in results.hits[: results.total])  # matches first


def test_the_bar_needs_one_of_its_tests():
    bar = AnswerBar(coverage=0.4, similarity=0.5, agreed_coverage=0.25, agreed_similarity=0.25)
    coverage = np.array([0.5, 0.0, 0.3, 0.3, 0.1])
    similarity = np.array([0.0, 0.6, 0.3, 0.2, 0.45])
    assert bar.answers(coverage, similarity).tolist() == [True, True, True, False, False]
    assert bar.answers(coverage, None).tolist() == [True, False, False, False, False]  # words only


def test_an_item_below_the_bar_is_related_however_high_it_ranks():
    scores = np.array([1.0, 0.9, 0.8])
    found = np.ones(3, dtype=bool)
    cut = split(scores, found, found, answers=np.array([False, True, False]))
    assert cut.matches.tolist() == [1] and cut.related.tolist() == [0, 2]
    assert cut.is_match.tolist() == [False, True, False]


def test_each_result_says_why_it_was_found(service):
    results = run(service, "selective mutism")
    first = results.hits[0]
    assert "‘selective’" in first.why and "‘mutism’" in first.why and "Not counted" not in first.why
    related = run(service, "flurbistat school").hits
    assert related and all("Not counted" in hit.why for hit in related)


def test_the_why_line_reads_as_a_sentence():
    assert why(["ear"], [], False, True) == "It has your word ‘ear’."
    assert (
        why(["noise", "hall"], ["ear defenders"], True, True)
        == "It has your words ‘noise’ and ‘hall’, has ‘ear defenders’ (meaning the same) and is close in"
        " meaning to your search."
    )
    assert why([], [], False, True) == ""


@pytest.mark.parametrize("mode", MODES)
def test_a_topic_the_library_leaves_to_others_says_where_to_go(service, mode):
    results = run(service, "who gives insulin at lunchtime", mode)
    assert [topic.id for topic in results.out_of_scope] == ["medical-conditions"]
    assert all(place.url.startswith("https://") for place in results.out_of_scope[0].go_to)
    assert "insulin" in results.missing_words


def test_a_misspelt_out_of_scope_word_is_offered_and_its_topic_named(service):
    results = run(service, "diabeties")
    assert results.total == 0 and results.did_you_mean == "diabetes"  # no item has it: only offered
    assert [topic.id for topic in results.out_of_scope] == ["medical-conditions"]


def test_a_question_the_library_answers_names_no_topic(service):
    assert run(service, "can't sit still in assembly").out_of_scope == ()


def test_the_command_line_says_the_same(shipped_instance):
    from click.testing import CliRunner

    from nis_library.cli import main

    runner = CliRunner()
    text = runner.invoke(main, ["search", "who gives insulin at lunchtime", "--instance", str(shipped_instance)])
    assert text.exit_code == 0, text.output
    assert "The library does not cover managing medical conditions and medicines." in text.output
    assert "https://www.gov.uk/" in text.output and "No item mentions: insulin" in text.output
    data = runner.invoke(
        main, ["search", "flurbistat", "--instance", str(shipped_instance), "--json", "--mode", "keyword"]
    )
    parsed = json.loads(data.stdout)
    assert parsed["total"] == 0 and parsed["missing_words"] == ["flurbistat"] and parsed["out_of_scope"] == []
    insulin = runner.invoke(main, ["search", "insulin", "--instance", str(shipped_instance), "--json"])
    assert [t["id"] for t in json.loads(insulin.stdout)["out_of_scope"]] == ["medical-conditions"]


def test_a_long_note_is_embedded_sentence_by_sentence(shipped_instance):
    from indexer.bundle import location

    seen: list[list[str]] = []

    class Recording(HashingEmbedder):
        def embed(self, texts):
            seen.append(list(texts))
            return super().embed(texts)

    service = SearchService(location.current_bundle(shipped_instance), lambda name: Recording())
    service.embed_query("can't sit still in assembly")
    assert seen[-1] == ["can't sit still in assembly"]
    note = (
        "Year 4 boy with poor attention in the afternoons. He loses his place in tasks and rarely finishes"
        " written work. Two cycles of support have had limited impact. We would like advice on what to try"
        " next in class."
    )
    before = len(seen)
    vector = service.embed_query(note)
    embedded = [text for batch in seen[before:] for text in batch]
    assert len(embedded) == 4 and " ".join(embedded) == note  # its four sentences, one at a time
    assert all(len(batch) == 1 for batch in seen[before:])
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
    before = len(seen)
    service.embed_query("word. " * 300)
    assert len(seen) - before <= 8  # at most eight sentences, however many it has
