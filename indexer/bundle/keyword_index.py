"""The Whoosh keyword index: its schema and how documents are written and replaced."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from whoosh import index
from whoosh.fields import ID, TEXT, Schema

from indexer.bundle.analysis import make_analyzer
from indexer.bundle.documents import SearchDocument

# Boosts per field, applied to query terms (BM25F weighs each field's own statistics).
# The everyday words are what a reader types for the need: worth as much as the summary. Tuned on
# the judged queries (scripts/eval_search.py): the title at 1.5, not 3, and the practical sections
# at 1.8, not 1.2, put the answer first more often (a title's word is often a generic one).
FIELD_BOOSTS = {
    "title": 1.5,
    "tags": 2.5,
    "everyday": 2.0,
    "summary": 2.0,
    "practical": 1.8,
    "labels": 1.0,
    "rest": 0.8,
}
TEXT_FIELDS = tuple(FIELD_BOOSTS)


def make_schema() -> Schema:
    analyzer = make_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, spelling=True),
        tags=TEXT(analyzer=analyzer, spelling=True),
        everyday=TEXT(analyzer=analyzer, spelling=True),
        summary=TEXT(analyzer=analyzer, spelling=True),
        practical=TEXT(analyzer=analyzer, spelling=True),
        labels=TEXT(analyzer=analyzer),
        rest=TEXT(analyzer=analyzer),
    )


def create(path: Path) -> index.Index:
    path.mkdir(parents=True, exist_ok=True)
    return index.create_in(str(path), make_schema())


def open_index(path: Path) -> index.Index:
    return index.open_dir(str(path))


def write(ix: index.Index, removed_ids: Iterable[str], documents: Iterable[SearchDocument]) -> None:
    """Delete `removed_ids` and (re)add `documents` in one commit."""
    writer = ix.writer()
    try:
        for item_id in removed_ids:
            writer.delete_by_term("id", item_id)
        for doc in documents:
            writer.delete_by_term("id", doc.id)
            writer.add_document(**{"id": doc.id} | {field: getattr(doc, field) for field in TEXT_FIELDS})
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
