"""`nis db rekey`: after the state key is rotated (the new one as STATE_KEY, the old in
STATE_RETIRED_KEYS), reseal every audit row and re-encrypt every webhook signing secret under the new
key, in one transaction, so the old key can be dropped. The whole chain is verified first (under
every key given): a broken one is refused, changing nothing, rather than sealed afresh."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from nis_library.state import audit, keys
from nis_library.state.backup import audit_log_writable
from nis_library.state.schema import audit_log, webhook_endpoints


class RekeyError(RuntimeError):
    """The chain does not verify under the keys given: nothing was changed."""


@dataclass(frozen=True)
class Rekeyed:
    audit_rows: int
    webhook_secrets: int
    key_id: str


def rekey(engine: Engine, actor: str) -> Rekeyed:
    with engine.begin() as conn:
        state_keys = keys.of(conn)
        if conn.dialect.name == "postgresql":  # appends wait until the reseal is done (SQLite: BEGIN IMMEDIATE)
            conn.exec_driver_sql("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
        bad = audit.verify(conn)
        if bad is not None:
            raise RekeyError(f"the audit log does not verify ({bad}): nothing resealed")
        current = state_keys.current.id
        stale = conn.execute(
            select(audit_log.c.id, audit_log.c.hash).where(~audit_log.c.seal.startswith(f"{current}:"))
        ).all()
        with audit_log_writable(conn):
            for row in stale:
                seal = state_keys.seal(audit.SEAL_PURPOSE, row.hash)
                conn.execute(update(audit_log).where(audit_log.c.id == row.id).values(seal=seal))
        secrets = conn.execute(select(webhook_endpoints.c.client_id, webhook_endpoints.c.secret)).all()
        for row in secrets:  # one that no key given opens stops the whole rekey (StateKeyError)
            conn.execute(
                update(webhook_endpoints)
                .where(webhook_endpoints.c.client_id == row.client_id)
                .values(secret=state_keys.reencrypt(row.secret))
            )
        audit.append(
            conn,
            actor,
            "state.rekey",
            "state-key",
            None,
            {"key": current, "resealed": len(stale), "secrets": len(secrets)},
        )
    return Rekeyed(len(stale), len(secrets), current)
