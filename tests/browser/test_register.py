"""The public recommendations register in a real browser, over the sample register: axe finds no
WCAG 2.2 AA problems on its pages, and its filters work as a plain GET form with JavaScript off."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.state_keys import session_keys

from .conftest import serving
from .support import assert_accessible, goto


@pytest.fixture(scope="module")
def live_server(instance_dir: Path, tmp_path_factory):
    """This module's own server: a state store holding the sample register."""

    from nis_library import create_app
    from nis_library.catalogue import get_catalogue
    from nis_library.governance import recommendations, sample
    from nis_library.governance.library_names import from_catalogue
    from nis_library.state.database import make_engine
    from nis_library.state.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('register-store') / 'state.db'}"
    engine = make_engine(url, session_keys())
    upgrade(engine)
    with recommendations.unit_of_work(engine) as conn:
        sample.load(conn, from_catalogue(get_catalogue(instance_dir)))
    engine.dispose()
    app = create_app(
        {"INSTANCE_DIR": str(instance_dir), "DATABASE_URL": url, "TODAY": dt.date(2026, 12, 2), "TESTING": True}
    )
    with serving(app, "nis-register-server") as url:
        yield url


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/recommendations", 200, id="register"),
        pytest.param("/recommendations?status=not-accepted&status=accepted", 200, id="register-filtered"),
        pytest.param("/recommendations?review=packages-2026-initial&status=withdrawn", 200, id="register-empty"),
        pytest.param("/recommendations/R-2026-S-05", 200, id="not-accepted"),
        pytest.param("/recommendations/R-2026-S-02", 200, id="overdue"),
        pytest.param("/recommendations/R-2026-S-03", 200, id="withdrawn"),
        pytest.param("/items/INT-0502", 200, id="item-with-recommendations"),
        pytest.param("/recommendations?status=maybe", 400, id="bad-filter"),
        pytest.param("/recommendations/R-2026-S-06", 404, id="draft-not-found"),
    ],
)
def test_register_pages_have_no_axe_violations(page: Page, path: str, status: int):
    goto(page, path, status)
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)


def test_filters_work_without_javascript(nojs_page: Page):
    goto(nojs_page, "/recommendations")
    expect(nojs_page.locator("#result-count")).to_have_text("7 of 7 recommendations")
    nojs_page.get_by_label("Not accepted").check()
    nojs_page.get_by_role("button", name="Apply filters").click()
    expect(nojs_page).to_have_url("/recommendations?status=not-accepted")
    expect(nojs_page.locator("#result-count")).to_have_text("1 of 7 recommendations")
    expect(nojs_page.get_by_text("The two-year cycle of the Standards is the one the consultation")).to_be_visible()
    nojs_page.get_by_role("link", name=re.compile("Remove filter.*Status: Not accepted")).click()
    expect(nojs_page.locator("#result-count")).to_have_text("7 of 7 recommendations")
