"""The shipped content built once, published and as a preview, for tests that need `/preview` too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import REPO


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
