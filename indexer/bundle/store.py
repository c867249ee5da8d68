"""The bundle's SQLite database (via sqlite-utils): items, taxonomy, embeddings, build facts.

All SQL for the bundle lives here; the indexer writes through it and the search service reads
through it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils
from numpy.typing import NDArray
from pydantic import ValidationError

from indexer.bundle.documents import FACETS, facet_values
from indexer.content import files
from indexer.content.folder import ItemFile
from indexer.content.model import Item
from indexer.content.read_cache import CachedFile, ReadCache
from indexer.content.rendering import rendered_sections
from indexer.content.safe_yaml import YamlProblem, load_checked
from indexer.content.sources import SourceRecord
from indexer.content.taxonomy import Taxonomy
from indexer.record.editions import PublishedRecord, Version, content_hash, read_version
from indexer.record.reviews import Review

# A database row as sqlite-utils returns it: column name -> value.
Row = dict[str, Any]

VOCABULARIES = (
    "areas",
    "subcomponents",
    "layers",
    "universal_offer",
    "phases",
    "settings",
    "delivered_by",
    "formats",
    "evidence_strengths",
    "evidence_populations",
    "study_designs",
    "cost_bands",
    "training_levels",
    "kinds",
)


def open_db(path: Path, *, read_only: bool = False) -> sqlite_utils.Database:
    if read_only:
        if not Path(path).is_file():
            raise FileNotFoundError(f"no database at {path}")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        return sqlite_utils.Database(conn)
    conn = sqlite3.connect(str(path), uri=False, check_same_thread=False)
    conn.execute("pragma journal_mode = off")  # a new bundle is thrown away whole if a build fails
    conn.execute("pragma synchronous = off")
    db = sqlite_utils.Database(conn)
    create_tables(db)
    return db


ITEM_COLUMNS = {
    "id": str,
    "kind": str,
    "title": str,
    "summary": str,
    "status": str,
    "replaced_by": str,
    "sample": int,
    "path": str,
    "file_hash": str,
    "doc_hash": str,
    "embed_hash": str,
    "data": str,  # the front matter, as JSON
    "sections": str,  # [{heading, line, text, anchor, html}], as JSON: rendered once, here
    "lines": str,  # where the keys that cross-item checks report on are, as JSON
    "first_line": int,
    "last_line": int,
    # From the published record (see `mark_versions`): the item's latest published version, and
    # whether this row is a draft (a working copy that differs from it, or was never published).
    "content_hash": str,  # what publishing compares (see `indexer.record.editions.content_hash`)
    "version": int,
    "edition": str,
    "published": str,
    "draft": int,
} | {f"facet_{facet.name}": str for facet in FACETS}


# Front matter fields that point at other items: item pages show them both ways.
LINK_FIELDS = ("related", "leads_to", "components", "replaced_by")


def create_tables(db: sqlite_utils.Database) -> None:
    db.table("items").create(ITEM_COLUMNS, pk="id")
    db.table("links").create({"source": str, "relation": str, "target": str, "position": int})
    db.table("versions").create(
        {
            "id": str,
            "version": int,
            "publication": str,
            "edition": str,
            "date": str,
            "title": str,
            "kind": str,
            "status": str,
            "change_class": str,
            "change_note": str,
            "implements": str,
            "sha256": str,
            "content_hash": str,
            "data": str,
            "sections": str,
            "sources": str,  # the frozen source records the version cites, by ID
        },
        pk=("id", "version"),
    )
    db.table("versions").create_index(["date"])
    db.table("editions").create(
        {
            "publication": str,
            "edition": str,
            "date": str,
            "review": str,
            "release_notes": str,
            "previous": str,
            "items": str,
            "sha256": str,
        },
        pk=("publication", "edition"),
    )
    db.table("reviews").create({"id": str, "publication": str, "json": str}, pk="id")
    db.table("embeddings").create({"embed_hash": str, "model": str, "vector": bytes}, pk="embed_hash")


def item_row(item: Item, record: ItemFile, doc_hash: str, embed_hash: str) -> Row:
    """The database row for a freshly read item."""
    cached = record.cache_entry()
    body = record.body
    # A valid item's file has both, and a new cache entry holds its sections as a list, not yet as JSON.
    if cached is None or body is None or isinstance(cached.sections, str):
        raise ValueError(f"{record.display_path}: no valid item to store")
    data = item.model_dump(mode="json")
    sections = [(s.heading, s.text) for s in body.sections]
    row = {
        "id": item.id,
        "kind": item.kind,
        "title": item.title,
        "summary": item.summary,
        "status": item.status,
        "replaced_by": item.replaced_by,
        "sample": item.sample,
        "path": record.display_path,
        "file_hash": record.file_hash,
        "doc_hash": doc_hash,
        "embed_hash": embed_hash,
        "data": json.dumps(data),
        "sections": json.dumps(rendered_sections(cached.sections)),
        "lines": json.dumps(cached.lines),
        "first_line": cached.first_line,
        "last_line": cached.last_line,
        "content_hash": content_hash(data, sections),
    }
    for facet in FACETS:
        row[f"facet_{facet.name}"] = json.dumps(facet_values(item, facet))
    return row


def write_items(db: sqlite_utils.Database, rows: Iterable[Row]) -> None:
    db.table("items").insert_all(rows, batch_size=500)


@dataclass(frozen=True)
class PreviousRow:
    """What a build needs to know about an item in the bundle it starts from."""

    id: str
    path: str
    status: str
    file_hash: str
    doc_hash: str
    embed_hash: str


def read_previous_rows(db: sqlite_utils.Database) -> dict[str, PreviousRow]:
    return {
        r["id"]: PreviousRow(**r)
        for r in db.query("select id, path, status, file_hash, doc_hash, embed_hash from items")
    }


def read_cache(db_path: Path, config: str | None) -> ReadCache:
    """What the previous build read from each file, for files that have not changed."""
    db = open_db(db_path, read_only=True)
    try:
        files = {}
        for r in db.query("select path, file_hash, data, sections, lines, first_line, last_line from items"):
            files[r["path"]] = CachedFile(
                r["file_hash"], json.loads(r["data"]), r["sections"], r["lines"], r["first_line"], r["last_line"]
            )
        return ReadCache(config or "", files)
    finally:
        db.conn.close()


def embedding_hashes(db_path: Path, model: str) -> set[str]:
    db = open_db(db_path, read_only=True)
    try:
        return {r["embed_hash"] for r in db.query("select embed_hash from embeddings where model = ?", [model])}
    finally:
        db.conn.close()


@contextmanager
def _attached(db: sqlite_utils.Database, path: Path, alias: str) -> Iterator[str]:
    """Another bundle's database, read-only, for copying rows across inside SQLite."""
    db.execute(f"attach database ? as {alias}", [f"file:{path}?mode=ro"])
    try:
        yield alias
    finally:
        db.conn.commit()
        db.execute(f"detach database {alias}")


def _keys(db: sqlite_utils.Database, table: str, values: Iterable[str]) -> str:
    """A temporary one-column table of keys to select by; returns its name."""
    db.execute(f"drop table if exists temp.{table}")
    db.execute(f"create temp table {table} (key text primary key)")
    db.conn.executemany(f"insert or ignore into {table} values (?)", ((v,) for v in values))
    return table


def _copy_vectors(db: sqlite_utils.Database, alias: str, embed_hashes: Iterable[str]) -> None:
    wanted = _keys(db, "wanted_vectors", embed_hashes)
    db.execute(
        f"insert or ignore into embeddings (embed_hash, model, vector) select embed_hash, model, vector "
        f"from {alias}.embeddings where embed_hash in (select key from {wanted})"
    )


def carry_over(
    db: sqlite_utils.Database, old_db_path: Path, item_ids: Iterable[str], embed_hashes: Iterable[str]
) -> None:
    """Copy unchanged rows and vectors from the previous bundle's database, inside SQLite."""
    with _attached(db, old_db_path, "old"):
        wanted = _keys(db, "carried_items", item_ids)
        columns = ", ".join(ITEM_COLUMNS)
        db.execute(
            f"insert into items ({columns}) select {columns} from old.items where id in (select key from {wanted})"
        )
        _copy_vectors(db, "old", embed_hashes)


def copy_embeddings(db: sqlite_utils.Database, other_db_path: Path, embed_hashes: set[str]) -> None:
    """Copy vectors from another bundle's database (a preview's, or the public one)."""
    if embed_hashes:
        with _attached(db, other_db_path, "other"):
            _copy_vectors(db, "other", embed_hashes)


def write_links(db: sqlite_utils.Database) -> None:
    """Derive the links table from every item's front matter (after all items are written)."""
    db.execute("delete from links")
    for name in LINK_FIELDS:
        db.execute(
            f"insert into links (source, relation, target, position) "
            f"select items.id, '{name}', j.value, cast(j.key as integer) from items, "
            f"json_each(items.data, '$.{name}') j where j.type = 'text'"
        )
        # a single ID (replaced_by) is a scalar, not an array: json_each yields it with a null key
    db.execute("update links set position = 0 where position is null")
    db.table("links").create_index(["source"], if_not_exists=True)
    db.table("links").create_index(["target"], if_not_exists=True)


def read_item(db: sqlite_utils.Database, item_id: str) -> Row | None:
    return next(iter(db.query("select * from items where id = ?", [item_id])), None)


def read_item_rows(db: sqlite_utils.Database, item_ids: Iterable[str]) -> list[Row]:
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        return []
    return list(db.query(f"select * from items where id in ({', '.join('?' * len(ids))})", ids))


def read_published_item_page(db: sqlite_utils.Database, after: str | None, limit: int) -> list[Row]:
    """Up to `limit` published items (a latest version) in ID order, after the ID `after`: one page
    of a keyset-paginated list, as cheap on the last page as on the first."""
    return list(
        db.query("select * from items where version is not null and id > ? order by id limit ?", [after or "", limit])
    )


def read_item_titles(db: sqlite_utils.Database) -> dict[str, str]:
    """Every item's title by ID: what links to an item named in another's text carry."""
    return {row["id"]: row["title"] for row in db.query("select id, title from items")}


def read_item_evidence(db: sqlite_utils.Database) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Every item's ID, title, status and front-matter `evidence`: the method page's tally."""
    rows = db.query("select id, title, status, json_extract(data, '$.evidence') as evidence from items order by id")
    return [(r["id"], r["title"], r["status"], json.loads(r["evidence"] or "{}")) for r in rows]


def read_links(db: sqlite_utils.Database, item_id: str) -> list[Row]:
    """Links from and to one item, in the order the front matter lists them."""
    return list(
        db.query(
            "select source, relation, target, position from links where source = ? or target = ? "
            "order by relation, source, position",
            [item_id, item_id],
        )
    )


def write_published(
    db: sqlite_utils.Database,
    record: PublishedRecord,
    reviews: dict[str, Review],
    publications_json: str,
    previous_db: Path | None = None,
) -> None:
    """Every published version (its text as frozen), every edition and every review. Versions
    never change, so those already in the previous bundle (same file hash) are copied, not re-read."""
    carried = _carry_versions(db, previous_db, {v.record.sha256 for vs in record.versions.values() for v in vs})
    versions = []
    for item_id, found in record.versions.items():
        for version in found:
            if version.record.sha256 in carried:
                continue
            data, sections = read_version(version.path)
            versions.append(
                {
                    "id": item_id,
                    "version": version.number,
                    "publication": version.publication,
                    "edition": version.edition,
                    "date": version.date.isoformat(),
                    "title": str(data.get("title", "")),
                    "kind": version.record.kind,
                    "status": version.record.status,
                    "change_class": version.record.change_class,
                    "change_note": version.record.change_note,
                    "implements": json.dumps(version.record.implements),
                    "sha256": version.record.sha256,
                    "content_hash": version.record.content_hash,
                    "data": json.dumps(data, default=str),
                    "sections": json.dumps(rendered_sections(sections)),
                    "sources": json.dumps(read_frozen_sources(version, data)),
                }
            )
    db.table("versions").insert_all(versions, batch_size=500)
    db.table("editions").insert_all(
        {
            "publication": e.manifest.publication,
            "edition": e.manifest.edition,
            "date": e.manifest.date.isoformat(),
            "review": e.manifest.review,
            "release_notes": e.manifest.release_notes,
            "previous": e.manifest.previous.edition if e.manifest.previous else None,
            "items": json.dumps(e.manifest.items),
            "sha256": e.sha256,
        }
        for e in record.editions
    )
    db.table("reviews").insert_all(
        {"id": r.id, "publication": r.publication, "json": r.model_dump_json()} for r in reviews.values()
    )
    write_document(db, "publications", publications_json)


def read_frozen_sources(version: Version, data: Mapping[str, object]) -> dict[str, dict[str, Any]]:
    """The source records a published version cites, as frozen in its edition (checked against the
    manifest's hashes when the record was read). A version from before the register cites none."""
    evidence = data.get("evidence")
    if not isinstance(evidence, dict):
        evidence = {}
    cited = [s.get("source") for s in evidence.get("sources") or [] if isinstance(s, dict)]
    found: dict[str, dict[str, Any]] = {}
    for source_id in cited:
        if not isinstance(source_id, str):
            continue
        path = version.sources.get(source_id)
        if path is None:
            continue
        try:
            record = SourceRecord.model_validate(load_checked(files.read_bytes(path, files.SOURCE_MAX_BYTES).decode()))
        except (files.UnsafeFile, UnicodeDecodeError, YamlProblem, ValidationError):
            continue  # reported when the record was read; the version shows no account
        found[source_id] = record.model_dump(mode="json")
    return found


def _carry_versions(db: sqlite_utils.Database, previous_db: Path | None, wanted: set[str]) -> set[str]:
    if previous_db is None:
        return set()
    with _attached(db, previous_db, "old"):
        if not db.execute("select 1 from old.sqlite_master where name = 'versions'").fetchone():
            return set()
        keys = _keys(db, "carried_versions", wanted)
        db.execute(f"insert into versions select * from old.versions where sha256 in (select key from {keys})")
    return {r[0] for r in db.execute("select sha256 from versions")}


def mark_versions(db: sqlite_utils.Database, latest: dict[str, tuple[int, str, str]], drafts: set[str]) -> None:
    """Set each item row's latest published version (number, edition, date) and draft flag."""
    db.execute("update items set version = null, edition = null, published = null, draft = 0")
    db.conn.executemany(
        "update items set version = ?, edition = ?, published = ? where id = ?",
        ((n, e, d, i) for i, (n, e, d) in latest.items()),
    )
    db.conn.executemany("update items set draft = 1 where id = ?", ((i,) for i in drafts))


def read_content_hashes(db: sqlite_utils.Database) -> dict[str, str]:
    return {r["id"]: r["content_hash"] for r in db.query("select id, content_hash from items")}


def read_versions(db: sqlite_utils.Database, item_id: str) -> list[Row]:
    return list(db.query("select * from versions where id = ? order by version", [item_id]))


def read_version_row(db: sqlite_utils.Database, item_id: str, number: int) -> Row | None:
    return next(iter(db.query("select * from versions where id = ? and version = ?", [item_id, number])), None)


def read_editions(db: sqlite_utils.Database) -> list[Row]:
    return list(db.query("select * from editions order by publication, date, edition"))


def read_versions_since(db: sqlite_utils.Database, since_date: str) -> list[Row]:
    return list(db.query("select * from versions where date > ? order by date, edition, id", [since_date]))


def read_versions_in_edition(db: sqlite_utils.Database, publication: str, edition: str) -> list[Row]:
    return list(
        db.query("select * from versions where publication = ? and edition = ? order by id", [publication, edition])
    )


def read_versions_implementing(db: sqlite_utils.Database) -> list[Row]:
    """Every published version that names a recommendation it implements."""
    return list(db.query("select * from versions where implements != '[]' order by date, edition, id"))


def read_version_titles(db: sqlite_utils.Database, versions: dict[str, int]) -> dict[tuple[str, int], str]:
    ids = list(versions)
    if not ids:
        return {}
    rows = db.query(f"select id, version, title from versions where id in ({', '.join('?' * len(ids))})", ids)
    return {(r["id"], r["version"]): r["title"] for r in rows if versions.get(r["id"]) == r["version"]}


def read_reviews(db: sqlite_utils.Database) -> list[Row]:
    return list(db.query("select * from reviews order by id"))


def write_taxonomy(db: sqlite_utils.Database, taxonomy: Taxonomy) -> None:
    rows = []
    for name in VOCABULARIES:
        for position, term in enumerate(taxonomy.vocabulary(name)):
            parent = taxonomy.area_of_subcomponent().get(term.id) if name == "subcomponents" else None
            rows.append(
                {
                    "vocabulary": name,
                    "id": term.id,
                    "label": term.label,
                    "definition": term.definition,
                    "aliases": json.dumps(term.aliases),
                    "parent": parent,
                    "position": position,
                }
            )
    db.table("vocabularies").insert_all(rows, pk=("vocabulary", "id"))
    write_document(db, "taxonomy", taxonomy.model_dump_json())


def write_document(db: sqlite_utils.Database, name: str, json_text: str) -> None:
    """A whole configuration document (taxonomy, synonyms) as JSON."""
    db.table("documents").insert({"name": name, "json": json_text}, pk="name", replace=True)


def write_embeddings(db: sqlite_utils.Database, model: str, vectors: Mapping[str, NDArray[np.float32]]) -> None:
    db.table("embeddings").insert_all(
        ({"embed_hash": h, "model": model, "vector": v.astype(np.float32).tobytes()} for h, v in vectors.items()),
        batch_size=1000,
    )


def read_embeddings(db: sqlite_utils.Database, model: str, wanted: set[str]) -> dict[str, NDArray[np.float32]]:
    if "embeddings" not in db.table_names():
        return {}
    found: dict[str, NDArray[np.float32]] = {}
    for row in db.query("select embed_hash, vector from embeddings where model = ?", [model]):
        if row["embed_hash"] in wanted:
            found[row["embed_hash"]] = np.frombuffer(row["vector"], dtype=np.float32)
    return found


def iter_items(db: sqlite_utils.Database) -> Iterator[Row]:
    yield from db.query("select * from items order by id")


def read_document(db: sqlite_utils.Database, name: str) -> str | None:
    row = next(iter(db.query("select json from documents where name = ?", [name])), None)
    return row["json"] if row else None


def read_vocabularies(db: sqlite_utils.Database) -> list[Row]:
    return list(db.query("select * from vocabularies order by vocabulary, position"))
