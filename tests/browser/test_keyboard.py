"""Keyboard-only use: the skip link is the first Tab stop, and the filter panel can be worked
with Tab and Space; htmx redraws the panel around the checkbox without losing the focus."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from .support import goto

ACTIVE_ID = "() => document.activeElement && document.activeElement.id"
MARK_CHECKBOXES = "() => document.querySelectorAll('#search-filters input').forEach(i => i.dataset.beforeSwap = '1')"


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def tab_to(page: Page, element_id: str, limit: int = 15) -> int:
    """Presses Tab until the element with `element_id` has the focus; returns how many presses."""
    seen = []
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(ACTIVE_ID))
        if seen[-1] == element_id:
            return presses
    raise AssertionError(f"Tab never reached #{element_id}; the focus went to: {seen}")


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(page: Page):
    goto(page, "/search?q=noise")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to main content")
    expect(skip).to_have_attribute("href", "#main-content")
    expect(skip).to_be_in_viewport()  # shown when focused, for sighted keyboard users

    page.keyboard.press("Enter")

    assert urlsplit(page.url).fragment == "main-content"
    assert page.evaluate(ACTIVE_ID) == "main-content"  # GOV.UK Frontend moves the focus, not just the view
    page.keyboard.press("Tab")  # and Tab carries on from inside <main>
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_ticking_filters_with_the_keyboard_keeps_the_focus(page: Page):
    goto(page, "/search?q=noise")
    page.evaluate("() => { window.__marker = 1 }")
    tags = page.locator("#search-results .app-remove-filter")
    page.locator("#search-q").focus()

    tab_to(page, "filter-area-sensory")
    page.evaluate(MARK_CHECKBOXES)
    page.keyboard.press("Space")

    expect(tags).to_have_count(1)
    expect(tags).to_contain_text("Sensory")
    assert query(page)["area"] == ["sensory"]
    sensory = page.locator("#filter-area-sensory")
    expect(sensory).to_be_checked()
    expect(page.locator("#search-filters input[data-before-swap]")).to_have_count(0)  # all redrawn,
    expect(sensory).to_be_focused()  # yet the focus is back on the box just ticked

    assert tab_to(page, "filter-area-social-emotional", limit=1) == 1  # Tab goes on to the next box
    page.keyboard.press("Space")

    expect(tags).to_have_count(2)
    assert query(page)["area"] == ["sensory", "social-emotional"]
    expect(page.locator("#filter-area-social-emotional")).to_be_checked()
    expect(page.locator("#filter-area-social-emotional")).to_be_focused()
    expect(sensory).to_be_checked()
    assert page.evaluate("() => window.__marker") == 1, "the page was loaded again: htmx did not update it"


def test_keyboard_users_can_skip_the_filters_to_the_results(page: Page):
    goto(page, "/search?q=noise")
    page.locator("#search-q").focus()
    for _ in range(10):  # past the search button and the match radios to the filter panel's first stop
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Skip the filters, go to the results":
            break
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip the filters, go to the results")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate(ACTIVE_ID) == "result-count"
    page.keyboard.press("Tab")  # the next stop is in the results, not another filter
    assert page.evaluate("() => document.querySelector('#search-results').contains(document.activeElement)")
