"""Content that tries to blow up the validator: each case ends as a problem, never as a crash, a
hang or a memory blow-up. The cases that crashed or exhausted memory before run in a subprocess
under a memory limit, so a segfault or a MemoryError fails the test instead of killing pytest."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.content.read_cache import ReadCache
from indexer.record import publish
from indexer.record.editions import UnreadableVersion, read_version
from tests.support import REPO, ContentTree

PRA = "items/practice/PRA-0001.md"
MEMORY_LIMIT = 1024 * 1024 * 1024  # the whole validator needs far less; a bomb needs gigabytes
BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)),
    ]
)

LOAD_AND_REPORT = """
import json, sys
from indexer.record.loading import load_library
library = load_library(sys.argv[1])
print(json.dumps([[p.path, p.line, p.code, p.message] for p in library.problems]))
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def problems_in_subprocess(root: Path) -> list[list]:
    """load_library(root) in a child with a memory limit: its problems, or a failure that says how
    the child died (a negative return code is the signal, -11 a segfault)."""
    done = subprocess.run(
        [sys.executable, "-c", LOAD_AND_REPORT, str(root)],
        capture_output=True,
        text=True,
        timeout=300,  # only so a hang cannot stall the suite; a healthy run takes a second or two
        preexec_fn=_limit_memory,
        cwd=REPO,
    )
    assert done.returncode == 0, f"the validator died (return code {done.returncode}):\n{done.stderr[-2000:]}"
    return json.loads(done.stdout)


def front_matter_with(tree: ContentTree, extra: str) -> None:
    tree.replace(PRA, "cost: very-low\n", f"cost: very-low\n{extra}\n")


def test_an_alias_bomb_in_front_matter_is_refused_before_it_expands(tree: ContentTree):
    front_matter_with(tree, BILLION_LAUGHS)
    problems = problems_in_subprocess(tree.root)
    assert [p[:3] for p in problems] == [["content/" + PRA, tree.line_of(PRA, "a: &a"), "yaml-alias"]]


def test_an_alias_bomb_in_the_taxonomy_is_refused(tree: ContentTree):
    tree.write("taxonomy.yaml", tree.read("taxonomy.yaml") + "\n" + BILLION_LAUGHS + "\n")
    problems = problems_in_subprocess(tree.root)
    assert [p[2] for p in problems] == ["yaml-alias"]
    assert problems[0][0] == "content/taxonomy.yaml"


def test_an_alias_bomb_in_a_review_is_refused(tree: ContentTree):
    tree.write("reviews/bomb.yaml", BILLION_LAUGHS + "\n")
    problems = problems_in_subprocess(tree.root)
    assert [p[:3] for p in problems] == [["content/reviews/bomb.yaml", 1, "yaml-alias"]]


def test_thirty_thousand_open_brackets_are_a_problem_not_a_segfault(tree: ContentTree):
    front_matter_with(tree, "x: " + "[" * 30_000)
    problems = problems_in_subprocess(tree.root)
    assert [p[2] for p in problems] == ["too-deep"]


@pytest.mark.parametrize(
    "nesting",
    ["[" * 5000 + "]" * 5000, "{a: " * 5000 + "1" + "}" * 5000, "\n" + "- " * 5000 + "a"],
    ids=["flow lists", "flow mappings", "block lists"],
)
def test_five_thousand_levels_of_nesting_are_a_problem(tree: ContentTree, nesting: str):
    front_matter_with(tree, "x: " + nesting)
    problems = problems_in_subprocess(tree.root)
    assert [p[2] for p in problems] == ["too-deep"]


def test_a_self_referencing_alias_is_a_problem(tree: ContentTree):
    front_matter_with(tree, "x: &x [*x]")
    [problem] = tree.load().problems
    assert (problem.code, problem.line) == ("yaml-alias", tree.line_of(PRA, "x: &x"))


def test_a_number_with_thousands_of_digits_is_a_problem_not_a_traceback(tree: ContentTree):
    tree.replace(PRA, "cost: very-low\n", "cost: very-low\nintensity_weeks: " + "1" * 5000 + "\n")
    [problem] = tree.load().problems
    assert problem.code == "number-too-long"
    assert problem.line == tree.line_of(PRA, "intensity_weeks:")


def test_a_quoted_long_number_is_text(tree: ContentTree):
    tree.replace(PRA, "tags: [", 'tags: ["' + "1" * 100 + '", ')
    assert tree.load().problems == []


def test_a_symlinked_item_is_never_followed_even_to_a_valid_item(tree: ContentTree, tmp_path: Path):
    outside = tmp_path / "outside.md"
    shutil.copy(tree.path(PRA), outside)
    tree.path(PRA).unlink()
    tree.path(PRA).symlink_to(outside)
    library = tree.load()
    assert [(p.path, p.code) for p in library.problems] == [("content/" + PRA, "symlink")]
    assert "PRA-0001" not in library.items


def test_a_symlinked_kind_folder_is_refused(tree: ContentTree, tmp_path: Path):
    shutil.move(tree.path("items/practice"), tmp_path / "practice")
    tree.path("items/practice").symlink_to(tmp_path / "practice", target_is_directory=True)
    library = tree.load()
    assert ("content/items/practice", "symlink") in [(p.path, p.code) for p in library.problems]
    assert "PRA-0001" not in library.items


def test_a_symlinked_items_folder_is_refused(tree: ContentTree, tmp_path: Path):
    shutil.move(tree.path("items"), tmp_path / "items")
    tree.path("items").symlink_to(tmp_path / "items", target_is_directory=True)
    library = tree.load()
    assert [(p.path, p.code) for p in library.problems] == [("content/items", "symlink")]
    assert library.items == {}


def test_a_symlinked_review_is_refused(tree: ContentTree):
    tree.path("reviews").mkdir()
    tree.path("reviews/passwd.yaml").symlink_to("/etc/passwd")
    assert [(p.path, p.code) for p in tree.load().problems] == [("content/reviews/passwd.yaml", "symlink")]


def test_the_read_cache_never_restores_a_file_that_became_a_link(tree: ContentTree, tmp_path: Path):
    first = tree.load()
    cache = ReadCache(first.config_hash, {f.display_path: f.cache_entry() for f in first.files})
    outside = tmp_path / "same-bytes.md"
    shutil.copy(tree.path(PRA), outside)
    tree.path(PRA).unlink()
    tree.path(PRA).symlink_to(outside)
    from indexer.record.loading import load_library

    library = load_library(tree.root, cache)
    assert [(p.path, p.code) for p in library.problems] == [("content/" + PRA, "symlink")]


def test_a_control_character_in_a_review_title_is_an_error_at_its_line(tree: ContentTree):
    tree.write(
        "reviews/r.yaml",
        'id: r\npublication: standards\ntype: initial\ntitle: "First\\x1b review"\n',
    )
    [problem] = tree.load().problems
    assert (problem.path, problem.line, problem.code) == ("content/reviews/r.yaml", 4, "control-character")


def test_an_impossible_date_in_a_review_is_an_error_at_its_line(tree: ContentTree):
    tree.write("reviews/r.yaml", "id: r\npublication: standards\ntype: initial\ntitle: R\nopened: 2026-02-30\n")
    [problem] = tree.load().problems
    assert (problem.line, problem.code) == (5, "malformed-yaml")
    assert "day is out of range" in problem.message


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped content, with its reviews and published record."""
    root = tmp_path / "content"
    shutil.copytree(REPO / "content", root, symlinks=True)
    return root


def test_a_symlinked_publication_folder_is_refused(shipped: Path, tmp_path: Path):
    from indexer.record.loading import load_library

    shutil.move(shipped / "published/standards", tmp_path / "standards")
    (shipped / "published/standards").symlink_to(tmp_path / "standards", target_is_directory=True)
    library = load_library(shipped)
    assert ("content/published/standards", "symlink") in [(p.path, p.code) for p in library.problems]
    assert library.published.editions_of("standards") == []


def test_a_published_version_that_is_a_link_is_refused(shipped: Path):
    from indexer.record.loading import load_library

    version = next((shipped / "published/standards").glob("*/items/*/*.md"))
    version.unlink()
    version.symlink_to("/etc/passwd")
    library = load_library(shipped)
    assert ("symlink", version.name) in [(p.code, Path(p.path).name) for p in library.problems]


def test_reading_a_frozen_version_with_an_alias_bomb_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "INT-0001.md"
    path.write_text("---\n" + BILLION_LAUGHS + "\n---\n## What it is\nx\n", encoding="utf-8")
    with pytest.raises(UnreadableVersion) as raised:
        read_version(path)
    assert (raised.value.problem.line, raised.value.problem.code) == (2, "unreadable-version")
    assert "anchors and aliases" in raised.value.problem.message


def test_release_notes_with_a_control_character_are_refused(shipped: Path):
    import datetime as dt

    with pytest.raises(publish.PublishRefused, match="U\\+000B"):
        publish.plan_publish(shipped, "standards", "standards-2026-ooc-1", "Notes\x0b", dt.date(2027, 1, 1))


def test_a_hidden_file_is_not_read_and_validation_says_so(tree: ContentTree):
    shutil.copy(tree.path(PRA), tree.path(PRA).with_name(".PRA-0009.md"))
    (tree.path("items") / ".drafts").mkdir()
    library = tree.load()
    skipped = sorted((p.path, p.severity.value, p.code) for p in library.problems)
    assert skipped == [
        ("content/items/.drafts", "warning", "skipped-hidden"),
        ("content/items/practice/.PRA-0009.md", "warning", "skipped-hidden"),
    ]
    assert "PRA-0009" not in library.items


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\u2069", "\u200b", "\ufeff"])
def test_an_invisible_or_direction_changing_character_in_a_title_is_an_error_at_its_line(tree: ContentTree, hidden):
    title_line = next(line for line in tree.path(PRA).read_text().splitlines() if line.startswith("title:"))
    tree.replace(PRA, title_line, title_line + hidden + "exe.txt")
    problems = tree.load().problems
    assert [(p.path, p.line) for p in problems] == [("content/" + PRA, tree.line_of(PRA, "title:"))]
    assert f"U+{ord(hidden):04X}" in problems[0].message


@pytest.mark.parametrize(
    "markdown, message",
    [
        ("[a] [b]\n" * 1001, "'[' (at most 2000 in one text)"),  # quadratic link parsing: 16,000 pairs took 30 s a page
        ("".join("  " * depth + "- level\n" for depth in range(250)), "nest"),  # a RecursionError at 250
        ("x" * 5001, "characters (at most 5000)"),
    ],
)
def test_markdown_that_would_stall_the_renderer_is_an_error_at_its_line(tree: ContentTree, markdown, message):
    body = tree.path(PRA).read_text()
    heading = body.split("\n## ")[1].split("\n")[0]
    tree.replace(PRA, f"## {heading}\n", f"## {heading}\n\nSome text.\n\n{markdown}\n\n")
    problems = tree.load().problems
    assert [p.code for p in problems] == ["markdown-too-complex"] and message in problems[0].message
    assert problems[0].line >= tree.line_of(PRA, f"## {heading}") + 3  # where it goes too far, not the heading


STALLING = "[a] [b]\n" * 1001  # 2,002 '[': before, rendered on every view of the edition's page


def test_review_findings_that_would_stall_the_renderer_are_an_error_at_their_line(tree: ContentTree):
    import json

    findings = json.dumps("Checked.\n\n" + STALLING)  # a double-quoted YAML scalar on one line
    tree.write("reviews/r.yaml", f"id: r\npublication: standards\ntype: initial\ntitle: R\nfindings: {findings}\n")
    [problem] = tree.load().problems
    assert (problem.path, problem.line) == ("content/reviews/r.yaml", 5)
    assert "'[' (at most 2000 in one text)" in problem.message


def test_release_notes_that_would_stall_the_renderer_are_refused(shipped: Path):
    import datetime as dt

    with pytest.raises(publish.PublishRefused, match=r"release notes, line 1003: there are 2002 .\[. \(at most 2000"):
        publish.plan_publish(
            shipped, "standards", "standards-2026-ooc-1", "Notes.\n\n" + STALLING, dt.date(2027, 1, 1)
        )


def test_notes_published_before_the_bounds_are_shown_escaped_never_rendered(monkeypatch):
    """An edition is immutable: notes it already holds are shown as text, and Markdown is not run."""
    import markdown as python_markdown

    from nis_library import create_app

    def stalls(*args, **kwargs):
        raise AssertionError("the renderer ran on text beyond its bounds")

    monkeypatch.setattr(python_markdown.Markdown, "convert", stalls)
    shown = create_app({"TESTING": True}).jinja_env.filters["markdown"]("Notes <b>.\n\n" + STALLING)
    assert str(shown).startswith('<p class="govuk-body">Notes &lt;b&gt;.</p>') and "<script" not in str(shown)


@pytest.mark.parametrize(
    "text, allowed",
    [
        ("می\u200cخواهم", True),  # Persian: the non-joiner inside a word, as the language writes it
        ("क्\u200dष", True),  # Devanagari: a joiner between two letters
        ("👩\u200d👧", True),  # an emoji sequence
        ("exe\u200dtxt", False),  # between Latin letters it only hides a break
        ("می\u200c", False),  # at the end of the text
        ("می\u200c خواهم", False),  # before a space
        ("می\u200eخواهم", False),  # a direction mark is never one of the rule's
        ("می\u202eخواهم", False),
    ],
)
def test_joiners_are_allowed_between_letters_of_the_scripts_that_need_them(text, allowed):
    from indexer.content.characters import first_invisible

    assert (first_invisible(text) is None) == allowed


@pytest.mark.parametrize("layers", ["[[universal]]", "[{a: 1}]", "[universal, [targeted]]"])
def test_a_list_inside_the_layers_is_a_problem_not_a_crash(tree: ContentTree, layers: str):
    """Before: `set(layers)` raised TypeError (unhashable list) in the kind's rules."""
    tree.replace(PRA, "layers: [universal]\n", f"layers: {layers}\n")
    problems = tree.load().problems
    assert problems and all(p.path == "content/" + PRA for p in problems)
    assert tree.line_of(PRA, "layers:") in {p.line for p in problems}


def test_a_kind_the_code_has_no_model_for_is_a_problem_not_a_crash(tree: ContentTree):
    """Before: an item in items/<kind>/ of a kind the taxonomy names but the content model lacks
    stopped the loader (an AttributeError, then an assert)."""
    kind = "\n".join(
        [
            "  - id: workshop",
            "    label: Workshop",
            "    definition: A kind the content model does not have.",
            "    id_prefix: WKS",
            "    sections: [What it is]",
            "    evidence_section: What it is",
        ]
    )
    tree.replace("taxonomy.yaml", "kinds:\n", "kinds:\n" + kind + "\n")
    tree.write("items/workshop/WKS-0001.md", tree.read(PRA).replace("PRA-0001", "WKS-0001"))
    problems = [(p.path, p.code) for p in tree.load().problems]
    assert ("content/items/workshop/WKS-0001.md", "kind-model") in problems
    assert ("content/taxonomy.yaml", "kind-model") in problems
