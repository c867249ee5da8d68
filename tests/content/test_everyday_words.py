"""Everyday words: read from their own file into `Content.everyday_words`, by item ID, optional,
outside the items' versioned front matter. The faults each give are in the validator's gallery."""

from __future__ import annotations

from indexer.content.everyday_words import EverydayWords, normalised
from indexer.content.problems import Severity
from indexer.record.loading import load_library
from tests.support import ContentTree

WORDS = "everyday-words.yaml"
VALID = """\
# Sample everyday words
items:
  PRA-0001:
    - can't sit still
    - " doesn't know what's next "
  INT-0001:
    - won't talk in class
"""


def test_a_missing_file_means_no_everyday_words_and_no_problem(tree: ContentTree):
    assert not tree.path(WORDS).exists()
    library = tree.load()
    assert library.problems == []
    assert library.everyday_words == {}


def test_phrases_are_read_by_item_id_as_tuples(tree: ContentTree):
    tree.write(WORDS, VALID)
    library = tree.load()
    assert library.problems == []
    assert library.everyday_words == {
        "PRA-0001": ("can't sit still", "doesn't know what's next"),
        "INT-0001": ("won't talk in class",),
    }
    assert library.everyday_words.get("ADJ-0001", ()) == ()  # items without words are absent


def test_the_words_are_not_part_of_the_item(tree: ContentTree):
    tree.write(WORDS, VALID)
    item = tree.load().items["PRA-0001"]
    assert "everyday_words" not in item.model_dump()


def test_an_invalid_file_gives_no_words_and_an_error(tree: ContentTree):
    tree.write(WORDS, VALID + "    - <script>\n")
    library = tree.load()
    assert library.everyday_words == {}
    assert [p.code for p in library.problems] == ["phrase-markup"]
    assert not library.ok


def test_every_fault_in_the_file_is_reported_at_once(tree: ContentTree):
    tree.write(WORDS, VALID + "    - Won't  talk in class\n    - " + "x" * 81 + "\n  INT-0404:\n    - hides\n")
    codes = sorted(p.code for p in tree.load().problems)
    assert codes == ["duplicate-phrase", "phrase-too-long", "unknown-item"]


def test_words_for_a_withdrawn_item_are_a_warning(tree: ContentTree):
    tree.write(WORDS, VALID)
    tree.replace("items/intervention/INT-0001.md", "cost: low\n", "cost: low\nstatus: withdrawn\n")
    library = tree.load()
    [warning] = [p for p in library.problems if p.path == f"content/{WORDS}"]
    assert warning.severity is Severity.WARNING
    assert warning.code == "everyday-words-withdrawn"
    assert warning.line == tree.line_of(WORDS, "INT-0001:")
    assert library.ok


def test_the_public_build_reads_the_words_from_the_working_tree(tree: ContentTree):
    """Unpublished items may have words already; published items get the working tree's words."""
    tree.write(WORDS, VALID)
    library = load_library(tree.root, source="published")  # the fixture tree has no published record
    assert [p for p in library.problems if p.path == f"content/{WORDS}"] == []
    assert library.everyday_words["INT-0001"] == ("won't talk in class",)


def test_phrases_are_compared_without_case_or_extra_spaces():
    assert normalised("  Can't   Sit still ") == normalised("can't sit still")
    words = EverydayWords.model_validate({"items": {"PRA-0001": ["Meltdowns", "meltdowns"]}})
    assert words.by_item() == {"PRA-0001": ("Meltdowns",)}


def test_an_empty_file_is_reported_not_taken_for_no_words(tree: ContentTree):
    tree.write(WORDS, "# nothing yet\n")
    [problem] = tree.load().problems
    assert (problem.path, problem.code) == (f"content/{WORDS}", "not-a-mapping")
