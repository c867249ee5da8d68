"""An app serving the shipped content, for the API's tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nis_library import create_app


@pytest.fixture(scope="module")
def app(shipped_instance: Path):
    # No rate limit here: these tests make many requests from one address; test_errors turns it on.
    return create_app(
        {"INSTANCE_DIR": str(shipped_instance), "TESTING": True, "TODAY": dt.date(2026, 11, 29), "API_ADDRESS_LIMIT": 0}
    )


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()
