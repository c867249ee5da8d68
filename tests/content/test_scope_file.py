"""The scope file (`content/scope.yaml`): the model, reading it (optional, like the everyday words),
and the shipped file. The gallery (`test_validate_gallery.py`) holds each broken file's message and
line; the check against the items' words is the bundle's (`tests/bundle/test_scope_check.py`)."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from indexer.content.scope import Place, Scope, Topic
from indexer.record.loading import load_library
from tests.content.test_validate_gallery import SCOPE, VALID_SCOPE
from tests.support import REPO, ContentTree

SHIPPED = REPO / "content" / "scope.yaml"


def _topic(**changes) -> dict:
    topic = {
        "id": "medical-conditions",
        "title": "managing medical conditions and medicines",
        "about": "Caring for a medical condition in a setting.",
        "words": ["diabetes", "insulin"],
        "go_to": [{"name": "NHS website", "url": "https://www.nhs.uk/", "for": "Health information"}],
    }
    return topic | changes


def _scope(*topics: dict) -> dict:
    return {"covers": "Classroom strategies.", "topics": list(topics) or [_topic()]}


def _codes(error: ValidationError) -> list[str]:
    return [e["type"] for e in error.errors()]


# -- the model ---------------------------------------------------------------------------------


def test_a_valid_scope_reads_with_its_places_to_go():
    scope = Scope.model_validate(_scope())
    [topic] = scope.topics
    assert topic.words == ["diabetes", "insulin"]
    assert topic.go_to[0].for_ == "Health information"
    assert scope.topic("medical-conditions") is topic and scope.topic("unknown") is None


def test_the_bundle_document_keeps_for_spelt_as_in_the_file():
    scope = Scope.model_validate(_scope())
    assert '"for":"Health information"' in scope.document()
    assert Scope.from_document(scope.document()) == scope
    assert Scope.from_document(None) is None and Scope.from_document("") is None


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("Diabetes", "scope-word"),
        ("diabetes!", "scope-word"),
        ("two  spaces", "scope-word"),
        (" diabetes", "scope-word"),
        ("-diabetes", "scope-word"),
        ("", "scope-word"),
        (None, "scope-word"),
        ("a" * 61, "scope-word"),
        ("dia\x00betes", "control-character"),
    ],
)
def test_a_word_is_lower_case_letters_digits_spaces_hyphens_apostrophes(word, code):
    with pytest.raises(ValidationError) as raised:
        Topic.model_validate(_topic(words=[word, "insulin"]))
    assert _codes(raised.value) == [code]


@pytest.mark.parametrize("word", ["diabetes", "type 1 diabetes", "carer's allowance", "home-to-school transport"])
def test_ordinary_words_and_phrases_are_accepted(word):
    assert Topic.model_validate(_topic(words=[word, "insulin"])).words[0] == word


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://www.nhs.uk/", "not-https"),
        ("ftp://www.nhs.uk/", "not-https"),
        ("www.nhs.uk", "not-https"),
        ("javascript:alert(1)", "not-https"),
        ("https://", "invalid-url"),
        ("https://localhost/", "invalid-url"),
        ("https://WWW.NHS.UK/", "invalid-url"),
        ("https://user:secret@www.nhs.uk/", "invalid-url"),
        ("https://www.nhs.uk:8443/", "invalid-url"),
        ("https://www.nhs.uk/a page", "invalid-url"),
        ("https://www.nhs.uk/" + "a" * 300, "invalid-url"),
    ],
)
def test_a_place_to_go_is_an_https_page_of_a_named_site(url, code):
    with pytest.raises(ValidationError) as raised:
        Place.model_validate({"name": "NHS", "url": url, "for": "Health information"})
    assert _codes(raised.value) == [code]


def test_a_topic_needs_two_words_and_one_to_four_places():
    place = {"name": "NHS website", "url": "https://www.nhs.uk/", "for": "Health information"}
    for changes, code in [
        ({"words": ["diabetes"]}, "too-few-words"),
        ({"words": [f"word {n}" for n in range(41)]}, "too-many-words"),
        ({"go_to": []}, "no-place-to-go"),
        ({"go_to": [place] * 5}, "too-many-places"),
    ]:
        with pytest.raises(ValidationError) as raised:
            Topic.model_validate(_topic(**changes))
        assert _codes(raised.value) == [code], changes


def test_a_title_and_about_are_plain_text_read_inside_a_sentence():
    for changes, found in [
        ({"title": "medical conditions."}, "scope-title"),
        ({"title": "<b>medical</b> conditions"}, "value_error"),
        ({"about": "See [the NHS](https://www.nhs.uk/)."}, "value_error"),
        ({"about": " "}, "string_too_short"),
    ]:
        with pytest.raises(ValidationError) as raised:
            Topic.model_validate(_topic(**changes))
        assert _codes(raised.value) == [found], changes


def test_built_in_code_the_model_still_refuses_a_word_in_two_topics_or_a_topic_twice():
    """The loader checks these at each line of the file; a scope made any other way is checked too."""
    other = _topic(id="school-transport", words=["school transport", "insulin"])
    with pytest.raises(ValidationError) as raised:
        Scope.model_validate(_scope(_topic(), other))
    assert _codes(raised.value) == ["duplicate-scope-word"]
    with pytest.raises(ValidationError) as raised:
        Scope.model_validate(_scope(_topic(), _topic(words=["school taxi", "school bus"])))
    assert _codes(raised.value) == ["duplicate-topic"]


def test_a_scope_lists_at_least_one_topic_and_says_what_the_library_covers():
    with pytest.raises(ValidationError):
        Scope.model_validate({"covers": "Classroom strategies.", "topics": []})
    with pytest.raises(ValidationError):
        Scope.model_validate({"topics": [_topic()]})


# -- reading it --------------------------------------------------------------------------------


def test_a_content_tree_without_a_scope_file_has_no_topics_and_no_problem(tree: ContentTree):
    library = tree.load()
    assert library.scope is None and library.problems == []


def test_a_valid_scope_file_is_read_with_the_line_of_each_word(tree: ContentTree):
    tree.write(SCOPE, VALID_SCOPE)
    library = tree.load()
    assert library.problems == []
    assert [t.id for t in library.scope.topics] == ["medical-conditions", "school-transport"]
    assert library.scope_word_lines == {"diabetes": 8, "insulin": 9, "school transport": 18, "school taxi": 19}


def test_a_broken_scope_file_leaves_no_scope_and_does_not_stop_the_items(tree: ContentTree):
    tree.write(SCOPE, VALID_SCOPE.replace("url: https://www.nhs.uk/", "url: http://www.nhs.uk/"))
    library = tree.load()
    assert library.scope is None and not library.ok
    assert len(library.items) == 5


def test_every_problem_of_a_scope_file_is_reported_at_once(tree: ContentTree):
    broken = (
        VALID_SCOPE.replace("url: https://www.nhs.uk/", "url: http://www.nhs.uk/")
        .replace("      - school taxi\n", "      - insulin\n")
        .replace("      - diabetes\n", "      - Diabetes\n")
    )
    tree.write(SCOPE, broken)
    codes = sorted(p.code for p in tree.load().problems)
    assert codes == ["duplicate-scope-word", "not-https", "scope-word"]


def test_a_scope_file_that_is_a_link_is_refused(tree: ContentTree, tmp_path):
    target = tmp_path / "elsewhere.yaml"
    target.write_text(VALID_SCOPE, encoding="utf-8")
    tree.path(SCOPE).symlink_to(target)
    library = tree.load()
    assert [p.code for p in library.problems] == ["symlink"] and library.scope is None


# -- the shipped file --------------------------------------------------------------------------


def test_the_shipped_content_has_a_valid_scope_file():
    library = load_library(REPO / "content")
    assert [p for p in library.problems if p.path == "content/scope.yaml"] == []
    assert library.scope is not None
    assert 8 <= len(library.scope.topics) <= 12


def test_the_shipped_scope_says_it_is_sample_content_reviewed_each_cycle_and_when_checked():
    header = SHIPPED.read_text(encoding="utf-8").split("\ncovers:")[0]
    assert "SAMPLE CONTENT" in header
    assert "reviews this file with the Standards each cycle" in header
    assert "checked on 2026-12-07" in header
    for field in ("covers", "id", "title", "about", "words", "go_to"):
        assert re.search(rf"^#\s+{field}\s", header, re.MULTILINE), f"the header does not explain '{field}'"


def test_the_shipped_scope_names_only_the_places_checked():
    """Each address was checked by hand (see the report of the change that added the file); a new
    one must be checked too before it is added here."""
    checked = {
        "https://www.gov.uk/government/publications/supporting-pupils-at-school-with-medical-conditions--3",
        "https://www.nhs.uk/",
        "https://www.gov.uk/children-with-special-educational-needs",
        "https://www.gov.uk/government/publications/send-code-of-practice-0-to-25",
        "https://www.gov.uk/courts-tribunals/first-tier-tribunal-special-educational-needs-and-disability",
        "https://www.ipsea.org.uk/",
        "https://www.gov.uk/schools-admissions",
        "https://www.gov.uk/government/publications/school-exclusion",
        "https://www.gov.uk/government/publications/home-to-school-travel-and-transport-guidance",
        "https://www.gov.uk/disability-living-allowance-children",
        "https://www.gov.uk/carers-allowance",
        "https://contact.org.uk/",
        "https://www.gov.uk/government/publications/keeping-children-safe-in-education--2",
        "https://www.gov.uk/report-child-abuse",
        "https://www.nspcc.org.uk/",
        "https://www.childline.org.uk/",
        "https://www.samaritans.org/",
        "https://www.gov.uk/home-education",
        "https://www.childbereavementuk.org/",
    }
    scope = load_library(REPO / "content").scope
    assert {place.url for topic in scope.topics for place in topic.go_to} <= checked
