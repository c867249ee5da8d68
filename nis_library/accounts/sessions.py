"""Server-side sessions in the state store. The browser holds only a random id; the table holds its
SHA-256, the session's data, its account, and when it began and was last used. A session is over
when it has been idle longer than the idle timeout or has lived longer than its lifetime, or when
its row is deleted (sign-out, an account disabled or its password reset): every worker sees that at
the next request, because every worker reads the same table."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, delete, or_, select, update

from nis_library.state.schema import sessions

# Writing "last seen" on every request would make every page a write; once a minute is precise
# enough for an idle timeout counted in minutes.
TOUCH_EVERY = dt.timedelta(seconds=60)


def id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Loaded:
    data: str
    stale: bool  # its "last seen" is due to be written


@dataclass
class SessionStore:
    engine: Engine
    idle: dt.timedelta
    lifetime: dt.timedelta

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def _expired(self, row, now: dt.datetime) -> bool:
        # Moments come back aware, in UTC, from either database (state.moments).
        return now - row.last_seen_at > self.idle or now - row.created_at > self.lifetime

    def load(self, session_id: str) -> Loaded | None:
        """The session's data, or None if there is no such session or it has expired (then deleted)."""
        key, now = id_hash(session_id), self.now()
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions).where(sessions.c.id_hash == key)).first()
        if row is None:
            return None
        if self._expired(row, now):
            self.delete(session_id)
            return None
        return Loaded(row.data, now - row.last_seen_at > TOUCH_EVERY)

    def create(self, data: str, account_id: int | None) -> str:
        """A new session; its id (for the cookie). Old expired sessions are swept out here."""
        session_id, now = secrets.token_urlsafe(32), self.now()
        with self.engine.begin() as conn:
            conn.execute(
                delete(sessions).where(
                    or_(sessions.c.last_seen_at < now - self.idle, sessions.c.created_at < now - self.lifetime)
                )
            )
            conn.execute(
                sessions.insert().values(
                    id_hash=id_hash(session_id), account_id=account_id, data=data, created_at=now, last_seen_at=now
                )
            )
        return session_id

    def save(self, session_id: str, data: str, account_id: int | None) -> bool:
        """Store new data for a session; False if the session was ended meanwhile (not recreated)."""
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(sessions)
                .where(sessions.c.id_hash == id_hash(session_id))
                .values(data=data, account_id=account_id, last_seen_at=self.now())
            ).rowcount
        return bool(changed)

    def touch(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(sessions).where(sessions.c.id_hash == id_hash(session_id)).values(last_seen_at=self.now())
            )

    def delete(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.id_hash == id_hash(session_id)))
