"""`load_library`: read and check everything, content and published record alike, with every
problem found. Never raises on bad content."""

from __future__ import annotations

from pathlib import Path

from indexer.content import files, read_cache
from indexer.content.checker import check_across_items, check_config_files
from indexer.content.loader import load_yaml_model, read_config_files, read_items, working_copy_paths
from indexer.content.problems import display_path, error_at
from indexer.record.checks import check_publishing
from indexer.record.editions import load_published
from indexer.record.library import Library, Source
from indexer.record.reviews import REVIEW_SUFFIX, REVIEWS_DIR, Review


def load_library(root: Path | str, cache: read_cache.ReadCache | None = None, source: Source = "working") -> Library:
    """Read and check everything. With `cache` (from the previous build), files whose bytes are
    unchanged are not parsed again; the checks across items still run on all of them."""
    library = Library(root=Path(root), source=source, judge_ratings=source == "working")
    if not read_config_files(library):
        return library  # items cannot be checked without the taxonomy
    check_config_files(library)
    _load_reviews(library)
    library.published = load_published(library.root)
    library.problems.extend(library.published.problems)
    working = working_copy_paths(library)
    library.working_ids = {p.stem for p in working}
    if source == "published":
        paths = [versions[-1].path for _, versions in sorted(library.published.versions.items())]
        unpublished = frozenset(library.working_ids - set(library.published.versions))
    else:
        paths, unpublished = working, frozenset()
    read_items(library, paths, cache)
    check_across_items(library, unpublished)
    check_publishing(library)
    library.problems.sort(key=lambda p: (p.path, p.line, p.message))
    return library


def _load_reviews(library: Library) -> None:
    folder = library.root / REVIEWS_DIR
    if files.is_symlink(folder):
        library.problems.append(error_at(display_path(library.root, folder), 1, "symlink", files.SYMLINK_MESSAGE))
        return
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix != REVIEW_SUFFIX:
            library.problems.append(
                error_at(
                    display_path(library.root, path),
                    1,
                    "not-a-review",
                    f"only {REVIEW_SUFFIX} review files belong in {REVIEWS_DIR}/",
                )
            )
            continue
        review = load_yaml_model(path, Review, library, files.REVIEW_MAX_BYTES)
        if review is None:
            continue
        if review.id != path.stem:
            library.problems.append(
                error_at(
                    display_path(library.root, path),
                    1,
                    "review-id-file",
                    f"the review's id '{review.id}' must match its file name '{path.stem}'",
                )
            )
        library.reviews[review.id] = review
