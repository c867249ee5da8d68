"""API clients: one per setting's ISP system, each with a bearer token shown once.

Tokens are 256 bits from `secrets`, kept only as their SHA-256. A slow password hash (argon2,
bcrypt) exists to make guessing a low-entropy password expensive; a 256-bit random token cannot be
guessed, so a fast hash loses nothing, and it lets each request find its client by one indexed
lookup instead of a costly hash per request."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from nis_library.state import audit
from nis_library.state.schema import api_clients

TOKEN_PREFIX = "nis_"  # makes a leaked token recognisable to secret scanners
NAME_MAX = 200


class ClientError(ValueError):
    """A name or ID the command cannot use; the message says why."""


@dataclass(frozen=True)
class Client:
    id: int
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add(conn: Connection, name: str, *, actor: str = "cli") -> tuple[Client, str]:
    """A new client and its token (returned once, never stored)."""
    name = name.strip()
    if not name or len(name) > NAME_MAX or not name.isprintable():
        raise ClientError(f"a client's name is the setting's name: 1 to {NAME_MAX} printable characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    new_id = conn.execute(
        api_clients.insert().values(name=name, token_hash=token_hash(token), created_at=now)
    ).inserted_primary_key[0]
    audit.append(conn, actor, "client.add", f"api_client:{new_id}", None, {"name": name})
    return Client(new_id, name, now, None), token


def all_clients(conn: Connection) -> list[Client]:
    rows = conn.execute(select(api_clients).order_by(api_clients.c.id))
    return [Client(r.id, r.name, r.created_at, r.revoked_at) for r in rows]


def revoke(conn: Connection, client_id: int, *, actor: str = "cli") -> Client:
    row = conn.execute(select(api_clients).where(api_clients.c.id == client_id)).first()
    if row is None:
        raise ClientError(f"there is no client {client_id} ('nis clients list' shows them)")
    if row.revoked_at is not None:
        return Client(row.id, row.name, row.created_at, row.revoked_at)
    now = dt.datetime.now(dt.UTC)
    conn.execute(update(api_clients).where(api_clients.c.id == client_id).values(revoked_at=now))
    audit.append(conn, actor, "client.revoke", f"api_client:{client_id}", {"name": row.name}, None)
    return Client(row.id, row.name, row.created_at, now)


class TokenRefused(Exception):
    """The request's Authorization header names no active client: `missing` if it has none."""

    def __init__(self, missing: bool):
        super().__init__("no token" if missing else "token not valid")
        self.missing = missing


def from_authorization(conn: Connection, header: str) -> Client:
    """The active client an `Authorization: Bearer <token>` header names, or TokenRefused."""
    if not header:
        raise TokenRefused(missing=True)
    scheme, _, token = header.partition(" ")
    client = authenticate(conn, token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if client is None:
        raise TokenRefused(missing=False)
    return client


def authenticate(conn: Connection, token: str) -> Client | None:
    """The active client holding this token; None for an unknown or revoked one."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = conn.execute(select(api_clients).where(api_clients.c.token_hash == token_hash(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    return Client(row.id, row.name, row.created_at, row.revoked_at)
