"""The recommendations workspace in a real browser: a panel member signs in and drafts, the chair
publishes, the department's responder answers "not accepted" with an explanation, and a visitor sees
it on the public register; axe finds no WCAG 2.2 AA problem on any page on the way, error summaries
included."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.state_keys import session_keys

from .conftest import serving
from .support import allow_console_errors, assert_accessible, goto

PASSWORD = "a-long-browser-test-password"
ROLES = {"panel": "panel-member", "chair": "chair", "responder": "responder"}


@pytest.fixture(scope="module")
def live_server(instance_dir: Path, tmp_path_factory):
    """This module's own server and state store, with one account per role."""

    from nis_library import create_app
    from nis_library.accounts import store
    from nis_library.state.database import make_engine
    from nis_library.state.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('workspace-store') / 'state.db'}"
    engine = make_engine(url, session_keys())
    upgrade(engine)
    with engine.begin() as conn:
        for username, role in ROLES.items():
            store.add(conn, "cli:tests", f"browser-{username}", f"Browser {username}", role, PASSWORD)
    engine.dispose()
    app = create_app({"INSTANCE_DIR": str(instance_dir), "DATABASE_URL": url, "TESTING": True})
    with serving(app, "nis-workspace-server") as url:
        yield url


def sign_in(page: Page, who: str) -> None:
    # A refused form answers 400 with its error summary; chromium logs that status as an error.
    allow_console_errors(page, "Failed to load resource: the server responded with a status of 400")
    goto(page, "/panel/sign-in")
    page.get_by_label("Username").fill(f"browser-{who}")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Panel workspace. Signed in as")).to_be_visible()


def test_sign_in_draft_publish_respond_and_see_it_in_public(make_context):
    panel = make_context().new_page()
    sign_in(panel, "panel")
    goto(panel, "/panel/recommendations/")
    assert_accessible(panel)
    panel.get_by_role("link", name="Draft a recommendation").click()
    assert_accessible(panel)
    panel.get_by_role("button", name="Save the draft").click()  # empty: the error summary
    expect(panel.locator(".govuk-error-summary")).to_contain_text("The recommendation cannot be empty.")
    assert_accessible(panel)
    panel.get_by_label("The review that makes it").select_option("standards-2026-ooc-1")
    panel.get_by_label("Recommendation", exact=True).fill(
        "Publish the criteria each evidence strength needs <script>x</script>."
    )
    panel.get_by_label("Rationale").fill("Ratings are judgements.")
    panel.get_by_label("Items it concerns (optional)").fill("INT-0502")
    panel.get_by_label("Targeted", exact=True).check()
    panel.get_by_role("button", name="Save the draft").click()
    expect(panel.get_by_role("heading", level=1)).to_have_text("R-2026-S-01")
    expect(panel.get_by_text("Draft saved.")).to_be_visible()
    assert_accessible(panel)

    chair = make_context().new_page()
    sign_in(chair, "chair")
    goto(chair, "/panel/recommendations/R-2026-S-01")
    chair.get_by_role("button", name="Publish R-2026-S-01").click()
    expect(chair.get_by_text("Published: it is now on the public register.")).to_be_visible()

    responder = make_context().new_page()
    sign_in(responder, "responder")
    goto(responder, "/panel/recommendations/R-2026-S-01")
    responder.get_by_role("link", name="Respond for the department").click()
    responder.get_by_label("Not accepted").check()
    responder.get_by_role("button", name="Publish the response").click()  # no explanation: refused
    expect(responder.locator(".govuk-error-summary")).to_contain_text("Explain why the recommendation is not accepted")
    assert_accessible(responder)
    responder.get_by_label("Explanation").fill("The criteria are already published with the taxonomy.")
    responder.get_by_role("button", name="Publish the response").click()
    expect(responder.get_by_text("The response is saved and published.")).to_be_visible()

    visitor = make_context(java_script_enabled=False).new_page()
    goto(visitor, "/recommendations")
    expect(visitor.get_by_role("link", name="R-2026-S-01")).to_be_visible()
    expect(visitor.get_by_text("The criteria are already published with the taxonomy.")).to_be_visible()
    goto(visitor, "/recommendations/R-2026-S-01")
    expect(visitor.locator(".govuk-tag", has_text="Not accepted")).to_be_visible()
    expect(visitor.get_by_text("<script>x</script>", exact=False)).to_be_visible()  # shown as text, inert
    goto(responder, "/recommendations/R-2026-S-01")
    assert_accessible(responder)
