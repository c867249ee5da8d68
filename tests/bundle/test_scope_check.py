"""The scope file in the bundle: its words checked against the items' searchable text with the
keyword index's analysis (a warning from `nis validate`), and the scope written into both builds'
databases, where the catalogue reads it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from indexer.bundle import location as bundle
from indexer.bundle import store
from indexer.bundle.documents import SCOPE_DOCUMENT
from indexer.bundle.scope_check import PhraseFinder, analyser, scope_problems
from indexer.content.problems import Severity
from indexer.record.loading import load_library
from nis_library.catalogue import Catalogue
from nis_library.cli import main
from tests.content.test_validate_gallery import SCOPE, VALID_SCOPE
from tests.support import REPO, ContentTree, build_hashing

PRA = "items/practice/PRA-0001.md"
INT = "items/intervention/INT-0001.md"


def _warnings(tree: ContentTree):
    library = tree.load()
    assert library.ok, [str(p) for p in library.problems]
    return scope_problems(library)


def test_a_scope_no_item_uses_gives_no_warning(tree: ContentTree):
    tree.write(SCOPE, VALID_SCOPE)
    assert _warnings(tree) == []


def test_a_scope_word_an_item_uses_is_a_warning_at_the_word_naming_the_item(tree: ContentTree):
    tree.write(SCOPE, VALID_SCOPE)
    tree.replace(PRA, "Show the day's plan.", "Show the day's plan, and how the insulin is kept.")
    [problem] = _warnings(tree)
    assert (problem.path, problem.line, problem.severity) == ("content/scope.yaml", 9, Severity.WARNING)
    assert problem.code == "scope-word-in-items"
    assert problem.message.startswith("'insulin' (topic 'medical-conditions') is in PRA-0001: a search for it")


def test_the_words_are_matched_as_search_matches_them_stemmed_and_in_order(tree: ContentTree):
    """The words of a phrase apart, out of order, or either side of the end of a sentence are not
    the phrase; plural, tense and case do not hide it."""
    tree.write(SCOPE, VALID_SCOPE)
    tree.replace(
        PRA,
        "Show the day's plan.",
        "Show the day's plan: transport for the school, school bus transport. Ask the school. Transport "
        "firms and taxis; the school, taxi drivers.",
    )
    assert _warnings(tree) == []
    tree.replace(INT, "## What it is\n", "## What it is\n\nSchools' TRANSPORT is arranged.\n")
    [problem] = _warnings(tree)
    assert problem.message.startswith("'school transport' (topic 'school-transport') is in INT-0001:")


def test_tags_everyday_words_and_titles_count_and_withdrawn_items_do_not(tree: ContentTree):
    tree.write(SCOPE, VALID_SCOPE)
    tree.replace(PRA, "tags: [routine, visual timetable]", "tags: [routine, visual timetable, diabetes]")
    tree.write("everyday-words.yaml", "items:\n  INT-0001:\n    - goes to school by school taxi\n")
    found = {(p.line, p.message.split(" is in ")[1].split(":")[0]) for p in _warnings(tree)}
    assert found == {(8, "PRA-0001"), (19, "INT-0001")}
    tree.replace(PRA, "cost: very-low\n", "cost: very-low\nstatus: withdrawn\n")
    lines = [p.line for p in _warnings(tree) if p.code == "scope-word-in-items"]
    assert lines == [19]


def test_many_items_are_counted_not_all_named(tree: ContentTree):
    tree.write(SCOPE, VALID_SCOPE)
    for item in (PRA, INT, "items/adjustment/ADJ-0001.md", "items/package/SPP-0001.md"):
        tree.replace(item, "summary: A fixture", "summary: Diabetes. A fixture")
    [problem] = _warnings(tree)
    assert "is in ADJ-0001, INT-0001, PRA-0001 and 1 more item:" in problem.message


def test_a_word_search_cannot_match_and_a_word_read_as_another_are_warnings(tree: ContentTree):
    tree.write(
        SCOPE,
        VALID_SCOPE.replace("      - insulin\n", "      - insulin\n      - of the\n      - diabetic\n").replace(
            "      - school taxi\n", "      - school taxi\n      - insulins\n"
        ),
    )
    messages = sorted(p.message for p in _warnings(tree))
    assert messages == [
        "'diabetic' is matched as 'diabetes' is (search reads both the same way): one is enough",
        "'insulins' (topic 'school-transport') is matched as 'insulin' of topic 'medical-conditions' is "
        "(search reads both the same way): a query with either would show both topics",
        "'of the' (topic 'medical-conditions') is only words search ignores (such as 'the' or 'of'): "
        "no query can match it; use the words that name the topic",
    ]


def test_no_scope_file_no_check(tree: ContentTree):
    assert _warnings(tree) == []


def test_the_phrase_finder_looks_at_a_text_only_when_a_word_could_start_a_phrase():
    analysed: list[str] = []
    analyse = analyser()

    def counting(text: str):
        analysed.append(text)
        return analyse(text)

    finder = PhraseFinder([analyse("school transport"), analyse("insulin")], counting)
    assert finder.found_in("A quiet corner with cushions.") == set()
    assert finder.found_in("Ask about school transport and insulin.") == {("school", "transport"), ("insulin",)}
    whole_texts = [t for t in analysed if " " in t]
    assert whole_texts == ["Ask about school transport and insulin."]


def test_nis_validate_reports_the_warning_and_still_exits_0(tree: ContentTree):
    tree.write(SCOPE, VALID_SCOPE)
    tree.replace(PRA, "Show the day's plan.", "Show the day's plan and the insulin.")
    result = CliRunner().invoke(main, ["validate", "--content", str(tree.root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "content/scope.yaml:9: warning: 'insulin' (topic 'medical-conditions') is in PRA-0001"
    )
    assert "0 error(s), 1 warning(s)" in result.stderr


def test_the_shipped_content_validates_with_no_scope_warning():
    library = load_library(REPO / "content")
    assert library.ok
    assert scope_problems(library) == []
    result = CliRunner().invoke(main, ["validate", "--content", str(REPO / "content")])
    assert result.exit_code == 0, result.output
    assert "content/scope.yaml" not in result.stdout
    assert " 0 error(s)" in result.stderr


# -- in the bundle -----------------------------------------------------------------------------


def _document(instance: Path):
    db = store.open_db(bundle.current_bundle(instance) / bundle.DB_NAME, read_only=True)
    try:
        return store.read_document(db, SCOPE_DOCUMENT)
    finally:
        db.conn.close()


def test_both_builds_write_the_scope_and_the_catalogue_reads_it(tree: ContentTree, instance: Path):
    from indexer.record.publish import publish

    tree.write(SCOPE, VALID_SCOPE)
    tree.write("reviews/s-initial.yaml", "id: s-initial\npublication: standards\ntype: initial\ntitle: First\n")
    tree.write("reviews/p-initial.yaml", "id: p-initial\npublication: packages\ntype: initial\ntitle: First\n")
    publish(tree.root, "standards", "s-initial", "First.", dt.date(2026, 10, 1))
    publish(tree.root, "packages", "p-initial", "First.", dt.date(2026, 10, 1))
    build_hashing(tree, instance, source="published")
    build_hashing(tree, instance / "preview", source="working")
    expected = tree.load().scope
    for where in (instance, instance / "preview"):
        document = _document(where)
        assert json.loads(document)["topics"][0]["go_to"][0]["for"] == "Health information"
        catalogue = Catalogue(bundle.current_bundle(where))
        assert catalogue.scope == expected


def test_an_edited_scope_reaches_the_next_incremental_build(tree: ContentTree, instance: Path):
    tree.write(SCOPE, VALID_SCOPE)
    first = build_hashing(tree, instance)
    tree.write(SCOPE, VALID_SCOPE.replace("      - school taxi\n", "      - school taxi\n      - school minibus\n"))
    second = build_hashing(tree, instance)
    assert (second.full, second.indexed) == (False, 0)  # no item re-indexed for it
    assert first.bundle != second.bundle
    assert "school minibus" in _document(instance)


def test_a_bundle_built_without_a_scope_file_has_no_scope(tree: ContentTree, instance: Path):
    build_hashing(tree, instance)
    assert _document(instance) is None
    assert Catalogue(bundle.current_bundle(instance)).scope is None
