"""Topics the library does not cover, found in a query (`nis_library.search.scope`): matched after
the keyword index's analysis, whole words, phrases in order; each topic once, in the file's order;
never an error, whatever the text."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.bundle import keyword_index
from indexer.bundle import location as bundle
from indexer.bundle.analysis import make_analyzer
from indexer.content.scope import Scope
from indexer.record.loading import load_library
from nis_library.search.scope import ScopeMatcher
from tests.content.test_validate_gallery import SCOPE, VALID_SCOPE
from tests.support import REPO, ContentTree, build_hashing

ANALYZER = make_analyzer()


def _place() -> dict:
    return {"name": "NHS website", "url": "https://www.nhs.uk/", "for": "Health information"}


def _scope(**words: list[str]) -> Scope:
    """A scope with one topic per keyword argument (underscores become hyphens in the ID)."""
    topics = [
        {
            "id": name.replace("_", "-"),
            "title": name.replace("_", " "),
            "about": "About it.",
            "words": list(w),
            "go_to": [_place()],
        }
        for name, w in words.items()
    ]
    return Scope.model_validate({"covers": "Classroom strategies.", "topics": topics})


MATCHER = ScopeMatcher(
    _scope(
        medical=["diabetes", "insulin", "allergy", "epilepsy", "epileptic"],
        transport=["school transport", "school taxi"],
        benefits=["dla", "carer's allowance"],
        stop_words=["of the", "right to choose"],
    ),
    ANALYZER,
)


def ids(text: str) -> list[str]:
    return [topic.id for topic in MATCHER.topics_for(text)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("child with diabetes", ["medical"]),
        ("DIABETES", ["medical"]),
        ("allergies in class", ["medical"]),  # "allergies" and "allergy" stem alike
        ("insulin injections", ["medical"]),
        ("epileptic seizures", ["medical"]),  # stemming does not join "epileptic" and "epilepsy": both listed
        ("after an epilepsy diagnosis", ["medical"]),
        ("Schools' transport", ["transport"]),
        ("school transport and DLA", ["transport", "benefits"]),  # in the file's order, not the query's
        ("DLA, then diabetes", ["medical", "benefits"]),
        ("carers allowance", ["benefits"]),
        ("carer's allowance", ["benefits"]),
        ("right to choose an assessment", ["stop-words"]),
        ("the right, choose", ["stop-words"]),  # stop words and punctuation are dropped, as search drops them
        ("two DLAs", ["benefits"]),
        ("a diabetes-friendly menu", ["medical"]),  # a hyphen parts words, as the index's tokenizer does
    ],
)
def test_a_topic_matches_its_words_as_search_reads_them(query, expected):
    assert ids(query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "can't sit still in assembly",
        "idla",  # never part of a word
        "prediabetesish",
        "insulinoma",
        "transport to school",  # the words of a phrase out of order
        "school bus transport",  # another word between
        "taxi school",
        "of the",  # a phrase of stop words matches nothing
        "choose the right",
    ],
)
def test_other_words_do_not_match(query):
    assert ids(query) == []


def test_each_topic_once_however_many_of_its_words_the_query_has():
    assert ids("diabetes, insulin and an allergy: insulin again") == ["medical"]


def test_topics_are_the_scope_s_own_objects():
    [topic] = MATCHER.topics_for("insulin")
    assert topic is MATCHER.scope.topic("medical")
    assert topic.go_to[0].for_ == "Health information"


def test_terms_analysed_once_by_the_search_give_the_same_topics():
    text = "School transport for a child with diabetes"
    terms = [token.text for token in ANALYZER(text)]
    assert MATCHER.topics_for_terms(terms) == MATCHER.topics_for(text)


def test_no_scope_matches_nothing():
    empty = ScopeMatcher(None, ANALYZER)
    assert empty.topics == () and empty.topics_for("diabetes") == ()
    assert ScopeMatcher.from_document(None, ANALYZER).topics_for("diabetes") == ()


def test_from_the_bundle_document():
    matcher = ScopeMatcher.from_document(MATCHER.scope.document(), ANALYZER)
    assert [t.id for t in matcher.topics_for("school taxi")] == ["transport"]


def test_with_the_keyword_index_s_own_analyzer(tree: ContentTree, instance):
    tree.write(SCOPE, VALID_SCOPE)
    build_hashing(tree, instance)
    index = keyword_index.open_index(bundle.current_bundle(instance) / bundle.WHOOSH_DIR)
    matcher = ScopeMatcher(tree.load().scope, index.schema["title"].analyzer)
    assert [t.id for t in matcher.topics_for("Insulin and school taxis")] == ["medical-conditions", "school-transport"]


# -- the shipped scope -------------------------------------------------------------------------

SHIPPED = ScopeMatcher(load_library(REPO / "content").scope, ANALYZER)


@pytest.mark.parametrize(
    ("query", "topic"),
    [
        ("child with diabetes needs snacks", "medical-conditions"),
        ("SEND tribunal appeal", "ehc-assessments-and-appeals"),
        ("how do I ask for an EHC needs assessment", "ehc-assessments-and-appeals"),
        ("admissions for a year 7 place", "school-admissions"),
        ("my child was suspended from school", "exclusions"),
        ("school transport for an autistic child", "school-transport"),
        ("DLA for autism", "benefits-and-money"),
        ("worried about neglect", "child-protection"),
        ("mental health crisis at the weekend", "mental-health-crisis"),
        ("autism diagnosis waiting time", "nhs-diagnosis"),
        ("home education and SEN", "home-education"),
        ("grieving child can't concentrate", "bereavement"),
    ],
)
def test_the_shipped_topics_match_the_questions_they_answer(query, topic):
    assert [t.id for t in SHIPPED.topics_for(query)] == [topic]


def test_no_judged_query_shows_a_notice():
    """Every judged query with an answer is answered by the library's items: none is about a topic
    it does not cover, so none shows a notice. A scope word that triggers on one is too broad."""
    judged = yaml.safe_load((REPO / "tests" / "data" / "judged_queries.yaml").read_text(encoding="utf-8"))
    answered = [q for q in judged if q.get("answer") != "none"]
    noticed = {q["query"]: [t.id for t in SHIPPED.topics_for(q["query"])] for q in answered}
    assert {query: topics for query, topics in noticed.items() if topics} == {}


# -- any text ----------------------------------------------------------------------------------

WORDS = [word for topic in SHIPPED.topics for word in topic.words]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_any_text_never_raises_and_gives_only_known_topics_once_each(text):
    found = SHIPPED.topics_for(text)
    assert all(any(topic is known for known in SHIPPED.topics) for topic in found)
    assert len({topic.id for topic in found}) == len(found)
    assert [t.id for t in found] == [t.id for t in SHIPPED.topics if t in found]  # the file's order


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.sampled_from(WORDS), st.text(max_size=80))
def test_a_topic_s_word_anywhere_in_any_text_finds_the_topic(before, word, after):
    topic = next(t for t in SHIPPED.topics if word in t.words)
    assert topic in SHIPPED.topics_for(f"{before} . {word} . {after}")
