"""`nis db backup FILE` / `nis db restore FILE`: every table of the state store (whatever the
migrations made, read from the database itself) copied in one snapshot to a gzipped JSON file that
names the schema revision and carries a seal of its contents (an HMAC under the state key, kept
outside the database: `state.keys`), so the same file restores into SQLite or PostgreSQL and no one
without the key can make or alter one that restores. A restore refuses a corrupt or forged file, or
one from another schema revision, and changes nothing then; it replaces every table in one transaction, checks the audit chain it restored
(rolling back if broken), ends every session (everyone signs in again) and audits itself."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gzip
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypedDict

from sqlalchemy import Connection, Engine, MetaData, Table, delete, func, select, text

from nis_library.state import audit, keys
from nis_library.state.migrate import current_revision, head_revision, known_revisions

FORMAT = "nis-state-backup"
VERSION = 2  # 1: checked by a plain SHA-256, which anyone could recompute
SEAL_PURPOSE = "nis-state-backup"
SKIPPED = {"alembic_version"}  # the revision is recorded in the file itself
SESSIONS = "sessions"


class BackupError(RuntimeError):
    """A backup that cannot be made or restored; nothing was changed."""


class SavedTable(TypedDict):
    columns: list[str]
    rows: list[list[Any]]  # each row's values in the order of `columns`, encoded (`_encode`)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # SQLite hands back naive datetimes, written in UTC: one spelling whichever database it was.
        utc = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return {"$datetime": utc.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, (bytes, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$datetime"}:
            return dt.datetime.fromisoformat(value["$datetime"])
        if set(value) == {"$date"}:
            return dt.date.fromisoformat(value["$date"])
        if set(value) == {"$bytes"}:
            return base64.b64decode(value["$bytes"], validate=True)
        raise ValueError(f"an unknown value {value!r}")
    return value


def _sealed_text(body: Mapping[str, Any]) -> str:
    return audit.canonical_json(body)


def _tables(conn: Connection) -> MetaData:
    metadata = MetaData()
    metadata.reflect(conn)
    for name in SKIPPED & set(metadata.tables):
        metadata.remove(metadata.tables[name])
    return metadata


def _snapshot(engine: Engine) -> Connection:
    """A connection whose reads all see one moment of the database."""
    conn = engine.connect()
    if engine.dialect.name == "sqlite":
        # A read-only transaction, so writers go on meanwhile: WAL gives it a snapshot.
        return conn.execution_options(sqlite_begin="DEFERRED")
    return conn.execution_options(isolation_level="REPEATABLE READ")


def backup(engine: Engine, path: Path) -> dict[str, int]:
    """Write every table to `path` (mode 0600: it holds password hashes); rows per table."""
    conn = _snapshot(engine)
    state_keys = keys.of(conn)
    try:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        tables: dict[str, SavedTable] = {}
        for table in _tables(conn).sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order))
            tables[table.name] = {
                "columns": [c.name for c in table.columns],
                "rows": [[_encode(v) for v in row] for row in rows],
            }
    finally:
        conn.rollback()
        conn.close()
    body = {"format": FORMAT, "version": VERSION, "revision": revision, "tables": tables}
    seal = state_keys.seal(SEAL_PURPOSE, _sealed_text(body))
    document = body | {"seal": seal, "made": dt.datetime.now(dt.UTC).isoformat()}
    temporary = path.with_name(f".{path.name}.partial")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as file:
        file.write(json.dumps(document, ensure_ascii=False).encode("utf-8"))
    os.replace(temporary, path)
    return {name: len(t["rows"]) for name, t in tables.items()}


def read(path: Path, state_keys: keys.StateKeys) -> dict[str, Any]:
    """The backup's body, checked: a gzipped JSON document of this format, sealed under one of the
    state keys."""
    try:
        with gzip.open(path, "rb") as file:
            document = json.loads(file.read().decode("utf-8"))
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{path} is not a readable backup ({error.__class__.__name__}: {error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{path} is not an NIS Library state backup")
    if document.get("version") == 1:
        raise BackupError(
            f"{path} was made before backups were sealed (format 1): restore it with the NIS Library version "
            "that made it, then run `nis db upgrade`"
        )
    if document.get("version") != VERSION:
        raise BackupError(f"{path} is a backup of format version {document.get('version')!r}, not {VERSION}")
    body = {k: document.get(k) for k in ("format", "version", "revision", "tables")}
    seal = document.get("seal")
    reason = state_keys.unsealed_reason(SEAL_PURPOSE, _sealed_text(body), seal if isinstance(seal, str) else None)
    if reason is not None:
        raise BackupError(f"{path} is refused: {reason}")
    return body


def restore(engine: Engine, path: Path, actor: str) -> dict[str, int]:
    """Replace every table with the backup's rows; rows per table. Refused, changing nothing, for a
    corrupt file, a file of another schema revision, or one whose audit chain is broken."""
    with engine.connect() as conn:
        body = read(path, keys.of(conn))
    revision, here = body["revision"], current_revision(engine)
    if here != head_revision():
        raise BackupError(f"the database is at revision {here or 'none'}: run `nis db upgrade` first")
    if revision != here:
        if revision not in known_revisions():
            raise BackupError(f"{path} is from an unknown or newer schema (revision {revision!r}); this is {here}")
        raise BackupError(
            f"{path} is from schema revision {revision}, this database is at {here}: restore it into a "
            f"database at {revision} (the NIS Library version that made it), then run `nis db upgrade`"
        )
    with engine.connect() as conn:  # on SQLite the transaction holds the write lock from its start
        try:
            counts = _replace(conn, body["tables"], path)
            bad = audit.verify(conn)
            if bad is not None:
                raise BackupError(f"{path} holds a broken audit trail ({bad}): not restored")
            if SESSIONS in counts:  # restored accounts may differ from the ones signed in now
                conn.execute(delete(_tables(conn).tables[SESSIONS]))
            audit.append(
                conn, actor, "state.restore", f"backup:{path.name}", None, {"revision": revision, "rows": counts}
            )
        except Exception:
            conn.rollback()
            raise
        conn.commit()
    return counts


def _replace(conn: Connection, tables: object, path: Path) -> dict[str, int]:
    metadata = _tables(conn)
    if not isinstance(tables, dict) or set(tables) != set(metadata.tables):
        raise BackupError(f"{path} does not hold exactly this schema's tables")
    if conn.dialect.name == "postgresql":
        names = ", ".join(conn.dialect.identifier_preparer.quote(t.name) for t in metadata.sorted_tables)
        conn.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
    with audit_log_writable(conn):
        for table in reversed(metadata.sorted_tables):
            conn.execute(delete(table))
    counts = {}
    for table in metadata.sorted_tables:
        saved = tables[table.name]
        if not isinstance(saved, dict) or saved.get("columns") != [c.name for c in table.columns]:
            raise BackupError(f"{path}: the columns of {table.name} are not this schema's")
        try:
            rows = [dict(zip(saved["columns"], [_decode(v) for v in row], strict=True)) for row in saved["rows"]]
        except (TypeError, ValueError) as error:
            raise BackupError(f"{path}: a row of {table.name} cannot be read ({error})") from None
        if rows:
            conn.execute(table.insert(), rows)
        counts[table.name] = len(rows)
        _reset_sequence(conn, table)
    return counts


@contextlib.contextmanager
def audit_log_writable(conn: Connection) -> Iterator[None]:
    """Lift the audit log's append-only triggers (migration 0003) inside this transaction only, to
    replace the whole log with a backup's (whose chain is verified before the transaction commits)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        yield
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        return
    triggers = conn.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
    ).all()
    for name, _ in triggers:
        conn.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    for _, sql in triggers:
        conn.execute(text(sql))


def _reset_sequence(conn: Connection, table: Table) -> None:
    """PostgreSQL's id sequences do not see ids inserted explicitly: move each past the largest."""
    if conn.dialect.name != "postgresql":
        return
    for column in table.primary_key.columns:
        if column.autoincrement is True or (column.autoincrement == "auto" and column.type.python_type is int):
            largest = conn.execute(select(func.max(column))).scalar()
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table.name, "column": column.name}
            ).scalar()
            if sequence:
                conn.execute(
                    text("SELECT setval(:sequence, :value, :called)"),
                    {"sequence": sequence, "value": largest or 1, "called": largest is not None},
                )
