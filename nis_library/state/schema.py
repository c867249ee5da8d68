"""The state store's tables, as SQLAlchemy Core metadata. Migrations (migrations/versions) create
them; this is what the code reads and writes through."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, UniqueConstraint

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

# The panel's recommendations (nis_library.governance). Never deleted, so an ID is never reused;
# `version` counts saves, for optimistic locking. Implementation is derived from the published
# record, never stored.
recommendations = Table(
    "recommendations",
    metadata,
    Column("id", String(20), primary_key=True),  # R-<year>-<S|P>-<nn>
    Column("year", Integer, nullable=False),
    Column("series", String(1), nullable=False),  # S: the Standards, P: the Packages
    Column("number", Integer, nullable=False),
    Column("review", String(100), nullable=False),
    Column("text", Text, nullable=False),
    Column("rationale", Text, nullable=False),
    Column("items", Text, nullable=False),  # JSON lists
    Column("areas", Text, nullable=False),
    Column("layers", Text, nullable=False),
    Column("status", String(20), nullable=False),  # draft, published, withdrawn
    Column("response", String(20), nullable=True),  # accepted, partly-accepted, not-accepted
    Column("explanation", Text, nullable=True),
    Column("withdrawal_reason", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("responded_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("year", "series", "number", name="uq_recommendations_number"),
)
