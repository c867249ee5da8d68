"""A secret generated on first use into a file of the instance folder (mode 0600) and kept, so the
workers of one machine share it and it survives restarts. Used when a key's setting is not given."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

MINIMUM_LENGTH = 32


def load_or_create(path: Path) -> str:
    """The key in `path`, made now if the file does not exist yet."""
    path = Path(path)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole to a private temporary file, then linked into place: a worker starting at the
        # same moment either wins the link or reads the winner's key, never half a file.
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(secrets.token_hex(32) + "\n")
                file.flush()
                os.fsync(file.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
        finally:
            temporary.unlink(missing_ok=True)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MINIMUM_LENGTH:
        raise RuntimeError(f"{path} holds no usable key: delete it to have a new one made")
    return key
