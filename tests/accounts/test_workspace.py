"""The workspace shell: the home page says what the role can do, the reviews show their findings
(from the published record, as /reviews reads it), and the audit trail is paged, newest first, with
the result of the chain check; `current_account()` gives other features the actor as a plain value."""

from __future__ import annotations

import html as entities

from flask import Blueprint
from sqlalchemy import update

from nis_library.accounts import permissions
from nis_library.accounts.current import current_account
from nis_library.state import audit
from nis_library.state.schema import audit_log
from tests.state.tampering import bypass_append_only
from tests.support import sign_in


def text(response) -> str:
    return entities.unescape(response.get_data(as_text=True))


def test_home_says_what_each_role_can_do(app):
    for role, says, audit_link in [
        ("chair", "publish the panel's recommendations", False),
        ("responder", "record the department's response", False),
        ("admin", "audit trail of every change", True),
    ]:
        client = app.test_client()
        sign_in(app, client, role)
        page = text(client.get("/panel/"))
        assert says in page
        assert ('href="/panel/audit"' in page) is audit_link
        assert 'action="/panel/sign-out"' in page


def test_reviews_are_listed_with_their_findings(app):
    client = app.test_client()
    sign_in(app, client)
    listing = text(client.get("/panel/reviews"))
    for review_id in ("standards-2026-initial", "standards-2026-ooc-1", "packages-2026-initial", "packages-2026-ooc-1"):
        assert f'href="/panel/reviews/{review_id}"' in listing
    page = text(client.get("/panel/reviews/packages-2026-ooc-1"))
    assert "Packages that used the withdrawn reduced timetable adjustment" in page
    assert "SPP-0003 no longer lists ADJ-0008 among its components" in page  # the findings
    assert "What triggered it" in page and "MetaSENse" in page and "Scope" in page
    assert client.get("/panel/reviews/no-such-review").status_code == 404


def test_the_audit_trail_is_paged_newest_first_with_the_chain_check(app, engine):
    client = app.test_client()
    admin = sign_in(app, client, "admin")
    with engine.begin() as conn:
        for n in range(60):
            audit.append(conn, "cli:tests", "example.change", f"thing:{n}", {"n": n}, {"n": n + 1})
    first = text(client.get("/panel/audit"))
    assert "The hash chain of all 62 rows is intact" in first and "is again each hour" in first
    assert "account.sign-in" not in first  # older than the 50 rows of page 1
    assert first.index("thing:59") < first.index("thing:58")
    assert '<code>{"n": 59}</code>' in first and '<code>{"n": 60}</code>' in first
    assert "Page 1 of 2" in first and 'href="/panel/audit?page=2"' in first
    second = text(client.get("/panel/audit?page=2"))
    assert "account.add" in second and f"account:{admin}" in second and "thing:0" in second
    assert client.get("/panel/audit?page=3").status_code == 404
    for bad in (
        "?page=0",
        "?page=184467440737095518",
        "?page=1000001",
        "?page=02",
        "?page=x",
        "?page=1&page=2",
        "?other=1",
    ):
        assert client.get("/panel/audit" + bad).status_code == 400
    with engine.begin() as conn:
        bypass_append_only(conn)  # as the tables' owner could
        conn.execute(update(audit_log).where(audit_log.c.id == 62).values(actor="someone-else"))
    broken = text(client.get("/panel/audit"))  # the last row checked: found at the next view
    assert "The audit trail's hash chain is broken" in broken and "Row 62" in broken


def test_current_account_is_the_signed_in_account_and_none_when_signed_out(app, monkeypatch):
    seen = []
    probe = Blueprint("probe", __name__)

    @probe.get("/panel/probe")
    def show():
        seen.append(current_account())
        return "ok"

    monkeypatch.setitem(permissions.ENDPOINTS, "probe.show", permissions.SIGNED_IN)
    monkeypatch.setitem(permissions.ENDPOINTS, "probe.public", permissions.PUBLIC)

    @probe.get("/probe-public")
    def public():
        seen.append(current_account())
        return "ok"

    app.register_blueprint(probe)
    client = app.test_client()
    client.get("/probe-public")
    username = sign_in(app, client, "responder")
    client.get("/panel/probe")
    client.get("/probe-public")
    assert seen[0] is None
    assert seen[1].username == username and seen[1].role == "responder" and seen[1].id > 0
    assert seen[2] == seen[1]
    assert current_account() is None  # outside a request
