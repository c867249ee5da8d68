"""The bundle's SQLite database (via sqlite-utils): items, taxonomy, embeddings, build facts.

All SQL for the bundle lives here; the indexer writes through it and the search service reads
through it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import sqlite_utils

from .body import Body
from .documents import FACETS, facet_values
from .model import Item
from .taxonomy import Taxonomy

VOCABULARIES = ("areas", "subcomponents", "layers", "universal_offer", "phases", "settings", "delivered_by",
                "formats", "evidence_strengths", "evidence_populations", "study_designs", "cost_bands",
                "training_levels", "kinds")


def open_db(path: Path, *, read_only: bool = False) -> sqlite_utils.Database:
    if read_only:
        import sqlite3

        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        return sqlite_utils.Database(conn)
    return sqlite_utils.Database(path)


def item_row(item: Item, body: Body, path: str, doc_hash: str, embed_hash: str) -> dict:
    row = {
        "id": item.id, "kind": item.kind, "title": item.title, "summary": item.summary,
        "status": item.status, "replaced_by": item.replaced_by, "sample": item.sample, "path": path,
        "doc_hash": doc_hash, "embed_hash": embed_hash,
        "data": json.dumps(item.model_dump(mode="json")),
        "sections": json.dumps([{"heading": s.heading, "text": s.text} for s in body.sections]),
    }
    for facet in FACETS:
        row[f"facet_{facet.name}"] = json.dumps(facet_values(item, facet))
    return row


def write_items(db: sqlite_utils.Database, rows: Iterable[dict]) -> None:
    db["items"].insert_all(rows, pk="id", batch_size=500)


def write_taxonomy(db: sqlite_utils.Database, taxonomy: Taxonomy) -> None:
    rows = []
    for name in VOCABULARIES:
        for position, term in enumerate(taxonomy.vocabulary(name)):
            parent = taxonomy.area_of_subcomponent().get(term.id) if name == "subcomponents" else None
            rows.append({"vocabulary": name, "id": term.id, "label": term.label, "definition": term.definition,
                         "aliases": json.dumps(term.aliases), "parent": parent, "position": position})
    db["vocabularies"].insert_all(rows, pk=("vocabulary", "id"))
    write_document(db, "taxonomy", taxonomy.model_dump_json())


def write_document(db: sqlite_utils.Database, name: str, json_text: str) -> None:
    """A whole configuration document (taxonomy, synonyms) as JSON."""
    db["documents"].insert({"name": name, "json": json_text}, pk="name", replace=True)


def write_embeddings(db: sqlite_utils.Database, model: str, vectors: dict[str, np.ndarray]) -> None:
    db["embeddings"].insert_all(
        ({"embed_hash": h, "model": model, "vector": v.astype(np.float32).tobytes()} for h, v in vectors.items()),
        pk="embed_hash", batch_size=1000)


def read_embeddings(db: sqlite_utils.Database, model: str, wanted: set[str]) -> dict[str, np.ndarray]:
    if "embeddings" not in db.table_names():
        return {}
    found = {}
    for row in db.query("select embed_hash, vector from embeddings where model = ?", [model]):
        if row["embed_hash"] in wanted:
            found[row["embed_hash"]] = np.frombuffer(row["vector"], dtype=np.float32)
    return found


def read_hashes(db: sqlite_utils.Database) -> dict[str, tuple[str, str, str]]:
    """id -> (status, doc_hash, embed_hash) for every item in a bundle."""
    return {r["id"]: (r["status"], r["doc_hash"], r["embed_hash"])
            for r in db.query("select id, status, doc_hash, embed_hash from items")}


def iter_items(db: sqlite_utils.Database) -> Iterator[dict]:
    yield from db.query("select * from items order by id")


def read_vocabularies(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("select * from vocabularies order by vocabulary, position"))
