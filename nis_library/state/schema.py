"""The state store's tables, as SQLAlchemy Core metadata. Migrations (migrations/versions) create
them; this is what the code reads and writes through."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

# Append-only: each row's hash covers the previous row's hash and the row itself (audit.py).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
    # Unique: two appends racing on the same tail cannot both join the chain (the second fails).
    Column("previous_hash", String(64), nullable=False, unique=True),
    Column("hash", String(64), nullable=False, unique=True),
)

# One row per counted event (a failed sign-in, an API request): a sliding window is a count of a key's
# rows newer than the window's start. Shared by every worker through the database (rate_limits.py).
rate_limit_events = Table(
    "rate_limit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
)
