"""The role matrix: every route of the app (preview on) has a rule in `permissions`, and every
`/panel/` route answers each role, and a signed-out visitor, as written here by hand. A new route
with no rule, or a new panel route missing from this table, fails."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nis_library import create_app
from nis_library.accounts.permissions import rule_for
from nis_library.accounts.roles import ROLES
from nis_library.state.schema import audit_log
from tests.support import csrf_token_of, sign_in

SIGNED_OUT = "signed out"
EVERYONE = {role: 200 for role in ROLES}
# (method, rule) -> what each role gets; signed out, always a redirect to sign in.
EXPECTED = {
    ("GET", "/panel/"): EVERYONE,
    ("GET", "/panel/reviews"): EVERYONE,
    ("GET", "/panel/reviews/<review_id>"): EVERYONE,
    ("GET", "/panel/audit"): {"panel-member": 403, "chair": 403, "responder": 403, "admin": 200},
    ("POST", "/panel/sign-out"): {role: 302 for role in ROLES},
    # Recommendations: a role allowed in meets the form's own answer (400: the empty form refused;
    # 404: this store has no recommendation yet), any other a 403.
    ("GET", "/panel/recommendations/"): EVERYONE,
    ("GET", "/panel/recommendations/new"): {"panel-member": 200, "chair": 200, "responder": 403, "admin": 403},
    ("POST", "/panel/recommendations/new"): {"panel-member": 400, "chair": 400, "responder": 403, "admin": 403},
    ("GET", "/panel/recommendations/<rec_id>"): {role: 404 for role in ROLES},
    ("GET", "/panel/recommendations/<rec_id>/edit"): {
        "panel-member": 404,
        "chair": 404,
        "responder": 403,
        "admin": 403,
    },
    ("POST", "/panel/recommendations/<rec_id>/edit"): {
        "panel-member": 404,
        "chair": 404,
        "responder": 403,
        "admin": 403,
    },
    ("POST", "/panel/recommendations/<rec_id>/publish"): {
        "panel-member": 403,
        "chair": 404,
        "responder": 403,
        "admin": 403,
    },
    ("GET", "/panel/recommendations/<rec_id>/withdraw"): {
        "panel-member": 403,
        "chair": 404,
        "responder": 403,
        "admin": 403,
    },
    ("POST", "/panel/recommendations/<rec_id>/withdraw"): {
        "panel-member": 403,
        "chair": 404,
        "responder": 403,
        "admin": 403,
    },
    ("GET", "/panel/recommendations/<rec_id>/respond"): {
        "panel-member": 403,
        "chair": 403,
        "responder": 404,
        "admin": 403,
    },
    ("POST", "/panel/recommendations/<rec_id>/respond"): {
        "panel-member": 403,
        "chair": 403,
        "responder": 404,
        "admin": 403,
    },
}
# Routes any visitor may reach, signed in or not.
OPEN_PANEL_ROUTES = {("GET", "/panel/sign-in"), ("POST", "/panel/sign-in")}
SAMPLE_VALUES = {"review_id": "standards-2026-ooc-1", "rec_id": "R-2026-S-04"}


def _rules():
    app = create_app({"INSTANCE_DIR": "/nonexistent/instance", "PREVIEW": True})
    return list(app.url_map.iter_rules())


def _panel_routes():
    return sorted(
        (method, rule.rule)
        for rule in _rules()
        if rule.rule.startswith("/panel")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


@pytest.mark.parametrize("rule", _rules(), ids=lambda r: r.endpoint)
def test_every_route_has_a_rule(rule):
    assert rule_for(rule.endpoint) is not None, f"{rule.rule} ({rule.endpoint}) has no rule in accounts/permissions.py"


def test_every_panel_route_is_in_the_matrix():
    assert set(_panel_routes()) == set(EXPECTED) | OPEN_PANEL_ROUTES


def _path(rule: str) -> str:
    for name, value in SAMPLE_VALUES.items():
        rule = rule.replace(f"<{name}>", value)
    assert "<" not in rule, f"give {rule} a sample value in SAMPLE_VALUES"
    return rule


def _request(client, method: str, path: str, signed_out: bool):
    if method == "GET":
        return client.get(path)
    form_page = "/panel/sign-in" if signed_out else "/panel/"
    token = csrf_token_of(client.get(form_page).get_data(as_text=True))
    return client.open(path, method=method, data={"csrf_token": token})


@pytest.mark.parametrize("who", [SIGNED_OUT, *ROLES])
def test_each_role_gets_what_the_matrix_says(app, engine, who):
    for (method, rule), by_role in EXPECTED.items():
        client = app.test_client()
        if who != SIGNED_OUT:
            sign_in(app, client, who)
        path = _path(rule)
        response = _request(client, method, path, who == SIGNED_OUT)
        if who == SIGNED_OUT:
            assert response.status_code == 302, (method, path)
            location = response.headers["Location"]
            assert location.startswith("/panel/sign-in"), location
            if method == "GET":
                assert location == f"/panel/sign-in?next={path}"
            continue
        assert response.status_code == by_role[who], (who, method, path)
        if by_role[who] == 200:
            assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Robots-Tag"] == "noindex"
            assert '<meta name="robots" content="noindex">' in response.get_data(as_text=True)
        if by_role[who] == 403:
            page = response.get_data(as_text=True)
            assert "You cannot see this page" in page and ROLES[who].label.lower() in page
            with engine.connect() as conn:
                last = conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(1)).one()
            assert last.action == "access.denied" and last.subject == f"{method} {path}"
            assert last.actor.startswith(f"test-{who}-")


def test_the_preview_is_behind_sign_in_for_any_role(app):
    client = app.test_client()
    assert client.get("/preview/").headers["Location"] == "/panel/sign-in?next=/preview/"
    sign_in(app, client, "responder")
    response = client.get("/preview/")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_roles_and_what_each_may_do_are_declared_once_and_every_check_reads_them():
    """The web guard, the domain's checks and the CLI agree with `accounts.roles` because they read
    it; and no other module of the package spells a role's name."""
    import re
    from pathlib import Path

    from nis_library.accounts import roles
    from nis_library.accounts.permissions import ENDPOINTS
    from nis_library.cli import main
    from nis_library.governance.permissions import Actor, permitted

    for action in roles.ACTIONS:
        for role in ROLES:
            assert permitted(Actor("someone", role), action) == (action in roles.ROLES[role].may)
    guarded = {"recommendations.new": "draft", "recommendations.edit": "edit", "workspace.audit": "read-audit"}
    guarded |= {f"recommendations.{a}": a for a in ("publish", "withdraw", "respond")}
    for endpoint, action in guarded.items():
        assert ENDPOINTS[endpoint].roles == frozenset(roles.roles_that_may(action)), endpoint
    add = main.commands["users"].commands["add"]
    (role_option,) = [p for p in add.params if p.name == "role"]
    assert list(role_option.type.choices) == list(ROLES)
    package = Path(roles.__file__).resolve().parent.parent
    spelled = re.compile("|".join(re.escape(f'"{r}"') for r in ROLES))
    elsewhere = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "roles.py" and "migrations" not in path.parts and spelled.search(path.read_text())
    ]
    assert elsewhere == []
