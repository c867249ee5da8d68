"""Items come out of the reader as typed objects, and the taxonomy drives every check."""

from __future__ import annotations

from indexer.content.model import IdentificationTool, Intervention, Package
from tests.support import ContentTree


def test_items_are_typed_objects(tree: ContentTree):
    items = tree.load().items
    intervention = items["INT-0001"]
    assert isinstance(intervention, Intervention)
    assert intervention.intensity.sessions_per_week == 3
    (citation,) = intervention.evidence.citations
    assert (citation.source, citation.applies) == ("eef-toolkit-oral-language", "indirect")
    record = tree.load().sources[citation.source]
    assert record.year == "undated" and record.type == "systematic-review" and record.finding.effect == "+6 months"
    assert str(record.url).startswith("https://educationendowmentfoundation.org.uk/")

    tool = items["IDT-0001"]
    assert isinstance(tool, IdentificationTool)
    assert tool.leads_to == ["INT-0001"] and tool.age_range.from_years == 3.5
    assert tool.references()["leads_to"] == ["INT-0001"]

    package = items["SPP-0001"]
    assert isinstance(package, Package)
    assert package.resources.equipment == ["A communication aid"]
    assert package.status == "active"


def test_body_sections_are_read_with_their_text(tree: ContentTree):
    library = tree.load()
    body = library.body("PRA-0001")
    assert [s.heading for s in body.sections] == [
        "What it is",
        "How to do it",
        "Who and when",
        "What the evidence says",
        "Watch out for",
    ]
    assert body.section("How to do it").text == "Show the day's plan."


def test_a_value_added_to_the_taxonomy_becomes_valid_without_a_code_change(tree: ContentTree):
    tree.replace("items/practice/PRA-0001.md", "settings: [school]", "settings: [hospital-school]")
    assert [p.code for p in tree.load().problems] == ["unknown-value"]
    tree.replace(
        "taxonomy.yaml",
        "  - id: inclusion-base\n",
        "  - id: hospital-school\n    label: Hospital schools\n  - id: inclusion-base\n",
    )
    assert tree.load().problems == []


def test_a_kind_s_sections_come_from_the_taxonomy(tree: ContentTree):
    tree.replace(
        "taxonomy.yaml",
        "sections: [What it is, How to use it,",
        "sections: [What it is, How to use it, Who can use it,",
    )
    problems = tree.load().problems
    assert [(p.code, p.message) for p in problems] == [("missing-section", "missing the section '## Who can use it'")]


def test_review_cycles_come_from_publications_yaml(tree: ContentTree):
    tree.replace("publications.yaml", "cycle_months: 24", "cycle_months: 36")
    library = tree.load()
    standards = next(p for p in library.publications.publications if p.id == "standards")
    assert standards.cycle_months == 36
    assert library.publications.for_kind("package").id == "packages"


def test_a_kind_in_no_publication_is_an_error(tree: ContentTree):
    tree.replace("publications.yaml", "kinds: [package]", "kinds: []")
    codes = {p.code for p in tree.load().problems}
    assert "kind-publication" in codes or "empty-list" in codes


def test_a_kind_s_evidence_section_must_be_one_of_its_sections(tree: ContentTree):
    tree.replace(
        "taxonomy.yaml", "    evidence_section: What the evidence says\n", "    evidence_section: The evidence\n"
    )
    problems = tree.load().problems
    assert problems and all(p.path == "content/taxonomy.yaml" for p in problems)
    assert any("evidence_section 'The evidence' is not one of the kind's sections" in p.message for p in problems)
