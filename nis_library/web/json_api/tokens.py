"""Opaque tokens the API gives out and takes back: paging cursors and `changes`' `next_since`.

Each is a small JSON payload signed with the service's secret key (itsdangerous, as Flask signs its
sessions), so a client can only hand back what this API gave it: a token that was altered, made up,
or given for another list or another client is refused with a clear error, never run as a query.
Every node of a deployment shares `NIS_SECRET_KEY`, so a token from one is good on all. A cursor
names the last row of the page before (keyset paging: a page is the same however much was added
since, and the last page costs what the first does)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

MAX_TOKEN_CHARS = 500


class InvalidToken(ValueError):
    """The token was not one this API gave out for this purpose."""


def _signer(purpose: str) -> URLSafeSerializer:
    # The purpose is the salt: a cursor for one list cannot be replayed as another's.
    return URLSafeSerializer(current_app.secret_key, salt=f"nis-api-{purpose}")


def write(purpose: str, payload: Any) -> str:
    return _signer(purpose).dumps(payload)


def read(purpose: str, token: str) -> Any:
    """The payload `write(purpose, ...)` signed, or InvalidToken."""
    if not token or len(token) > MAX_TOKEN_CHARS or not token.isascii():
        raise InvalidToken(purpose)
    try:
        return _signer(purpose).loads(token)
    except (BadSignature, UnicodeDecodeError, ValueError):
        raise InvalidToken(purpose) from None
