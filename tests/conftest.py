"""Fixtures: a small, valid content tree of the tests' own, copied into a temporary folder; an
instance folder; the shipped content built once for page tests; a migrated state store for every
app a test builds."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from tests.state_keys import ensure_variable, session_keys
from tests.support import FIXTURES, REPO, ContentTree

_STATE_FOLDER = pytest.StashKey[Path]()

# Property-based tests: in CI a fixed seed (the same cases every run, so a failure reproduces from a
# fresh clone); by hand, `scripts/test --hypothesis-profile=deep` draws many more, afresh each run.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("deep", max_examples=2000, derandomize=False)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_configure(config) -> None:
    """`create_app` refuses a state store that is not migrated, so every app a test builds (even while
    tests are collected) and every gunicorn a test starts uses one SQLite store migrated here, unless
    the test names its own (`DATABASE_URL` in its config, or NIS_DATABASE_URL monkeypatched)."""
    from nis_library.state.database import make_engine
    from nis_library.state.migrate import upgrade

    ensure_variable()

    folder = Path(tempfile.mkdtemp(prefix="nis-test-state-"))
    config.stash[_STATE_FOLDER] = folder
    url = f"sqlite:///{folder / 'state.db'}"
    engine = make_engine(url, session_keys())
    upgrade(engine)
    engine.dispose()
    os.environ["NIS_DATABASE_URL"] = url
    # Every test app shares that store and the test client's one address, so the per-address limits
    # of the API and the search page would count every test's requests together: off, except where a
    # test turns one on.
    os.environ["NIS_API_ADDRESS_LIMIT"] = "0"
    os.environ["NIS_SEARCH_ADDRESS_LIMIT"] = "0"


def pytest_unconfigure(config) -> None:
    folder = config.stash.get(_STATE_FOLDER, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop("NIS_DATABASE_URL", None)
        os.environ.pop("NIS_API_ADDRESS_LIMIT", None)
        os.environ.pop("NIS_SEARCH_ADDRESS_LIMIT", None)


@pytest.fixture
def tree(tmp_path: Path) -> ContentTree:
    root = tmp_path / "content"
    root.mkdir()
    for name in ("taxonomy.yaml", "publications.yaml", "synonyms.yaml"):
        shutil.copy(REPO / "content" / name, root / name)
    shutil.copytree(FIXTURES / "items", root / "items")
    shutil.copytree(FIXTURES / "sources", root / "sources")
    return ContentTree(root)


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    return tmp_path / "instance"


@pytest.fixture(scope="session")
def shipped_instance(tmp_path_factory) -> Path:
    """The shipped content/ built once with the stand-in embedder: a realistic library for pages."""
    from indexer.bundle.build import build
    from indexer.bundle.embeddings import HashingEmbedder

    instance = tmp_path_factory.mktemp("shipped") / "instance"
    build(REPO / "content", instance, embedder=HashingEmbedder())
    return instance


@pytest.fixture(scope="session")
def shipped_with_preview(tmp_path_factory) -> Path:
    """An instance folder with the published bundle and the working copies' preview bundle."""
    from indexer.bundle.build import build
    from indexer.bundle.embeddings import HashingEmbedder
    from nis_library.settings import preview_dir

    instance = tmp_path_factory.mktemp("shipped-with-preview") / "instance"
    build(REPO / "content", instance, embedder=HashingEmbedder())
    build(REPO / "content", preview_dir(instance), embedder=HashingEmbedder(), source="working", vectors_from=instance)
    return instance


def pytest_deselected(items):
    """Developers may skip the slow real-model tests (`-m "not real_model"`); CI never does."""
    if os.environ.get("CI") and any(item.get_closest_marker("real_model") for item in items):
        raise pytest.UsageError("CI runs the real-model tests: do not deselect them")
