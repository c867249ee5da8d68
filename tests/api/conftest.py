"""An app serving the shipped content, with the sample recommendation register in its own state
store, for the API's tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nis_library import create_app
from nis_library.catalogue import get_catalogue
from nis_library.governance import recommendations, sample
from nis_library.governance.library_names import from_catalogue
from nis_library.isp_links import served
from nis_library.state.database import make_engine
from nis_library.state.migrate import upgrade
from tests.state_keys import session_keys


@pytest.fixture(scope="module")
def register_url(shipped_instance: Path, tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('api-state') / 'state.db'}"
    engine = make_engine(url, session_keys())
    upgrade(engine)
    with recommendations.unit_of_work(engine) as conn:
        sample.load(conn, from_catalogue(get_catalogue(shipped_instance)))
    with engine.begin() as conn:
        served.record_bundle(conn, get_catalogue(shipped_instance))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def app(shipped_instance: Path, register_url: str):
    # No rate limit here: these tests make many requests from one address; test_errors turns it on.
    return create_app(
        {
            "INSTANCE_DIR": str(shipped_instance),
            "DATABASE_URL": register_url,
            "TESTING": True,
            "TODAY": dt.date(2026, 12, 2),
            "API_ADDRESS_LIMIT": 0,
        }
    )


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()
