"""CSRF protection on every form and htmx request (Flask-WTF's CSRFProtect): every POST, PUT, PATCH
and DELETE must carry the session's token, as the form field `csrf_token` or, from htmx, the
`X-CSRFToken` header (the workspace layout sets it with `hx-headers`: the CSP forbids inline
scripts). What a refused request shows is the accounts feature's (it audits the refusal)."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    # The token lives as long as the session it belongs to (idle timeout, lifetime), not an hour.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
