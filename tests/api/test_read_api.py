"""The read API on the shipped content: search as the search page does, items a page at a time with
cursors and `Link` headers, latest and immutable versions with absolute URIs and links, taxonomy,
editions, the document itself; ETags and 304s on every GET, and how long each answer may be cached."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import yaml

from nis_library import create_app
from nis_library.web.json_api import tokens
from tests.support import REPO

PUBLIC = "https://nis.example.org"
GETS = [
    "/api/v1/search?q=working+memory",
    "/api/v1/items",
    "/api/v1/items/INT-0407",
    "/api/v1/items/INT-0407/v/1",
    "/api/v1/taxonomy",
    "/api/v1/editions",
    "/api/v1/editions/standards/2026.1",
    "/api/v1/changes?since=2026-01-01",
    "/api/v1/recommendations",
    "/api/v1/recommendations/R-2026-S-05",
    "/api/v1/openapi.yaml",
]


@pytest.fixture(scope="module")
def public_client(shipped_instance: Path, register_url: str):
    """Behind a proxy, with the public address set: every URI must use it, never the Host header."""
    app = create_app(
        {
            "INSTANCE_DIR": str(shipped_instance),
            "DATABASE_URL": register_url,
            "TESTING": True,
            "PUBLIC_URL": PUBLIC,
            "API_ADDRESS_LIMIT": 0,
        }
    )
    return app.test_client()


def next_link(response) -> str | None:
    match = re.search(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
    return match.group(1) if match else None


# -- search -----------------------------------------------------------------------------------------


def test_search_gives_the_search_pages_results_with_facets_and_why_each_matched(client):
    from nis_library.search.bundle_search import search

    response = client.get("/api/v1/search?q=working+memory")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    expected = search(Path(client.application.config["INSTANCE_DIR"]), "working memory", per_page=20)
    assert [r["id"] for r in data["results"]] == [hit.id for hit in expected.hits]
    assert data["total"] == expected.total > 0 and data["mode"] == "hybrid"
    assert all(set(r["matched_by"]) <= {"words", "meaning"} and r["matched_by"] for r in data["results"])
    assert any("words" in r["matched_by"] for r in data["results"])
    area = next(f for f in data["facets"] if f["name"] == "area")
    assert sum(v["count"] for v in area["values"]) > 0 and all(v["selected"] is False for v in area["values"])


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
@pytest.mark.parametrize("q", ["noise", "working memory", "flurbistat injections at school", "can't sit still"])
def test_total_is_exactly_the_results_marked_as_matches_over_every_page(client, q, mode):
    """`total` means "this answers you": the results with `match: true`, every one of them, first;
    the related ones follow, `match: false`, counted in `related` and never in `total`."""
    results, url, first = [], "/api/v1/search?" + urlencode({"q": q, "mode": mode}), None
    while url:
        response = client.get(url)
        assert response.status_code == 200
        first = first or response.get_json()
        results += response.get_json()["results"]
        url = next_link(response)
        url = url and url.replace(PUBLIC, "")
    flags = [r["match"] for r in results]
    assert first["total"] == flags.count(True) and first["related"] == flags.count(False)
    assert flags == sorted(flags, reverse=True)  # every match before every related result
    assert all(r["why"] for r in results)


def test_a_query_with_no_answer_counts_nothing_and_names_the_missing_words(client):
    data = client.get("/api/v1/search?q=flurbistat+injections+at+school").get_json()
    assert data["total"] == 0 and all(r["match"] is False for r in data["results"])
    assert "flurbistat" in data["missing_words"] and "injections" in data["missing_words"]


def test_a_topic_outside_the_library_comes_with_its_places_to_go(client):
    data = client.get("/api/v1/search?q=appeal+to+the+tribunal").get_json()
    topic = next(t for t in data["out_of_scope"] if t["id"] == "ehc-assessments-and-appeals")
    assert topic["title"] and topic["about"] and topic["go_to"]
    assert all(place["url"].startswith("https://") and place["name"] and place["for"] for place in topic["go_to"])
    assert client.get("/api/v1/search?q=noise").get_json()["out_of_scope"] == []


def test_search_filters_are_checked_as_the_search_page_checks_them(client):
    filtered = client.get("/api/v1/search?q=noise&area=sensory").get_json()
    assert filtered["filters"] == {"area": ["sensory"]}
    assert all("sensory" in r["areas"] for r in filtered["results"])
    bad = client.get("/api/v1/search?q=noise&area=moonlight")
    assert bad.status_code == 400 and bad.get_json()["code"] == "invalid-parameter"
    assert "Valid values" in bad.get_json()["detail"]
    page = client.get("/api/v1/search?q=noise&page=02")  # the page's own rule: one page, one address
    assert page.status_code == 400 and page.get_json()["code"] == "invalid-parameter"
    unknown = client.get("/api/v1/search?q=noise&colour=red")
    assert unknown.status_code == 400 and unknown.get_json()["code"] == "unknown-parameter"
    invalid_utf8 = client.get("/api/v1/search?q=%ff")
    assert invalid_utf8.status_code == 400 and invalid_utf8.get_json()["code"] == "invalid-parameter"


def test_search_pages_are_linked_with_absolute_urls(public_client):
    first = public_client.get("/api/v1/search?mode=keyword")  # no words: every item, so several pages
    data = first.get_json()
    assert data["pages"] > 1
    assert next_link(first) == f"{PUBLIC}/api/v1/search?mode=keyword&page=2"
    second = public_client.get("/api/v1/search?mode=keyword&page=2")
    assert f'<{PUBLIC}/api/v1/search?mode=keyword>; rel="prev"' in second.headers["Link"]
    last = public_client.get(f"/api/v1/search?mode=keyword&page={data['pages']}")
    assert next_link(last) is None


# -- items ------------------------------------------------------------------------------------------


def test_items_come_a_page_at_a_time_following_the_next_link(public_client):
    seen, url, pages = [], "/api/v1/items?limit=7", 0
    while url:
        response = public_client.get(url.removeprefix(PUBLIC))
        assert response.status_code == 200
        data = response.get_json()
        assert data["links"]["next"] == next_link(response)
        seen += [item["id"] for item in data["items"]]
        assert len(data["items"]) <= 7
        url, pages = data["links"]["next"], pages + 1
    assert seen == sorted(seen) and len(seen) == len(set(seen)) and pages == -(-len(seen) // 7)
    everything = public_client.get("/api/v1/items?limit=200").get_json()
    assert [i["id"] for i in everything["items"]] == seen and everything["links"]["next"] is None
    withdrawn = [i for i in everything["items"] if i["status"] == "withdrawn"]
    assert withdrawn, "the shipped history withdraws ADJ-0008"


def test_a_listed_item_has_its_latest_version_and_absolute_links(public_client):
    item = next(i for i in public_client.get("/api/v1/items?limit=200").get_json()["items"] if i["id"] == "INT-0407")
    assert item["version"] == 4 and item["uri"] == f"{PUBLIC}/items/INT-0407/v/4"
    assert item["links"] == {
        "self": f"{PUBLIC}/api/v1/items/INT-0407",
        "version": f"{PUBLIC}/api/v1/items/INT-0407/v/4",
        "history": f"{PUBLIC}/items/INT-0407/history",
    }


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "next",
        "not base64 at all!",
        "eyJ2IjoxLCJhZnRlciI6IkFESi0wMDAxIn0",  # {"v":1,"after":"ADJ-0001"}, the old unsigned form
        "IkFESi0wMDAxIg.AAAAAAAAAAAAAAAAAAAAAAAAAAA",  # "ADJ-0001" with a made-up signature
        "x" * 501,
    ],
)
def test_a_cursor_the_api_did_not_give_out_is_a_400_with_a_stable_code(client, cursor):
    response = client.get("/api/v1/items", query_string={"cursor": cursor})
    assert response.status_code == 400 and response.get_json()["code"] == "invalid-cursor"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_cursor_altered_or_given_for_another_list_is_refused(app, client):
    next_url = client.get("/api/v1/items?limit=2").get_json()["links"]["next"]
    cursor = parse_qs(urlsplit(next_url).query)["cursor"][0]
    assert client.get("/api/v1/items", query_string={"cursor": cursor}).status_code == 200
    payload, _, signature = cursor.rpartition(".")
    with app.test_request_context():
        for_links = tokens.write("isp-links", {"client": 1, "after": 2})
        other_payload = tokens.write("items", "ADJ-0001").rpartition(".")[0]
    altered = [
        f"{other_payload}.{signature}",  # another position under this signature
        f"{payload}.{signature[:-2]}",  # a cut signature
        for_links,  # signed, but for another list
    ]
    for bad in altered:
        response = client.get("/api/v1/items", query_string={"cursor": bad})
        assert response.status_code == 400 and response.get_json()["code"] == "invalid-cursor", bad


@pytest.mark.parametrize("limit", ["0", "201", "ten", "07", "-1", "１"])
def test_a_limit_out_of_range_is_refused(client, limit):
    response = client.get(f"/api/v1/items?limit={limit}")
    assert response.status_code == 400 and response.get_json()["code"] == "invalid-parameter"


def test_the_latest_version_and_a_fixed_version_with_absolute_uris_and_links(public_client):
    latest = public_client.get("/api/v1/items/INT-0407")
    data = latest.get_json()
    assert data["id"] == "INT-0407" and data["version"] == 4
    assert data["uri"] == f"{PUBLIC}/items/INT-0407/v/4"
    assert data["links"] == {
        "self": f"{PUBLIC}/api/v1/items/INT-0407/v/4",
        "latest": f"{PUBLIC}/api/v1/items/INT-0407",
        "history": f"{PUBLIC}/items/INT-0407/history",
        "replaced_by": None,
    }
    assert data["sections"] and all(s["html"] and s["anchor"] for s in data["sections"])
    old = public_client.get("/api/v1/items/INT-0407/v/1").get_json()
    assert old["version"] == 1 and old["uri"] == f"{PUBLIC}/items/INT-0407/v/1" and old["title"]
    assert latest.get_json() == public_client.get("/api/v1/items/INT-0407/v/4").get_json()


def test_a_withdrawn_item_links_to_its_replacement(public_client):
    data = public_client.get("/api/v1/items/ADJ-0008").get_json()
    assert data["status"] == "withdrawn"
    assert data["links"]["replaced_by"] == f"{PUBLIC}/api/v1/items/INT-0407"


@pytest.mark.parametrize(
    "path, code",
    [
        ("/api/v1/items/INT-9999", "item-not-found"),
        ("/api/v1/items/not-an-id", "item-not-found"),
        ("/api/v1/items/INT-0407/v/7", "version-not-found"),
        ("/api/v1/items/INT-9999/v/1", "item-not-found"),
        ("/api/v1/items/INT-0407/v/01", "not-found"),  # one version, one address
        ("/api/v1/editions/standards/1999", "edition-not-found"),
        ("/api/v1/nothing-here", "not-found"),
    ],
)
def test_what_does_not_exist_is_a_json_404_with_a_stable_code(client, path, code):
    response = client.get(path)
    assert response.status_code == 404 and response.get_json()["code"] == code


# -- taxonomy and editions --------------------------------------------------------------------------


def test_taxonomy_lists_every_vocabulary_and_the_publications(client):
    data = client.get("/api/v1/taxonomy").get_json()
    taxonomy = yaml.safe_load((REPO / "content" / "taxonomy.yaml").read_text())
    assert [a["id"] for a in data["taxonomy"]["areas"]] == [a["id"] for a in taxonomy["areas"]]
    assert {p["id"] for p in data["publications"]} == {"standards", "packages"}


def test_editions_newest_first_and_one_edition_with_its_changes(public_client):
    editions = public_client.get("/api/v1/editions").get_json()["editions"]
    dates = [e["published"] for e in editions]
    assert dates == sorted(dates, reverse=True)
    amendment = next(e for e in editions if (e["publication"], e["edition"]) == ("standards", "2026.1"))
    assert amendment["links"]["self"] == f"{PUBLIC}/api/v1/editions/standards/2026.1"
    detail = public_client.get("/api/v1/editions/standards/2026.1").get_json()
    assert detail["previous"] == "2026" and detail["item_count"] == len(detail["contents"])
    assert "INT-0407" in {v["id"] for v in detail["substantive"]}
    assert {"id": "INT-0407", "version": 2} in [{"id": c["id"], "version": c["version"]} for c in detail["contents"]]


# -- the recommendation register -------------------------------------------------------------------


def test_the_register_lists_every_public_recommendation_and_no_draft(public_client):
    data = public_client.get("/api/v1/recommendations").get_json()
    ids = [r["id"] for r in data["recommendations"]]
    assert data["count"] == len(ids) == 7 and ids == sorted(ids)  # the sample publishes seven
    assert "R-2026-S-06" not in ids  # the sample's draft
    assert public_client.get("/api/v1/recommendations/R-2026-S-06").status_code == 404


def test_one_recommendation_with_its_response_and_addresses(public_client):
    data = public_client.get("/api/v1/recommendations/R-2026-S-05").get_json()
    assert data["status"] == "not-accepted" and data["response"] == "not-accepted"
    assert "two-year cycle" in data["explanation"]
    assert data["links"] == {
        "self": f"{PUBLIC}/api/v1/recommendations/R-2026-S-05",
        "html": f"{PUBLIC}/recommendations/R-2026-S-05",
    }


def test_the_register_filters_as_its_page_does(client):
    withdrawn = client.get("/api/v1/recommendations?status=withdrawn").get_json()
    assert withdrawn["count"] >= 1 and all(r["status"] == "withdrawn" for r in withdrawn["recommendations"])
    unknown_value = client.get("/api/v1/recommendations?status=forgotten")
    assert unknown_value.status_code == 400 and unknown_value.get_json()["code"] == "invalid-parameter"
    unknown_name = client.get("/api/v1/recommendations?colour=red")
    assert unknown_name.status_code == 400 and unknown_name.get_json()["code"] == "unknown-parameter"
    for missing in ("R-2026-S-99", "not-an-id"):
        response = client.get(f"/api/v1/recommendations/{missing}")
        assert response.status_code == 404 and response.get_json()["code"] == "recommendation-not-found"


# -- caching ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", GETS)
def test_every_get_has_an_etag_and_answers_if_none_match_with_a_304(client, path):
    first = client.get(path)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


@pytest.mark.parametrize("path", [p for p in GETS if "/v/" not in p])
def test_answers_that_move_on_are_cached_for_api_max_age(client, path):
    response = client.get(path)
    assert response.cache_control.public and response.cache_control.max_age == 300
    assert not response.cache_control.immutable


def test_a_version_address_is_cached_for_a_year_as_immutable(client):
    response = client.get("/api/v1/items/INT-0407/v/1")
    assert response.cache_control.immutable and response.cache_control.max_age == 31536000
    assert response.cache_control.public


# -- the document and the page ---------------------------------------------------------------------


def test_the_document_is_served_as_yaml_and_is_valid_openapi(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.yaml")
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    assert response.get_data(as_text=True) == (REPO / "openapi.yaml").read_text(encoding="utf-8")
    validate(yaml.safe_load(response.get_data(as_text=True)))  # raises on any breach of OpenAPI 3.1


def test_every_route_under_the_api_is_documented(app):
    """The document is the contract: a route added without documenting it fails here."""
    spec = yaml.safe_load((REPO / "openapi.yaml").read_text())
    documented = {re.sub(r"\{[^}]+\}", "<>", path) for path in spec["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            assert re.sub(r"<[^>]+>", "<>", rule.rule) in documented, rule.rule
