""" "How we rated this" on the shipped library: the method page, an item page, its print and its API
document, each tracing the rating to the records of the sources frozen with the version."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from indexer.content import rating
from indexer.record.loading import load_library
from nis_library import create_app
from tests.support import REPO


@pytest.fixture(scope="module")
def client(shipped_instance: Path):
    return create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def library():
    return load_library(REPO / "content")


def text(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_the_method_page_prints_each_rule_and_tallies_the_library(client, library):
    page = text(client.get("/evidence"))
    for strength in library.taxonomy.evidence_strengths:
        assert " ".join(strength.criteria.split()) in page, strength.id
    for shows in library.taxonomy.evidence_shows:
        assert f"{shows.label} {shows.definition}" in page, shows.id
    tally: dict[tuple[str, str], int] = {}
    for item in library.items.values():
        if item.status == "active":
            key = (item.evidence.strength, item.evidence.shows)
            tally[key] = tally.get(key, 0) + 1
    labels = {t.id: t.label for t in (*library.taxonomy.evidence_strengths, *library.taxonomy.evidence_shows)}
    for (strength, shows), count in tally.items():
        assert f"{labels[strength]} {labels[shows]} {count}" in page
    assert f"{sum(tally.values())} items in use" in page


def test_an_item_page_its_print_and_its_api_document_trace_the_rating(client, library):
    """PRA-0008: moderate with mixed results, resting on one direct, independent trial."""
    item = library.items["PRA-0008"]
    given = rating.rate(item.kind, rating.resolve(item.evidence.citations, library.sources))
    assert (given.strength, given.shows, given.counted) == ("moderate", "mixed", ("rand-mita-trial",))
    trial = library.sources["rand-mita-trial"]
    page = text(client.get("/items/PRA-0008"))
    assert "How we rated this" in page and "Mixed or inconclusive results" in page
    assert trial.finding.summary in page and "The rating rests on it." in page
    assert page.count("Indirectly:") == sum(c.applies == "indirect" for c in item.evidence.citations)
    printed = text(client.get("/items/PRA-0008/print"))  # in brief, to keep the sheet to one page
    assert (
        "How we rated this: Moderate: mixed or inconclusive results, by the library's published rating method"
        in printed
    )
    assert "It rests on: randomised controlled trial (undated)." in printed and trial.year == "undated"
    assert f"{len(item.evidence.citations) - 1} more sources on the item's page." in printed
    document = client.get("/api/v1/items/PRA-0008").get_json()["rating"]
    assert (document["strength"], document["shows"], document["judgement"]) == ("moderate", "mixed", None)
    assert document["computed"]["strength"] == "moderate" and document["method"].endswith("/evidence")
    assert [s["id"] for s in document["sources"] if s["counted"]] == ["rand-mita-trial"]
    assert {s["id"]: s["applies"] for s in document["sources"]} == {
        c.source: c.applies for c in item.evidence.citations
    }


def test_a_version_from_before_the_register_lists_its_sources_as_written(client):
    assert client.get("/api/v1/items/PRA-0008/v/1").get_json()["rating"] is None
    page = text(client.get("/items/PRA-0008/v/1"))
    assert "How we rated this" not in page


def test_a_tag_says_what_the_evidence_shows_where_the_strength_alone_would_mislead(client):
    page = client.get("/search?q=teaching+assistants+deployment").get_data(as_text=True)
    assert "Evidence: mixed" in page
    hits = client.get("/api/v1/search?q=teaching+assistants+deployment").get_json()["results"]
    assert {h["id"]: h["evidence_shows"] for h in hits}["PRA-0008"] == "mixed"


def test_a_version_page_traces_its_rating_to_the_records_frozen_with_it(client, library):
    page = text(client.get("/items/PRA-0008/v/3"))
    assert "How we rated this" in page and library.sources["rand-mita-trial"].finding.summary in page


def test_a_panel_judgement_is_shown_beside_what_the_records_alone_give(tree, instance):
    from tests.support import build_hashing

    item = "items/intervention/INT-0001.md"
    tree.replace(item, "  strength: emerging", "  strength: moderate")
    tree.replace(item, "  sources:\n", "  judgement: The panel weighs the review's SEND subgroup.\n  sources:\n")
    build_hashing(tree, instance)
    client = create_app({"INSTANCE_DIR": str(instance), "TESTING": True}).test_client()
    page = text(client.get("/items/INT-0001"))
    assert "The panel's judgement The panel weighs the review's SEND subgroup." in page
    assert "The records alone give: emerging, positive results." in page
    method = text(client.get("/evidence"))
    assert "Test intervention - small-group vocabulary sessions : The panel weighs" in method
