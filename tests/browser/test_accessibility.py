"""axe-core (vendored, 4.11.1) finds no WCAG 2.2 AA problems on the service's pages, including the
search results htmx swaps in. axe needs JavaScript, so these pages are checked with it on; how the
pages work without JavaScript is covered by test_no_javascript.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .support import CONTENT, assert_accessible, goto


def first_item(kind: str) -> str:
    return sorted((CONTENT / "items" / kind).glob("*.md"))[0].stem


PAGES = [
    pytest.param("/", 200, id="home"),
    pytest.param("/search?q=noise", 200, id="search-results"),
    pytest.param("/search?q=reading&layer=targeted&phase=primary", 200, id="search-filtered"),
    pytest.param("/search?q=xqzzyvv", 200, id="search-no-results"),
    pytest.param("/search?q=handwritting+is+untidy", 200, id="search-spelling-corrected-and-less-related"),
    pytest.param("/search", 200, id="search-everything-paginated"),
    pytest.param("/areas", 200, id="areas"),
    pytest.param("/areas/sensory", 200, id="area-sensory"),
    pytest.param("/editions", 200, id="editions"),
    # The published history: the shipped content has two editions of each publication.
    pytest.param("/editions/standards/2026.1", 200, id="edition-out-of-cycle"),
    pytest.param("/reviews", 200, id="reviews"),
    pytest.param("/api", 200, id="api-page"),
    pytest.param("/items/INT-0407/history", 200, id="version-history"),
    pytest.param("/items/INT-0407/v/1", 200, id="version-superseded"),
    pytest.param("/items/INT-0502/diff?from=1&to=2", 200, id="diff"),
    pytest.param("/items/ADJ-0008", 200, id="item-withdrawn"),
    pytest.param("/evidence", 200, id="rating-method"),
    pytest.param("/items/PRA-0008", 200, id="item-how-we-rated-this"),
    pytest.param("/items/PRA-0008/print", 200, id="item-print-how-we-rated-this"),
    pytest.param("/items/INT-0407/v/9", 404, id="version-not-found"),
    *(
        pytest.param(f"/items/{first_item(kind)}", 200, id=f"item-{kind}")
        for kind in ("intervention", "identification-tool", "package")
    ),
    pytest.param("/items/ZZZ-9999", 404, id="not-found"),
    pytest.param("/search?page=-1", 400, id="bad-request"),
]


@pytest.mark.parametrize(("path", "status"), PAGES)
def test_page_has_no_axe_violations(page: Page, path: str, status: int):
    goto(page, path, status)
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)


def test_search_results_swapped_in_by_htmx_have_no_axe_violations(page: Page):
    goto(page, "/search")
    page.evaluate("() => { window.__marker = 1 }")
    page.locator("#search-q").fill("noise")
    expect(page.locator("#result-count")).to_contain_text("for ‘noise’")
    page.locator("#filter-layer-targeted").check()
    expect(page.locator("#search-results .app-selected-filters")).to_contain_text("Targeted")
    assert page.evaluate("() => window.__marker") == 1, "the page was reloaded: htmx did not swap the results in"
    assert_accessible(page)


def test_the_pages_of_a_search_swapped_in_by_htmx_have_no_axe_violations(page: Page):
    # A search now counts only its close matches (one page for most queries): everything pages.
    goto(page, "/search")
    page.evaluate("() => { window.__marker = 1 }")
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url("/search?page=2")
    expect(page.locator("ol.app-results")).to_have_attribute("start", "21")
    assert page.evaluate("() => window.__marker") == 1, "the page was reloaded: htmx did not swap the results in"
    assert_accessible(page)
