"""The published history on the web: permalinks, version history, diffs, editions, reviews, feeds,
the changes API and the preview. Runs on the shipped content, whose history has two editions of
the Standards (2026, and the out-of-cycle 2026.1) and two of the Packages."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nis_library import create_app
from nis_library.web.json_api import tokens
from tests.support import ContentTree, build_hashing, sign_in

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def client(shipped_instance: Path):
    app = create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True, "TODAY": dt.date(2026, 11, 29)})
    return app.test_client()


def text(response) -> str:
    return response.get_data(as_text=True)


def test_latest_and_immutable_version_pages(client):
    latest = text(client.get("/items/INT-0407"))
    assert "version 4" in latest and 'href="http://localhost/items/INT-0407/v/4"' in latest
    old = client.get("/items/INT-0407/v/1")
    assert old.status_code == 200
    page = text(old)
    assert "This version has been superseded." in page
    assert 'href="/items/INT-0407"' in page and "/items/INT-0407/diff?from=1&amp;to=4" in page
    current = text(client.get("/items/INT-0407/v/4"))
    assert "superseded" not in current and "standards 2026.3" in current
    assert "This version has been superseded." in text(client.get("/items/INT-0407/v/3"))


def test_a_version_that_does_not_exist_is_404_with_a_link_to_the_history(client):
    response = client.get("/items/INT-0407/v/7")
    assert response.status_code == 404
    page = text(response)
    assert "INT-0407 has no version 7" in page and 'href="/items/INT-0407/history"' in page
    assert client.get("/items/INT-9999/v/1").status_code == 404
    assert client.get("/items/INT-0407/v/0").status_code == 404


def test_version_history_lists_date_class_note_and_edition(client):
    page = text(client.get("/items/INT-0502/history"))
    assert page.count('class="app-stack__item"') == 4  # four versions, stacked: no wide table
    assert "<table" not in page
    assert "Substantive" in page and "MetaSENse" in page
    assert 'href="/editions/standards/2026.1"' in page and 'href="/editions/standards/2026"' in page
    assert 'href="/editions/standards/2026.2"' in page and 'href="/editions/standards/2026.3"' in page
    # The first out-of-cycle review covered it; the second (closed 1 December) is after TODAY here.
    assert "Last reviewed 18 November 2026" in page
    assert "Next review due 1 September 2031" in page
    untouched = text(client.get("/items/PRA-0101/history"))
    assert "Last reviewed 1 October 2026" in untouched  # first published; outside the out-of-cycle scope


def test_withdrawn_item_shows_its_replacement(client):
    page = text(client.get("/items/ADJ-0008"))
    assert "This item has been withdrawn." in page and 'href="/items/INT-0407"' in page
    history = text(client.get("/items/ADJ-0008/history"))
    assert "Withdrawn" in history


def test_diff_is_word_level_on_text_and_field_by_field_on_metadata(client):
    page = text(client.get("/items/INT-0502/diff?from=1&to=2"))
    assert '<h3 class="govuk-heading-s govuk-!-margin-bottom-2">Evidence: who it was studied with</h3>' in page
    assert "evidence.population" not in page and "<table" not in page
    assert "<del>extrapolated</del>" in page and "<ins>mixed</ins>" in page
    assert "<ins>" in page.split("What the evidence says", 1)[1]
    same = text(client.get("/items/INT-0502/diff?from=2&to=2"))
    assert "These versions have the same content." in same


@pytest.mark.parametrize("query, status", [("from=1&to=9", 404), ("from=a&to=2", 400), ("", 400)])
def test_bad_diff_requests(client, query, status):
    response = client.get(f"/items/INT-0502/diff?{query}")
    assert response.status_code == status and 'href="/items/INT-0502/history"' in text(response)


def test_edition_page_splits_substantive_and_editorial_changes(client):
    page = text(client.get("/editions/standards/2026.1"))
    substantive, editorial = page.split('<h3 class="govuk-heading-m">Editorial changes (', 1)
    assert '<h3 class="govuk-heading-m">Substantive changes (4)' in substantive and editorial.startswith("5)")
    assert 'href="/items/INT-0502/v/2"' in substantive and 'href="/items/INT-0302/v/2"' in editorial
    assert "MetaSENse" in page and "Follows" in page and 'href="/editions/standards/2026"' in page
    editions = text(client.get("/editions"))
    assert editions.index("Standards 2026.1") < editions.index("Standards 2026<")
    assert client.get("/editions/standards/1999").status_code == 404


def test_reviews_page(client):
    page = text(client.get("/reviews"))
    assert "Every 24 months" in page and "Every 60 months" in page
    assert page.count("1 September 2031") >= 2  # next scheduled review of each publication
    assert "1 September 2033, 1 September 2035" in page  # and the ones after
    assert "1 September 2036, 1 September 2041" in page
    assert "<table" not in page  # stacked, for a 320 px screen
    assert "Out of cycle" in page and "<dt>Triggered by</dt>" in page and "<dt>Scope</dt><dd>INT-0502" in page


def test_reviews_page_shows_an_overdue_review(shipped_instance):
    app = create_app({"INSTANCE_DIR": str(shipped_instance), "TODAY": dt.date(2031, 10, 1)})
    page = text(app.test_client().get("/reviews"))
    assert "Overdue" in page


def test_atom_feeds(client):
    response = client.get("/feeds/editions.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles[:4] == ["standards 2026.3", "packages 2026.3", "standards 2026.2", "packages 2026.2"]
    assert len(titles) == 8
    item = ET.fromstring(client.get("/items/INT-0407/feed.atom").data)
    entries = item.findall(f"{ATOM}entry")
    assert len(entries) == 4 and entries[0].find(f"{ATOM}link").get("href") == "http://localhost/items/INT-0407/v/4"


def test_changes_api_since_a_date_and_since_an_edition(client):
    data = client.get("/api/v1/changes?since=2026-10-01").get_json()
    assert data["count"] == 216  # 10 versions in the 2026.1 editions, 103 in the 2026.2 ones, 103 in 2026.3
    assert {(c["id"], c["version"], c["change_class"]) for c in data["changes"]} >= {
        ("INT-0502", 2, "substantive"),
        ("INT-0302", 2, "editorial"),
        ("SPP-0003", 2, "substantive"),
    }
    withdrawn = next(c for c in data["changes"] if c["id"] == "ADJ-0008")
    assert withdrawn["status"] == "withdrawn" and withdrawn["url"] == "http://localhost/items/ADJ-0008/v/2"
    since_edition = client.get("/api/v1/changes?since=standards/2026.1").get_json()
    # packages 2026.1 (SPP-0003 v2), then the 103 new versions of each pair of later editions
    assert since_edition["count"] == 207 and ("SPP-0003", 2) in {
        (c["id"], c["version"]) for c in since_edition["changes"]
    }
    assert client.get("/api/v1/changes?since=packages/2026.3").get_json()["count"] == 0
    assert client.get("/api/v1/changes?since=2030-01-01").get_json()["count"] == 0


def test_polling_with_next_since_loses_nothing_and_gives_nothing_twice(client):
    everything = client.get("/api/v1/changes?since=1900-01-01").get_json()
    assert client.get("/api/v1/changes", query_string={"since": everything["next_since"]}).get_json()["count"] == 0
    # An answer given when the latest editions were standards 2026.2 and packages 2026.1: the next
    # poll has exactly what was published after those, whichever day it came out.
    with client.application.test_request_context():
        earlier = tokens.write("changes-since", {"standards": "2026.2", "packages": "2026.1"})
    later = client.get("/api/v1/changes", query_string={"since": earlier}).get_json()
    expected = [
        (c["id"], c["version"])
        for c in everything["changes"]
        if (c["publication"], c["edition"]) in {("standards", "2026.3"), ("packages", "2026.2"), ("packages", "2026.3")}
    ]
    assert expected and [(c["id"], c["version"]) for c in later["changes"]] == expected
    assert later["next_since"] == everything["next_since"]  # both have read up to the same editions
    altered = earlier[:-3] + ("abc" if not earlier.endswith("abc") else "xyz")
    refused = client.get("/api/v1/changes", query_string={"since": altered})
    assert refused.status_code == 400 and refused.get_json()["code"] == "invalid-parameter"


@pytest.mark.parametrize(
    "query, code",
    [
        ("", "missing-parameter"),
        ("since=yesterday", "invalid-parameter"),
        ("since=standards/1999", "invalid-parameter"),
        ("since=a&since=b", "repeated-parameter"),
        ("since=2026-01-01&limit=5", "unknown-parameter"),
    ],
)
def test_changes_api_refuses_bad_requests_in_json(client, query, code):
    response = client.get(f"/api/v1/changes?{query}")
    assert response.status_code == 400 and response.get_json()["code"] == code


def test_preview_shows_drafts_marked_and_only_when_enabled(tree: ContentTree, instance: Path):
    build_hashing(tree, instance / "preview", source="working")
    build_hashing(tree, instance, source="published")
    public = create_app({"INSTANCE_DIR": str(instance)}).test_client()
    assert public.get("/preview/items/INT-0001").status_code == 404
    preview_app = create_app({"INSTANCE_DIR": str(instance), "PREVIEW": True})
    preview = preview_app.test_client()
    assert preview.get("/preview/items/INT-0001").status_code == 302  # drafts are behind sign-in
    sign_in(preview_app, preview)
    page = text(preview.get("/preview/items/INT-0001"))
    assert "You are previewing the working copies" in page
    assert "This is a draft" in page and "has never been published" in page
    results = text(preview.get("/preview/search?q=vocabulary&mode=keyword"))
    assert 'action="/preview/search"' in results and 'href="/preview/items/INT-0001"' in results
    assert public.get("/items/INT-0001").status_code == 404  # nothing published in this tree


def test_the_api_answers_as_openapi_yaml_says(client):
    """The fields by hand; tests/api/test_fuzzing.py holds every answer to the whole schema."""
    import yaml

    from tests.support import REPO

    spec = yaml.safe_load((REPO / "openapi.yaml").read_text())
    operation = spec["paths"]["/api/v1/changes"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["since"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["changes"]["items"]
    change_classes = spec["components"]["schemas"]["ChangeClass"]["enum"]
    for change in client.get("/api/v1/changes?since=2026-01-01").get_json()["changes"]:
        assert set(change) == set(schema["required"]) == set(schema["properties"])
        assert change["change_class"] in change_classes
    codes = spec["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
    assert client.get("/api/v1/changes?since=x").get_json()["code"] in codes


def test_the_api_answers_in_json_when_the_library_is_unavailable(tmp_path):
    response = create_app({"INSTANCE_DIR": str(tmp_path)}).test_client().get("/api/v1/changes?since=2026-01-01")
    assert response.status_code == 503 and response.get_json()["code"] == "unavailable"
