"""The one bundle cache that search and the catalogue share: the public library and the preview
both stay loaded, a rebuild is loaded in the background while the old bundle answers, old bundles
are released, and one embedder serves every bundle of its model."""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path

import pytest

from nis_library import catalogue as catalogue_module
from nis_library import create_app
from nis_library.catalogue import get_catalogue
from nis_library.loaded_bundles import LOADED
from nis_library.search import get_service
from nis_library.search import service as service_module
from nis_library.settings import preview_dir
from tests.support import ContentTree, build_hashing, sign_in

INT = "items/intervention/INT-0001.md"


@pytest.fixture
def loads(monkeypatch) -> list[tuple[str, Path]]:
    """Every load of a search service or catalogue, as (part, bundle folder)."""
    seen: list[tuple[str, Path]] = []

    class CountedService(service_module.SearchService):
        def __init__(self, bundle_dir, *args, **kwargs):
            seen.append(("search", Path(bundle_dir)))
            super().__init__(bundle_dir, *args, **kwargs)

    class CountedCatalogue(catalogue_module.Catalogue):
        def __init__(self, bundle_dir):
            seen.append(("catalogue", Path(bundle_dir)))
            super().__init__(bundle_dir)

    monkeypatch.setattr(service_module, "SearchService", CountedService)
    monkeypatch.setattr(catalogue_module, "Catalogue", CountedCatalogue)
    return seen


def test_alternating_public_and_preview_loads_each_bundle_once(tree: ContentTree, instance: Path, loads):
    build_hashing(tree, instance)
    build_hashing(tree, preview_dir(instance))
    app = create_app({"INSTANCE_DIR": str(instance), "PREVIEW": True, "TESTING": True})
    client = app.test_client()
    sign_in(app, client)  # the preview is behind sign-in
    for _ in range(5):
        assert client.get("/search?q=vocabulary").status_code == 200
        assert client.get("/preview/search?q=vocabulary").status_code == 200
        assert client.get("/items/INT-0001").status_code == 200
        assert client.get("/preview/items/INT-0001").status_code == 200
    assert sorted(part for part, _ in loads) == ["catalogue", "catalogue", "search", "search"]
    assert {bundle for _, bundle in loads} == {LOADED.bundle(instance), LOADED.bundle(preview_dir(instance))}


def test_after_a_rebuild_the_old_bundle_answers_until_the_new_one_is_loaded(
    tree: ContentTree, instance: Path, loads, monkeypatch
):
    old_bundle = build_hashing(tree, instance).bundle
    old_service, old_catalogue = get_service(instance), get_catalogue(instance)
    tree.replace(INT, "A fixture intervention for the validator's tests.", "Brand new words about a zebra crossing.")
    new_bundle = build_hashing(tree, instance).bundle

    gate = threading.Event()  # holds the background load of the new bundle until the test opens it
    real_load = service_module.SearchService.__init__

    def gated_load(self, bundle_dir, *args, **kwargs):
        if Path(bundle_dir) == new_bundle:
            assert gate.wait(30)
        real_load(self, bundle_dir, *args, **kwargs)

    monkeypatch.setattr(service_module.SearchService, "__init__", gated_load)
    for _ in range(10):  # every request meanwhile is answered at once, from the old bundle
        service = get_service(instance)
        assert service is old_service and get_catalogue(instance) is old_catalogue
        assert service.search(service.parse("zebra", mode="keyword")).total == 0
    gate.set()
    LOADED.wait_until_warm(instance, timeout=30)

    service = get_service(instance)
    assert service.bundle_dir == new_bundle and get_catalogue(instance).bundle_dir == new_bundle
    assert service.search(service.parse("zebra", mode="keyword")).total == 1
    # Each part of each bundle loaded once: the ten requests started one background load.
    assert sorted(loads) == sorted(
        [("search", old_bundle), ("catalogue", old_bundle), ("search", new_bundle), ("catalogue", new_bundle)]
    )


def test_only_the_current_bundle_is_held(tree: ContentTree, instance: Path):
    build_hashing(tree, instance)
    old = weakref.ref(get_service(instance))
    old_catalogue = weakref.ref(get_catalogue(instance))
    tree.replace(INT, "A fixture intervention for the validator's tests.", "Brand new words about a zebra crossing.")
    new_bundle = build_hashing(tree, instance).bundle
    get_service(instance)
    LOADED.wait_until_warm(instance, timeout=30)
    assert LOADED.bundle(instance) == new_bundle
    gc.collect()
    assert old() is None and old_catalogue() is None


def test_a_new_bundle_that_cannot_be_loaded_leaves_the_old_one_serving(tree: ContentTree, instance: Path):
    old_bundle = build_hashing(tree, instance).bundle
    old_service = get_service(instance)
    tree.replace(INT, "A fixture intervention for the validator's tests.", "Brand new words about a zebra crossing.")
    new_bundle = build_hashing(tree, instance).bundle
    (new_bundle / "library.db").write_bytes(b"this is not a database")
    get_service(instance)
    LOADED.wait_until_warm(instance, timeout=30)
    assert get_service(instance) is old_service and LOADED.bundle(instance) == old_bundle


def test_one_embedder_per_model_serves_every_bundle(tree: ContentTree, instance: Path):
    build_hashing(tree, instance)
    build_hashing(tree, preview_dir(instance))
    public, preview = get_service(instance), get_service(preview_dir(instance))
    assert public is not preview
    assert public.embedder() is preview.embedder()
