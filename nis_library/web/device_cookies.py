"""Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that
signs in is given a signed cookie naming the account and a random id for the browser. When it
presents that cookie for the same account, its failed attempts count against that browser alone
(`sign_in.attempt`), so no one elsewhere can lock the owner out of their account from their own
browser. The cookie is sent only to the sign-in page, holds no personal data and cannot be forged
(signed with the secret key); a stale, forged or other account's cookie is ignored."""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Flask, Request, Response, current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from nis_library.web import secret_key
from nis_library.web.sessions import plain_http_localhost

COOKIE = "nis-device"
PATH = "/panel/sign-in"
LIFETIME = dt.timedelta(days=180)


def _signer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key.ensure(app), salt="nis-sign-in-device")


def known_device(req: Request, username: str) -> str | None:
    """The browser's device id if its cookie is genuine, current and for `username`."""
    raw = req.cookies.get(COOKIE)
    if not raw or len(raw) > 500:
        return None
    try:
        value = _signer(current_app).loads(raw, max_age=int(LIFETIME.total_seconds()))
    except BadData:
        return None
    if not isinstance(value, dict) or value.get("account") != username or not isinstance(value.get("device"), str):
        return None
    return value["device"]


def remember(req: Request, response: Response, username: str, device: str | None) -> None:
    """Give the browser its device cookie for `username` (keeping its id if it had one)."""
    value = _signer(current_app).dumps({"account": username, "device": device or secrets.token_urlsafe(12)})
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(LIFETIME.total_seconds()),
        path=PATH,
        secure=not plain_http_localhost(req),
        httponly=True,
        samesite="Strict",
    )
