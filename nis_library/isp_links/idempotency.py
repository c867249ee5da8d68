"""Safe retries of creates: a client sends `Idempotency-Key: <its own unique value>` and, for 24
hours, the same request with the same key gets the first answer again (marked
`Idempotent-Replayed: true`) instead of a second link or a 409. The same key on a different request
is refused, so a client's bug cannot silently return someone else's answer. Only successful answers
are kept: a refused request made nothing, so trying it again is already safe."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select

from nis_library.state.schema import idempotency_keys

KEPT_FOR = dt.timedelta(hours=24)
# Visible ASCII, 1 to 255 characters: room for a UUID or any key a client already makes.
KEY = re.compile(r"[\x21-\x7e]{1,255}")


@dataclass(frozen=True)
class Answer:
    status: int
    body: str  # JSON text
    location: str | None


@dataclass(frozen=True)
class Kept:
    request_hash: str
    answer: Answer


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same request."""
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), body])).hexdigest()


def find(conn: Connection, client_id: int, key: str, now: dt.datetime) -> Kept | None:
    row = conn.execute(
        select(idempotency_keys).where(
            idempotency_keys.c.client_id == client_id,
            idempotency_keys.c.key == key,
            idempotency_keys.c.created_at > now - KEPT_FOR,
        )
    ).first()
    return Kept(row.request_hash, Answer(row.status, row.body, row.location)) if row else None


def keep(conn: Connection, client_id: int, key: str, request_hash: str, answer: Answer, now: dt.datetime) -> None:
    """Keep the answer (in the transaction that made it), and forget every key past its 24 hours."""
    conn.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at <= now - KEPT_FOR))
    conn.execute(
        idempotency_keys.insert().values(
            client_id=client_id,
            key=key,
            request_hash=request_hash,
            status=answer.status,
            body=answer.body,
            location=answer.location,
            created_at=now,
        )
    )
