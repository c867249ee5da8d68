"""Sliding-window rate limits kept in the state store, so a limit holds across every gunicorn worker
and every app server sharing the database: failed sign-ins per account and per address, API
requests per token.

A key's window is the count of its events newer than `now - window`. `record` adds an event;
`check` says whether another is allowed and, if not, how long until one is; `hit` does both at once
for limits that count every request (it records only what it allows)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select, text

from nis_library.state.schema import rate_limit_events


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # whole seconds until the oldest event in the window leaves it (0 if allowed)
    remaining: int = 0  # events the window still allows (after this one, for `hit`)
    reset: int = 0  # whole seconds until the oldest event counted leaves the window


@dataclass(frozen=True)
class Limit:
    count: int
    window: dt.timedelta

    def __post_init__(self) -> None:
        if self.count < 1 or self.window <= dt.timedelta(0):
            raise ValueError(f"a limit needs a positive count and window, not {self.count} in {self.window}")


def _now(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


def _serialise(conn: Connection, key: str) -> None:
    """Make concurrent check-then-record on one key take turns (SQLite already serialises writers)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def check(conn: Connection, key: str, limit: Limit, *, now: dt.datetime | None = None) -> Decision:
    now = _now(now)
    start = now - limit.window
    _serialise(conn, key)
    # Events older than the window never count again: drop them as we pass.
    conn.execute(delete(rate_limit_events).where(rate_limit_events.c.key == key, rate_limit_events.c.at <= start))
    count, oldest = conn.execute(
        select(func.count(), func.min(rate_limit_events.c.at)).where(
            rate_limit_events.c.key == key, rate_limit_events.c.at > start
        )
    ).one()
    frees_at = oldest + limit.window if oldest is not None else now  # aware UTC from either database
    wait = max(1, math.ceil((frees_at - now).total_seconds()))
    if count < limit.count:
        return Decision(True, remaining=limit.count - count, reset=wait if count else 0)
    return Decision(False, wait, remaining=0, reset=wait)


def record(conn: Connection, key: str, *, now: dt.datetime | None = None) -> int:
    """Count one event against `key`; its id (to `forget` it)."""
    inserted = conn.execute(rate_limit_events.insert().values(key=key, at=_now(now))).inserted_primary_key
    assert inserted is not None, "a single-row INSERT without RETURNING has its primary key"
    event_id: int = inserted[0]
    return event_id


def forget(conn: Connection, event_id: int) -> None:
    """Take back one event (an attempt counted up front that turned out not to count)."""
    conn.execute(delete(rate_limit_events).where(rate_limit_events.c.id == event_id))


def hit(conn: Connection, key: str, limit: Limit, *, now: dt.datetime | None = None) -> Decision:
    """Count one request against `key` if the limit allows it. Call inside a transaction."""
    decision = check(conn, key, limit, now=now)
    if not decision.allowed:
        return decision
    record(conn, key, now=now)
    return Decision(
        True, remaining=decision.remaining - 1, reset=decision.reset or math.ceil(limit.window.total_seconds())
    )


def clear(conn: Connection, key: str) -> None:
    """Forget a key's events (e.g. an account's failed sign-ins after it signs in)."""
    conn.execute(delete(rate_limit_events).where(rate_limit_events.c.key == key))
