"""The key Flask signs CSRF tokens with. Never committed: `NIS_SECRET_KEY` (every app server of one
service must be given the same), else one generated on first use into `INSTANCE_DIR/secret_key`
with mode 0600 and kept, so the workers of one machine share it and it survives restarts."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from nis_library import key_files

SECRET_FILE = "secret_key"


def load_or_create(instance: Path) -> str:
    return key_files.load_or_create(Path(instance) / SECRET_FILE)


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
