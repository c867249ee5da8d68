"""Signing in, as plain functions: read the form's two fields (every bad value gets a clear message),
then check the password, with failed attempts limited in the state store (so the limits hold across
every worker). A wrong password, an unknown username and a disabled account get the same answer, so
the page never says which accounts exist.

Failures lock out a pair, never an account: an account from one address (or, from a browser that
has signed in to it before and carries its device cookie, that browser). So someone elsewhere who
knows a username cannot lock its owner out. Guessing from everywhere at once is slowed instead: past
a limit per account, browsers new to it are refused for a while; its known browsers are not (OWASP's
device cookies). And one address may fail only so often, whatever the accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine

from nis_library.accounts import passwords, store
from nis_library.accounts.store import Account
from nis_library.state import audit, rate_limits
from nis_library.state.rate_limits import Limit

USERNAME_LIMIT = 64
PASSWORD_LIMIT = 256  # argon2 takes any length; a cap keeps one request's work bounded


@dataclass(frozen=True)
class SignInLimits:
    per_account: Limit  # failures to one account from one address, or from one known browser
    per_address: Limit  # failures from one address, to any account
    per_account_from_new_browsers: Limit  # failures to one account from everywhere, but its known browsers


@dataclass
class SignInForm:
    username: str = ""
    password: str = field(default="", repr=False)
    errors: dict[str, str] = field(default_factory=dict)  # field name: message, in the page's order


def read_form(username: str, password: str) -> SignInForm:
    """The fields as typed, and a message for each that cannot be a username or password."""
    form = SignInForm(username.strip().lower(), password)
    if not form.username:
        form.errors["username"] = "Enter your username"
    elif len(form.username) > USERNAME_LIMIT:
        form.errors["username"] = f"Username must be {USERNAME_LIMIT} characters or fewer"
    elif not store.USERNAME.fullmatch(form.username):
        form.errors["username"] = "Username can only contain lower-case letters, digits, dots, hyphens and underscores"
    if not password:
        form.errors["password"] = "Enter your password"
    elif len(password) > PASSWORD_LIMIT:
        form.errors["password"] = f"Password must be {PASSWORD_LIMIT} characters or fewer"
    if form.errors:
        # Shown again in the form, without the characters a page cannot show (control characters).
        typed = "".join(c for c in username if c.isprintable())
        form.username = typed if len(typed) <= USERNAME_LIMIT else ""
    return form


@dataclass(frozen=True)
class Outcome:
    account: Account | None = None  # set when signed in
    retry_after: int = 0  # seconds, when refused because of too many failed attempts

    @property
    def limited(self) -> bool:
        return self.retry_after > 0


def _keys(username: str, address: str | None, device: str | None) -> list[str]:
    """The keys an attempt is counted against: the first is the pair it locks out."""
    if device is not None:
        return [f"sign-in:account:{username}:device:{device}"]
    address = address or "unknown"
    return [
        f"sign-in:account:{username}:address:{address}",
        f"sign-in:address:{address}",
        f"sign-in:account:{username}",
    ]


def attempt(
    engine: Engine, username: str, password: str, address: str | None, limits: SignInLimits, device: str | None = None
) -> Outcome:
    """Sign `username` in if the password is right, the account enabled and no limit reached.
    `device`: the id in this browser's device cookie when it is for `username` (a browser that has
    signed in to it before). Every attempt is audited. It is counted in the transaction that checks
    the limits (so concurrent attempts cannot all pass one check: each limit holds exactly); if it
    succeeds, its pair's count is cleared and the rest taken back."""
    keys = _keys(username, address, device)
    applied = [limits.per_account, limits.per_address, limits.per_account_from_new_browsers][: len(keys)]
    subject = f"account:{username}"
    origin = {"address": address or "unknown"} | ({"browser": "known"} if device else {})
    with engine.begin() as conn:
        decisions = [rate_limits.check(conn, key, limit) for key, limit in zip(keys, applied, strict=True)]
        if not all(d.allowed for d in decisions):
            retry_after = max(d.retry_after for d in decisions)
            audit_anonymous(conn, f"anonymous@{origin['address']}", "account.sign-in-limited", subject, origin)
            return Outcome(retry_after=retry_after)
        counted = [rate_limits.record(conn, key) for key in keys]
        found = store.find(conn, username)

    account, stored_hash = found if found else (None, None)
    # Always verified (against a dummy hash when there is no account): the same time either way.
    right = passwords.verify(stored_hash, password)
    with engine.begin() as conn:
        if right and account is not None and not account.disabled:
            rate_limits.clear(conn, keys[0])
            for event_id in counted[1:]:
                rate_limits.forget(conn, event_id)
            if passwords.needs_rehash(stored_hash):
                store.store_rehash(conn, account.id, password)
            audit.append(conn, account.username, "account.sign-in", subject, None, origin)
            return Outcome(account=account)
        reason = "no such account" if account is None else ("disabled" if account.disabled else "wrong password")
        audit.append(
            conn, f"anonymous@{origin['address']}", "account.sign-in-failed", subject, None, origin | {"reason": reason}
        )
    return Outcome()


def record_sign_out(conn: Connection, account: Account) -> None:
    audit.append(conn, account.username, "account.sign-out", f"account:{account.username}", None, None)


def record_refusal(conn: Connection, actor: str, action: str, subject: str, details: dict) -> None:
    """A request refused (wrong role, a bad CSRF token): audited, nothing changed. Refusals of
    someone not signed in are aggregated (`audit_anonymous`), so no one can flood the log."""
    if actor.startswith("anonymous"):
        audit_anonymous(conn, actor, action, subject[:500], details)
    else:
        audit.append(conn, actor, action, subject[:500], None, details)


# One row per address and kind of refusal in this long; the rest of the window is counted, not written.
ANONYMOUS_WINDOW = dt.timedelta(minutes=10)


def audit_anonymous(conn: Connection, actor: str, action: str, subject: str, details: dict) -> bool:
    """Audit a refusal of an anonymous request: the first from its address in ANONYMOUS_WINDOW is
    written (saying so), later ones are only counted (a rate-limit event each, pruned with the
    window). Whether a row was written."""
    key = f"refused:{actor}:{action}"
    first = rate_limits.check(conn, key, Limit(1, ANONYMOUS_WINDOW)).allowed
    rate_limits.record(conn, key)
    if first:
        minutes = int(ANONYMOUS_WINDOW.total_seconds() // 60)
        note = f"further refusals like this from this address within {minutes} minutes are counted, not written"
        audit.append(conn, actor, action, subject, None, details | {"note": note})
    return first


def load_account(conn: Connection, account_id: int) -> Account | None:
    """The account a session names, if it may still be signed in (it exists and is not disabled)."""
    account = store.get(conn, account_id)
    return None if account is None or account.disabled else account


def safe_next(target: str | None) -> str | None:
    """Where to go after signing in: a path on this service only (`/panel/reviews?page=2`), never
    another site (`//evil.example`, `https://…`, `/\\evil.example`), else None."""
    if not target or len(target) > 2000 or not target.isprintable() or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
