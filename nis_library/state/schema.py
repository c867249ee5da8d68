"""The state store's tables, as SQLAlchemy Core metadata. Migrations (migrations/versions) create
them; this is what the code reads and writes through."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from nis_library.state.moments import UtcDateTime

metadata = MetaData()

# Append-only: each row's hash covers the previous row's hash and the row itself (audit.py).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
    # Unique: two appends racing on the same tail cannot both join the chain (the second fails).
    Column("previous_hash", String(64), nullable=False, unique=True),
    Column("hash", String(64), nullable=False, unique=True),
    # "<key id>:<HMAC-SHA256 of hash under the state key>" (state.keys): only the key's holder can seal.
    Column("seal", String(100), nullable=False),
)

# The triggers migration 0003 makes so that the database itself refuses to edit or delete an audit
# row (and, on PostgreSQL, to truncate the log), by backend: metadata cannot declare triggers, so the
# migrations-versus-schema test checks these names.
AUDIT_LOG_TRIGGERS = {
    "sqlite": frozenset({"audit_log_no_update", "audit_log_no_delete"}),
    "postgresql": frozenset({"audit_log_no_update_or_delete", "audit_log_no_truncate"}),
}

# One row per counted event (a failed sign-in, an API request): a sliding window is a count of a key's
# rows newer than the window's start. Shared by every worker through the database (rate_limits.py).
rate_limit_events = Table(
    "rate_limit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
)

# -- ISP links (nis_library.isp_links) -------------------------------------------------------------

# A setting's ISP system. Only the SHA-256 of its bearer token is kept (tokens are 256-bit random, so
# a fast hash is enough: nothing to guess, and no per-request cost of a slow password hash).
api_clients = Table(
    "api_clients",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

# A planned intervention in an ISP pinned to one version of an item. `id` is random (what clients
# see); `seq` orders the listing and its cursor. `notified_through`: the item's latest version when
# the link was made or acknowledged; webhooks are only sent about versions after it.
isp_links = Table(
    "isp_links",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("client_id", Integer, ForeignKey("api_clients.id"), nullable=False, index=True),
    Column("isp_ref", String(64), nullable=False),
    Column("item_id", String(20), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("notified_through", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("acknowledged_at", UtcDateTime(), nullable=True),
    # Pinned before the item's latest substantive revision or withdrawal as served: kept by
    # `served.record`, `links.create` and `links.acknowledge`, so a review-needed page is an index range.
    Column("needs_review", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("client_id", "isp_ref", "item_id", name="uq_isp_links_client_ref_item"),
    # A client's page of links (`seq` order), and of the links that need review (partial: only those).
    Index("ix_isp_links_client_seq", "client_id", "seq"),
    Index(
        "ix_isp_links_needs_review",
        "client_id",
        "seq",
        sqlite_where=text("needs_review = 1"),  # as SQLAlchemy writes the condition, so SQLite uses it
        postgresql_where=text("needs_review"),
    ),
)

# The item versions the service serves, as `nis build` recorded them when it made their bundle
# current: what the ISP links API reads review status from (so it agrees with the webhooks, which
# the same step queues). Versions are immutable: a row, once written, never changes.
served_versions = Table(
    "served_versions",
    metadata,
    Column("item_id", String(20), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("title", String(500), nullable=False),
    Column("change_class", String(20), nullable=False),
    Column("change_note", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("replaced_by", String(20), nullable=True),
)

# Per item, what a review-needed query joins on: its latest version, and the latest version that
# asks for review (a substantive revision or withdrawal): a link pinned before it needs review.
served_items = Table(
    "served_items",
    metadata,
    Column("item_id", String(20), primary_key=True),
    Column("latest_version", Integer, nullable=False),
    Column("review_from", Integer, nullable=True),
)

# A create's answer, kept for 24 hours under the client's Idempotency-Key, so a retry gets the same
# answer instead of a second link or a 409. `request_hash` tells a retry from a different request.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("client_id", Integer, ForeignKey("api_clients.id"), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("location", String(500), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
)

# One callback per client. The secret signs deliveries (HMAC, so it is kept, encrypted, not hashed).
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("client_id", Integer, ForeignKey("api_clients.id"), primary_key=True),
    Column("url", String(2000), nullable=False),
    # Encrypted under the state key (Fernet): a copy of the database alone cannot sign deliveries.
    Column("secret", String(500), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# One message per client per event (an item's substantive revision or withdrawal): the unique key
# makes queueing idempotent. Sent by `nis webhooks deliver` until a 2xx, or until it gives up.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),  # the webhook-id header
    Column("client_id", Integer, ForeignKey("api_clients.id"), nullable=False, index=True),
    Column("item_id", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(20), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=True),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Column("last_response", String(500), nullable=True),
    UniqueConstraint("client_id", "item_id", "version", name="uq_webhook_deliveries_event"),
)

# People who sign in to the panel workspace (nis_library.accounts). No self-registration: `nis users`
# makes them. The password is an argon2id hash, never the password.
accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# Server-side sessions: the cookie holds a random id, this table its SHA-256, so a copy of the
# database gives no usable cookie. Deleting a row ends that session in every worker at once.
sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("data", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False, index=True),
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
    Column("status", String(20), nullable=False, index=True),  # draft, published, withdrawn
    Column("response", String(20), nullable=True),  # accepted, partly-accepted, not-accepted
    Column("explanation", Text, nullable=True),
    Column("withdrawal_reason", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("published_at", UtcDateTime(), nullable=True),
    Column("responded_at", UtcDateTime(), nullable=True),
    Column("withdrawn_at", UtcDateTime(), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("year", "series", "number", name="uq_recommendations_number"),
)
