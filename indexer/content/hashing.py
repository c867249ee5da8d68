"""SHA-256, in one place: of some bytes, and of several parts kept apart from each other."""

from __future__ import annotations

import hashlib


def sha256_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def digest(*parts: str | bytes) -> str:
    """One hash of several parts; a NUL after each, so ("ab", "c") and ("a", "bc") differ."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()
