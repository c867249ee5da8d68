"""A query the library has nothing about says so, in every mode, with JavaScript on and off, on a
phone and a desktop: no count of "results", the words no item has, and any nearest items only under
"Related, but not about this" (issue 19)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from .support import assert_accessible, goto

NO_ANSWER = "flurbistat injections at school"
MODES = ("hybrid", "keyword", "semantic")
SIZES = {
    "narrow": {"width": 320, "height": 640},
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}


def says_it_has_nothing(page: Page) -> None:
    expect(page.locator("#result-count")).to_have_text(f"No results for ‘{NO_ANSWER}’")
    expect(page.locator("#no-match")).to_have_text(f"The library has nothing about ‘{NO_ANSWER}’.")
    expect(page.locator("#missing-words")).to_contain_text("No item mentions:")
    expect(page.locator("#missing-words")).to_contain_text("flurbistat")
    # Nothing is listed as a result: any nearest items come under their own heading, not counted.
    cards = page.locator("#search-results li.app-result")
    if cards.count():
        expect(page.locator("#less-closely-related")).to_have_text("Related, but not about this")
        assert page.locator("#less-closely-related ~ ol li.app-result").count() == cards.count()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("mode", MODES)
def test_a_query_with_no_answer_says_so(make_context, mode: str, javascript: bool, size: str):
    page = make_context(java_script_enabled=javascript, viewport=SIZES[size]).new_page()
    goto(page, "/search?" + urlencode({"q": NO_ANSWER, "mode": mode}))
    says_it_has_nothing(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SIZES[size]["width"]
    if javascript:
        assert_accessible(page)


def test_searching_again_in_place_says_so_too(page: Page):
    goto(page, "/search?q=noise")
    expect(page.locator("#result-count")).to_have_text(re.compile(r"^\d+ results? for ‘noise’$"))
    page.evaluate("() => { window.__marker = 1 }")
    page.locator("#search-q").fill("")
    page.locator("#search-q").press_sequentially(NO_ANSWER, delay=30)
    says_it_has_nothing(page)
    assert page.evaluate("() => window.__marker") == 1, "the page was loaded again: htmx did not swap the results"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_topic_outside_the_library_points_elsewhere_above_the_results(make_context, javascript: bool):
    page = make_context(java_script_enabled=javascript, viewport=SIZES["phone"]).new_page()
    goto(page, "/search?" + urlencode({"q": "my son needs insulin at lunchtime"}))
    notice = page.locator("#search-results .app-scope-notice")
    expect(notice).to_contain_text("The library does not cover managing medical conditions and medicines.")
    expect(notice.locator("a[href^='https://www.gov.uk/']").first).to_be_visible()
    # above anything listed
    notice_top = notice.bounding_box()["y"]
    for card in page.locator("#search-results li.app-result").all():
        assert card.bounding_box()["y"] > notice_top
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SIZES["phone"]["width"]
    if javascript:
        assert_accessible(page)
