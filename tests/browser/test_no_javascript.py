"""With JavaScript switched off the service still works: the search is one ordinary GET form,
filters apply with a button, and removing a filter, paging and opening an item are plain links."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from .support import goto


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_javascript_really_is_off(nojs_page: Page):
    goto(nojs_page, "/")
    # enhance.js would add js-enabled to <body>; with scripts off it never runs.
    expect(nojs_page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))


def test_searching_from_the_home_page(nojs_page: Page):
    page = nojs_page
    goto(page, "/")
    page.locator("#home-q").fill("upset by noise")

    with page.expect_navigation():
        page.locator("#home-q").press("Enter")

    assert urlsplit(page.url).path == "/search"
    assert query(page)["q"] == ["upset by noise"]
    expect(page.locator("h1")).to_have_text("Search the library")
    expect(page.locator("#search-q")).to_have_value("upset by noise")
    expect(page.locator("#result-count")).to_have_text(re.compile(r"^\d+ results? for ‘upset by noise’$"))
    expect(page.locator("ol.app-results > li").first).to_be_visible()


def test_filters_apply_with_the_button_and_come_off_with_links(nojs_page: Page):
    page = nojs_page
    goto(page, "/search?q=noise")
    count = page.locator("#result-count")
    unfiltered = count.inner_text()
    tags = page.locator("#search-results .app-remove-filter")
    expect(tags).to_have_count(0)

    page.locator("#filter-layer-targeted").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()

    assert query(page)["layer"] == ["targeted"] and query(page)["q"] == ["noise"]
    expect(tags).to_have_text(["Remove filter Layer of support: Targeted"])
    expect(count).not_to_have_text(unfiltered)
    expect(page.locator("#filter-layer-targeted")).to_be_checked()

    with page.expect_navigation():
        tags.click()

    assert "layer" not in query(page) and query(page)["q"] == ["noise"]
    expect(tags).to_have_count(0)
    expect(count).to_have_text(unfiltered)
    expect(page.locator("#filter-layer-targeted")).not_to_be_checked()

    page.locator("#filter-layer-targeted").check()
    page.locator("#filter-area-sensory").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    expect(tags).to_have_count(2)
    assert query(page)["area"] == ["sensory"] and query(page)["layer"] == ["targeted"]

    with page.expect_navigation():
        page.get_by_role("link", name="Clear all filters").click()

    assert query(page) == {"q": ["noise"]}
    expect(tags).to_have_count(0)
    expect(page.locator("#search-results .app-selected-filters")).to_have_count(0)
    expect(count).to_have_text(unfiltered)
    expect(page.locator("#search-filters .govuk-checkboxes__input:checked")).to_have_count(0)


def test_paging_and_opening_an_item(nojs_page: Page, live_server: str):
    page = nojs_page
    goto(page, "/search")
    results = page.locator("ol.app-results > li")
    expect(results).to_have_count(20)
    first_page = results.locator("h3").all_inner_texts()

    with page.expect_navigation():
        page.get_by_role("navigation", name="Results pages").get_by_role("link", name="Next").click()

    assert query(page)["page"] == ["2"]
    expect(page.locator("ol.app-results")).to_have_attribute("start", "21")
    expect(page.locator(".govuk-pagination__item--current")).to_have_text("2")
    expect(results).to_have_count(20)
    assert not set(results.locator("h3").all_inner_texts()) & set(first_page)

    link = results.first.locator("h3 a")
    title = link.inner_text()
    href = link.get_attribute("href")
    assert href and re.fullmatch(r"/items/[A-Z]{3}-\d{4,6}", href)
    with page.expect_navigation():
        link.click()

    assert urlsplit(page.url).path == href
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".govuk-caption-l")).to_contain_text(href.rsplit("/", 1)[1])
    main_sections = page.locator("main .govuk-grid-column-two-thirds h2")
    assert main_sections.count() >= 3, main_sections.all_inner_texts()
    expect(page.locator(".app-evidence h3")).to_have_text("How we rated this")
    expect(page.locator("dl.app-glance dt").first).to_be_visible()
    cite = page.locator("#cite")
    expect(cite.get_by_role("heading", level=2)).to_have_text("Cite this version")
    latest = f"{live_server}{href}"
    expect(cite.get_by_role("link", name=latest, exact=True)).to_have_attribute("href", latest)
    this_version = cite.locator(f"a[href^='{latest}/v/']")
    expect(this_version).to_have_count(1)
    assert re.fullmatch(rf"{re.escape(latest)}/v/\d+", this_version.inner_text())
    expect(this_version).to_have_attribute("href", this_version.inner_text())
    expect(cite).to_contain_text(re.compile(r"version \d+"))


def test_comparing_two_versions_from_the_history_without_javascript(nojs_page: Page):
    goto(nojs_page, "/items/INT-0407/history")
    nojs_page.locator("#compare-from").select_option("1")
    nojs_page.locator("#compare-to").select_option("2")
    nojs_page.get_by_role("button", name="Compare").click()
    expect(nojs_page).to_have_url("/items/INT-0407/diff?from=1&to=2")
    expect(nojs_page.locator("h1")).to_have_text("What changed from version 1 to version 2")
    expect(nojs_page.locator("ins").first).to_be_visible()
    nojs_page.get_by_role("link", name="Version history").click()
    expect(nojs_page).to_have_url("/items/INT-0407/history")
