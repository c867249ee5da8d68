"""The account signed in for the request being answered, as a plain value any feature can read
(`current_account()`) for its audit rows and its own object-level checks, without importing Flask.
The accounts views set it at the start of each request and clear it at the end."""

from __future__ import annotations

from contextvars import ContextVar, Token

from nis_library.accounts.store import Account

_current: ContextVar[Account | None] = ContextVar("nis_current_account", default=None)

__all__ = ["Account", "current_account", "actor", "set_current", "reset_current"]


def current_account() -> Account | None:
    """The signed-in account, or None when signed out (or outside a request)."""
    return _current.get()


def actor(address: str | None = None) -> str:
    """Who to name in an audit row: the account's username, else `anonymous` (and the address)."""
    account = current_account()
    if account is not None:
        return account.username
    return f"anonymous@{address}" if address else "anonymous"


def set_current(account: Account | None) -> Token:
    return _current.set(account)


def reset_current(token: Token) -> None:
    _current.reset(token)
