"""Every state test runs twice: on SQLite in a temp folder, and on a database of a throwaway
PostgreSQL cluster. Without PostgreSQL the second is skipped locally but fails in CI (`CI` set)."""

from __future__ import annotations

import itertools
import os

import pytest

from nis_library.state.database import make_engine
from tests.state.postgres_cluster import Cluster, find_binaries
from tests.state_keys import session_keys

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_cluster():
    binaries = find_binaries()
    if binaries is None:
        message = "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): scripts/install_postgres"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run the state tests on PostgreSQL)")
        pytest.skip(message)
    cluster = Cluster(binaries)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request, tmp_path) -> str:
    """A URL of an empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'instance' / 'state.db'}"
    cluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database(f"nis_test_{next(_database_numbers)}")


@pytest.fixture
def engine(state_url):
    engine = make_engine(state_url, session_keys())
    yield engine
    engine.dispose()
