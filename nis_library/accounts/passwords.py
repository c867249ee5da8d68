"""Passwords: hashed with argon2id (argon2-cffi's PasswordHasher and its recommended parameters),
re-hashed when those parameters change, and generated for new accounts and resets."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

hasher = PasswordHasher()
# Verified against when an account does not exist, so a wrong username costs the same time as a
# wrong password and the answer's timing does not say which usernames exist.
_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    try:
        return hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher.check_needs_rehash(stored_hash)


def generate_password() -> str:
    """Twenty random URL-safe characters (120 bits): printed once, never stored."""
    return secrets.token_urlsafe(15)
