"""What many tests share: the repository's paths, a content tree a test may break, and a build with the
stand-in embedder. The fixtures that hand these out are in `conftest.py`."""

from __future__ import annotations

from pathlib import Path

from indexer.record.library import Library
from indexer.record.loading import load_library

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class ContentTree:
    """A content folder the test may break, one file at a time."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def write(self, relative: str, text: str | bytes) -> Path:
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return target

    def replace(self, relative: str, old: str, new: str) -> None:
        text = self.read(relative)
        assert old in text, f"{old!r} not in {relative}"
        self.write(relative, text.replace(old, new, 1))

    def line_of(self, relative: str, fragment: str) -> int:
        """The 1-based line of the first line containing `fragment`."""
        for number, line in enumerate(self.read(relative).splitlines(), start=1):
            if fragment in line:
                return number
        raise AssertionError(f"{fragment!r} not in {relative}")

    def load(self) -> Library:
        return load_library(self.root)


def build_hashing(tree: ContentTree, instance: Path, source: str = "working", **kwargs):
    """Build a bundle with the deterministic stand-in embedder (fast; no model). Tests of the
    build's mechanics build from the working copies (as a preview does), so an edit to a fixture
    file shows without publishing it; publishing has tests of its own."""
    from indexer.bundle.build import build
    from indexer.bundle.embeddings import HashingEmbedder

    return build(tree.root, instance, embedder=HashingEmbedder(), source=source, **kwargs)
