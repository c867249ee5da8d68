"""Accounts tests: an app on the shipped content with its own migrated state store (so counts of
audit rows and sessions are this test's alone), and argon2 at its cheapest so signing in is fast."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, profiles

from nis_library import create_app
from nis_library.accounts import passwords
from nis_library.state.database import make_engine
from nis_library.state.migrate import upgrade
from tests.state_keys import session_keys


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(passwords, "hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))


@pytest.fixture
def state_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'state' / 'state.db'}"
    engine = make_engine(url, session_keys())
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def make_app(shipped_with_preview, state_url):
    def make(**config):
        return create_app(
            {"INSTANCE_DIR": str(shipped_with_preview), "DATABASE_URL": state_url, "TESTING": True, "PREVIEW": True}
            | config
        )

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def engine(app):
    from nis_library.web.context import STATE_ENGINE

    return app.extensions[STATE_ENGINE]
