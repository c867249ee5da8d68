"""The key Flask signs CSRF tokens with. Never committed: `NIS_SECRET_KEY` (every app server of one
service must be given the same), else one generated on first use into `INSTANCE_DIR/secret_key`
with mode 0600 and kept, so the workers of one machine share it and it survives restarts."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

SECRET_FILE = "secret_key"


def load_or_create(instance: Path) -> str:
    path = Path(instance) / SECRET_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole to a private temporary file, then linked into place: a worker starting at the
        # same moment either wins the link or reads the winner's key, never half a file.
        temporary = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
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
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret key: delete it to have a new one made")
    return key


def init_app(app: Flask) -> None:
    """Without `SECRET_KEY` (`NIS_SECRET_KEY`), read or make the instance folder's key before the first
    request needs it (not at start-up: making an app must not write to its instance folder)."""
    if app.config.get("SECRET_KEY"):
        return

    def _ensure_secret_key() -> None:
        ensure(app)

    app.before_request(_ensure_secret_key)


def ensure(app: Flask) -> str | bytes:
    """The app's secret key, read or made now if it has none yet (the session is opened before any
    before-request hook runs, so it asks here)."""
    if not app.secret_key:
        app.secret_key = load_or_create(Path(app.config["INSTANCE_DIR"]))
    return app.secret_key
