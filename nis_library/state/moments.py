"""One column type for every moment the state store keeps: written in UTC and read back as an aware
UTC datetime, whichever database holds it. SQLite keeps no time zone (it would store an aware
value's wall-clock time and hand back a naive one); PostgreSQL keeps it. Code compares and prints
moments in one form, and never has to patch what a backend returned."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator


def utc(at: dt.datetime) -> dt.datetime:
    """`at` as an aware UTC datetime (a naive one is taken to be UTC already, as the store writes)."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        at = utc(value)
        return at.replace(tzinfo=None) if dialect.name == "sqlite" else at

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else utc(value)
