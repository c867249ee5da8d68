"""The shipped starter library: valid, honest about being sample content, and covering the five
areas of development and the layers of support well enough to be worth searching."""

from __future__ import annotations

import re

import pytest

from indexer.content.stats import coverage
from indexer.record.loading import load_library
from tests.support import REPO

CHECKED_SOURCES = (REPO / "docs" / "reference" / "evidence-sources.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def library():
    return load_library(REPO / "content")


@pytest.fixture(scope="module")
def items(library):
    return library.items


def test_shipped_content_validates_clean(library):
    assert [str(p) for p in library.problems] == []


def test_every_item_is_marked_as_sample_content(items):
    assert items and all(item.sample for item in items.values())


def test_at_least_ninety_items(items):
    assert len(items) >= 90


def test_every_area_has_three_items_in_each_standards_layer(library):
    cover = coverage(library)
    assert cover.thin_cells(3, ["universal", "targeted", "targeted-plus"]) == []


def test_every_phase_is_served_in_every_area(items, library):
    for area in (a.id for a in library.taxonomy.areas):
        phases = {p for i in items.values() if area in i.areas for p in i.phases}
        assert phases == {p.id for p in library.taxonomy.phases}, area


def test_identification_tools_lead_to_interventions_in_the_library(items):
    tools = [i for i in items.values() if i.kind == "identification-tool"]
    assert len(tools) >= 12
    for tool in tools:
        kinds = {items[target].kind for target in tool.leads_to}
        assert "intervention" in kinds, f"{tool.id} leads to no intervention"


def test_seven_packages_each_with_every_part(items):
    packages = [i for i in items.values() if i.kind == "package"]
    assert len(packages) == 7
    for package in packages:
        assert package.layers == ["specialist"]
        assert package.need_profile and package.costing_reference
        assert package.expected_outcomes and package.provision and package.adaptations
        assert package.resources.staffing and package.resources.training and package.resources.equipment


def test_reasonable_adjustments_include_the_consultations_three_examples(items):
    adjustments = [i for i in items.values() if i.kind == "adjustment"]
    assert len(adjustments) >= 10
    text = {i.id: f"{i.title} {i.summary} {i.barrier}".lower() for i in adjustments}
    examples = {
        "early access to the dinner hall": lambda t: "dinner hall" in t,
        "larger print for a visual impairment": lambda t: (
            "visual impairment" in t and ("enlarged" in t or "larger" in t)
        ),
        "softer uniform": lambda t: "uniform" in t and ("softer" in t or "cotton" in t),
    }
    for name, matches in examples.items():
        assert any(matches(t) for t in text.values()), name


def test_the_seven_elements_of_the_universal_offer_are_practices(items, library):
    elements = [e.id for e in library.taxonomy.universal_offer]
    assert len(elements) == 7
    for element in elements:
        assert any(i.kind == "practice" and element in i.universal_offer for i in items.values()), element


def test_every_cited_link_is_in_the_checked_list_of_sources(library):
    """Links are copied from the checked list, never made up."""
    unchecked = []
    for record in library.files:
        for source in record.data["evidence"].get("sources") or []:
            url = source.get("url")
            if url and url.rstrip("/") not in CHECKED_SOURCES:
                unchecked.append(f"{record.display_path}: {url}")
    assert unchecked == []


def test_strength_claims_cite_sources_and_unrated_items_say_so(items):
    for item in items.values():
        if item.evidence.strength == "not-yet-rated":
            assert "not yet rated" in item.evidence.summary.lower(), item.id
        else:
            assert item.evidence.sources, item.id


def test_titles_are_unique(items):
    titles = [re.sub(r"\W+", " ", i.title.lower()).strip() for i in items.values()]
    assert len(titles) == len(set(titles))


def test_every_active_item_has_four_to_twelve_everyday_phrases(library, items):
    active = {item_id for item_id, item in items.items() if item.status == "active"}
    assert set(library.everyday_words) == active
    counts = {item_id: len(phrases) for item_id, phrases in library.everyday_words.items()}
    assert {item_id: n for item_id, n in counts.items() if not 4 <= n <= 12} == {}


def test_everyday_phrases_are_not_the_items_own_words(library, items):
    """Title, summary and tags are searched already: the everyday words add what they lack."""
    copies = []
    for item_id, phrases in library.everyday_words.items():
        item = items[item_id]
        own = f"{item.title} {item.summary}".casefold()
        tags = {tag.casefold() for tag in item.tags}
        copies += [(item_id, p) for p in phrases if p.casefold() in tags or p.casefold() in own]
    assert copies == []


def test_the_everyday_words_file_says_it_is_sample_content():
    header = (REPO / "content" / "everyday-words.yaml").read_text(encoding="utf-8").split("items:")[0]
    assert "SAMPLE CONTENT" in header


def test_every_item_has_a_plain_summary_for_families(items):
    assert [i.id for i in items.values() if not i.for_families] == []


def test_no_family_summary_promises_an_outcome(library):
    """Family text describes what happens (issue 20): none of the promise words the validator warns
    about. The list is short; the summaries were also read against each item's evidence."""
    assert [str(p) for p in library.problems if p.code == "family-promise"] == []


def test_every_strength_publishes_the_rule_that_gives_it(library):
    for strength in library.taxonomy.evidence_strengths:
        assert strength.criteria, strength.id
        assert strength.needs_sources == (strength.id != "not-yet-rated"), strength.id


def test_every_item_cites_the_register_and_every_record_is_cited(library, items):
    cited = {c.source for item in items.values() for c in item.evidence.citations}
    assert all(len(item.evidence.citations) == len(item.evidence.sources) for item in items.values())
    assert cited == set(library.sources)


def test_no_moderate_or_strong_rating_rests_on_a_developers_own_or_an_indirect_study(library, items):
    """The ratings the issue found generous: a tool on its developer's validation, a broad review."""
    from indexer.content import rating

    for item in items.values():
        if item.evidence.strength in ("moderate", "strong") and item.evidence.judgement is None:
            given = rating.rate(item.kind, rating.resolve(item.evidence.citations, library.sources))
            counted = [c for c in item.evidence.citations if c.source in given.counted]
            assert counted and all(c.applies == "direct" for c in counted), item.id
            assert all(library.sources[c.source].independence == "independent" for c in counted), item.id


def test_no_tool_is_rated_on_a_listing_or_on_law(library, items):
    """A database entry or a duty describes a tool; only accuracy studies and guidance rate it."""
    for item in items.values():
        if item.kind == "identification-tool" and item.evidence.strength != "not-yet-rated":
            types = {library.sources[c.source].type for c in item.evidence.citations if c.applies != "background"}
            assert types - {"database-listing", "statute"}, item.id


MONTHS_FIGURE = re.compile(
    r"[+]\d+ months?|\b(?:one|two|three|four|five|six|seven|eight|\d+) (?:additional |extra )?months'", re.I
)


def test_evidence_summaries_leave_the_months_figures_to_the_account_below(library):
    """The evidence panel shows the summary and then the item's own evidence section: a figure in
    both reads as the same paragraph twice."""
    for record in library.files:
        item, body = record.item, record.body
        section = next((s.text for s in body.sections if s.heading == "What the evidence says"), "")
        if MONTHS_FIGURE.search(section):
            assert not MONTHS_FIGURE.search(item.evidence.summary), item.id

