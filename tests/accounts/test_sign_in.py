"""Signing in and out through the pages: wrong password, unknown and disabled accounts (one message
for all three), rotated and ended sessions, replayed cookies, idle and absolute expiry, CSRF, rate
limits per account and per address, hostile input, safe `next`, and the audit rows of each. Failures lock out an account from one
address or one known browser, never the account itself."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from nis_library.accounts import passwords, store
from nis_library.state import audit
from nis_library.state.schema import accounts, audit_log, sessions
from tests.support import csrf_token_of, make_account

PASSWORD = "a-long-test-password"
FAILED = "The username or password is not right, or the account cannot sign in"


def html(response) -> str:
    return response.get_data(as_text=True)


def post_sign_in(client, username, password, **extra):
    token = csrf_token_of(html(client.get("/panel/sign-in")))
    return client.post("/panel/sign-in", data={"username": username, "password": password, "csrf_token": token} | extra)


def actions(engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.actor, audit_log.c.action, audit_log.c.subject).order_by(audit_log.c.id))
        return [tuple(r) for r in rows]


def session_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(sessions)).scalar_one()


def test_signing_in_rotates_the_session_and_opens_the_workspace(app, engine):
    client = app.test_client()
    username = make_account(app, "chair")
    client.get("/panel/sign-in")
    before = client.get_cookie("nis-session").value
    response = post_sign_in(client, username, PASSWORD, next="/panel/reviews")
    assert response.status_code == 302 and response.headers["Location"] == "/panel/reviews"
    after = client.get_cookie("nis-session").value
    assert after != before
    with engine.connect() as conn:  # the session before sign-in is gone; only its hash is stored
        stored = set(conn.execute(select(sessions.c.id_hash)).scalars())
    assert after not in stored and len(stored) == 1
    page = client.get("/panel/")
    assert page.status_code == 200 and "Test chair" in html(page) and "Panel chair" in html(page)
    assert ("test-chair" in actions(engine)[-1][0]) and actions(engine)[-1][1] == "account.sign-in"


@pytest.mark.parametrize("case", ["wrong password", "unknown account", "disabled account"])
def test_wrong_password_unknown_and_disabled_accounts_get_the_same_answer(app, engine, case):
    client = app.test_client()
    username = make_account(app)
    if case == "disabled account":
        with engine.begin() as conn:
            store.disable(conn, "cli:tests", username)
    name, password = {
        "wrong password": (username, "not-the-password"),
        "unknown account": ("nobody-here", PASSWORD),
        "disabled account": (username, PASSWORD),
    }[case]
    response = post_sign_in(client, name, password)
    assert response.status_code == 400 and FAILED in html(response)
    assert client.get("/panel/").status_code == 302
    actor, action, subject = actions(engine)[-1]
    assert action == "account.sign-in-failed" and subject == f"account:{name}" and actor.startswith("anonymous@")


def test_a_cookie_replayed_after_sign_out_opens_nothing(app, engine):
    client = app.test_client()
    username = make_account(app)
    post_sign_in(client, username, PASSWORD)
    cookie = client.get_cookie("nis-session").value
    token = csrf_token_of(html(client.get("/panel/")))
    signed_out = client.post("/panel/sign-out", data={"csrf_token": token})
    assert signed_out.status_code == 302 and "signed-out=1" in signed_out.headers["Location"]
    assert "You have signed out" in html(client.get(signed_out.headers["Location"]))
    assert session_count(engine) == 0 or client.get_cookie("nis-session") is not None
    thief = app.test_client()
    thief.set_cookie("nis-session", cookie)
    response = thief.get("/panel/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/panel/sign-in")
    assert [a for _, a, _ in actions(engine)][-1] == "account.sign-out"


def test_an_idle_session_expires_and_so_does_an_old_one(app, engine):
    client = app.test_client()
    post_sign_in(client, make_account(app), PASSWORD)
    assert client.get("/panel/").status_code == 200
    with engine.begin() as conn:
        conn.execute(update(sessions).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)))
    assert client.get("/panel/").status_code == 302
    assert session_count(engine) == 0  # the expired session was deleted

    post_sign_in(client, make_account(app), PASSWORD)
    with engine.begin() as conn:
        conn.execute(update(sessions).values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=13)))
    assert client.get("/panel/").status_code == 302


def test_the_idle_timeout_is_a_setting(make_app, engine):
    app = make_app(SESSION_IDLE_MINUTES=120)
    client = app.test_client()
    post_sign_in(client, make_account(app), PASSWORD)
    with app.extensions["nis_state_engine"].begin() as conn:
        conn.execute(update(sessions).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=90)))
    assert client.get("/panel/").status_code == 200


def test_disabling_an_account_or_resetting_its_password_ends_its_sessions(app, engine):
    for change in (store.disable, lambda conn, actor, name: store.reset_password(conn, actor, name, "new-password-1")):
        client = app.test_client()
        username = make_account(app)
        post_sign_in(client, username, PASSWORD)
        assert client.get("/panel/").status_code == 200
        with engine.begin() as conn:
            change(conn, "cli:tests", username)
        assert client.get("/panel/").status_code == 302


@pytest.mark.parametrize("token", [None, "forged-token", "IjEyMyI.aaaa.bbbb"])
def test_a_missing_or_forged_csrf_token_is_refused_and_audited(app, engine, token):
    client = app.test_client()
    username = make_account(app)
    client.get("/panel/sign-in")
    data = {"username": username, "password": PASSWORD} | ({"csrf_token": token} if token else {})
    response = client.post("/panel/sign-in", data=data)
    assert response.status_code == 400 and "Nothing was changed" in html(response)
    assert client.get("/panel/").status_code == 302  # not signed in
    assert actions(engine)[-1][1] == "request.refused-csrf"


def test_sign_out_without_a_token_is_refused_and_keeps_the_session(app, engine):
    client = app.test_client()
    post_sign_in(client, make_account(app), PASSWORD)
    assert client.post("/panel/sign-out").status_code == 400
    assert client.post("/panel/sign-out", headers={"X-CSRFToken": "nonsense"}).status_code == 400
    assert client.get("/panel/").status_code == 200


def test_htmx_sends_the_token_as_a_header(app):
    client = app.test_client()
    post_sign_in(client, make_account(app), PASSWORD)
    page = html(client.get("/panel/"))
    assert "hx-headers=" in page and "X-CSRFToken" in page
    token = csrf_token_of(page)
    response = client.post("/panel/sign-out", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 302 and client.get("/panel/").status_code == 302


def test_failed_sign_ins_are_limited_per_account_then_cleared_by_success(make_app):
    app = make_app(SIGN_IN_ATTEMPTS_PER_ACCOUNT=3, SIGN_IN_WINDOW_MINUTES=10)
    engine = app.extensions["nis_state_engine"]
    client = app.test_client()
    username = make_account(app)
    for _ in range(2):
        assert post_sign_in(client, username, "wrong").status_code == 400
    assert post_sign_in(client, username, PASSWORD).status_code == 302  # the count is cleared
    client = app.test_client()
    for _ in range(3):
        assert post_sign_in(client, username, "wrong").status_code == 400
    refused = post_sign_in(client, username, PASSWORD)  # even the right password, while limited
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    assert "You have tried to sign in too many times. Wait 10 minutes, then try again." in html(refused)
    assert 'role="alert"' in html(refused)
    assert actions(engine)[-1][1] == "account.sign-in-limited"
    other = make_account(app)  # another account is not limited by this one's failures
    assert post_sign_in(app.test_client(), other, PASSWORD).status_code == 302


def test_failed_sign_ins_are_limited_per_address(make_app):
    app = make_app(SIGN_IN_ATTEMPTS_PER_ADDRESS=4, SIGN_IN_ATTEMPTS_PER_ACCOUNT=100)
    client = app.test_client()
    for n in range(4):
        assert post_sign_in(client, f"guess-{n}", "wrong").status_code == 400
    victim = make_account(app)
    assert post_sign_in(client, victim, PASSWORD).status_code == 429
    elsewhere = app.test_client()
    token = csrf_token_of(html(elsewhere.get("/panel/sign-in")))
    response = elsewhere.post(
        "/panel/sign-in",
        data={"username": victim, "password": PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 302


def attempt_from(client, address: str, username: str, password: str):
    token = csrf_token_of(html(client.get("/panel/sign-in", environ_base={"REMOTE_ADDR": address})))
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post("/panel/sign-in", data=data, environ_base={"REMOTE_ADDR": address})


def forget_session(client) -> None:
    """Close the browser's session but keep its other cookies (as signing out does)."""
    client.delete_cookie("nis-session")


def test_someone_elsewhere_cannot_lock_the_owner_out(make_app):
    """Before: five wrong passwords from anywhere locked the account, even against the right one."""
    app = make_app(SIGN_IN_ATTEMPTS_PER_ACCOUNT=5)
    owner = make_account(app)
    attacker = app.test_client()
    for _ in range(5):
        assert attempt_from(attacker, "203.0.113.9", owner, "wrong").status_code == 400
    assert attempt_from(attacker, "203.0.113.9", owner, PASSWORD).status_code == 429  # that pair is locked
    assert attempt_from(app.test_client(), "192.0.2.7", owner, PASSWORD).status_code == 302  # the owner is not


def test_guessing_from_many_addresses_is_slowed_but_the_owners_known_browser_still_signs_in(make_app):
    app = make_app(SIGN_IN_ATTEMPTS_PER_ACCOUNT=2, SIGN_IN_ATTEMPTS_FROM_NEW_BROWSERS=6)
    engine = app.extensions["nis_state_engine"]
    owner = make_account(app)
    browser = app.test_client()
    signed_in = attempt_from(browser, "192.0.2.7", owner, PASSWORD)
    assert signed_in.status_code == 302
    cookie = next(c for c in signed_in.headers.getlist("Set-Cookie") if c.startswith("nis-device="))
    assert "HttpOnly" in cookie and "Path=/panel/sign-in" in cookie and "SameSite=Strict" in cookie
    assert owner not in cookie  # signed, but not in plain sight
    forget_session(browser)
    for n in range(6):  # a botnet: one wrong password from each of six addresses
        assert attempt_from(app.test_client(), f"198.51.100.{n}", owner, "wrong").status_code == 400
    refused = attempt_from(app.test_client(), "192.0.2.99", owner, PASSWORD)  # a new browser is slowed
    assert refused.status_code == 429 and actions(engine)[-1][1] == "account.sign-in-limited"
    assert attempt_from(browser, "192.0.2.99", owner, PASSWORD).status_code == 302  # the known one is not
    forget_session(browser)
    for _ in range(2):  # and a known browser's own failures lock out that browser only
        assert attempt_from(browser, "192.0.2.7", owner, "wrong").status_code == 400
    assert attempt_from(browser, "192.0.2.7", owner, PASSWORD).status_code == 429


@pytest.mark.parametrize("forgery", ["garbage", "other-account", "tampered"])
def test_a_forged_or_borrowed_device_cookie_counts_as_a_new_browser(make_app, forgery):
    app = make_app(SIGN_IN_ATTEMPTS_PER_ACCOUNT=2, SIGN_IN_ATTEMPTS_FROM_NEW_BROWSERS=3)
    owner, other = make_account(app), make_account(app)
    browser = app.test_client()
    signed_in = attempt_from(browser, "192.0.2.7", other, PASSWORD)  # a genuine cookie, for another account
    genuine = browser.get_cookie("nis-device", path="/panel/sign-in").value
    value = {"garbage": "not-a-cookie", "other-account": genuine, "tampered": genuine[:-3] + "abc"}[forgery]
    assert signed_in.status_code == 302
    for n in range(3):
        assert attempt_from(app.test_client(), f"198.51.100.{n}", owner, "wrong").status_code == 400
    forger = app.test_client()
    forger.set_cookie("nis-device", value, path="/panel/sign-in")
    assert attempt_from(forger, "192.0.2.50", owner, PASSWORD).status_code == 429


@pytest.mark.parametrize(
    "username, password, message",
    [
        ("", PASSWORD, "Enter your username"),
        ("someone", "", "Enter your password"),
        ("<script>alert(1)</script>", PASSWORD, "Username can only contain"),
        ("bad\x00name\x1b", PASSWORD, "Username can only contain"),
        ("a" * 65, PASSWORD, "Username must be 64 characters or fewer"),
        ("someone", "p" * 257, "Password must be 256 characters or fewer"),
        ("x" * 100_000, "y" * 100_000, "Username must be 64 characters or fewer"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_else(app, engine, username, password, message):
    before = actions(engine)
    response = post_sign_in(app.test_client(), username, password)
    page = html(response)
    assert response.status_code == 400 and message in page
    assert 'class="govuk-error-summary"' in page and 'href="#' in page
    assert "<script>alert(1)</script>" not in page and "\x00" not in page
    assert actions(engine) == before  # nothing counted, nothing written


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "\\\\evil",
        "/\x00x",
        "panel",
    ],
)
def test_next_never_leaves_the_service(app, target):
    client = app.test_client()
    response = post_sign_in(client, make_account(app), PASSWORD, next=target)
    assert response.status_code == 302 and response.headers["Location"] == "/panel/"
    assert "evil" not in html(client.get(f"/panel/sign-in?next={target}"))


def test_a_signed_out_visit_remembers_where_it_was_going(app):
    client = app.test_client()
    response = client.get("/panel/reviews?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/panel/sign-in?next=/panel/reviews?x%3D1"
    form = html(client.get(response.headers["Location"]))
    assert 'name="next" value="/panel/reviews?x=1"' in form


def test_the_cookie_is_host_prefixed_secure_httponly_lax_except_on_plain_http_localhost(app):
    secure = app.test_client()
    response = secure.get("/panel/sign-in", base_url="https://nis.localhost.test")
    assert response.status_code == 400  # not a trusted host: no session was opened for it
    response = secure.get("/panel/sign-in", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-nis-session=")
    for attribute in ("Secure", "HttpOnly", "Path=/", "SameSite=Lax"):
        assert attribute in cookie
    assert "Domain" not in cookie and "Expires" not in cookie
    plain = app.test_client().get("/panel/sign-in").headers["Set-Cookie"]
    assert plain.startswith("nis-session=") and "Secure" not in plain and "HttpOnly" in plain


def test_an_https_public_url_makes_the_cookie_secure_even_on_localhost(make_app):
    app = make_app(PUBLIC_URL="https://nis.example.org")
    cookie = app.test_client().get("/panel/sign-in").headers["Set-Cookie"]
    assert cookie.startswith("__Host-nis-session=") and "Secure" in cookie


def test_public_pages_set_no_cookie(app):
    response = app.test_client().get("/reviews")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_a_password_hashed_with_old_parameters_is_rehashed_at_sign_in(app, engine, monkeypatch):
    username = make_account(app)
    with engine.connect() as conn:
        old_hash = conn.execute(select(accounts.c.password_hash).where(accounts.c.username == username)).scalar_one()
    from argon2 import PasswordHasher, profiles

    monkeypatch.setattr(passwords, "hasher", PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY))
    assert post_sign_in(app.test_client(), username, PASSWORD).status_code == 302
    with engine.connect() as conn:
        new_hash = conn.execute(select(accounts.c.password_hash).where(accounts.c.username == username)).scalar_one()
    assert new_hash != old_hash and not passwords.needs_rehash(new_hash) and passwords.verify(new_hash, PASSWORD)


def test_every_sign_in_event_keeps_the_audit_chain_intact(app, engine):
    client = app.test_client()
    username = make_account(app)
    post_sign_in(client, username, "wrong")
    post_sign_in(client, username, PASSWORD)
    client.get("/panel/audit")  # a panel member: denied
    token = csrf_token_of(html(client.get("/panel/")))
    client.post("/panel/sign-out", data={"csrf_token": token})
    names = [a for _, a, _ in actions(engine)]
    assert names == ["account.add", "account.sign-in-failed", "account.sign-in", "access.denied", "account.sign-out"]
    with engine.connect() as conn:
        assert audit.verify(conn) is None


def test_behind_a_trusted_proxy_the_limit_counts_the_client_address(make_app):
    app = make_app(SIGN_IN_ATTEMPTS_PER_ADDRESS=2, SIGN_IN_ATTEMPTS_PER_ACCOUNT=100, PROXY_HOPS=1)
    proxy = {"REMOTE_ADDR": "127.0.0.1"}

    def attempt(client, username, password, forwarded_for):
        token = csrf_token_of(html(client.get("/panel/sign-in", environ_base=proxy)))
        return client.post(
            "/panel/sign-in",
            data={"username": username, "password": password, "csrf_token": token},
            environ_base=proxy,
            headers={"X-Forwarded-For": forwarded_for},
        )

    attacker = app.test_client()
    for n in range(2):
        assert attempt(attacker, f"guess-{n}", "wrong", "203.0.113.9").status_code == 400
    assert attempt(attacker, "guess-3", "wrong", "203.0.113.9").status_code == 429
    colleague = make_account(app)  # another client behind the same proxy is not limited
    assert attempt(app.test_client(), colleague, PASSWORD, "198.51.100.4").status_code == 302


def test_a_flood_of_refused_anonymous_requests_writes_one_audit_row_per_address(app, engine):
    before = len(actions(engine))
    for _ in range(30):
        client = app.test_client()
        client.post(
            "/panel/sign-in", data={"username": "x", "password": "y"}, environ_base={"REMOTE_ADDR": "192.0.2.50"}
        )
    other = app.test_client()
    other.post("/panel/sign-in", data={"username": "x", "password": "y"}, environ_base={"REMOTE_ADDR": "192.0.2.51"})
    written = actions(engine)[before:]
    assert [(actor, action) for actor, action, _ in written] == [
        ("anonymous@192.0.2.50", "request.refused-csrf"),
        ("anonymous@192.0.2.51", "request.refused-csrf"),
    ]


def test_the_sign_in_page_writes_no_session_row_until_someone_signs_in(app, engine):
    for _ in range(20):
        app.test_client().get("/panel/sign-in")
    assert session_count(engine) == 0  # each GET wrote a row before
    client = app.test_client()
    post_sign_in(client, make_account(app), PASSWORD)
    assert session_count(engine) == 1 and client.get("/panel/").status_code == 200


def test_a_signed_out_cookie_cannot_carry_an_account(app, engine):
    from itsdangerous import URLSafeTimedSerializer

    from nis_library.web import secret_key
    from nis_library.web.sessions import serializer

    make_account(app)
    forged = URLSafeTimedSerializer("not the key", salt="nis-anonymous-session", serializer=serializer)
    client = app.test_client()
    client.set_cookie("nis-session", forged.dumps({"_user_id": "1", "_fresh": True}))
    assert client.get("/panel/").status_code == 302  # a bad signature: nobody
    with app.app_context():
        real = URLSafeTimedSerializer(secret_key.ensure(app), salt="nis-anonymous-session", serializer=serializer)
        client.set_cookie("nis-session", real.dumps({"_user_id": "1", "_fresh": True}))
    assert client.get("/panel/").status_code == 302  # even signed: an account only from the state store
