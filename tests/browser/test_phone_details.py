"""Issue 24's phone details in a real browser at 390×844, JavaScript on and off: the search box
takes the whole width with its button below, a result's shortlist link is a target of at least
24 by 24 px (WCAG 2.2, 2.5.8), an item's title is larger than its summary, and every part of a
page is in a landmark."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .support import axe_rule_violations, goto

PHONE = {"width": 390, "height": 844}
JS = [pytest.param(True, id="js"), pytest.param(False, id="no-js")]
GOVUK_PAGE_MARGINS = 2 * 15  # GOV.UK's width container on a phone


def font_size(page: Page, selector: str) -> float:
    return page.locator(selector).first.evaluate("element => parseFloat(getComputedStyle(element).fontSize)")


@pytest.mark.parametrize("java_script", JS)
@pytest.mark.parametrize("path", ["/", "/search?q=noise"])
def test_on_a_phone_the_search_box_takes_the_width_and_its_button_sits_below(make_context, java_script, path):
    page = make_context(viewport=PHONE, java_script_enabled=java_script).new_page()
    goto(page, path)
    box = page.locator(".app-search input[type=search]").bounding_box()
    button = page.locator(".app-search .govuk-button").bounding_box()
    assert box is not None and button is not None
    assert box["width"] >= PHONE["width"] - GOVUK_PAGE_MARGINS - 1, box  # was 172 px beside its button
    assert button["y"] >= box["y"] + box["height"], (box, button)


@pytest.mark.parametrize("java_script", JS)
def test_on_a_phone_every_shortlist_link_is_a_24_px_target(make_context, java_script):
    page = make_context(viewport=PHONE, java_script_enabled=java_script).new_page()
    goto(page, "/search?q=noise")
    boxes = [link.bounding_box() for link in page.locator(".app-shortlist-toggle").all()]
    assert len(boxes) >= 5
    small = [box for box in boxes if box is None or box["height"] < 24 or box["width"] < 24]
    assert not small, small  # was 106 × 17 px


def test_on_a_phone_an_items_title_is_larger_than_its_summary(make_context):
    page = make_context(viewport=PHONE).new_page()
    goto(page, "/items/INT-0501")
    assert font_size(page, "h1.app-item-title") > font_size(page, ".app-item-summary")  # both were 21 px


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
@pytest.mark.parametrize("path", ["/", "/search?q=noise", "/items/INT-0501", "/glossary", "/recommendations"])
def test_everything_on_a_page_is_in_a_landmark(make_context, viewport, path):
    """axe's `region` rule (a best practice, outside the WCAG tags the other checks run): the
    sample banner sat outside every landmark, on every page."""
    page = make_context(viewport=viewport).new_page()
    goto(page, path)
    outside = axe_rule_violations(page, "region")
    assert outside == [], outside


@pytest.mark.parametrize("java_script", JS)
def test_an_item_reached_from_a_search_leads_back_to_its_results(make_context, java_script):
    """With JavaScript a "Back to results" link returns to the very search; without it the link is
    never offered (the browser's Back does it), and it never shows on an item opened directly."""
    page = make_context(viewport=PHONE, java_script_enabled=java_script).new_page()
    goto(page, "/search?q=noise&layer=targeted")
    with page.expect_navigation():
        page.locator("#search-results .app-result h3 a").first.click()
    back = page.get_by_role("link", name="Back to results")
    if java_script:
        expect(back).to_be_visible()
        assert back.get_attribute("href") == "/search?q=noise&layer=targeted"
    else:
        expect(back).to_be_hidden()
    goto(page, "/items/INT-0501")
    expect(back).to_be_hidden()
