"""Server-side sessions for Flask: the cookie of a signed-in session carries only a random id, and
the session's data lives in a store the app factory hands in (the state store's `sessions` table,
through `nis_library.accounts.sessions.SessionStore`), so ending a session (sign-out, a disabled
account, a reset password) ends it in every worker at once. Flask's documented `SessionInterface` is
the extension point; Flask-Session's SQL backend needs Flask-SQLAlchemy and stores ids unhashed.

Before sign-in a session holds only what a form needs (its CSRF token), and lives in the cookie
itself, signed with the secret key (as Flask's own sessions are): so no one can fill the state store
by fetching the sign-in page. Signing in rotates it into a server-side one.

The cookie is `__Host-nis-session`: `Secure`, `HttpOnly`, `SameSite=Lax`, path `/`, no domain.
Only a plain-HTTP request to a loopback host (`localhost`, `127.0.0.1`, `[::1]`: a developer's own
machine, `scripts/run`), with no `https` `PUBLIC_URL`, gets it without `Secure` and so, as the
`__Host-` prefix requires `Secure`, under the name `nis-session`."""

from __future__ import annotations

import re
from typing import Protocol
from urllib.parse import urlsplit

from flask import Flask, Request, Response, current_app, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import CallbackDict
from werkzeug.exceptions import SecurityError

from nis_library.web import secret_key

SECURE_COOKIE = "__Host-nis-session"
LOCAL_COOKIE = "nis-session"
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{20,100}")
ANONYMOUS_MAX_AGE = 24 * 60 * 60  # seconds a signed-out session's cookie is good for
serializer = TaggedJSONSerializer()


def _anonymous_signer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key.ensure(app), salt="nis-anonymous-session", serializer=serializer)


class Store(Protocol):
    def load(self, session_id: str): ...  # an object with .data (text) and .stale (bool), or None
    def create(self, data: str, account_id: int | None) -> str: ...
    def save(self, session_id: str, data: str, account_id: int | None) -> bool: ...
    def touch(self, session_id: str) -> None: ...
    def delete(self, session_id: str) -> None: ...


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, session_id: str | None = None, stale: bool = False, dead_cookie: bool = False):
        def on_update(session):
            session.modified = True

        super().__init__(initial, on_update)
        self.session_id = session_id
        self.stale = stale  # its "last seen" is due to be written
        self.dead_cookie = dead_cookie  # the request's cookie named no live session: delete it
        self.modified = False
        self.rotate = False

    def regenerate(self) -> None:
        """Give the session a new id at the end of this request (at sign-in: a session id an attacker
        planted or saw before sign-in is worth nothing after it)."""
        self.rotate = True
        self.modified = True


def plain_http_localhost(req: Request) -> bool:
    public = current_app.config.get("PUBLIC_URL") or ""
    if req.scheme != "http" or public.startswith("https://"):
        return False
    try:
        host = req.host
    except SecurityError:
        return False  # an untrusted Host header: the request is refused anyway (hosts.py)
    return urlsplit("//" + host).hostname in LOOPBACK


class ServerSessionInterface(SessionInterface):
    def __init__(self, store: Store, account_key: str = "_user_id"):
        self.store = store
        self.account_key = account_key  # the session key holding the signed-in account's id

    def get_cookie_name(self, app: Flask) -> str:
        return LOCAL_COOKIE if plain_http_localhost(request) else SECURE_COOKIE

    def get_cookie_secure(self, app: Flask) -> bool:
        return not plain_http_localhost(request)

    def get_cookie_domain(self, app: Flask) -> None:
        return None  # `__Host-` cookies name no domain

    def get_cookie_path(self, app: Flask) -> str:
        return "/"

    def open_session(self, app: Flask, req: Request) -> ServerSession:
        session_id = req.cookies.get(self.get_cookie_name(app))
        if not session_id:
            return ServerSession()
        if "." in session_id:  # a signed-out session, in the cookie itself
            try:
                data = _anonymous_signer(app).loads(session_id, max_age=ANONYMOUS_MAX_AGE)
            except (BadSignature, ValueError):
                return ServerSession(dead_cookie=True)
            if not isinstance(data, dict) or self.account_key in data:
                return ServerSession(dead_cookie=True)  # never an account from a cookie's own data
            return ServerSession(data)
        loaded = self.store.load(session_id) if SESSION_ID.fullmatch(session_id) else None
        if loaded is None:
            return ServerSession(dead_cookie=True)
        try:
            data = serializer.loads(loaded.data)
        except ValueError:
            self.store.delete(session_id)
            return ServerSession(dead_cookie=True)
        return ServerSession(data, session_id, stale=loaded.stale)

    def _account_id(self, session: ServerSession) -> int | None:
        value = session.get(self.account_key)
        return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        name = self.get_cookie_name(app)
        if session.session_id and (session.rotate or (session.modified and not session)):
            self.store.delete(session.session_id)  # signed out, or rotated: the old id is dead
            if not session:
                self._delete_cookie(app, response, name)
                return
            session.session_id = None
        if not session:
            if session.dead_cookie:
                self._delete_cookie(app, response, name)
            return
        response.vary.add("Cookie")
        account_id = self._account_id(session)
        if session.session_id is None and account_id is None:
            if session.modified:  # signed out: the data travels in the cookie, no row is written
                self._set_cookie(app, response, name, _anonymous_signer(app).dumps(dict(session)))
            return
        data = serializer.dumps(dict(session))
        if session.session_id is None:
            self._set_cookie(app, response, name, self.store.create(data, account_id))
        elif session.modified:
            if not self.store.save(session.session_id, data, account_id):
                self._delete_cookie(app, response, name)  # ended by another request meanwhile
        elif session.stale:
            self.store.touch(session.session_id)

    def _set_cookie(self, app: Flask, response: Response, name: str, value: str) -> None:
        response.set_cookie(name, value, path="/", secure=self.get_cookie_secure(app), httponly=True, samesite="Lax")

    def _delete_cookie(self, app: Flask, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", secure=self.get_cookie_secure(app), httponly=True, samesite="Lax")
