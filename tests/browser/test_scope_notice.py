"""The notice a search shows for topics the library does not cover (`search/_scope_notice.html`), in
a real browser: drawn in the site's layout with its stylesheet and scripts, it reads at 390 px and
fits a 320 px screen with JavaScript on or off, and axe finds nothing. The search page wires it in;
here it is drawn on a page of its own, every topic at once (the most a query could name)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import render_template_string
from playwright.sync_api import expect

from indexer.record.loading import load_library

from .support import CONTENT, assert_accessible

PHONE = {"width": 390, "height": 844}
SMALLEST = {"width": 320, "height": 640}
PAGE = """{% extends "web/layout.html" %}{% block title %}Search{% endblock %}
{% block content %}<h1 class="govuk-heading-xl">Search</h1>{% include "search/_scope_notice.html" %}
<p class="govuk-body">The results follow.</p>{% endblock %}"""
PATH = "/scope-notice-drawn-by-the-test"


@pytest.fixture(scope="module")
def notice_page(instance_dir: Path) -> str:
    from nis_library import create_app

    app = create_app({"INSTANCE_DIR": str(instance_dir), "TESTING": True})
    topics = load_library(CONTENT).scope.topics
    with app.test_request_context("/search?q=x"):
        return render_template_string(PAGE, topics=topics)


def open_notice(make_context, notice_page: str, live_server: str, **options):
    page = make_context(**options).new_page()
    page.route(
        f"{live_server}{PATH}",
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=notice_page),
    )
    page.goto(PATH)
    return page


@pytest.mark.parametrize("java_script", [pytest.param(True, id="js"), pytest.param(False, id="no-js")])
@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="390"), pytest.param(SMALLEST, id="320")])
def test_the_notice_reads_on_a_phone_and_fits_a_320_px_screen(
    make_context, notice_page, live_server, viewport, java_script
):
    page = open_notice(make_context, notice_page, live_server, viewport=viewport, java_script_enabled=java_script)
    banner = page.locator(".app-scope-notice")
    expect(banner).to_be_visible()
    expect(banner.locator("h2")).to_have_text("Not covered by this library")
    first = banner.locator("h3").first
    expect(first).to_have_text("The library does not cover managing medical conditions and medicines.")
    expect(banner.get_by_role("link", name="What the library covers, and what it does not")).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the notice is {width} px wide at {viewport['width']} px"
    box = first.bounding_box()
    assert box is not None and box["width"] <= viewport["width"]


def test_the_notice_has_no_axe_violations(make_context, notice_page, live_server):
    page = open_notice(make_context, notice_page, live_server, viewport=PHONE)
    expect(page.locator(".app-scope-notice")).to_be_visible()
    assert_accessible(page)
