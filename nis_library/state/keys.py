"""The state key: a secret kept outside the state store, so that someone who can write the database
or a backup file, but cannot read the key, cannot forge what it protects. It seals every audit log
row and every backup (HMAC-SHA256) and encrypts the webhook signing secrets at rest (Fernet).

It is `STATE_KEY` (`NIS_STATE_KEY`: every server of one service is given the same one) or, unset,
a key made on first use in `INSTANCE_DIR/state_key` (mode 0600). To rotate it, give the new key as
`STATE_KEY` and the old one in `STATE_RETIRED_KEYS`, so that what the old one sealed still checks;
`nis db rekey` then reseals and re-encrypts everything under the new key, and the old can go.

Each purpose has its own key, derived with HKDF, and every seal names the key it was made with."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection

from nis_library import key_files

KEY_FILE = "state_key"
OPTION = "nis_state_keys"  # the engine's execution option that carries them to every connection
MINIMUM_LENGTH = key_files.MINIMUM_LENGTH


class StateKeyError(RuntimeError):
    """A key that is missing, unknown or does not open what it should; the message says which."""


class Key:
    def __init__(self, secret: str) -> None:
        if len(secret) < MINIMUM_LENGTH:
            raise StateKeyError(f"a state key must be at least {MINIMUM_LENGTH} characters")
        self._secret = secret.encode("utf-8")
        self._derived: dict[str, bytes] = {}  # every audited request seals a row: derive each key once

    def derive(self, purpose: str) -> bytes:
        if purpose not in self._derived:
            hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
            self._derived[purpose] = hkdf.derive(self._secret)
        return self._derived[purpose]

    @cached_property
    def id(self) -> str:
        """A name for the key that gives nothing of it away: what a seal records."""
        return self.derive("nis-state-key-id").hex()[:16]

    def fernet(self) -> Fernet:
        return Fernet(base64.urlsafe_b64encode(self.derive("nis-webhook-secrets")))


class StateKeys:
    """The current key (read or made when first needed, not when the app is made) and the retired."""

    def __init__(self, configured: str | None, retired: Sequence[str] = (), key_file: Path | None = None) -> None:
        if not configured and key_file is None:
            raise StateKeyError("no state key: set STATE_KEY or give an instance folder to keep one in")
        self._configured, self._retired, self._key_file = configured, tuple(retired), key_file

    @classmethod
    def for_instance(cls, configured: str | None, retired: Sequence[str], instance_dir: Path) -> StateKeys:
        return cls(configured, retired, Path(instance_dir) / KEY_FILE)

    @cached_property
    def current(self) -> Key:
        if self._configured:
            return Key(self._configured)
        assert self._key_file is not None, "__init__ refuses neither a key nor a key file"
        return Key(key_files.load_or_create(self._key_file))

    @cached_property
    def known(self) -> dict[str, Key]:
        keys = [Key(secret) for secret in self._retired]
        return {key.id: key for key in keys} | {self.current.id: self.current}

    # -- seals: HMAC-SHA256 of a text, under a purpose's key, naming the key ---------------------------

    @staticmethod
    def _mac(key: Key, purpose: str, text: str) -> str:
        return hmac.new(key.derive(purpose), text.encode("utf-8"), hashlib.sha256).hexdigest()

    def seal(self, purpose: str, text: str) -> str:
        return f"{self.current.id}:{self._mac(self.current, purpose, text)}"

    def unsealed_reason(self, purpose: str, text: str, seal: str | None) -> str | None:
        """Why `seal` is not this text's seal (None when it is)."""
        key_id, _, mac = (seal or "").partition(":")
        if not mac:
            return "it carries no seal"
        key = self.known.get(key_id)
        if key is None:
            return (
                f"it is sealed with a key this server is not given (key {key_id}): every server needs the same "
                "STATE_KEY, and a rotated-out key belongs in STATE_RETIRED_KEYS"
            )
        if not hmac.compare_digest(mac, self._mac(key, purpose, text)):
            return "its seal does not match: it was written or rewritten without the state key"
        return None

    # -- encryption at rest ----------------------------------------------------------------------------

    def _fernet(self) -> MultiFernet:
        return MultiFernet([self.current.fernet()] + [k.fernet() for k in self.known.values() if k is not self.current])

    def encrypt(self, text: str) -> str:
        return self._fernet().encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet().decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise StateKeyError("a stored secret cannot be opened with the state keys this server is given") from None

    def reencrypt(self, token: str) -> str:
        """The same secret, encrypted under the current key."""
        try:
            return self._fernet().rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise StateKeyError("a stored secret cannot be opened with the state keys this server is given") from None


def of(conn: Connection) -> StateKeys:
    """The keys of the engine this connection came from."""
    keys: StateKeys | None = conn.get_execution_options().get(OPTION)  # make_engine put them there
    if keys is None:
        raise StateKeyError("the state store was opened without its state key (make_engine(url, keys))")
    return keys
