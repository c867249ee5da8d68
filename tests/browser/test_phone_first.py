"""Issue 14 in a real browser, on a phone (390×844) and a desktop (1280×900), with JavaScript on
and off: the first result and an item's facts come early on a phone, no page is wider than a 320 px
screen, the filters fold behind one control on a phone and sit beside the results on a desktop,
the shortlist and the printable summary work, and axe finds nothing on the new pages."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from . import support
from .stress_items import page_stress_items, print_stress_items
from .support import CONTENT, assert_accessible, goto

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SMALLEST = {"width": 320, "height": 640}
JS = [pytest.param(True, id="js"), pytest.param(False, id="no-js")]


def first_item(kind: str) -> str:
    return sorted((CONTENT / "items" / kind).glob("*.md"))[0].stem


def bottom(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box["y"] + box["height"]


@pytest.mark.parametrize("java_script", JS)
@pytest.mark.parametrize("query", ["noise", "can't sit still", "handwriting"])
def test_on_a_phone_the_first_result_is_within_900_px(make_context, java_script, query):
    page = make_context(viewport=PHONE, java_script_enabled=java_script).new_page()
    goto(page, f"/search?q={query}")
    assert bottom(page, "#search-results .app-result h3") <= 900
    expect(page.locator("#search-filters")).not_to_be_visible()  # folded behind "Filter"
    expect(page.locator(".app-filter-toggle__summary")).to_be_visible()


@pytest.mark.parametrize("java_script", JS)
def test_on_a_desktop_the_filters_sit_beside_the_results(make_context, java_script):
    page = make_context(viewport=DESKTOP, java_script_enabled=java_script).new_page()
    goto(page, "/search?q=noise")
    expect(page.locator("#filter-layer-targeted")).to_be_visible()
    expect(page.locator(".app-filter-toggle__summary")).to_be_hidden()
    panel, results = page.locator("#search-filters").bounding_box(), page.locator("#search-results").bounding_box()
    assert panel["x"] + panel["width"] <= results["x"]  # side by side
    assert bottom(page, "#search-results .app-result h3") <= 900


def test_on_a_phone_without_javascript_filters_open_apply_and_return_to_the_results(make_context):
    page = make_context(viewport=PHONE, java_script_enabled=False).new_page()
    goto(page, "/search?q=noise")
    toggle = page.locator(".app-filter-toggle__summary")
    expect(toggle).to_have_text("Filter (none selected)")
    toggle.click()
    page.locator("#filter-layer-targeted").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()

    parts = urlsplit(page.url)
    assert parse_qs(parts.query)["layer"] == ["targeted"] and parts.fragment == "result-count"
    expect(toggle).to_have_text("Filter (1 selected)")
    expect(page.locator("#result-count")).to_be_in_viewport()  # back at the results, not the top
    expect(page.locator("#search-filters")).not_to_be_visible()


def test_on_a_phone_with_javascript_the_filter_count_follows_the_ticks(make_context):
    page = make_context(viewport=PHONE).new_page()
    goto(page, "/search?q=noise")
    page.evaluate("() => { window.__marker = 1 }")
    toggle = page.locator(".app-filter-toggle__summary")
    toggle.click()
    page.locator("#filter-layer-targeted").check()
    expect(toggle).to_have_text("Filter (1 selected)")
    expect(page.locator("#filter-layer-targeted")).to_be_visible()  # the panel stays open
    page.locator("#filter-phase-primary").check()
    expect(toggle).to_have_text("Filter (2 selected)")
    assert page.evaluate("() => window.__marker") == 1, "the page was loaded again"


# The items that stress the layout most (tests/browser/stress_items.py); tests/web/test_item_lengths.py
# checks without a browser that no other item is longer, so these cover every item.
PAGE_STRESS_ITEMS = page_stress_items()
PRINT_STRESS_ITEMS = print_stress_items()
FACTS = ["Who delivers it", "Time", "Training", "Cost", "Evidence", "Layer of support"]
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture(scope="module")
def item_pages(browser, live_server):
    """One page for each width with JavaScript on and off, kept open across the many item pages
    the facts test loads (a context for each of those would take minutes). Any console error or
    uncaught exception on them fails the test that opened the page."""
    pages = {}
    for width, viewport in VIEWPORTS.items():
        for java_script in (True, False):
            context = browser.new_context(base_url=live_server, viewport=viewport, java_script_enabled=java_script)
            pages[width, java_script] = (context.new_page(), support.watch(context))
    yield pages
    for page, _ in pages.values():
        page.context.close()
        support.forget(page.context)


@pytest.mark.parametrize("java_script", JS)
@pytest.mark.parametrize("width", list(VIEWPORTS))
@pytest.mark.parametrize("item_id", PAGE_STRESS_ITEMS)
def test_an_items_facts_start_within_1200_px(item_pages, java_script, width, item_id):
    """The six facts (who, time, training, cost, evidence, layer) of the items with the most text
    above and in them end within the first 1,200 px, on a phone and on a desktop, with JavaScript on
    and off, before the long text."""
    page, problems = item_pages[width, java_script]
    problems.messages.clear()
    goto(page, f"/items/{item_id}")
    facts = page.locator("#at-a-glance ~ .app-glance .app-glance__row")
    expect(facts.locator("dt")).to_have_text(FACTS)
    for row, name in enumerate(FACTS):
        box = facts.nth(row).bounding_box()
        assert box["y"] + box["height"] <= 1200, f"{name} ends at {box['y'] + box['height']:.0f} px"
    # ... every fact before the long text
    assert (
        bottom(page, "#at-a-glance ~ .app-glance")
        <= page.locator("#what-it-is, #who-it-is-for").first.bounding_box()["y"]
    )
    # ... and no fact in type smaller than GOV.UK's 16 px body text
    sizes = page.locator("#at-a-glance ~ .app-glance").evaluate(
        "glance => [...glance.querySelectorAll('dt, dd, summary')].map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert min(sizes) >= 16
    problems.check()


@pytest.mark.parametrize("java_script", JS)
def test_a_long_list_of_who_delivers_it_opens_from_and_n_more(make_context, java_script):
    page = make_context(viewport=PHONE, java_script_enabled=java_script).new_page()
    goto(page, "/items/SPP-0002")  # nine roles: the first three, then "and 6 more"
    who = page.locator(".app-glance__row").filter(has_text="Who delivers it").locator("dd")
    expect(who).to_contain_text("Teacher or lecturer, Teaching assistant, Early years practitioner")
    expect(who.get_by_text("Parent or carer")).to_be_hidden()
    who.locator("summary").click()
    expect(who.locator("summary")).to_have_text("and 6 more who deliver it")
    expect(who.get_by_text("Parent or carer, with the setting")).to_be_visible()
    if java_script:  # axe runs in the page
        assert_accessible(page)


PAGES_AT_320 = [
    "/search?q=noise",
    "/search?q=noise&layer=targeted&sort=cost",
    "/items/INT-0501",
    "/items/INT-0501?view=family",
    f"/items/{first_item('package')}",
    "/areas/sensory",
    "/items/INT-0407/history",
    "/items/INT-0502/diff?from=1&to=2",
    "/items/INT-0407/v/1",
    "/editions",
    "/editions/standards/2026.1",
    "/glossary",
    "/evidence",
    "/items/PRA-0008",
    "/reviews",
    "/shortlist?items=INT-0501,PRA-0101,SPP-0001",
    "/items/INT-0501/print",
    "/api",
]


@pytest.mark.parametrize("java_script", JS)
@pytest.mark.parametrize("path", PAGES_AT_320)
def test_no_page_is_wider_than_a_320_px_screen(make_context, java_script, path):
    page = make_context(viewport=SMALLEST, java_script_enabled=java_script).new_page()
    goto(page, path)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= SMALLEST["width"], f"{path} is {width} px wide at 320 px"


NEW_PAGES = [
    "/glossary",
    "/items/INT-0501?view=family",
    "/items/INT-0501/print",
    "/shortlist?items=INT-0501,PRA-0101",
    "/shortlist",
    "/search?q=noise&sort=evidence&shortlist=INT-0501",
    "/items/INT-0407/history",
    "/items/INT-0502/diff?from=1&to=2",
    "/editions",
    "/reviews",
    "/api",
]


@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])
@pytest.mark.parametrize("path", NEW_PAGES)
def test_new_and_changed_pages_have_no_axe_violations(make_context, viewport, path):
    page = make_context(viewport=viewport).new_page()
    goto(page, path)
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)


def test_the_open_filter_panel_on_a_phone_has_no_axe_violations(make_context):
    page = make_context(viewport=PHONE).new_page()
    goto(page, "/search?q=noise&layer=targeted")
    page.locator(".app-filter-toggle__summary").click()
    expect(page.locator("#filter-layer-targeted")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("java_script", JS)
def test_a_shortlist_is_built_from_results_and_shared_by_its_address(make_context, java_script):
    page = make_context(viewport=PHONE, java_script_enabled=java_script).new_page()
    goto(page, "/search?q=noise")
    titles = page.locator("#search-results .app-result h3")
    first, second = titles.nth(0).inner_text(), titles.nth(1).inner_text()
    toggles = page.locator(".app-shortlist-toggle")
    toggles.nth(0).click()
    expect(toggles.nth(0)).to_contain_text("Remove from shortlist")
    expect(toggles.nth(1)).to_contain_text("Add to shortlist")
    toggles.nth(1).click()
    page.get_by_role("link", name="Your shortlist (2): compare, print or share it").click()

    expect(page.locator("h1")).to_have_text("Shortlist")
    expect(page.locator(".app-result h2 a")).to_have_text([first, second])
    shared = page.url
    fresh = make_context(java_script_enabled=False).new_page()  # a colleague opens the address
    fresh.goto(shared)
    expect(fresh.locator(".app-result h2 a")).to_have_text([first, second])

    page.locator(".app-result").filter(has_text=first).get_by_role("link", name="Remove from shortlist").click()
    expect(page.locator(".app-result h2 a")).to_have_text([second])


@pytest.mark.parametrize("java_script", JS)
def test_the_printable_summary_prints_the_facts_without_the_navigation(make_context, java_script):
    page = make_context(viewport=PHONE, java_script_enabled=java_script).new_page()
    goto(page, "/items/INT-0501")
    page.get_by_role("link", name="Printable summary for a support plan meeting").click()
    expect(page.locator("h1")).to_contain_text("Nuffield Early Language Intervention")
    print_button = page.get_by_role("button", name="Print this page")
    expect(print_button).to_be_visible() if java_script else expect(print_button).to_be_hidden()
    page.emulate_media(media="print")
    expect(page.locator(".govuk-header")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(page.locator(".app-glance")).to_be_visible()
    pdf_pages = page.pdf(format="A4").count(b"/Type /Page") - page.pdf(format="A4").count(b"/Type /Pages")
    assert pdf_pages == 1, f"the summary prints on {pdf_pages} pages"


@pytest.fixture(scope="module")
def print_page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    page = context.new_page()
    page.emulate_media(media="print")
    yield page
    context.close()


@pytest.mark.parametrize("item_id", PRINT_STRESS_ITEMS)
def test_the_longest_printable_summaries_fit_one_a4_page(print_page, item_id):
    goto(print_page, f"/items/{item_id}/print")
    pdf = print_page.pdf(format="A4")
    pdf_pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pdf_pages == 1, f"{item_id}'s summary prints on {pdf_pages} pages"


def test_the_citation_copy_button_copies_the_citation(make_context):
    context = make_context(viewport=PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    goto(page, "/items/INT-0501")
    button = page.get_by_role("button", name="Copy the citation")
    button.click()
    expect(page.locator(".app-copy-status")).to_have_text("Citation copied.")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "INT-0501, version 3, standards 2026.3" in copied and copied.endswith("/items/INT-0501/v/3")


def test_without_javascript_no_copy_button_is_offered(make_context):
    page = make_context(java_script_enabled=False).new_page()
    goto(page, "/items/INT-0501")
    expect(page.get_by_role("button", name="Copy the citation")).to_have_count(0)
    expect(page.locator("#citation-text")).to_contain_text("standards 2026.3")


@pytest.mark.parametrize("java_script", JS)
def test_the_family_view_is_a_link_that_keeps_its_state_in_the_address(make_context, java_script):
    page = make_context(viewport=PHONE, java_script_enabled=java_script).new_page()
    goto(page, "/items/PRA-0101")
    page.get_by_role("link", name="Show the family view").click()
    assert parse_qs(urlsplit(page.url).query) == {"view": ["family"]}
    expect(page.locator("#for-families")).to_be_in_viewport()
    page.get_by_role("link", name="Show the page for staff").click()
    assert urlsplit(page.url).query == ""


def test_with_javascript_sorting_updates_the_results_in_place(make_context):
    page = make_context(viewport=DESKTOP).new_page()
    goto(page, "/search?q=noise")
    page.evaluate("() => { window.__marker = 1 }")
    page.locator("#search-sort").select_option("cost")
    expect(page).to_have_url(re.compile(r"/search\?q=noise&sort=cost$"))
    expect(page.locator("#search-sort")).to_have_value("cost")
    expect(page.locator("h1")).to_have_count(1)  # the results partial, not a page in the page
    assert page.evaluate("() => window.__marker") == 1, "the page was loaded again"


def test_the_api_page_on_a_phone_is_a_few_screens_per_endpoint_not_dozens(make_context):
    """Shared answers and error codes are listed once, not under every endpoint."""
    page = make_context(viewport=PHONE).new_page()
    goto(page, "/api")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    endpoints = page.locator(
        "section[aria-labelledby^='get-'], section[aria-labelledby^='post-'], "
        "section[aria-labelledby^='put-'], section[aria-labelledby^='delete-']"
    ).count()
    screens = height / PHONE["height"]
    print(f"\n/api at {PHONE['width']} px: {screens:.0f} screens for {endpoints} endpoints and webhooks")
    assert endpoints >= 20 and screens / endpoints < 4
