"""What the ISP links need to know about an item's published versions, oldest first: read from the
bundle a build has just made current (`from_catalogue`), which `nis build` records in the state store
(`served`) and queues webhooks from; the API reads them back from there."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from indexer.bundle import store
from nis_library.catalogue import Catalogue
from nis_library.web import addresses


def asks_for_review(change_class: str, status: str) -> bool:
    """Whether a version flags review: a substantive revision or a withdrawal asks whoever cites the
    item to look again; an editorial change does not. The one statement of the rule."""
    return change_class == "substantive" or status == "withdrawn"


@dataclass(frozen=True)
class VersionFacts:
    item_id: str
    number: int
    title: str
    change_class: str  # substantive or editorial
    change_note: str
    status: str  # active or withdrawn
    replaced_by: str | None

    @property
    def flags_review(self) -> bool:
        return asks_for_review(self.change_class, self.status)

    @property
    def path(self) -> str:
        return addresses.version_page(self.item_id, self.number)

    def diff_path(self, since: int) -> str:
        return addresses.diff_page(self.item_id, since, self.number)


Histories = Mapping[str, list[VersionFacts]]  # item ID -> its versions, oldest first


def from_catalogue(catalogue: Catalogue, item_ids: Iterable[str]) -> dict[str, list[VersionFacts]]:
    """The versions of these items in the bundle; an unknown item is left out."""
    found = {}
    with catalogue.db() as db:
        for item_id in set(item_ids):
            rows = store.read_versions(db, item_id)
            if rows:
                found[item_id] = [_from_row(r) for r in rows]
    return found


def _from_row(row: dict) -> VersionFacts:
    data = json.loads(row["data"])
    return VersionFacts(
        row["id"],
        row["version"],
        row["title"],
        row["change_class"],
        row["change_note"],
        row["status"],
        data.get("replaced_by"),
    )
