"""The rating method page (`/evidence`): how the library turns an item's source records into its
rating, in the taxonomy's own words (the rules `nis validate` applies, `indexer.content.rating`),
with a tally of the library's items by how sure we are and what the evidence shows, and every item
where the panel's judgement departs from what the records give."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from indexer.bundle import store
from nis_library.catalogue import Catalogue


@dataclass(frozen=True)
class Judged:
    id: str
    title: str
    judgement: str


@dataclass(frozen=True)
class Tally:
    rows: list[tuple[str, str, int]]  # (strength, shows, items): strongest first, then the taxonomy's order
    total: int
    judged: list[Judged]


def tally(catalogue: Catalogue) -> Tally:
    """The active items of the bundle by recorded strength and what their evidence shows (a version
    from before the register, with no `shows`, is counted under "not rated")."""
    with catalogue.db() as db:
        rows = store.read_item_evidence(db)
    counts: Counter = Counter()
    judged = []
    for item_id, title, status, evidence in rows:
        if status != "active":
            continue
        counts[(evidence.get("strength", ""), evidence.get("shows") or "not-rated")] += 1
        if evidence.get("judgement"):
            judged.append(Judged(item_id, title, evidence["judgement"]))
    taxonomy = catalogue.taxonomy
    rows = [
        (strength.id, shows.id, counts[(strength.id, shows.id)])
        for strength in taxonomy.evidence_strengths
        for shows in taxonomy.evidence_shows
        if counts[(strength.id, shows.id)]
    ]
    return Tally(rows, sum(counts.values()), judged)
