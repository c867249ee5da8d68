"""Ranking: score-aware fusion, the relevance threshold and the intent rule table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from whoosh.analysis import StemmingAnalyzer

from nis_library.search import fusion, intent, relevance
from nis_library.search.fusion import weighted_fusion

ANALYZER = StemmingAnalyzer()


def analyse(text):
    return [t.text for t in ANALYZER(text)]


def test_a_strong_single_mode_hit_stays_first():
    # Row 0: far the best by words, last by meaning. Rows 1-8: middling in both. Row 9: the
    # closest in meaning, without the words. (Reciprocal rank fusion, which this replaced, put row 0
    # behind four of the middling rows: it sees ranks, not how far ahead a score is.)
    words = np.array([30.0, 9, 9, 9, 9, 9, 9, 9, 9, 0])
    meaning = np.array([0.30, 0.40, 0.40, 0.39, 0.39, 0.38, 0.38, 0.37, 0.37, 0.55])
    fused = weighted_fusion(fusion.scaled_keyword(words), fusion.scaled_similarity(meaning, 0.15))
    assert int(np.argmax(fused)) == 0


def test_scaling_is_against_the_query_s_best():
    assert list(fusion.scaled_keyword(np.array([0.0, 2.0, 4.0]))) == [0.0, 0.5, 1.0]
    assert np.allclose(fusion.scaled_similarity(np.array([0.1, 0.3, 0.5]), 0.1), [0.0, 0.5, 1.0])
    assert not fusion.scaled_similarity(np.array([0.05, 0.08]), 0.1).any()  # nothing above the base
    assert fusion.keyword_weight(1) > fusion.keyword_weight(8)  # one or two words: the words weigh more


def test_the_threshold_counts_only_items_near_the_best():
    scores = np.array([1.0, 0.8, 0.3, 0.1, 0.0])
    found = np.array([True, True, True, True, False])
    cut = relevance.split(scores, found, np.ones(5, dtype=bool))
    assert list(cut.matches) == [0, 1] and list(cut.related) == [2, 3]
    filtered = relevance.split(scores, found, np.array([False, True, True, True, True]))
    assert list(filtered.matches) == [1]  # the best is taken before the filter, so counts agree
    assert list(filtered.is_match) == list(cut.is_match)


def test_nothing_found_is_nothing_matched():
    cut = relevance.split(np.zeros(3), np.zeros(3, dtype=bool), np.ones(3, dtype=bool))
    assert len(cut.matches) == 0 and len(cut.related) == 0


@dataclass(frozen=True)
class Item:
    kind: str
    layers: tuple[str, ...]


ITEMS = [
    Item("practice", ("universal",)),
    Item("identification-tool", ("universal", "targeted")),
    Item("package", ("specialist",)),
    Item("intervention", ("targeted",)),
]


@pytest.fixture(scope="module")
def weights():
    return intent.IntentWeights(intent.load_rules(), ITEMS, analyse).weights


def test_support_questions_put_tools_and_specialist_packages_after_support(weights):
    w = weights(analyse("how can I help a child with ADHD settle in class"))
    assert w[0] == 1.0 and w[1] < 1.0 and w[2] < 1.0


def test_asking_to_identify_or_for_specialist_provision_lifts_the_demotion(weights):
    w = weights(analyse("how do I assess whether she might have dyslexia"))
    assert w[1] >= 1.0
    w = weights(analyse("specialist provision for complex autism"))
    assert w[2] == 1.0
    w = weights(analyse("a small group intervention for vocabulary"))
    assert w[3] > 1.0 and w[0] == 1.0


def test_every_rule_names_words_that_survive_the_analyzer():
    rules = intent.load_rules()
    prepared = intent.IntentWeights(rules, ITEMS, analyse)
    assert rules and all(prepared.phrases)
    for rule, phrases in zip(rules, prepared.phrases, strict=True):
        assert len(phrases) == len(rule.when or rule.unless), rule.name  # no phrase is all stop words


def test_a_bad_rule_file_is_refused_with_its_rule_number(tmp_path):
    path = tmp_path / "intent.yaml"
    path.write_text("rules:\n  - {name: x, items: {colour: red}, unless: [a], weight: 0.5}\n", encoding="utf-8")
    with pytest.raises(intent.RuleError, match="rule 1: 'items' needs exactly one of"):
        intent.load_rules(path)
    path.write_text("rules:\n  - {name: x, items: {kind: practice}, when: [a], unless: [b], weight: 0.5}\n")
    with pytest.raises(intent.RuleError, match="either 'unless' or 'when'"):
        intent.load_rules(path)
    path.write_text("rules:\n  - {name: x, items: {kind: practice}, when: [play], weight: 9}\n")
    with pytest.raises(intent.RuleError, match="'weight' must be"):
        intent.load_rules(path)
