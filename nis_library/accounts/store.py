"""Accounts in the state store: add, find, list, disable, reset a password. Every change is written
to the audit log in the same transaction, with the actor who made it (`cli:<os user>`, or a
signed-in account's username)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select, update

from nis_library.accounts import passwords
from nis_library.accounts.roles import ROLES
from nis_library.state import audit
from nis_library.state.schema import accounts, sessions

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}", re.ASCII)
USERNAME_RULE = (
    "2 to 64 characters: lower-case letters, digits, dots, hyphens and underscores, starting with a letter or digit"
)
DISPLAY_NAME_LIMIT = 200


class AccountError(ValueError):
    """A change that cannot be made (unknown account, bad username or role); nothing was changed."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: str
    disabled: bool = False


def _account(row) -> Account:
    return Account(row.id, row.username, row.display_name, row.role, bool(row.disabled))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise AccountError(f"{username!r} is not a username: {USERNAME_RULE}")
    return username


def check_display_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > DISPLAY_NAME_LIMIT or not name.isprintable():
        raise AccountError(f"a display name is 1 to {DISPLAY_NAME_LIMIT} printable characters")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"{role!r} is not a role: one of {', '.join(ROLES)}")
    return role


def _public(account: Account) -> dict:
    """What the audit log records of an account (never its password hash)."""
    return {
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role,
        "disabled": account.disabled,
    }


def find(conn: Connection, username: str) -> tuple[Account, str] | None:
    """The account and its password hash."""
    row = conn.execute(select(accounts).where(accounts.c.username == username)).first()
    return None if row is None else (_account(row), row.password_hash)


def get(conn: Connection, account_id: int) -> Account | None:
    row = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
    return None if row is None else _account(row)


def all_accounts(conn: Connection) -> list[Account]:
    return [_account(row) for row in conn.execute(select(accounts).order_by(accounts.c.username))]


def add(conn: Connection, actor: str, username: str, display_name: str, role: str, password: str) -> Account:
    check_username(username)
    display_name, role = check_display_name(display_name), check_role(role)
    if find(conn, username) is not None:
        raise AccountError(f"an account {username!r} already exists")
    now = _now()
    account_id = conn.execute(
        accounts.insert().values(
            username=username,
            display_name=display_name,
            role=role,
            password_hash=passwords.hash_password(password),
            disabled=False,
            created_at=now,
            updated_at=now,
        )
    ).inserted_primary_key[0]
    account = Account(account_id, username, display_name, role)
    audit.append(conn, actor, "account.add", f"account:{username}", None, _public(account), at=now)
    return account


def _existing(conn: Connection, username: str) -> Account:
    found = find(conn, username)
    if found is None:
        raise AccountError(f"there is no account {username!r}")
    return found[0]


def end_sessions(conn: Connection, account_id: int) -> None:
    """Sign the account out everywhere: every worker finds its sessions gone at the next request."""
    conn.execute(delete(sessions).where(sessions.c.account_id == account_id))


def disable(conn: Connection, actor: str, username: str) -> Account:
    account = _existing(conn, username)
    conn.execute(update(accounts).where(accounts.c.id == account.id).values(disabled=True, updated_at=_now()))
    end_sessions(conn, account.id)
    after = Account(account.id, account.username, account.display_name, account.role, True)
    audit.append(conn, actor, "account.disable", f"account:{username}", _public(account), _public(after))
    return after


def reset_password(conn: Connection, actor: str, username: str, password: str) -> Account:
    account = _existing(conn, username)
    conn.execute(
        update(accounts)
        .where(accounts.c.id == account.id)
        .values(password_hash=passwords.hash_password(password), updated_at=_now())
    )
    end_sessions(conn, account.id)
    audit.append(conn, actor, "account.reset-password", f"account:{username}", None, {"sessions_ended": True})
    return account


def store_rehash(conn: Connection, account_id: int, password: str) -> None:
    """Argon2's recommended parameters changed since this hash was made: store a new hash."""
    conn.execute(
        update(accounts).where(accounts.c.id == account_id).values(password_hash=passwords.hash_password(password))
    )
