"""The one bundle cache that search and the catalogue share: the public library and the preview
both stay loaded, the first request after a rebuild answers from the new bundle, old bundles
are released, and one embedder serves every bundle of its model."""

from __future__ import annotations

import gc
import multiprocessing
import threading
import weakref
from pathlib import Path

import pytest

from nis_library import catalogue as catalogue_module
from nis_library import create_app, loaded_bundles
from nis_library.catalogue import get_catalogue
from nis_library.loaded_bundles import LOADED
from nis_library.search import bundle_search as service_module
from nis_library.search import get_service
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


def test_the_first_request_after_a_rebuild_answers_from_the_new_bundle(tree: ContentTree, instance: Path, loads):
    old_bundle = build_hashing(tree, instance).bundle
    old_service, old_catalogue = get_service(instance), get_catalogue(instance)
    tree.replace(INT, "A fixture intervention for the validator's tests.", "Brand new words about a zebra crossing.")
    new_bundle = build_hashing(tree, instance).bundle

    service = get_service(instance)  # no stale answer: this request waits for the new bundle
    assert service is not old_service and service.bundle_dir == new_bundle
    assert get_catalogue(instance).bundle_dir == new_bundle and old_catalogue.bundle_dir == old_bundle
    assert service.search(service.parse("zebra", mode="keyword")).total == 1
    assert sorted(loads) == sorted(
        [("search", old_bundle), ("catalogue", old_bundle), ("search", new_bundle), ("catalogue", new_bundle)]
    )


def test_two_builds_in_a_row_never_remove_the_bundle_a_process_serves(tree: ContentTree, instance: Path):
    """The old bundle a worker still holds survives any number of builds; once it has moved on, the
    next build removes it."""
    from nis_library import create_app

    first = build_hashing(tree, instance).bundle
    client = create_app({"INSTANCE_DIR": str(instance), "TESTING": True}).test_client()
    assert client.get("/items/INT-0001").status_code == 200  # this process now holds the first bundle
    for words in ("a zebra crossing", "a pelican crossing"):
        tree.replace(INT, "A fixture intervention for the validator's tests.", f"Brand new words about {words}.")
        build_hashing(tree, instance)
        tree.replace(INT, f"Brand new words about {words}.", "A fixture intervention for the validator's tests.")
    assert first.is_dir()  # two builds later, still there: this process holds it
    other = multiprocessing.get_context("spawn").Process(target=_ask_for_an_item, args=(str(instance),))
    other.start()
    other.join(120)
    assert other.exitcode == 0
    response = client.get("/items/INT-0001")  # moves to the newest bundle and releases the first
    assert response.status_code == 200
    tree.replace(INT, "A fixture intervention for the validator's tests.", "Words for one more build.")
    build_hashing(tree, instance)
    assert not first.exists()


def _ask_for_an_item(instance: str) -> None:
    """Another process (a second worker) serving the current bundle meanwhile."""
    from nis_library import create_app

    client = create_app({"INSTANCE_DIR": instance, "TESTING": True}).test_client()
    assert client.get("/items/INT-0001").status_code == 200


def test_a_new_bundle_slower_than_the_wait_leaves_the_old_one_answering(
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
    monkeypatch.setattr(LOADED, "swap_wait", 0.05)
    for _ in range(10):  # each request waits briefly, then the old bundle answers
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


def test_a_new_bundle_that_failed_to_load_is_tried_again_after_a_bounded_backoff(
    tree: ContentTree, instance: Path, monkeypatch
):
    old_bundle = build_hashing(tree, instance).bundle
    old_service = get_service(instance)
    tree.replace(INT, "A fixture intervention for the validator's tests.", "Brand new words about a zebra crossing.")
    new_bundle = build_hashing(tree, instance).bundle

    now = [1000.0]
    monkeypatch.setattr(LOADED, "_clock", lambda: now[0])
    attempts: list[Path] = []
    failing = [2]  # the new bundle's first two loads fail, as a briefly unreadable file would
    real_load = service_module.SearchService.__init__

    def flaky_load(self, bundle_dir, *args, **kwargs):
        if Path(bundle_dir) == new_bundle:
            attempts.append(Path(bundle_dir))
            if failing[0]:
                failing[0] -= 1
                raise OSError("briefly unreadable")
        real_load(self, bundle_dir, *args, **kwargs)

    monkeypatch.setattr(service_module.SearchService, "__init__", flaky_load)

    def requests(count: int):
        for _ in range(count):
            service = get_service(instance)
            LOADED.wait_until_warm(instance, timeout=30)
        return service

    assert requests(20) is old_service and len(attempts) == 1  # failed once; no retry per request
    now[0] += loaded_bundles.RETRY_FIRST_SECONDS - 0.1
    assert requests(20) is old_service and len(attempts) == 1  # still backing off
    now[0] += 0.1
    assert requests(1) is old_service and len(attempts) == 2  # tried again: failed again
    now[0] += loaded_bundles.RETRY_FIRST_SECONDS
    assert requests(20) is old_service and len(attempts) == 2  # the backoff doubled
    now[0] += loaded_bundles.RETRY_FIRST_SECONDS
    requests(1)
    assert len(attempts) == 3 and LOADED.bundle(instance) == new_bundle != old_bundle
    assert get_service(instance) is not old_service


def test_the_backoff_is_bounded(tree: ContentTree, instance: Path, monkeypatch):
    build_hashing(tree, instance)
    get_service(instance)
    tree.replace(INT, "A fixture intervention for the validator's tests.", "Brand new words about a zebra crossing.")
    new_bundle = build_hashing(tree, instance).bundle
    (new_bundle / "library.db").write_bytes(b"this is not a database")  # fails every time
    now = [0.0]
    monkeypatch.setattr(LOADED, "_clock", lambda: now[0])
    waits = []
    for _ in range(12):
        get_service(instance)
        LOADED.wait_until_warm(instance, timeout=30)
        warming = LOADED._warming[instance.absolute()]
        waits.append(warming.retry_at - now[0])
        now[0] = warming.retry_at
    assert waits[:4] == [5.0, 10.0, 20.0, 40.0]
    assert max(waits) == waits[-1] == loaded_bundles.RETRY_MAX_SECONDS


def test_a_part_first_asked_for_after_a_rebuild_comes_from_the_new_bundle(tree: ContentTree, instance: Path):
    """A worker that had loaded only search before the build: its first catalogue is the new one."""
    build_hashing(tree, instance)
    get_service(instance)
    tree.replace(INT, "A fixture intervention for the validator's tests.", "Brand new words about a zebra crossing.")
    new_bundle = build_hashing(tree, instance).bundle
    assert get_catalogue(instance).bundle_dir == new_bundle
    assert get_service(instance).bundle_dir == new_bundle
