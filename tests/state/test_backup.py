"""`nis db backup` / `nis db restore` on both backends (and from one to the other): every table comes
back, ids and the audit chain intact; a corrupt file, one from a newer or unknown schema and one
with a broken audit chain are refused, changing nothing."""

from __future__ import annotations

import gzip
import json
import os

import pytest
from argon2 import PasswordHasher, profiles
from click.testing import CliRunner
from sqlalchemy import func, select, update

from nis_library.accounts import passwords, store
from nis_library.cli import main
from nis_library.state import audit, rate_limits
from nis_library.state.database import make_engine
from nis_library.state.keys import StateKeys
from nis_library.state.migrate import head_revision, upgrade
from nis_library.state.schema import accounts, audit_log, metadata, rate_limit_events, sessions
from tests.state_keys import VARIABLE, session_keys


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(passwords, "hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))


def _env(url, tmp_path) -> dict:
    return {"NIS_DATABASE_URL": url, "NIS_INSTANCE_DIR": str(tmp_path / "instance"), "USER": "ops"}


def nis(url, tmp_path, *args):
    return CliRunner().invoke(main, list(args), env=_env(url, tmp_path))


def fill(engine) -> None:
    with engine.begin() as conn:
        store.add(conn, "cli:ops", "chair-one", "Chair One", "chair", "password-one-1")
        store.add(conn, "cli:ops", "admin-two", "Admin Two", "admin", "password-two-2")
        store.disable(conn, "cli:ops", "admin-two")
        rate_limits.record(conn, "sign-in:account:chair-one")
        conn.execute(
            sessions.insert().values(
                id_hash="a" * 64, account_id=1, data="{}", created_at=func.now(), last_seen_at=func.now()
            )
        )


def _plain(row) -> tuple:
    """A row with its datetimes in one form (SQLite's are naive UTC, PostgreSQL's aware)."""
    import datetime as dt

    return tuple(
        v.astimezone(dt.UTC).replace(tzinfo=None) if isinstance(v, dt.datetime) and v.tzinfo else v for v in row
    )


def contents(engine) -> dict:
    with engine.connect() as conn:
        return {
            "accounts": [_plain(r) for r in conn.execute(select(accounts).order_by(accounts.c.id))],
            "audit": [_plain(r)[2:] for r in conn.execute(select(audit_log).order_by(audit_log.c.id))],
            "limits": conn.execute(select(func.count()).select_from(rate_limit_events)).scalar_one(),
        }


@pytest.fixture
def source(engine, tmp_path):
    upgrade(engine)
    fill(engine)
    return engine


def test_a_backup_restores_every_table_with_ids_and_chain(source, state_url, tmp_path):
    backup = tmp_path / "state.json.gz"
    made = nis(state_url, tmp_path, "db", "backup", str(backup))
    assert made.exit_code == 0 and f"of {len(metadata.tables)} tables" in made.output
    assert backup.stat().st_mode & 0o777 == 0o600
    saved = contents(source)
    with source.begin() as conn:  # everything changes after the backup ...
        store.add(conn, "cli:ops", "later", "Later", "responder", "password-three-3")
    restored = nis(state_url, tmp_path, "db", "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    after = contents(source)  # ... and comes back as it was, plus the restore's own audit row
    assert after["accounts"] == saved["accounts"] and after["limits"] == saved["limits"]
    assert after["audit"][:-1] == saved["audit"] and after["audit"][-1][1] == "state.restore"
    assert after["audit"][-1][0] == "cli:ops"
    with source.connect() as conn:
        assert audit.verify(conn) is None
        assert conn.execute(select(func.count()).select_from(sessions)).scalar_one() == 0  # all signed out
    with source.begin() as conn:  # ids go on from the restored ones (PostgreSQL's sequences moved)
        assert store.add(conn, "cli:ops", "next-one", "Next", "chair", "password-four-4").id == 3
    assert nis(state_url, tmp_path, "audit", "verify").exit_code == 0
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match="append-only"), source.begin() as conn:  # still append-only
        conn.execute(update(audit_log).values(actor="mallory"))


def test_a_backup_moves_between_sqlite_and_postgresql(source, state_url, tmp_path, postgres_cluster):
    backup = tmp_path / "state.json.gz"
    assert nis(state_url, tmp_path, "db", "backup", str(backup)).exit_code == 0
    other_url = (
        f"sqlite:///{tmp_path / 'other' / 'state.db'}"
        if state_url.startswith("postgresql")
        else postgres_cluster.create_database(f"nis_backup_{tmp_path.name[-20:].replace('-', '_')}")
    )
    other = make_engine(other_url, session_keys())
    try:
        upgrade(other)
        assert nis(other_url, tmp_path, "db", "restore", str(backup)).exit_code == 0
        assert contents(other)["accounts"] == contents(source)["accounts"]
        with other.connect() as conn:
            assert audit.verify(conn) is None
    finally:
        other.dispose()


def _rewrite(path, change) -> None:
    with gzip.open(path, "rb") as file:
        document = json.loads(file.read())
    change(document)
    with gzip.open(path, "wb") as file:
        file.write(json.dumps(document).encode())


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda p: p.write_bytes(p.read_bytes()[:-40]), "not a readable backup"),
        (lambda p: p.write_bytes(b"not a backup at all"), "not a readable backup"),
        (lambda p: _rewrite(p, lambda d: d["tables"]["accounts"]["rows"][0].__setitem__(3, "admin")), "seal does not"),
        (lambda p: _rewrite(p, lambda d: d.__setitem__("format", "something-else")), "not an NIS Library state backup"),
    ],
)
def test_a_corrupt_file_is_refused_changing_nothing(source, state_url, tmp_path, damage, message):
    assert_refused_changing_nothing(source, state_url, tmp_path, damage, message)


def assert_refused_changing_nothing(source, state_url, tmp_path, damage, message) -> None:
    """Back up, `damage` the file, and check that restoring it is refused naming `message`, with
    the database as it was."""
    backup = tmp_path / "state.json.gz"
    nis(state_url, tmp_path, "db", "backup", str(backup))
    damage(backup)
    before = contents(source)
    result = nis(state_url, tmp_path, "db", "restore", str(backup))
    assert result.exit_code == 1 and message in result.output and "Nothing was changed" in result.output
    assert contents(source) == before


def _resealed(path, change, keys=None) -> None:
    """Change the body and seal it again (under the service's key unless given another), as a backup
    of another schema would be."""
    from nis_library.state.backup import SEAL_PURPOSE

    def edit(document):
        change(document)
        body = {k: document[k] for k in ("format", "version", "revision", "tables")}
        document["seal"] = (keys or session_keys()).seal(SEAL_PURPOSE, audit.canonical_json(body))

    _rewrite(path, edit)


def _promote_to_admin(document) -> None:
    accounts_rows = document["tables"]["accounts"]
    role = accounts_rows["columns"].index("role")
    accounts_rows["rows"][0][role] = "admin"


def _old_checksum(document) -> None:
    """What anyone could do before backups were sealed: recompute the plain SHA-256."""
    import hashlib

    document.pop("seal")
    body = {k: document[k] for k in ("format", "version", "revision", "tables")}
    document["sha256"] = hashlib.sha256(audit.canonical_json(body).encode()).hexdigest()


@pytest.mark.parametrize(
    "forge, message",
    [
        (lambda p: _rewrite(p, lambda d: (_promote_to_admin(d), _old_checksum(d))), "carries no seal"),
        (lambda p: _resealed(p, _promote_to_admin, StateKeys("f" * 40)), "a key this server is not given"),
        (lambda p: _rewrite(p, lambda d: (_promote_to_admin(d), d.__setitem__("seal", None))), "carries no seal"),
    ],
    ids=["checksum-recomputed", "sealed-with-another-key", "seal-removed"],
)
def test_a_forged_backup_promoting_an_account_to_admin_is_refused(source, state_url, tmp_path, forge, message):
    """Before seals, a backup edited to make chair-one an admin, its SHA-256 recomputed, restored
    with the audit log "intact"."""
    assert_refused_changing_nothing(source, state_url, tmp_path, forge, message)


def test_a_backup_sealed_under_a_retired_key_restores(source, state_url, tmp_path):
    backup = tmp_path / "state.json.gz"
    assert nis(state_url, tmp_path, "db", "backup", str(backup)).exit_code == 0
    old = os.environ[VARIABLE]
    rotated = {VARIABLE: "r" * 40, "NIS_STATE_RETIRED_KEYS": old}
    result = CliRunner().invoke(main, ["db", "restore", str(backup)], env=_env(state_url, tmp_path) | rotated)
    assert result.exit_code == 0, result.output
    without_old = CliRunner().invoke(
        main, ["db", "restore", str(backup)], env=_env(state_url, tmp_path) | {VARIABLE: "r" * 40}
    )
    assert without_old.exit_code == 1 and "not given" in without_old.output


@pytest.mark.parametrize(
    "revision, message", [("9999", "unknown or newer schema"), ("0002", "from schema revision 0002")]
)
def test_a_file_of_another_schema_is_refused(source, state_url, tmp_path, revision, message):
    backup = tmp_path / "state.json.gz"
    nis(state_url, tmp_path, "db", "backup", str(backup))
    _resealed(backup, lambda d: d.__setitem__("revision", revision))
    before = contents(source)
    result = nis(state_url, tmp_path, "db", "restore", str(backup))
    assert result.exit_code == 1 and message in result.output
    assert contents(source) == before and head_revision() != revision


def test_a_backup_with_a_broken_audit_chain_is_refused(source, state_url, tmp_path):
    backup = tmp_path / "state.json.gz"
    nis(state_url, tmp_path, "db", "backup", str(backup))
    _resealed(backup, lambda d: d["tables"]["audit_log"]["rows"][0].__setitem__(2, "someone-else"))
    before = contents(source)
    result = nis(state_url, tmp_path, "db", "restore", str(backup))
    assert result.exit_code == 1 and "broken audit trail" in result.output
    assert contents(source) == before


def test_the_backup_is_one_snapshot(source, monkeypatch, tmp_path):
    """A write landing between the tables' reads is not in the file (the reads share one snapshot)."""
    from nis_library.state import backup as backups

    original = backups._tables
    state = {"written": False}

    def write_midway(conn):
        metadata = original(conn)
        if not state["written"]:
            state["written"] = True
            with source.begin() as other:
                store.add(other, "cli:ops", "midway", "Midway", "chair", "password-five-5")
        return metadata

    monkeypatch.setattr(backups, "_tables", write_midway)
    path = tmp_path / "snap.json.gz"
    backups.backup(source, path)
    body = backups.read(path, session_keys())
    usernames = [row[1] for row in body["tables"]["accounts"]["rows"]]
    assert "midway" not in usernames and len(body["tables"]["audit_log"]["rows"]) == 3
    with source.connect() as conn:
        assert conn.execute(select(func.count()).select_from(accounts)).scalar_one() == 3
