"""Property: whatever an author pastes into an item file or the taxonomy, load_library returns
problems; it never raises."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.content.problems import Severity
from indexer.record.loading import load_library
from tests.support import FIXTURES, REPO

PRA = Path("items/practice/PRA-0001.md")
# Fragments that reach the YAML parser's corners: anchors, tags, nesting, numbers, dates, escapes.
YAML_BITS = st.sampled_from(
    [
        "---\n", "\n", " ", "  ", "- ", ": ", "? ", "[", "]", "{", "}", ",", "&a ", "*a", "!!int ", "!x ",
        '"', "'", "\\v", "\\x00", "\x0b", "\x00", "9" * 40, "2026-13-45", "1:2:3", ".inf", "<<: ", "|", ">-",
        "id: PRA-0001\n", "kind: practice\n", "title: ", "areas: ", "%YAML 1.1\n", "...\n", "#", "\t", "é", "\ufeff",
    ]
)  # fmt: skip
YAML_LIKE = st.lists(st.one_of(YAML_BITS, st.text(max_size=5)), max_size=60).map("".join)
FILE_TEXT = st.one_of(st.text(max_size=400), YAML_LIKE, YAML_LIKE.map(lambda t: f"---\n{t}\n---\n## What it is\nx\n"))
# No example database: nothing is written into the working tree.
SETTINGS = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """One valid tree for every example (a function-scoped one would be shared anyway): each
    example writes one file and puts it back."""
    root = tmp_path_factory.mktemp("arbitrary") / "content"
    root.mkdir()
    for name in ("taxonomy.yaml", "publications.yaml", "synonyms.yaml"):
        shutil.copy(REPO / "content" / name, root / name)
    shutil.copytree(FIXTURES / "items", root / "items")
    shutil.copytree(FIXTURES / "sources", root / "sources")
    return root


def _load_with(root: Path, relative: Path, content: bytes):
    original = (root / relative).read_bytes()
    (root / relative).write_bytes(content)
    try:
        return load_library(root)
    finally:
        (root / relative).write_bytes(original)


def _errors_against(library, relative: Path) -> list:
    return [p for p in library.problems if p.path == f"content/{relative}" and p.severity is Severity.ERROR]


@SETTINGS
@given(st.one_of(FILE_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=400)))
def test_any_item_file_gives_problems_never_an_exception(root: Path, content: bytes):
    library = _load_with(root, PRA, content)
    loaded = any(f.item is not None and f.display_path == f"content/{PRA}" for f in library.files)
    assert loaded != bool(_errors_against(library, PRA))


@SETTINGS
@given(st.one_of(FILE_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=400)))
def test_any_taxonomy_gives_problems_never_an_exception(root: Path, content: bytes):
    library = _load_with(root, Path("taxonomy.yaml"), content)
    assert library.taxonomy is None
    assert _errors_against(library, Path("taxonomy.yaml"))


@SETTINGS
@given(st.one_of(FILE_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=400)))
def test_any_everyday_words_file_gives_problems_never_an_exception(root: Path, content: bytes):
    """Whatever the file holds, loading returns problems, and any words it keeps are plain phrases."""
    words = root / "everyday-words.yaml"
    words.write_bytes(content)
    try:
        library = load_library(root)
    finally:
        words.unlink()
    if library.everyday_words:
        assert not [p for p in _errors_against(library, Path("everyday-words.yaml")) if p.code.startswith("phrase-")]
    for phrases in library.everyday_words.values():
        assert phrases and all(isinstance(w, str) and 0 < len(w) <= 80 and "\n" not in w for w in phrases)


@pytest.mark.parametrize("key", ["'(['", "'str'", "'literal[x]'"])
def test_a_key_that_looks_like_a_union_tag_is_reported_not_raised(root: Path, key: str):
    """Found by the test above: pydantic's union tags are dropped from an error's path, and a key
    of the file's own such as "([" was dropped with them, leaving no key to name."""
    library = _load_with(root, Path("taxonomy.yaml"), f"{key}: null\n".encode())
    assert library.taxonomy is None
    errors = _errors_against(library, Path("taxonomy.yaml"))
    assert any(p.code == "unknown-field" for p in errors)
