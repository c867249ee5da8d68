"""`nis build`: the bundle, incremental rebuilds, atomic swaps, refusals."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.bundle import keyword_index, store
from indexer.bundle import location as bundle
from indexer.bundle.build import BuildRefused, build
from indexer.bundle.embeddings import HashingEmbedder
from nis_library.cli import main
from nis_library.search import get_service
from nis_library.search.bundle_search import SearchService
from tests.support import ContentTree, build_hashing

INT = "items/intervention/INT-0001.md"


def searchable_ids(bundle_dir: Path) -> list[str]:
    ix = keyword_index.open_index(bundle_dir / bundle.WHOOSH_DIR)
    with ix.searcher() as searcher:
        return sorted(fields["id"] for _, fields in searcher.reader().iter_docs())


def test_build_writes_a_complete_bundle(tree: ContentTree, instance: Path):
    report = build_hashing(tree, instance)
    current = bundle.current_bundle(instance)
    assert current == report.bundle and (instance / "library").is_symlink()
    # five items' texts and their passages (one each: the fixtures are short)
    assert (report.items, report.indexed, report.embedded, report.full) == (5, 5, 10, True)
    manifest = bundle.read_manifest(current)
    assert manifest["embedder"] == "hashing-stand-in" and manifest["items"] == 5
    db = store.open_db(current / bundle.DB_NAME, read_only=True)
    assert [r["id"] for r in store.iter_items(db)] == ["ADJ-0001", "IDT-0001", "INT-0001", "PRA-0001", "SPP-0001"]
    assert db["embeddings"].count == 10
    assert {r["vocabulary"] for r in store.read_vocabularies(db)} >= {"areas", "layers", "phases", "kinds"}
    assert searchable_ids(current) == ["ADJ-0001", "IDT-0001", "INT-0001", "PRA-0001", "SPP-0001"]


class CountingEmbedder(HashingEmbedder):
    def __init__(self):
        self.embedded: list[str] = []

    def embed(self, texts):
        self.embedded.extend(texts)
        return super().embed(texts)


def test_unchanged_items_are_neither_reindexed_nor_reembedded(tree: ContentTree, instance: Path):
    build(tree.root, instance, source="working", embedder=HashingEmbedder())
    embedder = CountingEmbedder()
    report = build(tree.root, instance, source="working", embedder=embedder)
    assert (report.full, report.indexed, report.embedded, report.removed) == (False, 0, 0, 0)
    assert embedder.embedded == []

    tree.replace(INT, "A fixture intervention for the validator's tests.", "Short sessions that teach new words.")
    report = build(tree.root, instance, source="working", embedder=embedder)
    assert (report.indexed, report.embedded, report.removed) == (1, 1, 0)
    assert len(embedder.embedded) == 1 and "Short sessions that teach new words." in embedder.embedded[0]


def test_changed_everyday_words_reindex_and_reembed_only_their_item(tree: ContentTree, instance: Path):
    tree.write("everyday-words.yaml", "items:\n  ADJ-0001: [hates the din at lunch]\n")
    build(tree.root, instance, source="working", embedder=HashingEmbedder())
    embedder = CountingEmbedder()
    report = build(tree.root, instance, source="working", embedder=embedder)
    assert (report.indexed, report.embedded) == (0, 0)  # unchanged words: nothing to do

    tree.write("everyday-words.yaml", "items:\n  ADJ-0001: [hates the din at lunch, covers ears in the hall]\n")
    report = build(tree.root, instance, source="working", embedder=embedder)
    # the item's text (with its words) and the one new phrase; the unchanged phrase is reused
    assert (report.full, report.indexed, report.embedded) == (False, 1, 2)
    assert "covers ears in the hall" in embedder.embedded[0] and embedder.embedded[1] == "covers ears in the hall"
    service = SearchService(report.bundle, lambda name: HashingEmbedder())
    results = service.search(service.parse("din", mode="keyword"))
    assert [h.id for h in results.hits] == ["ADJ-0001"]  # the everyday words are in the keyword index
    assert len(service.phrases.vectors) == 2 and list(service.phrases.owners) == [service.row_of["ADJ-0001"]]

    tree.write("everyday-words.yaml", "items: {}\n")
    report = build(tree.root, instance, source="working", embedder=embedder)
    assert (report.indexed, report.embedded) == (1, 1)
    service = SearchService(report.bundle, lambda name: HashingEmbedder())
    assert len(service.phrases.vectors) == 0
    assert service.search(service.parse("din", mode="keyword", as_typed=True)).total == 0


def test_a_withdrawn_item_leaves_the_index_but_stays_in_the_database(tree: ContentTree, instance: Path):
    build_hashing(tree, instance)
    tree.replace("items/adjustment/ADJ-0001.md", "cost: very-low\n", "cost: very-low\nstatus: withdrawn\n")
    report = build_hashing(tree, instance)
    assert report.removed == 1 and report.searchable == 4 and report.items == 5
    assert "ADJ-0001" not in searchable_ids(report.bundle)


def test_build_refuses_invalid_content_and_keeps_the_old_bundle(tree: ContentTree, instance: Path):
    first = build_hashing(tree, instance).bundle
    tree.replace(INT, "cost: low", "cost: cheap")
    with pytest.raises(BuildRefused) as refused:
        build_hashing(tree, instance)
    assert [p.code for p in refused.value.problems] == ["unknown-value"]
    assert bundle.current_bundle(instance) == first
    assert sorted(p.name for p in (instance / "bundles").iterdir()) == [first.name]


class FailingEmbedder(HashingEmbedder):
    def embed(self, texts):
        raise RuntimeError("the model crashed")


def test_a_build_that_fails_part_way_leaves_no_trace(tree: ContentTree, instance: Path):
    first = build_hashing(tree, instance).bundle
    tree.replace(INT, "A fixture intervention for the validator's tests.", "Changed, so it must be embedded.")
    with pytest.raises(RuntimeError, match="the model crashed"):
        build(tree.root, instance, source="working", embedder=FailingEmbedder())
    assert bundle.current_bundle(instance) == first
    assert sorted(p.name for p in (instance / "bundles").iterdir()) == [first.name]
    assert not [p for p in instance.iterdir() if p.name.startswith(".library")]


def test_a_reader_of_the_old_bundle_keeps_working_after_a_swap(tree: ContentTree, instance: Path):
    build_hashing(tree, instance)
    old_service = get_service(instance)
    tree.replace(INT, "A fixture intervention for the validator's tests.", "Brand new words about a zebra crossing.")
    build_hashing(tree, instance)
    new_service = get_service(instance)  # the first request after the build: from the new bundle
    assert new_service is not old_service
    old = old_service.search(old_service.parse("zebra", mode="keyword"))
    assert old.total == 0  # a request still using the old bundle: readable, unchanged
    assert new_service.search(new_service.parse("zebra", mode="keyword")).total == 1


def test_an_item_never_appears_twice_after_many_incremental_builds(tree: ContentTree, instance: Path):
    """Guards against the whoosh-reloaded refresh bug: duplicates after merged commits."""
    for round_ in range(12):
        tree.replace(INT, "Teach words.", f"Teach words (round {round_}).")
        build_hashing(tree, instance)
        tree.replace(INT, f"Teach words (round {round_}).", "Teach words.")
    current = bundle.current_bundle(instance)
    assert searchable_ids(current) == ["ADJ-0001", "IDT-0001", "INT-0001", "PRA-0001", "SPP-0001"]
    service = SearchService(current, lambda name: HashingEmbedder())
    for mode in ("keyword", "semantic", "hybrid"):
        ids = [h.id for h in service.search(service.parse("words teach fixture", mode=mode, per_page=50)).hits]
        assert len(ids) == len(set(ids)), mode
    assert len(list((instance / "bundles").iterdir())) == bundle.KEEP_BUNDLES


def test_missing_or_corrupt_bundle_names_the_command_that_fixes_it(tree: ContentTree, instance: Path):
    with pytest.raises(bundle.BundleError, match="is missing. Run 'nis build'"):
        get_service(instance)
    current = build_hashing(tree, instance).bundle
    (current / bundle.DB_NAME).write_bytes(b"this is not a database")
    with pytest.raises(bundle.BundleError, match="nis build --full"):
        get_service(instance)
    os.remove(current / bundle.MANIFEST)
    with pytest.raises(bundle.BundleError, match="incomplete"):
        get_service(instance)


def test_the_build_command(tree: ContentTree, instance: Path):
    runner = CliRunner()
    public = ["build", "--content", str(tree.root), "--instance", str(instance), "--embedder", "hashing"]
    result = runner.invoke(main, public)
    assert result.exit_code == 0, result.output
    assert "0 items" in result.output and "Nothing is published yet" in result.output
    args = public + ["--preview"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert str(instance / "preview" / "bundles") in result.output
    assert "5 items, 5 searchable; full build: 5 indexed, 0 removed, 10 embedded." in result.output
    assert "incremental: 0 indexed" in runner.invoke(main, args).output
    tree.replace(INT, "cost: low", "cost: cheap")
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert "Not built: content has 1 problem(s); run 'nis validate'" in result.stderr


def test_unchanged_files_are_not_parsed_again_but_still_checked_across_items(tree: ContentTree, instance: Path):
    from indexer.record.loading import load_library

    build_hashing(tree, instance)
    tree.path(INT).unlink()  # three unchanged files point at it
    with pytest.raises(BuildRefused) as refused:
        build_hashing(tree, instance)
    from_scratch = load_library(tree.root).problems
    assert refused.value.problems == from_scratch
    assert sorted((p.path.rsplit("/", 1)[1], p.code) for p in from_scratch) == [
        ("IDT-0001.md", "dangling-reference"),
        ("PRA-0001.md", "dangling-reference"),
        ("SPP-0001.md", "dangling-reference"),
    ]
    idt = next(p for p in from_scratch if p.path.endswith("IDT-0001.md"))
    assert idt.line == tree.line_of("items/identification-tool/IDT-0001.md", "leads_to:")


def test_a_taxonomy_change_rechecks_every_file(tree: ContentTree, instance: Path):
    build_hashing(tree, instance)
    tree.replace("taxonomy.yaml", "  - id: special-school\n", "  - id: specialist-school\n")
    with pytest.raises(BuildRefused) as refused:
        build_hashing(tree, instance)
    assert [(p.path, p.code) for p in refused.value.problems] == [
        ("content/items/package/SPP-0001.md", "unknown-value")
    ]


def test_a_preview_borrows_the_public_bundle_s_vectors(tree: ContentTree, instance: Path):
    from indexer.record.publish import publish
    from nis_library.search import search

    tree.write("reviews/s-initial.yaml", "id: s-initial\npublication: standards\ntype: initial\ntitle: First\n")
    tree.write("reviews/p-initial.yaml", "id: p-initial\npublication: packages\ntype: initial\ntitle: First\n")
    import datetime as dt

    publish(tree.root, "standards", "s-initial", "First.", dt.date(2026, 10, 1))
    publish(tree.root, "packages", "p-initial", "First.", dt.date(2026, 10, 1))
    assert build_hashing(tree, instance, source="published").embedded == 10  # texts and passages
    tree.replace(INT, "## What it is\n", "## What it is\n\nA draft sentence.\n")
    preview = build_hashing(tree, instance / "preview", source="working", vectors_from=instance)
    assert preview.embedded == 2  # only the draft's changed text and its changed passage
    assert search(instance / "preview", "vocabulary", mode="semantic").total > 0


class OtherModel(CountingEmbedder):
    name = "another-model"


def test_a_build_with_another_embedder_embeds_everything_again(tree: ContentTree, instance: Path):
    first = build(tree.root, instance, source="working", embedder=HashingEmbedder())
    embedder = OtherModel()
    report = build(tree.root, instance, source="working", embedder=embedder)
    assert report.full and report.embedded == first.embedded == len(embedder.embedded) > first.searchable
    assert bundle.read_manifest(report.bundle)["embedder"] == "another-model"


def test_each_items_passages_are_embedded_once_and_carried_over(tree: ContentTree, instance):
    from indexer.bundle.documents import PASSAGES_DOCUMENT, passage_hash

    embedder = CountingEmbedder()
    report = build(tree.root, instance, source="working", embedder=embedder)
    db = store.open_db(report.bundle / "library.db", read_only=True)
    passages = json.loads(store.read_document(db, PASSAGES_DOCUMENT))
    db.conn.close()
    assert sorted(passages) == ["ADJ-0001", "IDT-0001", "INT-0001", "PRA-0001", "SPP-0001"], passages
    assert all(p in embedder.embedded for texts in passages.values() for p in texts)
    service = SearchService(report.bundle, lambda name: HashingEmbedder())
    assert len(service.passages.vectors) == sum(len(texts) for texts in passages.values())

    # An unchanged library: nothing embedded again, and every passage still has its vector.
    again = build(tree.root, instance, source="working", embedder=CountingEmbedder())
    assert again.embedded == 0
    db = store.open_db(again.bundle / "library.db", read_only=True)
    assert json.loads(store.read_document(db, PASSAGES_DOCUMENT)) == passages
    hashes = {passage_hash(p, HashingEmbedder().name) for texts in passages.values() for p in texts}
    assert hashes <= set(store.read_embeddings(db, HashingEmbedder().name, hashes))
    db.conn.close()
