"""The ISP links API on the shipped content, whose history has INT-0502 revised substantively
(v2), INT-0302 revised editorially (v2) and ADJ-0008 withdrawn in favour of INT-0407 (v2). Each
test gets a state store of its own, so links, clients and rate limits never leak between tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from nis_library import create_app
from nis_library.catalogue import get_catalogue
from nis_library.isp_links import clients, served
from nis_library.state.database import make_engine
from nis_library.state.migrate import upgrade
from tests.state_keys import session_keys
from tests.support import REPO

PUBLIC_URL = "https://nis.example.org"


@pytest.fixture
def state_url(tmp_path: Path, shipped_instance: Path) -> str:
    """A migrated state store that knows what the bundle serves, as `nis build` leaves it."""
    url = f"sqlite:///{tmp_path / 'state' / 'state.db'}"
    engine = make_engine(url, session_keys())
    upgrade(engine)
    with engine.begin() as conn:
        served.record_bundle(conn, get_catalogue(shipped_instance))
    engine.dispose()
    return url


@pytest.fixture
def make_app(shipped_instance: Path, state_url: str):
    apps = []

    def make(**config):
        settings = {
            "INSTANCE_DIR": str(shipped_instance),
            "DATABASE_URL": state_url,
            "PUBLIC_URL": PUBLIC_URL,
            "TESTING": True,
            "TODAY": dt.date(2026, 11, 29),
        } | config
        app = create_app(settings)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["nis_state_engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def engine(app):
    return app.extensions["nis_state_engine"]


class Api:
    """A test client that sends one client's token."""

    def __init__(self, http, token: str | None):
        self.http, self.token = http, token

    def _headers(self, headers):
        own = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return own | (headers or {})

    def get(self, path, headers=None, **kw):
        return self.http.get(path, headers=self._headers(headers), **kw)

    def delete(self, path, headers=None, **kw):
        return self.http.delete(path, headers=self._headers(headers), **kw)

    def post(self, path, json=None, headers=None, **kw):
        return self.http.post(path, json=json, headers=self._headers(headers), **kw)

    def put(self, path, json=None, headers=None, **kw):
        return self.http.put(path, json=json, headers=self._headers(headers), **kw)


def add_client(engine, name: str) -> tuple[int, str]:
    with engine.begin() as conn:
        client, token = clients.add(conn, name)
    return client.id, token


@pytest.fixture
def api(app, engine) -> Api:
    _, token = add_client(engine, "Northfield Primary")
    return Api(app.test_client(), token)


@pytest.fixture
def other_api(app, engine) -> Api:
    _, token = add_client(engine, "Southgate Academy")
    return Api(app.test_client(), token)


@pytest.fixture(scope="session")
def spec() -> dict:
    return yaml.safe_load((REPO / "openapi.yaml").read_text())


@pytest.fixture
def conforms(spec):
    """Assert a response body matches a schema of openapi.yaml (by its name under components)."""
    from jsonschema import Draft202012Validator, FormatChecker

    def check(body, schema_name: str | None = None, *, pointer: str | None = None):
        ref = pointer or f"#/components/schemas/{schema_name}"
        validator = Draft202012Validator(spec | {"$ref": ref}, format_checker=FormatChecker())
        errors = [e.message for e in validator.iter_errors(body)]
        assert not errors, errors
        return body

    return check


def ref(n: int = 1) -> str:
    """An opaque isp_ref, as a setting's system would generate one."""
    return f"plan_{n:016d}"
