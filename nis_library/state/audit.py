"""The audit trail: who changed what, when, from what to what. Append-only and hash-chained: each
row's hash covers the hash of the row before it and the row's own canonical JSON, so editing,
deleting or reordering rows breaks the chain at the first row touched, and `verify` names it.

Each row is also sealed: an HMAC of its hash under the state key, which is kept outside the
database (`state.keys`). A chain recomputed by someone who can write the database, but has not the
key, fails at the first row they wrote. (Dropping rows from the end is not caught by the chain:
the audit page's checkpoint names the last row it saw.)"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, func, select, text

from indexer.content.hashing import digest
from nis_library.state import keys
from nis_library.state.schema import audit_log

GENESIS = ""  # the previous hash of the first row
SEAL_PURPOSE = "nis-audit-row"


@dataclass(frozen=True)
class BadRow:
    id: int
    reason: str

    def __str__(self) -> str:
        return f"audit_log row {self.id}: {self.reason}"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _utc_text(at: dt.datetime) -> str:
    """One spelling of a moment whichever database returned it (SQLite drops the time zone)."""
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def row_hash(
    previous_hash: str, at: dt.datetime, actor: str, action: str, subject: str, before: str | None, after: str | None
) -> str:
    fields = {"at": _utc_text(at), "actor": actor, "action": action, "subject": subject}
    return digest(previous_hash, canonical_json(fields | {"before": before, "after": after}))


def append(
    conn: Connection, actor: str, action: str, subject: str, before: Any, after: Any, *, at: dt.datetime | None = None
) -> str:
    """Add a row after the last one; its hash. Call inside the transaction that makes the change."""
    state_keys = keys.of(conn)
    if conn.dialect.name == "postgresql":
        # Readers go on; a second writer waits here rather than fail on previous_hash's uniqueness.
        conn.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))
    last = conn.execute(select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)).scalar()
    previous_hash = last or GENESIS
    at = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    before_json = None if before is None else canonical_json(before)
    after_json = None if after is None else canonical_json(after)
    new_hash = row_hash(previous_hash, at, actor, action, subject, before_json, after_json)
    conn.execute(
        audit_log.insert().values(
            at=at,
            actor=actor,
            action=action,
            subject=subject,
            before=before_json,
            after=after_json,
            previous_hash=previous_hash,
            hash=new_hash,
            seal=state_keys.seal(SEAL_PURPOSE, new_hash),
        )
    )
    return new_hash


def verify(conn: Connection) -> BadRow | None:
    """The first row, in id order, whose link to the row before it or whose own hash is wrong."""
    return verify_after(conn, None).broken


def _unsound(row: Row[Any], state_keys: keys.StateKeys) -> str | None:
    """Why the row's contents do not give its hash, or its hash not its seal (None: sound)."""
    if row.hash != row_hash(row.previous_hash, row.at, row.actor, row.action, row.subject, row.before, row.after):
        return "its contents do not match its hash (the row was edited)"
    return state_keys.unsealed_reason(SEAL_PURPOSE, row.hash, row.seal)


@dataclass(frozen=True)
class Verified:
    """How far a check of the chain got: the last row it found sound (a checkpoint to go on from),
    or the first row that is not."""

    broken: BadRow | None
    last_id: int
    last_hash: str


def verify_after(conn: Connection, checkpoint: Verified | None) -> Verified:
    """Check the rows after `checkpoint` (all of them when None): the checkpoint's own row must still
    have its hash, and each later row must follow the one before it. Rows before the checkpoint are
    not read again: only a full check (no checkpoint) finds an edit to one of them."""
    state_keys = keys.of(conn)
    expected_previous, last_id, query = GENESIS, 0, select(audit_log).order_by(audit_log.c.id)
    if checkpoint is not None:
        row = conn.execute(select(audit_log).where(audit_log.c.id == checkpoint.last_id)).first()
        if checkpoint.last_id and (row is None or row.hash != checkpoint.last_hash or _unsound(row, state_keys)):
            return Verified(BadRow(checkpoint.last_id, "changed or deleted since it was last verified"), 0, GENESIS)
        expected_previous, last_id = checkpoint.last_hash, checkpoint.last_id
        query = query.where(audit_log.c.id > checkpoint.last_id)
    for row in conn.execute(query):
        if row.previous_hash != expected_previous:
            reason = "does not follow the row before it (a row deleted, inserted or reordered)"
            return Verified(BadRow(row.id, reason), last_id, expected_previous)
        unsound = _unsound(row, state_keys)
        if unsound is not None:
            return Verified(BadRow(row.id, unsound), last_id, expected_previous)
        expected_previous, last_id = row.hash, row.id
    return Verified(None, last_id, expected_previous)


@dataclass(frozen=True)
class Entry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    before: Any
    after: Any


def _parsed(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def newest_first(conn: Connection, page: int, per_page: int) -> tuple[list[Entry], int]:
    """One page of the log, newest first, and how many rows it has in all."""
    total = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    rows = conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(per_page).offset((page - 1) * per_page))
    entries = [Entry(r.id, r.at, r.actor, r.action, r.subject, _parsed(r.before), _parsed(r.after)) for r in rows]
    return entries, total
