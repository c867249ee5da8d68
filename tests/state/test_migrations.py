"""Migrations on both backends: upgrade makes the tables and reaches head, twice is harmless, and a
database behind is refused with the command that fixes it."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from nis_library.state.migrate import SchemaNotCurrent, current_revision, head_revision, require_current_schema, upgrade
from tests.state_keys import session_keys


def test_the_backend_is_the_one_named(engine, state_url):
    with engine.connect() as conn:
        if state_url.startswith("postgresql"):
            assert "PostgreSQL" in conn.execute(text("select version()")).scalar()
        else:
            assert conn.execute(text("select sqlite_version()")).scalar()
            assert conn.execute(text("pragma journal_mode")).scalar() == "wal"
            assert conn.execute(text("pragma foreign_keys")).scalar() == 1


def test_upgrade_creates_the_tables_and_reaches_head(engine):
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision()
    assert current_revision(engine) == head_revision()
    assert {"audit_log", "alembic_version"} <= set(inspect(engine).get_table_names())
    columns = {c["name"] for c in inspect(engine).get_columns("audit_log")}
    assert columns == {"id", "at", "actor", "action", "subject", "before", "after", "previous_hash", "hash", "seal"}


def test_the_migrations_make_exactly_the_tables_the_code_declares(engine):
    """Alembic's own comparison of the migrated database with state/schema.py: tables, columns,
    types, nullability, indexes (partial ones too) and unique constraints."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from nis_library.state.schema import metadata

    upgrade(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert differences == []


def test_the_migrations_make_exactly_the_audit_logs_triggers_the_code_declares(engine):
    from nis_library.state.schema import AUDIT_LOG_TRIGGERS

    upgrade(engine)
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        if engine.dialect.name == "sqlite"
        else "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal"
    )
    with engine.connect() as conn:
        assert set(conn.execute(text(query)).scalars()) == AUDIT_LOG_TRIGGERS[engine.dialect.name]


def test_upgrade_is_idempotent(engine):
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into audit_log (at, actor, action, subject, previous_hash, hash, seal)"
                " values ('2031-01-01 00:00:00', 'a', 'b', 'c', '', 'h', 's')"
            )
        )
    assert upgrade(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from audit_log")).scalar() == 1


def test_an_unmigrated_database_is_refused_naming_the_command(engine):
    with pytest.raises(SchemaNotCurrent, match=r"never migrated.*run `nis db upgrade`"):
        require_current_schema(engine)
    upgrade(engine)
    require_current_schema(engine)


def test_the_app_refuses_to_start_on_an_unmigrated_store_naming_the_command(engine, state_url, tmp_path):
    from nis_library import create_app

    with pytest.raises(SchemaNotCurrent, match=r"run `nis db upgrade`"):
        create_app({"INSTANCE_DIR": str(tmp_path / "instance"), "DATABASE_URL": state_url})
    upgrade(engine)
    app = create_app({"INSTANCE_DIR": str(tmp_path / "instance"), "DATABASE_URL": state_url})
    try:
        assert app.test_client().get("/").status_code == 503  # started; no bundle is built here
    finally:
        app.extensions["nis_state_engine"].dispose()


def test_a_new_sqlite_state_store_is_readable_by_its_owner_only(tmp_path):
    from sqlalchemy import text as sql

    from nis_library.state.database import make_engine

    path = tmp_path / "state" / "state.db"
    engine = make_engine(f"sqlite:///{path}", session_keys())
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sql("create table if not exists probe (x integer)"))
        conn.execute(sql("insert into probe values (1)"))
        modes = {p.name: p.stat().st_mode & 0o777 for p in path.parent.iterdir()}
    engine.dispose()
    assert modes["state.db"] == 0o600 and modes.get("state.db-wal", 0o600) == 0o600, modes
    assert modes["state.db-wal"] == 0o600  # WAL mode: the log exists while the engine is open


def test_upgrading_a_store_of_0006_seals_its_rows_and_encrypts_its_webhook_secrets(engine):
    """Rows written before seals are sealed by the migration (not by whoever later finds them
    unsealed), and secrets kept in plain text are encrypted under the state key."""
    import datetime as dt

    from alembic import command

    from nis_library.state import audit, migrate
    from nis_library.state.schema import api_clients, audit_log, webhook_endpoints

    config = migrate._config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    at, previous = dt.datetime(2031, 1, 1, tzinfo=dt.UTC), audit.GENESIS
    with engine.begin() as conn:
        for n in range(3):
            row_hash = audit.row_hash(previous, at, f"user{n}", "account.add", f"account:{n}", None, None)
            conn.execute(  # no seal: the columns of 0006
                audit_log.insert().values(
                    at=at,
                    actor=f"user{n}",
                    action="account.add",
                    subject=f"account:{n}",
                    previous_hash=previous,
                    hash=row_hash,
                )
            )
            previous = row_hash
        conn.execute(api_clients.insert().values(id=1, name="School", token_hash="t" * 64, created_at=at))
        conn.execute(
            webhook_endpoints.insert().values(
                client_id=1, url="https://school.example/hook", secret="whsec_plain", created_at=at
            )
        )
    assert upgrade(engine) == head_revision()
    with engine.connect() as conn:
        assert audit.verify(conn) is None
        assert all(
            seal.startswith(session_keys().current.id + ":")
            for seal in conn.scalars(text("select seal from audit_log"))
        )
        stored = conn.scalar(text("select secret from webhook_endpoints"))
    assert stored != "whsec_plain" and "whsec" not in stored
    assert session_keys().decrypt(stored) == "whsec_plain"
    with engine.begin() as conn:  # and the chain goes on from them
        audit.append(conn, "user4", "account.add", "account:4", None, None)
    with engine.connect() as conn:
        assert audit.verify(conn) is None
