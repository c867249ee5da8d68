"""The web pages through Flask's test client: content, htmx fragments, caching and security headers,
and bad query strings (a proper page, never a 500)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from nis_library import create_app
from tests.support import REPO, ContentTree, build_hashing


@pytest.fixture(scope="module")
def client(shipped_instance: Path):
    return create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True}).test_client()


def page_text(response) -> str:
    return response.get_data(as_text=True)


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id":
                self.ids.append(value)


def parsed(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


# -- pages ---------------------------------------------------------------------------------------


def test_home_page_offers_search_and_the_five_areas(client):
    html = page_text(client.get("/"))
    assert '<form method="get" action="/search"' in html
    for area in (
        "executive-function",
        "motor-physical",
        "sensory",
        "social-emotional",
        "speech-language-communication",
    ):
        assert f'href="/areas/{area}"' in html
    assert "sample content" in html


def test_search_page_shows_count_snippets_tags_and_facet_counts(client):
    html = page_text(client.get("/search?q=noise"))
    count = re.search(r'<div id="result-count" role="status" aria-live="polite"[^>]*>\s*<h2[^>]*>([^<]+)</h2>', html)
    assert count and re.match(r"\d+ results for ‘noise’", count.group(1))
    assert "<mark>noise</mark>" in html
    assert "Evidence: " in html
    # tags are labels (issue 24), and one link says what they mean
    assert re.search(r'<strong class="govuk-tag govuk-tag--blue app-tag">.*?Universal</strong>', html)
    assert '<a class="govuk-tag' not in html
    assert '<a class="govuk-link" href="/glossary">What the labels on each item mean</a>' in html
    # every filter group, each value with a count; sub-components once their area is chosen
    for name in ("area", "layer", "phase", "kind", "setting", "evidence", "cost"):
        assert f'name="{name}"' in html
    assert 'name="subcomponent"' not in html
    with_area = page_text(client.get("/search?q=noise&area=sensory"))
    assert 'id="filter-subcomponent-internal-senses"' in with_area and "Sensory: sub-components" in with_area
    assert 'id="filter-subcomponent-attention"' not in with_area
    with_sub = page_text(client.get("/search?q=noise&subcomponent=attention"))
    assert re.search(r'id="filter-subcomponent-attention"[^>]*checked', with_sub)
    assert re.search(
        r'id="filter-layer-targeted"[^>]*>\s*<label[^>]*>\s*Targeted <span class="app-filter-count">\(\d+\)</span>',
        html,
    )


def test_selected_filters_are_checked_and_removable(client):
    html = page_text(client.get("/search?q=noise&layer=targeted&phase=primary"))
    assert re.search(r'id="filter-layer-targeted"[^>]*checked', html)
    assert 'href="/search?q=noise&amp;phase=primary">' in html  # remove "Targeted"
    assert 'href="/search?q=noise&amp;layer=targeted">' in html  # remove "Primary"
    assert 'href="/search?q=noise">Clear all filters' in html


def test_results_paginate_and_a_page_past_the_end_says_so(client):
    first = page_text(client.get("/search"))
    assert 'class="govuk-pagination' in first and 'href="/search?page=2"' in first
    assert '<ol class="app-results" start="1">' in first
    second = page_text(client.get("/search?page=2"))
    assert '<ol class="app-results" start="21">' in second
    far = client.get("/search?page=999")
    assert far.status_code == 200 and "There is no page 999" in page_text(far)


def test_no_results_page_helps(client):
    html = page_text(client.get("/search?q=xqzzyvvv&mode=keyword&layer=targeted"))
    assert "No results for ‘xqzzyvvv’" in html
    assert "search again without filters" in html and 'href="/areas"' in html


def test_a_misspelling_is_searched_corrected_with_a_link_to_the_words_as_typed(client):
    html = page_text(client.get("/search?q=handwritting&mode=keyword"))
    assert "Showing results for <strong>handwriting</strong>" in html
    link = 'href="/search?q=handwritting&amp;mode=keyword&amp;as_typed=1">handwritting</a>'
    assert f'Search instead for <a class="govuk-link" {link}' in html
    typed = page_text(client.get("/search?q=handwritting&mode=keyword&as_typed=1"))
    assert "No results for ‘handwritting’" in typed and "Showing results for" not in typed
    assert re.search(r'Did you mean <a class="govuk-link" href="/search\?q=handwriting&amp;mode=keyword">', typed)


def test_the_count_is_the_matches_and_less_related_items_follow_under_a_heading(client):
    html = page_text(client.get("/search?q=ear+defenders+for+the+noisy+hall"))
    count = re.search(r"(\d+) results? for", html)
    assert count and int(count.group(1)) < 34  # a third of the library
    matches, _, related = html.partition('id="less-closely-related"')
    assert related, "no 'Less closely related' heading"
    assert "Less closely related</h3>" in related and "not counted as results" in related
    assert len(re.findall(r'<li class="app-result">', matches)) == int(count.group(1))
    assert f'<ol class="app-results" start="{int(count.group(1)) + 1}">' in related


def test_as_typed_takes_only_1(client):
    response = client.get("/search?q=handwritting&as_typed=yes")
    assert response.status_code == 400 and "can only be 1 (search the words as typed)" in page_text(response)


def test_area_page_reads_the_graduated_offer_top_to_bottom(client):
    html = page_text(client.get("/areas/sensory"))
    positions = [
        html.index(f'id="layer-{layer}"') for layer in ("universal", "targeted", "targeted-plus", "specialist")
    ]
    assert positions == sorted(positions)
    assert "Proprioception, interoception and the vestibular sense." in html  # a sub-component's definition
    assert client.get("/areas/not-an-area").status_code == 404


def test_item_page_practical_sections_then_evidence_then_the_rest(client):
    html = page_text(client.get("/items/INT-0101"))
    order = [
        html.index(s)
        for s in (
            'id="what-it-is"',
            'id="how-to-do-it"',
            'id="who-and-when"',
            'class="app-evidence"',
            'id="watch-out-for"',
        )
    ]
    assert order == sorted(order)
    assert (
        "Strength</dt>" in html and "Emerging</strong>: " in html
    )  # strength with its definition (emerging since standards 2026.2)
    assert "What it shows</dt>" in html and "Positive results</strong>" in html  # since standards 2026.3
    assert "How we rated this" in html and "Indirectly: Pools many behaviour approaches" in html
    assert (
        'href="https://educationendowmentfoundation.org.uk/education-evidence/teaching-learning-toolkit/behaviour-interventions"'
        in html
    )
    assert "Who delivers it" in html and "Cost" in html and "Time" in html
    assert "Cite this version" in html and "http://localhost/items/INT-0101" in html
    assert "sample content" in html


def test_tools_and_interventions_link_both_ways(client):
    tool = page_text(client.get("/items/IDT-0001"))
    assert "What this tool leads to" in tool and 'href="/items/INT-0501"' in tool
    target = page_text(client.get("/items/INT-0501"))
    assert "Identification tools that lead here" in target and 'href="/items/IDT-0001"' in target


def test_packages_and_their_components_link_both_ways(client):
    package = page_text(client.get("/items/SPP-0001"))
    assert "Parts of this package" in package and 'href="/items/INT-0507"' in package
    assert "Need profile" in package and "Costing framework" in package
    component = page_text(client.get("/items/INT-0507"))
    assert "Packages that use this" in component and 'href="/items/SPP-0001"' in component


def test_unknown_items_are_404_in_the_service_design(client):
    for url in ("/items/INT-9999", "/items/not-an-id", "/nowhere"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page not found" in page_text(response) and "govuk-template" in page_text(response)


# -- htmx ------------------------------------------------------------------------------------------


def test_same_url_gives_a_fragment_to_htmx_and_a_page_otherwise(client):
    url = "/search?q=noise&layer=targeted"
    full = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "HX-Request" in full.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]
    assert page_text(full).lstrip().startswith("<!DOCTYPE html>")
    body = page_text(fragment)
    assert "<html" not in body and '<div id="search-results">' in body
    assert 'id="search-filters"' in body and 'hx-swap-oob="outerHTML"' in body
    assert '<div id="result-count" hx-swap-oob="innerHTML">' in body
    assert "<title>‘noise’" in body
    canonical = client.get("/search?q=noise&mode=hybrid&layer=targeted&area=&page=1", headers={"HX-Request": "true"})
    assert canonical.headers["HX-Push-Url"] == "/search?q=noise&layer=targeted"
    assert "HX-Push-Url" not in full.headers
    restore = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert page_text(restore).lstrip().startswith("<!DOCTYPE html>")


def test_htmx_is_configured_for_the_strict_policy(client):
    html = page_text(client.get("/search"))
    config = re.search(r'<meta name="htmx-config" content="([^"]+)">', html).group(1).replace("&#34;", '"')
    assert '"allowEval": false' in config and '"includeIndicatorStyles": false' in config
    assert not re.search(r"<script>(?!</script>)|<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=", html)


# -- headers and caching ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/search?q=noise", "/items/INT-0101", "/nowhere", "/search?page=-1"])
def test_security_headers_on_every_page(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_etags_and_answer_304(client):
    first = client.get("/items/INT-0101")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get("/items/INT-0101", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_fingerprinted_static_files_are_cached_for_a_year(client):
    html = page_text(client.get("/"))
    href = re.search(r'href="(/static/vendor/govuk/nis.css\?v=[0-9a-f]{16})"', html).group(1)
    with client.get(href) as response:
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
    with client.get("/static/vendor/govuk/nis.css?v=0000000000000000") as stale:
        assert "no-cache" in stale.headers["Cache-Control"]


# -- bad input -------------------------------------------------------------------------------------

BAD_QUERY_STRINGS = [
    ("colour=blue", "unknown parameter 'colour'"),
    ("q=a&q=b", "'q' appears more than once"),
    ("page=1&page=2", "'page' appears more than once"),
    ("page=-1", "'page' must be a whole number"),
    ("page=1000000000", "'page' must be a whole number"),
    ("page=abc", "'page' must be a whole number"),
    ("page=%20%202", "'page' must be a whole number"),  # one page, one address
    ("area=outer-space", "Unknown area of development 'outer-space'"),
    ("layer=targeted&layer=nope", "Unknown layer of support 'nope'"),
    ("mode=magic", "Unknown search mode 'magic'"),
    ("q=%ff%fe", "not valid text (invalid UTF-8)"),
    ("q%ff=1", "not valid text (invalid UTF-8)"),
]


@pytest.mark.parametrize("query, message", BAD_QUERY_STRINGS)
def test_bad_query_strings_get_a_400_page_that_explains(client, query, message):
    response = client.get(f"/search?{query}")
    assert response.status_code == 400
    html = page_text(response)
    assert "There is a problem with the address" in html
    assert message in html.replace("&#39;", "'")
    assert 'href="/search">Start a new search' in html


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "x" * 10_000,
        "q=" + "%F0%9F%98%80" * 2000,
        "q=%00%01%02",
        "q=%3Cscript%3Ealert(1)%3C/script%3E",
        "q=AND+OR+(((",
        "q=*:*",
        "q=title:x",
        "q=&area=&layer=",
        "q=" + "a+" * 3000,
    ],
)
def test_odd_but_valid_queries_get_a_results_page(client, query):
    response = client.get(f"/search?{query}")
    assert response.status_code == 200
    html = page_text(response)
    assert "<script>alert(1)" not in html
    if len(query) > 400:
        assert "Your search was shortened" in html


def test_missing_bundle_gives_a_503_page(tmp_path):
    client = create_app({"INSTANCE_DIR": str(tmp_path / "empty"), "TESTING": True}).test_client()
    response = client.get("/search?q=noise")
    assert response.status_code == 503
    assert "not available right now" in page_text(response)


def test_an_unexpected_error_gets_the_500_page_without_details(shipped_instance, monkeypatch):
    from nis_library.accounts import permissions

    monkeypatch.setitem(permissions.ENDPOINTS, "boom", permissions.PUBLIC)  # every endpoint needs a rule
    app = create_app({"INSTANCE_DIR": str(shipped_instance)})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = page_text(response)
    assert "Sorry, there is a problem with the service" in html and "secret internals" not in html


def test_wrong_method_is_405_in_the_service_design(client):
    response = client.post("/search")
    assert response.status_code == 405 and "govuk-template" in page_text(response)


# -- sanitising ------------------------------------------------------------------------------------


def test_item_markdown_is_sanitised_and_keeps_heading_ids(tree: ContentTree, instance: Path):
    tree.replace(
        "items/intervention/INT-0001.md",
        "## How to do it\n",
        "## How to do it\n\n### Before you start\n\n<script>alert('x')</script>\n"
        '<p onclick="steal()" style="color:red">Click</p> [bad](javascript:alert(1))\n\n',
    )
    build_hashing(tree, instance)
    client = create_app({"INSTANCE_DIR": str(instance), "TESTING": True}).test_client()
    html = page_text(client.get("/items/INT-0001"))
    assert '<h3 id="how-to-do-it-before-you-start" class="govuk-heading-m">Before you start</h3>' in html
    assert "alert('x')" not in html and "onclick" not in html and 'style="color' not in html
    assert "javascript:" not in html
    assert 'id="how-to-do-it"' in html


# -- configuration ---------------------------------------------------------------------------------


def test_configuration_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    monkeypatch.setenv("NIS_INSTANCE_DIR", str(instance))
    assert create_app().config["RESULTS_PER_PAGE"] == 20
    (instance / "config.py").write_text("RESULTS_PER_PAGE = 7\nSERVICE_NAME = 'From the file'\n")
    app = create_app()
    assert app.config["RESULTS_PER_PAGE"] == 7 and app.config["SERVICE_NAME"] == "From the file"
    monkeypatch.setenv("NIS_RESULTS_PER_PAGE", "11")
    app = create_app()
    assert app.config["RESULTS_PER_PAGE"] == 11 and app.config["SERVICE_NAME"] == "From the file"
    assert create_app({"RESULTS_PER_PAGE": 3}).config["RESULTS_PER_PAGE"] == 3


def test_results_per_page_setting_is_used(shipped_instance):
    client = create_app({"INSTANCE_DIR": str(shipped_instance), "RESULTS_PER_PAGE": 5}).test_client()
    html = page_text(client.get("/search"))
    assert html.count('class="app-result"') == 5


# -- design system ---------------------------------------------------------------------------------


def test_vendored_assets_match_the_pinned_packages():
    import json

    versions = json.loads((REPO / "nis_library/static/vendor/versions.json").read_text())
    lock = json.loads((REPO / "scripts/assets/package-lock.json").read_text())
    for name, version in versions.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert versions["govuk-frontend"] == "6.3.0"  # the release govuk-frontend-jinja 4.1.0 targets
    assert versions["htmx.org"].startswith("2.0.")
    css = (REPO / "nis_library/static/vendor/govuk/nis.css").read_text()
    assert "GDS Transport" not in css and "arial" in css.lower()


def test_no_crown_no_gov_uk_branding(client):
    html = page_text(client.get("/"))
    assert "govuk-logo" not in html and "govuk-header__logotype" not in html and "crest" not in html
    assert 'class="govuk-generic-header"' in html
    assert "//gov.uk" not in html and "www.gov.uk" not in html


def test_gunicorn_workers_load_the_model_before_their_first_request(shipped_instance, tmp_path):
    from types import SimpleNamespace

    from nis_library import gunicorn_conf
    from nis_library.search import get_service

    warnings = []
    log = SimpleNamespace(warning=lambda *args: warnings.append(args[0] % args[1:]), info=lambda *args: None)
    gunicorn_conf.post_worker_init(SimpleNamespace(wsgi=create_app({"INSTANCE_DIR": str(shipped_instance)}), log=log))
    service = get_service(shipped_instance)
    assert service._embedder is not None and service.embed_query.cache_info().currsize >= 1
    assert warnings == []
    gunicorn_conf.post_worker_init(SimpleNamespace(wsgi=create_app({"INSTANCE_DIR": str(tmp_path)}), log=log))
    assert len(warnings) == 1 and "not warmed up" in warnings[0] and "nis build" in warnings[0]
