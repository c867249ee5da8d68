"""The search page with JavaScript: htmx updates the results in place as the visitor types or ticks
a filter, pushes each state's address, and Back shows the state before. Every pushed address
also works as an ordinary page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from .support import allow_console_errors, goto

MARK = "() => { window.__marker = 1 }"
MARKED = "() => window.__marker"


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def assert_no_page_load(page: Page) -> None:
    assert page.evaluate(MARKED) == 1, "the page was loaded again: htmx did not update it in place"


def test_typing_a_query_updates_the_results_in_place(page: Page):
    goto(page, "/search")
    count = page.locator("#result-count")
    expect(count).not_to_contain_text("noise")
    first_before = page.locator("#search-results .app-result h3").first.inner_text()
    page.evaluate(MARK)

    page.locator("#search-q").press_sequentially("noise", delay=50)

    expect(count).to_contain_text(re.compile(r"^\d+ results? for ‘noise’$"))
    assert_no_page_load(page)
    assert query(page)["q"] == ["noise"]  # hx-push-url: the state can be shared
    expect(page).to_have_url("/search?q=noise")  # the canonical address, not the raw form fields
    expect(page).to_have_title(re.compile(r"^‘noise’"))  # the partial's <title> is applied
    expect(page.locator("#search-results .app-result h3").first).not_to_have_text(first_before)
    expect(page.locator("#search-results .app-snippet mark").first).to_be_visible()
    expect(page.locator("h1")).to_have_count(1)  # a partial, not a page inside the page


def test_ticking_a_filter_updates_results_counts_and_address_in_place(page: Page):
    goto(page, "/search?q=noise")
    count = page.locator("#result-count")
    panel = page.locator("#search-filters")
    total_before = int(count.inner_text().split()[0])
    panel_before = panel.inner_text()
    expect(page.locator("#search-results .app-selected-filters")).to_have_count(0)
    page.evaluate(MARK)

    page.locator("#filter-layer-targeted").check()

    tags = page.locator("#search-results .app-remove-filter")
    expect(tags).to_have_count(1)
    expect(tags).to_have_text("Remove filter Layer of support: Targeted")
    assert query(page)["layer"] == ["targeted"]
    assert query(page)["q"] == ["noise"]
    total_after = int(count.inner_text().split()[0])
    assert 0 < total_after < total_before
    expect(panel).not_to_have_text(panel_before)  # the counts beside the other filters were redrawn
    sensory_label = page.locator("label[for='filter-area-sensory']")
    expect(sensory_label).not_to_have_text(re.search(r"Sensory \(\d+\)", panel_before).group(0))
    expect(page.locator("#filter-layer-targeted")).to_be_checked()
    assert_no_page_load(page)

    tags.click()  # the tag is a boosted link: still no page load

    expect(page.locator("#search-results .app-selected-filters")).to_have_count(0)
    expect(count).to_have_text(f"{total_before} results for ‘noise’")
    expect(page.locator("#filter-layer-targeted")).not_to_be_checked()
    expect(panel).to_have_text(panel_before)
    assert "layer" not in query(page)
    assert_no_page_load(page)


def test_back_shows_the_state_before(page: Page):
    goto(page, "/search")
    count = page.locator("#result-count")
    everything = count.inner_text()
    page.locator("#search-q").fill("noise")  # one input event: one request
    expect(count).to_contain_text("for ‘noise’")
    noise = count.inner_text()
    page.locator("#filter-layer-targeted").check()
    expect(page.locator("#search-results .app-remove-filter")).to_have_count(1)
    filtered = count.inner_text()
    assert len({everything, noise, filtered}) == 3

    page.go_back()

    expect(count).to_have_text(noise)
    assert query(page).get("q") == ["noise"] and "layer" not in query(page)
    expect(page.locator("#search-q")).to_have_value("noise")
    expect(page.locator("#filter-layer-targeted")).not_to_be_checked()
    expect(page.locator("#search-results .app-selected-filters")).to_have_count(0)

    page.go_back()

    expect(count).to_have_text(everything)
    expect(page.locator("#search-q")).to_have_value("")
    assert urlsplit(page.url).path == "/search" and query(page) == {}

    page.go_forward()

    expect(count).to_have_text(noise)
    expect(page.locator("#search-q")).to_have_value("noise")


def test_the_next_page_link_updates_the_results_in_place(page: Page):
    goto(page, "/search")
    count = page.locator("#result-count")
    expect(count).to_have_text(re.compile(r"^\d+ results$"))
    total = int(count.inner_text().split()[0])
    assert total > 40, "the shipped content should fill at least three pages of 20"
    results = page.locator("ol.app-results > li")
    expect(results).to_have_count(20)
    first_page_titles = results.locator("h3").all_inner_texts()
    page.evaluate(MARK)

    page.get_by_role("navigation", name="Results pages").get_by_role("link", name="Next").click()

    expect(page.locator("ol.app-results")).to_have_attribute("start", "21")
    assert query(page)["page"] == ["2"]
    expect(page.locator(".govuk-pagination__item--current")).to_have_text("2")
    expect(page).to_have_title(re.compile(r"page 2 of \d+"))
    expect(results).to_have_count(20)
    assert not set(results.locator("h3").all_inner_texts()) & set(first_page_titles)
    expect(count).to_have_text(f"{total} results")
    assert_no_page_load(page)


def test_a_pushed_address_opens_as_a_whole_page(page: Page, make_context):
    goto(page, "/search?q=noise")
    tags = page.locator("#search-results .app-remove-filter")
    page.locator("#filter-layer-targeted").check()
    expect(tags).to_have_count(1)  # one update at a time: no request is aborted
    page.locator("#filter-phase-primary").check()
    expect(tags).to_have_count(2)
    pushed = page.url
    count_text = page.locator("#result-count").inner_text()
    panel_text = page.locator("#search-filters").inner_text()

    for fresh in (make_context().new_page(), make_context(java_script_enabled=False).new_page()):
        response = fresh.goto(pushed)
        assert response is not None and response.status == 200
        assert "<!DOCTYPE html>" in response.text()
        expect(fresh.locator("h1")).to_have_text("Search the library")
        expect(fresh.locator("header.govuk-template__header")).to_have_count(1)
        expect(fresh.locator("#search-q")).to_have_value("noise")
        expect(fresh.locator("#filter-layer-targeted")).to_be_checked()
        expect(fresh.locator("#filter-phase-primary")).to_be_checked()
        expect(fresh.locator("#filter-layer-universal")).not_to_be_checked()
        expect(fresh.locator("#result-count")).to_have_text(count_text)
        expect(fresh.locator("#search-filters")).to_have_text(panel_text)
        expect(fresh.locator("#search-results .app-remove-filter")).to_have_count(2)


def test_a_filter_ticked_while_the_last_update_is_loading_is_kept(page: Page):
    """Two quick ticks: the second must not be lost when the first's response redraws the panel.
    The form's hx-sync="this:replace" makes the second request replace the first (htmx aborts the
    first, and logs that to the console as htmx:sendAbort and htmx:afterRequest)."""
    goto(page, "/search?q=noise")
    aborted = allow_console_errors(page, "htmx:sendAbort", "htmx:afterRequest")
    held = []

    def hold_the_first_update(route):
        if route.request.headers.get("hx-request") == "true" and not held:
            held.append(route)  # answered only after the second tick
        else:
            route.continue_()

    page.route("**/search?*", hold_the_first_update)
    with page.expect_request(lambda r: "layer=targeted" in r.url):
        page.locator("#filter-layer-targeted").check()
    page.locator("#filter-phase-primary").check()
    held[0].continue_()  # the first answer arrives last (unless aborted)

    tags = page.locator("#search-results .app-remove-filter")
    expect(tags).to_have_count(2)
    expect(tags).to_have_text(["Remove filter Layer of support: Targeted", "Remove filter Phase: Primary (5 to 11)"])
    expect(page.locator("#filter-layer-targeted")).to_be_checked()
    expect(page.locator("#filter-phase-primary")).to_be_checked()
    assert query(page)["layer"] == ["targeted"] and query(page)["phase"] == ["primary"]
    assert any(m.startswith("htmx:sendAbort") for m in aborted), "the first request was not aborted"
