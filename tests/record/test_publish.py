"""`nis publish` and the published record: versions, editions, immutability, atomicity, and what
the public bundle serves."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.record.editions import load_published
from indexer.record.loading import load_library
from indexer.record.publish import PublishRefused, publish, publish_lock
from nis_library.cli import main
from tests.support import ContentTree, build_hashing

INT = "items/intervention/INT-0001.md"
PRA = "items/practice/PRA-0001.md"
ADJ = "items/adjustment/ADJ-0001.md"
SRC = "sources/eef-toolkit-oral-language.yaml"
D = dt.date


def add_review(tree: ContentTree, review_id: str, publication: str = "standards", type_: str = "initial", **extra):
    lines = [
        f"id: {review_id}",
        f"publication: {publication}",
        f"type: {type_}",
        f"title: Review {review_id}",
        "opened: 2026-06-01",
    ]
    if type_ == "out-of-cycle":
        lines += [
            "trigger:",
            "  summary: New evidence.",
            "  sources:",
            "    - citation: A real source",
            "scope:",
            "  items: [INT-0001]",
        ]
    if type_ == "scheduled":
        lines.append(f"due: {extra.pop('due', '2031-09-01')}")
    lines += [f"{k}: {v}" for k, v in extra.items()]
    tree.write(f"reviews/{review_id}.yaml", "\n".join(lines) + "\n")


def change(tree: ContentTree, relative: str, old: str, new: str, klass: str, note: str, implements: str = "") -> None:
    """Edit a working copy and write the change block that describes the edit (replacing any
    earlier one), as an author does."""
    tree.replace(relative, old, new)
    lines, kept, skipping = tree.read(relative).split("\n"), [], False
    for line in lines:
        if line == "change:":
            skipping = True
            continue
        if skipping and line.startswith("  "):
            continue
        skipping = False
        kept.append(line)
    block = f"change:\n  class: {klass}\n  note: {json.dumps(note)}\n" + (
        f"  implements: [{implements}]\n" if implements else ""
    )
    tree.write(relative, "\n".join(kept).replace("\n---\n", "\n" + block + "---\n", 1))


def published_files(tree: ContentTree) -> dict[str, bytes]:
    root = tree.path("published")
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    }


@pytest.fixture
def first_edition(tree: ContentTree):
    add_review(tree, "s-initial", closed="2026-09-30")
    add_review(tree, "p-initial", publication="packages", closed="2026-09-30")
    add_review(tree, "s-ooc", type_="out-of-cycle")
    plan = publish(tree.root, "standards", "s-initial", "First sample edition.", D(2026, 10, 1))
    return plan


def test_first_publish_freezes_every_item_of_the_publication(tree: ContentTree, first_edition):
    assert first_edition.edition == "2026"
    assert [(v.id, v.number, v.change_class) for v in first_edition.versions] == [
        ("ADJ-0001", 1, "substantive"),
        ("IDT-0001", 1, "substantive"),
        ("INT-0001", 1, "substantive"),
        ("PRA-0001", 1, "substantive"),
    ]  # not the package: it belongs to the other publication
    files = published_files(tree)
    assert files["standards/2026/items/intervention/INT-0001.md"] == tree.path(INT).read_bytes()
    record = load_published(tree.root)
    assert record.problems == [] and record.latest("INT-0001").number == 1
    assert record.editions[0].manifest.items == {"ADJ-0001": 1, "IDT-0001": 1, "INT-0001": 1, "PRA-0001": 1}
    assert tree.load().ok


def test_a_changed_item_needs_a_change_note_then_becomes_version_2(tree: ContentTree, first_edition):
    tree.replace(INT, "## What it is\n", "## What it is\n\nA new opening sentence.\n")
    with pytest.raises(PublishRefused, match="no new change note.*INT-0001"):
        publish(tree.root, "standards", "s-ooc", "Second.", D(2026, 10, 2))
    change(tree, INT, "## What it is\n", "## What it is\n", "substantive", "Adds an opening sentence.", "R-2026-S-01")
    plan = publish(tree.root, "standards", "s-ooc", "Out-of-cycle amendment.", D(2026, 10, 21))
    assert plan.edition == "2026.1"
    assert [(v.id, v.number, v.change_class, v.change_note, v.implements) for v in plan.versions] == [
        ("INT-0001", 2, "substantive", "Adds an opening sentence.", ("R-2026-S-01",))
    ]
    record = load_published(tree.root)
    assert record.problems == []
    assert record.editions[1].manifest.items["INT-0001"] == 2 and record.editions[1].manifest.items["PRA-0001"] == 1
    assert record.editions[1].manifest.previous.edition == "2026"
    # a further edit with the same note is refused: the note describes the last change, not this one
    tree.replace(INT, "A new opening sentence.", "A newer opening sentence.")
    with pytest.raises(PublishRefused, match="no new change note"):
        publish(tree.root, "standards", "s-ooc", "Again.", D(2026, 10, 22))


def test_an_initial_review_publishes_only_the_first_edition(tree: ContentTree, first_edition):
    change(tree, INT, "## What it is\n", "## What it is\n\nChanged.\n", "editorial", "Changed.")
    with pytest.raises(PublishRefused, match="is an initial review"):
        publish(tree.root, "standards", "s-initial", "Again.", D(2026, 10, 2))


def test_editing_only_the_change_note_or_formatting_is_not_a_change(tree: ContentTree, first_edition):
    change(tree, INT, "title: Test intervention", "title:   Test intervention", "editorial", "Only a note.")
    with pytest.raises(PublishRefused, match="nothing to publish"):
        publish(tree.root, "standards", "s-ooc", "Nothing.", D(2026, 10, 2))


def test_edition_numbers(tree: ContentTree, first_edition):
    add_review(tree, "s-2031", type_="scheduled", due="2031-09-01")
    for n, (review, day, expected) in enumerate(
        [
            ("s-ooc", D(2027, 1, 1), "2026.1"),
            ("s-ooc", D(2027, 2, 1), "2026.2"),
            ("s-2031", D(2031, 9, 1), "2031"),
            ("s-ooc", D(2032, 1, 1), "2031.1"),
        ]
    ):
        change(tree, PRA, "## What it is\n", f"## What it is\n\nRevision {n}.\n", "editorial", f"Revision {n}.")
        assert publish(tree.root, "standards", review, "Notes.", day).edition == expected
    assert load_published(tree.root).problems == []


@pytest.mark.parametrize(
    "publication, review, notes, message",
    [
        ("guidance", "s-initial", "x", "unknown publication 'guidance'"),
        ("standards", "s-nope", "x", "unknown review 's-nope'"),
        ("standards", "p-initial", "x", "review 'p-initial' is a review of packages, not standards"),
        ("standards", "s-initial", "  ", "needs release notes"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(
    tree: ContentTree, first_edition, publication, review, notes, message
):
    tree.replace(INT, "## What it is\n", "## What it is\n\nChanged.\n")
    before = published_files(tree)
    with pytest.raises(PublishRefused, match=message):
        publish(tree.root, publication, review, notes, D(2026, 10, 2))
    assert published_files(tree) == before


def test_content_errors_refuse_publishing(tree: ContentTree, first_edition):
    tree.replace(INT, "cost: low", "cost: cheap")
    before = published_files(tree)
    with pytest.raises(PublishRefused, match="the content has errors") as refused:
        publish(tree.root, "standards", "s-initial", "x", D(2026, 10, 2))
    assert any(p.code == "unknown-value" for p in refused.value.problems)
    assert published_files(tree) == before


def test_nothing_changed_is_refused(tree: ContentTree, first_edition):
    with pytest.raises(PublishRefused, match="nothing to publish: no item of standards changed since standards 2026"):
        publish(tree.root, "standards", "s-ooc", "x", D(2026, 10, 2))


def test_an_edited_frozen_version_fails_validation_and_blocks_publishing(tree: ContentTree, first_edition):
    frozen = tree.path("published/standards/2026/items/intervention/INT-0001.md")
    frozen.write_text(frozen.read_text().replace("Test intervention", "Tampered intervention"))
    problems = [p for p in tree.load().problems if p.code == "edited-version"]
    assert len(problems) == 1
    assert problems[0].path.endswith("published/standards/2026/items/intervention/INT-0001.md")
    assert "edited after publishing" in problems[0].message
    tree.replace(PRA, "## What it is\n", "## What it is\n\nChanged.\n")
    with pytest.raises(PublishRefused, match="the content has errors"):
        publish(tree.root, "standards", "s-initial", "x", D(2026, 10, 2))


def test_an_edited_manifest_fails_validation(tree: ContentTree, first_edition):
    manifest = tree.path("published/standards/2026/edition.yaml")
    manifest.write_text(manifest.read_text().replace("First sample edition.", "Rewritten history."))
    assert [p.code for p in tree.load().problems if p.severity.value == "error"] == ["edited-manifest"]


def test_a_removed_edition_breaks_the_chain(tree: ContentTree, first_edition):
    change(tree, PRA, "## What it is\n", "## What it is\n\nOne.\n", "editorial", "One.")
    publish(tree.root, "standards", "s-ooc", "x", D(2026, 11, 1))
    change(tree, PRA, "## What it is\n", "## What it is\n\nTwo.\n", "editorial", "Two.")
    publish(tree.root, "standards", "s-ooc", "x", D(2026, 11, 2))
    import shutil

    shutil.rmtree(tree.path("published/standards/2026.1"))
    codes = {p.code for p in tree.load().problems}
    assert "broken-chain" in codes and "version-gap" in codes


def test_a_published_item_cannot_lose_its_working_copy(tree: ContentTree, first_edition):
    tree.path(ADJ).unlink()
    problems = [p for p in tree.load().problems if p.code == "published-item-missing"]
    assert problems and "IDs are never deleted" in problems[0].message


def test_a_second_publish_while_one_runs_is_refused(tree: ContentTree, first_edition):
    tree.replace(INT, "## What it is\n", "## What it is\n\nChanged.\n")
    before = published_files(tree)
    with publish_lock(tree.root):
        with pytest.raises(PublishRefused, match="another nis publish is running"):
            publish(tree.root, "standards", "s-initial", "x", D(2026, 10, 2))
    assert published_files(tree) == before


def test_a_publish_that_fails_at_the_last_moment_leaves_no_trace(tree: ContentTree, first_edition):
    change(tree, INT, "## What it is\n", "## What it is\n\nChanged.\n", "editorial", "Changed.")
    before = published_files(tree)

    def fail(staging: Path):
        assert (staging / "edition.yaml").exists()  # everything was written, then this
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        publish(tree.root, "standards", "s-ooc", "x", D(2026, 10, 2), before_rename=fail)
    assert published_files(tree) == before
    assert not list(tree.path("published").glob(".publishing-*"))


def _publish_and_die(root: str) -> None:
    publish(
        Path(root),
        "standards",
        "s-ooc",
        "x",
        D(2026, 10, 2),
        before_rename=lambda staging: os.kill(os.getpid(), signal.SIGKILL),
    )


def test_a_publish_killed_mid_way_changes_nothing_and_the_next_one_succeeds(tree: ContentTree, first_edition):
    change(tree, INT, "## What it is\n", "## What it is\n\nChanged.\n", "editorial", "Changed.")
    before = published_files(tree)
    process = multiprocessing.get_context("fork").Process(target=_publish_and_die, args=(str(tree.root),))
    process.start()
    process.join(30)
    assert process.exitcode == -signal.SIGKILL
    assert published_files(tree) == before
    assert tree.load().ok  # the leftover staging folder is ignored...
    assert list(tree.path("published").glob(".publishing-*"))
    plan = publish(tree.root, "standards", "s-ooc", "x", D(2026, 10, 2))  # ...and cleared by the next publish
    assert [(v.id, v.number) for v in plan.versions] == [("INT-0001", 2)]
    assert not list(tree.path("published").glob(".publishing-*"))


def test_dry_run_shows_the_list_and_diffs_and_writes_nothing(tree: ContentTree, first_edition):
    change(tree, INT, "cost: low", "cost: moderate", "substantive", "Costs more than we thought.")
    tree.replace(INT, "## What it is\n", "## What it is\n\nNew words here.\n")
    before = published_files(tree)
    result = CliRunner().invoke(
        main,
        [
            "publish",
            "standards",
            "--content",
            str(tree.root),
            "--review",
            "s-ooc",
            "--notes",
            "x",
            "--date",
            "2026-10-02",
            "--dry-run",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Would publish standards" in result.output
    assert "INT-0001 v2 substantive: Costs more than we thought." in result.output
    assert "cost: low -> moderate" in result.output and "{+New words here." in result.output
    assert published_files(tree) == before


def test_the_publish_command_refuses_with_exit_1(tree: ContentTree, first_edition):
    result = CliRunner().invoke(
        main,
        [
            "publish",
            "standards",
            "--content",
            str(tree.root),
            "--review",
            "s-ooc",
            "--notes",
            "x",
            "--date",
            "2026-10-02",
        ],
    )
    assert result.exit_code == 1 and "Not published: nothing to publish" in result.stderr
    result = CliRunner().invoke(
        main,
        [
            "publish",
            "standards",
            "--content",
            str(tree.root),
            "--review",
            "s-initial",
            "--notes",
            "x",
            "--date",
            "2026-13-45",
        ],
    )
    assert result.exit_code == 2 and "not a date" in result.output


def test_the_public_bundle_serves_the_latest_published_version_and_the_preview_the_drafts(
    tree: ContentTree, instance: Path, first_edition
):
    from nis_library.search import search

    change(
        tree,
        INT,
        "title: Test intervention - small-group vocabulary sessions",
        "title: Test intervention - small-group Quillwort sessions",
        "editorial",
        "Clearer title.",
    )
    build_hashing(tree, instance, source="published")
    public = search(instance, "quillwort", mode="keyword")
    assert public.total == 0 and search(instance, "vocabulary").hits[0].id == "INT-0001"
    # packages are not published yet: not in the public bundle
    assert {h.id for h in search(instance, "", per_page=100).hits} == {"ADJ-0001", "IDT-0001", "INT-0001", "PRA-0001"}
    preview = instance / "preview"
    build_hashing(tree, preview, source="working")
    assert search(preview, "quillwort", mode="keyword").hits[0].id == "INT-0001"
    assert len(search(preview, "", per_page=100).hits) == 5


def test_withdrawal_keeps_the_id_and_points_at_the_replacement(tree: ContentTree, instance: Path, first_edition):
    change(
        tree,
        ADJ,
        "sample: true",
        "sample: true\nstatus: withdrawn\nreplaced_by: PRA-0001",
        "substantive",
        "Withdrawn: merged into PRA-0001.",
    )
    plan = publish(tree.root, "standards", "s-ooc", "Withdrawal.", D(2026, 10, 2))
    assert [(v.id, v.number, v.status) for v in plan.versions] == [("ADJ-0001", 2, "withdrawn")]
    assert load_published(tree.root).editions[-1].manifest.items["ADJ-0001"] == 2
    build_hashing(tree, instance, source="published")
    from nis_library import create_app
    from nis_library.search import search

    assert "ADJ-0001" not in {h.id for h in search(instance, "", per_page=100).hits}
    page = create_app({"INSTANCE_DIR": str(instance)}).test_client().get("/items/ADJ-0001").get_data(as_text=True)
    assert "This item has been withdrawn." in page and 'href="/items/PRA-0001"' in page


def test_long_text_fields_are_compared_word_by_word():
    from indexer.record.diffs import field_diff

    old = {"summary": "Small groups practise the key words of a topic before the lesson, with pictures."}
    new = {"summary": "Small groups practise the key words of a topic before and after the lesson, with pictures."}
    (change,) = field_diff(old, new)
    assert [(s.op, s.text) for s in change.spans if s.op != "equal"] == [("insert", "and after ")]
    assert field_diff({"cost": "low"}, {"cost": "high"})[0].spans == ()


def test_versions_already_in_the_bundle_are_copied_not_re_read(
    tree: ContentTree, instance: Path, first_edition, monkeypatch
):
    import sqlite3

    from indexer.bundle import store
    from indexer.record import editions as published

    build_hashing(tree, instance, source="published")
    change(tree, INT, "## What it is\n", "## What it is\n\nChanged.\n", "editorial", "Changed.")
    publish(tree.root, "standards", "s-ooc", "x", D(2026, 10, 2))
    read = []
    monkeypatch.setattr(store, "read_version", lambda path: read.append(path.name) or published.read_version(path))
    report = build_hashing(tree, instance, source="published")
    assert read == ["INT-0001.md"]  # only the new version
    rows = (
        sqlite3.connect(report.bundle / "library.db")
        .execute("select id, version from versions order by id, version")
        .fetchall()
    )
    assert rows == [("ADJ-0001", 1), ("IDT-0001", 1), ("INT-0001", 1), ("INT-0001", 2), ("PRA-0001", 1)]


def test_the_rating_method_judges_new_versions_not_the_published_record(tree: ContentTree):
    """A version published under an earlier record stays part of the record and the published
    library still builds; the register as it is now applies to the next version of the working copy."""
    add_review(tree, "s-initial", closed="2026-09-30")
    publish(tree.root, "standards", "s-initial", "First sample edition.", D(2026, 10, 1))
    tree.replace(SRC, "  direction: positive", "  direction: none")  # a correction to the record

    assert load_library(tree.root, source="published").problems == []
    assert [p.code for p in load_library(tree.root).problems] == ["rating-differs"]


def test_an_edition_freezes_the_source_records_its_versions_cite(tree: ContentTree, instance: Path):
    """A published version's "How we rated this" never changes: its records are frozen with it,
    hashed in the manifest; a correction to the register reaches the next version only."""
    add_review(tree, "s-initial", closed="2026-09-30")
    publish(tree.root, "standards", "s-initial", "First sample edition.", D(2026, 10, 1))
    edition = load_published(tree.root).editions[-1]
    frozen = edition.path / "sources"
    assert sorted(p.name for p in frozen.iterdir()) == [
        "eef-toolkit-oral-language.yaml",
        "ehrc-technical-guidance-schools.yaml",
        "equality-act-2010.yaml",
    ]
    assert [s.id for s in edition.manifest.sources] == [p.stem for p in sorted(frozen.iterdir())]

    tree.replace(SRC, "summary: A fixture record", "summary: A corrected fixture record")
    build_hashing(tree, instance, source="published")
    from nis_library import create_app

    client = create_app({"INSTANCE_DIR": str(instance)}).test_client()
    rating = client.get("/api/v1/items/INT-0001/v/1").get_json()["rating"]
    [source] = rating["sources"]
    assert source["finding"]["summary"] == "A fixture record of a review of oral language approaches."
    assert (rating["strength"], rating["computed"]["strength"], source["applies"]) == (
        "emerging",
        "emerging",
        "indirect",
    )
    page = client.get("/items/INT-0001").get_data(as_text=True)
    assert "How we rated this" in page and "A fixture record of a review" in page

    (frozen / "eef-toolkit-oral-language.yaml").write_text("id: eef-toolkit-oral-language\n")
    problems = load_library(tree.root).problems
    assert [p.code for p in problems] == ["edited-source"]
    assert problems[0].path.endswith("sources/eef-toolkit-oral-language.yaml")


def test_an_edition_tables_its_changes_of_rating(tree: ContentTree, first_edition):
    """Item, was, now and why: every new version whose rating moved, in the release notes."""
    tree.replace(SRC, "type: systematic-review", "type: database-listing")
    tree.replace(SRC, "  direction: positive", "  direction: describes")
    tree.replace(SRC, "  effect: +6 months\n  metric: months of additional progress (EEF Toolkit)\n", "")
    tree.replace(INT, "summary: A fixture summary of the evidence.", "summary: Not yet rated, a listing only.")
    change(
        tree,
        INT,
        "  strength: emerging\n  shows: positive",
        "  strength: not-yet-rated\n  shows: not-rated",
        "substantive",
        "Re-rated: the source is a listing, not a review.",
    )
    plan = publish(tree.root, "standards", "s-ooc", "Ratings checked.", D(2026, 10, 2))
    notes = load_published(tree.root).editions[-1].manifest.release_notes
    assert notes == plan.release_notes and notes.startswith("Ratings checked.\n\n### Changes of rating\n")
    assert notes.endswith(
        "| INT-0001, Test intervention - small-group vocabulary sessions | Emerging: positive results | Not yet rated "
        "| Re-rated: the source is a listing, not a review. |"
    )
