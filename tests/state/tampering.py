"""What someone who can bypass the audit log's append-only triggers (the tables' owner, a superuser)
would do first, for the tests that tamper with rows to show `nis audit verify` catches it."""

from __future__ import annotations

from sqlalchemy import Connection, text


def bypass_append_only(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        return
    for (name,) in conn.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
    ).all():
        conn.execute(text(f'DROP TRIGGER "{name}"'))
