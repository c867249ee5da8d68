"""The engine for the state store's database: SQLite in the instance folder unless DATABASE_URL names
another (PostgreSQL through psycopg 3)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import ConnectionPoolEntry

from nis_library.state.keys import OPTION, StateKeys

STATE_FILE = "state.db"


def database_url(configured: str | None, instance_dir: Path) -> str:
    """The configured URL, with `postgresql://` read as psycopg 3's dialect; unset: SQLite in the
    instance folder."""
    if not configured:
        return f"sqlite:///{Path(instance_dir).absolute() / STATE_FILE}"
    if configured.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + configured.split("://", 1)[1]
    return configured


def make_engine(url: str, keys: StateKeys | None = None) -> Engine:
    """An engine whose connections carry the state keys (`state.keys.of(conn)`): without them the
    audit log can be read but not written or verified."""
    options = {"execution_options": {OPTION: keys}} if keys is not None else {}
    if url.startswith("sqlite"):
        return _sqlite_engine(url, options)
    return create_engine(url, pool_pre_ping=True, **options)


def _sqlite_engine(url: str, options: Mapping[str, Any]) -> Engine:
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        _private_file(Path(path))
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # WAL lets the web workers read while one process writes; SQLite leaves foreign keys off
        # unless asked, on every connection.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        dbapi_connection.isolation_level = None  # the driver's own BEGIN is replaced by the one below

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Every transaction takes the write lock when it starts, so one that reads and then writes
        # (the audit chain's last hash, a rate limit's count) cannot interleave with another and
        # fail half-way: the second waits its turn (busy timeout) instead. A deferred transaction's
        # read would go stale the moment another committed. (SQLAlchemy's recipe for pysqlite, which
        # also makes SAVEPOINT work.) A long read-only snapshot (a backup) asks for DEFERRED instead.
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'IMMEDIATE')}")

    return engine


def _private_file(path: Path) -> None:
    """Create the database file readable by its owner only: it holds password hashes and webhook
    signing secrets. SQLite gives its -wal and -shm files the database file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def engine_for(settings: Mapping[str, Any]) -> Engine:
    """The engine of the configured state store: DATABASE_URL, the instance folder and the state key."""
    instance_dir = Path(settings["INSTANCE_DIR"])
    keys = StateKeys.for_instance(settings["STATE_KEY"], settings["STATE_RETIRED_KEYS"], instance_dir)
    return make_engine(database_url(settings["DATABASE_URL"], instance_dir), keys)
