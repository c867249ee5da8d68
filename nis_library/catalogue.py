"""What the pages and the API read about items and the taxonomy, from the bundle being served.

Plain functions over the bundle's database (through `indexer.bundle.store`, which holds the SQL); no
Flask. Search and browsing lists go through `nis_library.search`, whose hits are `ItemSummary`s too.
"""

from __future__ import annotations

import json
import re
from contextlib import closing
from dataclasses import dataclass, field, fields
from pathlib import Path

from indexer.bundle import location as bundles
from indexer.bundle import store
from indexer.bundle.documents import SCOPE_DOCUMENT, SOURCES_DOCUMENT
from indexer.content.model import ITEM_ID_PATTERN
from indexer.content.scope import Scope
from indexer.content.sources import SourceRecord
from indexer.content.synonyms import Synonyms
from indexer.content.taxonomy import Publications, Taxonomy, Term
from indexer.record.editions import edition_sort_key
from indexer.record.reviews import Review
from nis_library.loaded_bundles import LOADED
from nis_library.web.rendering import RenderedSection, stored_sections


@dataclass(frozen=True)
class ItemSummary:
    """What a list of results shows about an item."""

    id: str
    kind: str
    title: str
    summary: str
    layers: tuple[str, ...]
    areas: tuple[str, ...]
    evidence: str  # how sure we are (the evidence strength)
    shows: str  # what the evidence shows (`evidence_shows`); "" for a version from before the register
    cost: str
    time: str  # how long it takes, in the item's own words (its intensity's description)
    sample: bool  # illustrative sample content, not the official Standards

    def summary_fields(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(ItemSummary)}

    @classmethod
    def from_row(cls, row: dict, facets: dict[str, list[str]] | None = None) -> ItemSummary:
        """From a row of the bundle's items table; `facets`, if the caller has parsed them already."""
        facets = facets or {name: json.loads(row[f"facet_{name}"]) for name in ("layer", "area", "evidence", "cost")}
        data = json.loads(row["data"])
        return ItemSummary(
            row["id"],
            row["kind"],
            row["title"],
            row["summary"],
            tuple(facets["layer"]),
            tuple(facets["area"]),
            (facets["evidence"] or [""])[0],
            data["evidence"].get("shows") or "",
            (facets["cost"] or [""])[0],
            data["intensity"]["description"],
            bool(row["sample"]),
        )


@dataclass(frozen=True)
class Labels:
    """Labels and definitions of every controlled value, from the bundle's taxonomy."""

    taxonomy: Taxonomy
    publications: dict[str, str] = field(default_factory=dict)  # kind -> the publication holding it

    def term(self, vocabulary: str, value: str) -> Term | None:
        return self.taxonomy.vocabulary(vocabulary).terms.get(value)

    def label(self, vocabulary: str, value: str) -> str:
        term = self.term(vocabulary, value)
        return term.label if term else value

    def publication_of(self, kind: str) -> str:
        """The publication a kind belongs to, from the kind's own definition in the taxonomy."""
        return self.publications.get(kind, "")

    def definition(self, vocabulary: str, value: str) -> str | None:
        term = self.term(vocabulary, value)
        return term.definition if term else None


@dataclass(frozen=True)
class LinkedItems:
    """An item's links to other items, both ways, as summaries."""

    leads_to: list[ItemSummary] = field(default_factory=list)  # a tool's interventions
    found_by: list[ItemSummary] = field(default_factory=list)  # tools that lead here
    components: list[ItemSummary] = field(default_factory=list)  # a package's parts
    part_of: list[ItemSummary] = field(default_factory=list)  # packages that use this item
    related: list[ItemSummary] = field(default_factory=list)  # either way
    replaced_by: ItemSummary | None = None
    replaces: list[ItemSummary] = field(default_factory=list)


@dataclass(frozen=True)
class ItemDetail:
    summary: ItemSummary
    status: str
    data: dict  # the item's front matter, as validated
    sections: list[RenderedSection]  # the body, rendered and sanitised
    links: LinkedItems
    content_hash: str  # identifies exactly this text of the item
    version: int | None = None  # its latest published version
    edition: str | None = None  # the edition that published that version
    published: str | None = None  # and when
    draft: bool = False  # a preview of a working copy that differs from it
    editions: tuple[str, ...] = ()  # every edition holding that version, oldest first

    @property
    def current_edition(self) -> str | None:
        """The latest edition holding this version: what a citation names (a version published in
        standards 2026 and carried unchanged into 2026.1 belongs to 2026.1 now)."""
        return self.editions[-1] if self.editions else self.edition


class Catalogue:
    """One bundle's item pages, taxonomy, publications and reviews. Cheap to keep: the small
    documents are read once per bundle; items are read per request."""

    def __init__(self, bundle_dir: Path):
        self.bundle_dir = bundle_dir
        with self.db() as db:
            taxonomy = store.read_document(db, "taxonomy")
            publications = store.read_document(db, "publications")
            synonyms = store.read_document(db, "synonyms")
            scope = store.read_document(db, SCOPE_DOCUMENT)
            sources = store.read_document(db, SOURCES_DOCUMENT)
            reviews = [Review.model_validate_json(r["json"]) for r in store.read_reviews(db)]
            self.titles: dict[str, str] = store.read_item_titles(db)
            editions = store.read_editions(db)
        # Which editions hold which item versions: a version belongs to every edition from the one
        # that published it until one publishes the next version.
        self._editions = sorted(
            ((e["publication"], e["edition"], json.loads(e["items"])) for e in editions),
            key=lambda e: (e[0], edition_sort_key(e[1])),
        )
        if taxonomy is None or publications is None:
            raise bundles.BundleError(f"{bundle_dir} has no taxonomy or publications: run 'nis build --full'")
        self.publications = Publications.model_validate_json(publications)
        self.synonyms = Synonyms.model_validate_json(synonyms) if synonyms else Synonyms(groups=[])
        # The topics the library does not cover; None for a bundle built from content without them.
        self.scope: Scope | None = Scope.from_document(scope)
        self.reviews: dict[str, Review] = {r.id: r for r in reviews}
        # The source register, by ID (empty for a bundle built before it).
        self.sources: dict[str, SourceRecord] = {
            source_id: SourceRecord.model_validate(record) for source_id, record in json.loads(sources or "{}").items()
        }
        self.labels = Labels(
            Taxonomy.model_validate_json(taxonomy),
            {kind: p.id for p in self.publications.publications for kind in p.kinds},
        )

    def db(self):
        """The bundle's database, read-only, closed when the `with` block ends."""
        return closing(store.open_db(self.bundle_dir / bundles.DB_NAME, read_only=True))

    @property
    def taxonomy(self) -> Taxonomy:
        return self.labels.taxonomy

    def editions_holding(self, item_id: str, version: int) -> list[str]:
        """The editions (oldest first) that hold this version of the item: the last is the
        current edition it belongs to, while it is the item's latest version."""
        return [number for _, number, items in self._editions if items.get(item_id) == version]

    def summaries(self, item_ids: list[str] | tuple[str, ...]) -> dict[str, ItemSummary]:
        """Summaries of the items named that exist, by ID."""
        with self.db() as db:
            return {row["id"]: ItemSummary.from_row(row) for row in store.read_item_rows(db, item_ids)}

    def area(self, area_id: str):
        return next((a for a in self.taxonomy.areas if a.id == area_id), None)

    def item(self, item_id: str) -> ItemDetail | None:
        with self.db() as db:
            row = store.read_item(db, item_id)
            if row is None:
                return None
            links = store.read_links(db, item_id)
            others = {
                r["id"]: ItemSummary.from_row(r)
                for r in store.read_item_rows(
                    db, {link["target"] if link["source"] == item_id else link["source"] for link in links}
                )
            }
        return ItemDetail(
            summary=ItemSummary.from_row(row),
            status=row["status"],
            data=json.loads(row["data"]),
            sections=stored_sections(json.loads(row["sections"])),
            links=_linked(item_id, links, others),
            content_hash=row["content_hash"],
            version=row["version"],
            edition=row["edition"],
            published=row["published"],
            draft=bool(row["draft"]),
            editions=tuple(self.editions_holding(item_id, row["version"])) if row["version"] else (),
        )

    def published_items(self, after: str | None, limit: int) -> list[PublishedItem]:
        """Published items in ID order after the ID `after` (None: from the start), at most `limit`."""
        with self.db() as db:
            rows = store.read_published_item_page(db, after, limit)
        return [
            PublishedItem(ItemSummary.from_row(r), r["status"], r["version"], r["edition"], r["published"])
            for r in rows
        ]


@dataclass(frozen=True)
class PublishedItem:
    """An item in the list of published items: its summary and latest published version."""

    summary: ItemSummary
    status: str
    version: int
    edition: str
    published: str


def _linked(item_id: str, links: list[dict], others: dict[str, ItemSummary]) -> LinkedItems:
    found: dict[str, list[ItemSummary]] = {}
    outgoing = {"leads_to": "leads_to", "components": "components", "related": "related", "replaced_by": "replaced_by"}
    incoming = {"leads_to": "found_by", "components": "part_of", "related": "related", "replaced_by": "replaces"}
    for link in links:
        out = link["source"] == item_id
        other = others.get(link["target"] if out else link["source"])
        if other is None or other.id == item_id:
            continue
        slot = (outgoing if out else incoming)[link["relation"]]
        if all(s.id != other.id for s in found.get(slot, [])):
            found.setdefault(slot, []).append(other)
    replaced = found.pop("replaced_by", [])
    return LinkedItems(**found, replaced_by=replaced[0] if replaced else None)


def get_catalogue(instance_dir: Path) -> Catalogue:
    """The catalogue of the bundle `instance/library` serves, loaded once per bundle and swapped with
    the search service (`nis_library.loaded_bundles`)."""
    return LOADED.get(instance_dir, "catalogue", Catalogue)


ITEM_ID = re.compile(ITEM_ID_PATTERN)  # the content model's ItemId: INT-0042


def is_item_id(text: str) -> bool:
    """Whether an address names an item at all, before the bundle is asked."""
    return ITEM_ID.fullmatch(text) is not None
