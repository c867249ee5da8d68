"""`nis users` and `nis sample accounts` on both backends: passwords printed once and stored only as
argon2 hashes, every change audited as `cli:<os user>`, bad input refused changing nothing."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher, profiles
from click.testing import CliRunner
from sqlalchemy import func, select

from nis_library.accounts import passwords, store
from nis_library.cli import main
from nis_library.state import audit
from nis_library.state.database import make_engine
from nis_library.state.schema import accounts, audit_log, sessions
from tests.state_keys import session_keys


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(passwords, "hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))


def nis(state_url, tmp_path, *args, stdin=None):
    env = {"NIS_DATABASE_URL": state_url, "NIS_INSTANCE_DIR": str(tmp_path / "instance"), "USER": "ops"}
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


@pytest.fixture
def migrated(state_url, tmp_path):
    assert nis(state_url, tmp_path, "db", "upgrade").exit_code == 0
    engine = make_engine(state_url, session_keys())
    yield engine
    engine.dispose()


def test_add_prints_a_password_once_and_stores_only_its_hash(migrated, state_url, tmp_path):
    result = nis(state_url, tmp_path, "users", "add", "jo.bloggs", "--role", "chair", "--name", "Jo Bloggs")
    assert result.exit_code == 0, result.output
    password = re.search(r"password \(shown once, not stored\): (\S+)", result.output).group(1)
    with migrated.connect() as conn:
        account, stored = store.find(conn, "jo.bloggs")
        row = conn.execute(select(audit_log).order_by(audit_log.c.id.desc())).first()
    assert (account.role, account.display_name) == ("chair", "Jo Bloggs")
    assert password not in stored and stored.startswith("$argon2id$") and passwords.verify(stored, password)
    assert (row.actor, row.action, row.subject) == ("cli:ops", "account.add", "account:jo.bloggs")
    assert "argon2" not in (row.after or "")
    listed = nis(state_url, tmp_path, "users", "list").output
    assert "jo.bloggs\tchair\tactive\tJo Bloggs" in listed and password not in listed


def test_a_password_from_stdin_is_not_printed(migrated, state_url, tmp_path):
    result = nis(
        state_url,
        tmp_path,
        "users",
        "add",
        "ann",
        "--role",
        "admin",
        "--name",
        "Ann",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert result.exit_code == 0 and "correct horse" not in result.output and "password" not in result.output
    with migrated.connect() as conn:
        assert passwords.verify(store.find(conn, "ann")[1], "correct horse battery")
    short = nis(
        state_url,
        tmp_path,
        "users",
        "add",
        "bo",
        "--role",
        "admin",
        "--name",
        "Bo",
        "--password-stdin",
        stdin="short\n",
    )
    assert short.exit_code == 1 and "12 to 256" in short.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["users", "add", "Bad Name", "--role", "chair", "--name", "X"], "is not a username"),
        (["users", "add", "<script>", "--role", "chair", "--name", "X"], "is not a username"),
        (["users", "add", "ok-name", "--role", "chair", "--name", "\x1b[31m"], "display name"),
        (["users", "add", "ok-name", "--role", "chair", "--name", "n" * 201], "display name"),
        (["users", "add", "ok-name", "--role", "overlord", "--name", "X"], "Invalid value for '--role'"),
        (["users", "disable", "nobody"], "there is no account 'nobody'"),
        (["users", "reset-password", "nobody"], "there is no account 'nobody'"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(migrated, state_url, tmp_path, args, message):
    result = nis(state_url, tmp_path, *args)
    assert result.exit_code != 0 and message in result.output
    with migrated.connect() as conn:
        assert conn.execute(select(func.count()).select_from(accounts)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() == 0


def test_disable_and_reset_password_end_sessions_and_are_audited(migrated, state_url, tmp_path):
    nis(state_url, tmp_path, "users", "add", "jo", "--role", "responder", "--name", "Jo")
    with migrated.begin() as conn:
        account_id = store.find(conn, "jo")[0].id
    import datetime as dt

    from nis_library.accounts.sessions import SessionStore

    session_store = SessionStore(migrated, dt.timedelta(minutes=30), dt.timedelta(hours=12))
    first = session_store.create("{}", account_id)
    reset = nis(state_url, tmp_path, "users", "reset-password", "jo")
    new_password = re.search(r"new password \(shown once, not stored\): (\S+)", reset.output).group(1)
    assert session_store.load(first) is None
    second = session_store.create("{}", account_id)
    assert nis(state_url, tmp_path, "users", "disable", "jo").exit_code == 0
    assert session_store.load(second) is None
    with migrated.connect() as conn:
        account, stored = store.find(conn, "jo")
        assert account.disabled and passwords.verify(stored, new_password)
        assert conn.execute(select(func.count()).select_from(sessions)).scalar_one() == 0
        names = list(conn.execute(select(audit_log.c.action).order_by(audit_log.c.id)).scalars())
        assert names == ["account.add", "account.reset-password", "account.disable"]
        assert audit.verify(conn) is None
    assert "jo\tresponder\tdisabled\tJo" in nis(state_url, tmp_path, "users", "list").output


def test_sample_accounts_are_made_once_and_then_left_alone(migrated, state_url, tmp_path):
    first = nis(state_url, tmp_path, "sample", "accounts")
    assert first.exit_code == 0
    made = dict(re.findall(r"sample account (\S+) \(\S+\): password (\S+) \(shown once\)", first.output))
    assert set(made) == {"sample-panel", "sample-chair", "sample-responder", "sample-admin"}
    again = nis(state_url, tmp_path, "sample", "accounts")
    assert again.exit_code == 0 and again.output.count("exists, password unchanged") == 4
    assert not any(p in again.output for p in made.values())
    with migrated.connect() as conn:
        for username, password in made.items():
            account, stored = store.find(conn, username)
            assert passwords.verify(stored, password) and password not in stored
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() == 4
