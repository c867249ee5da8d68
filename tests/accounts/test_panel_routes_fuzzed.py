"""The workspace's routes, signed in as an administrator (who may reach them all), given generated
path segments and query strings: never a 500, always the security headers and `no-store`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.state_keys import session_keys
from tests.support import sign_in
from tests.web.test_every_route import HYPOTHESIS, _assert_safe, _fill, query_strings, segments

from .test_role_matrix import _rules


@pytest.fixture(scope="module")
def admin_client(shipped_with_preview, tmp_path_factory):
    from nis_library import create_app
    from nis_library.state.database import make_engine
    from nis_library.state.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzzed-panel') / 'state.db'}"
    engine = make_engine(url, session_keys())
    upgrade(engine)
    engine.dispose()
    app = create_app({"INSTANCE_DIR": str(shipped_with_preview), "DATABASE_URL": url, "TESTING": True, "PREVIEW": True})
    client = app.test_client()
    sign_in(app, client, "admin")
    return client


PANEL_GETS = sorted(r.rule for r in _rules() if r.rule.startswith(("/panel", "/preview")) and "GET" in r.methods)


@pytest.mark.parametrize("rule", PANEL_GETS)
@HYPOTHESIS
@given(data=st.data(), query=query_strings)
def test_no_panel_route_answers_a_500(admin_client, rule, data, query):
    values = data.draw(st.lists(segments, min_size=rule.count("<"), max_size=rule.count("<")))
    url = _fill(rule, values) + ("?" + query if query else "")
    response = admin_client.get(url)
    _assert_safe(response, url)
    assert response.status_code != 302 or "/panel/sign-in" not in response.headers.get("Location", ""), url
    assert "no-store" in response.headers.get("Cache-Control", ""), url
    response.close()
