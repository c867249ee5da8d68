"""Sign in → the workspace → sign out in a real browser, with JavaScript on (axe-checked on every
page) and off, at a phone's width (390 px) and a desktop's (1280 px)."""

from __future__ import annotations

import itertools
import os

import pytest
from playwright.sync_api import Page, expect

from tests.state_keys import session_keys

from . import support
from .support import assert_accessible, goto

PASSWORD = "a-browser-test-password"
_numbers = itertools.count(1)


def make_account(role: str) -> str:
    """An account in the state store the live server uses (the tests' shared one)."""
    from nis_library.accounts import store
    from nis_library.state.database import make_engine

    username = f"browser-{role}-{os.getpid()}-{next(_numbers)}"
    engine = make_engine(os.environ["NIS_DATABASE_URL"], session_keys())
    try:
        with engine.begin() as conn:
            store.add(conn, "cli:tests", username, f"Browser {role}", role, PASSWORD)
    finally:
        engine.dispose()
    return username


def check(page: Page, javascript: bool) -> None:
    expect(page.locator("h1")).to_have_count(1)
    if javascript:
        assert_accessible(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sign_in_work_and_sign_out(make_context, javascript: bool, width: int):
    page = make_context(java_script_enabled=javascript, viewport={"width": width, "height": 900}).new_page()
    username = make_account("admin")
    # A form sent back with its errors is a 400, which chromium logs: expected here.
    support._problems[page.context].expected_failures.add(("/panel/sign-in", 400))

    goto(page, "/panel/reviews")  # signed out: sent to sign in, and back here after
    assert page.url.endswith("/panel/sign-in?next=/panel/reviews")
    expect(page.locator("h1")).to_have_text("Sign in to the panel workspace")
    check(page, javascript)

    page.get_by_role("button", name="Sign in").click()  # nothing typed: a clear error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your username")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your password")
    assert page.title().startswith("Error: ")
    check(page, javascript)

    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The username or password is not right")
    check(page, javascript)

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Reviews")
    assert page.url.endswith("/panel/reviews")
    check(page, javascript)

    page.get_by_role("link", name="First development of the sample National Inclusion Standards").click()
    expect(page.locator("h2", has_text="Findings")).to_be_visible()
    check(page, javascript)

    page.get_by_role("link", name="Workspace home").click()
    expect(page.locator("h1")).to_have_text("Panel workspace")
    check(page, javascript)
    page.get_by_role("link", name="Read the audit trail of every change").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("is intact")
    check(page, javascript)

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    check(page, javascript)
    goto(page, "/panel/")
    assert "/panel/sign-in" in page.url


def test_a_panel_member_is_refused_the_audit_trail(make_context):
    page = make_context(viewport={"width": 1280, "height": 900}).new_page()
    username = make_account("panel-member")
    goto(page, "/panel/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Panel workspace")
    expect(page.get_by_role("link", name="Read the audit trail of every change")).to_have_count(0)
    goto(page, "/panel/audit", 403)
    expect(page.locator("h1")).to_have_text("You cannot see this page")
    assert_accessible(page)
