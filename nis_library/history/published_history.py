"""The published history as the pages, the feeds and the API read it: item versions, diffs
between them, editions, changes since a date or an edition, and the review schedule.

Plain functions of a `Catalogue` (the bundle being served); no Flask.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from indexer.bundle import store
from indexer.record.diffs import ItemDiff, item_diff
from indexer.record.editions import edition_sort_key
from indexer.record.reviews import Review
from indexer.record.schedule import PublicationSchedule, item_last_reviewed, publication_schedule
from nis_library.catalogue import Catalogue
from nis_library.web import addresses
from nis_library.web.rendering import RenderedSection, stored_sections


@dataclass(frozen=True)
class VersionSummary:
    id: str
    number: int
    title: str
    kind: str
    publication: str
    edition: str
    date: str
    change_class: str
    change_note: str
    implements: tuple[str, ...]
    status: str

    @property
    def path(self) -> str:
        return addresses.version_page(self.id, self.number)


@dataclass(frozen=True)
class VersionDetail:
    summary: VersionSummary
    data: dict
    sections: list[RenderedSection]
    latest: int  # the item's latest version number
    sources: dict = field(default_factory=dict)  # the source records it cites, frozen with it, by ID

    @property
    def superseded(self) -> bool:
        return self.summary.number < self.latest


def _summary(row: dict) -> VersionSummary:
    return VersionSummary(
        row["id"],
        row["version"],
        row["title"],
        row["kind"],
        row["publication"],
        row["edition"],
        row["date"],
        row["change_class"],
        row["change_note"],
        tuple(json.loads(row["implements"])),
        row["status"],
    )


def versions(catalogue: Catalogue, item_id: str) -> list[VersionSummary]:
    with catalogue.db() as db:
        return [_summary(r) for r in store.read_versions(db, item_id)]


def versions_implementing(catalogue: Catalogue) -> list[VersionSummary]:
    """Every published version that names a recommendation in `implements`, oldest first."""
    with catalogue.db() as db:
        return [_summary(r) for r in store.read_versions_implementing(db)]


def version(catalogue: Catalogue, item_id: str, number: int) -> VersionDetail | None:
    with catalogue.db() as db:
        rows = store.read_versions(db, item_id)
    row = next((r for r in rows if r["version"] == number), None)
    if row is None:
        return None
    return VersionDetail(
        _summary(row),
        json.loads(row["data"]),
        stored_sections(json.loads(row["sections"])),
        latest=rows[-1]["version"],
        sources=json.loads(row["sources"] or "{}"),
    )


@dataclass(frozen=True)
class VersionDiff:
    old: VersionSummary
    new: VersionSummary
    diff: ItemDiff


def compare(catalogue: Catalogue, item_id: str, old: int, new: int) -> VersionDiff | None:
    with catalogue.db() as db:
        a, b = store.read_version_row(db, item_id, old), store.read_version_row(db, item_id, new)
    if a is None or b is None:
        return None
    sections = lambda row: [(s["heading"], s["text"]) for s in json.loads(row["sections"])]  # noqa: E731
    return VersionDiff(
        _summary(a), _summary(b), item_diff(json.loads(a["data"]), sections(a), json.loads(b["data"]), sections(b))
    )


@dataclass(frozen=True)
class EditionSummary:
    publication: str
    edition: str
    date: str
    review: str
    release_notes: str
    previous: str | None
    item_count: int

    @property
    def path(self) -> str:
        return f"/editions/{self.publication}/{self.edition}"


@dataclass(frozen=True)
class EditionDetail:
    summary: EditionSummary
    substantive: list[VersionSummary]  # what changed since the previous edition
    editorial: list[VersionSummary]
    contents: list[tuple[str, int, str]]  # (id, version, title) of every item in the edition
    review: Review | None


def _edition_summary(row: dict) -> EditionSummary:
    return EditionSummary(
        row["publication"],
        row["edition"],
        row["date"],
        row["review"],
        row["release_notes"],
        row["previous"],
        len(json.loads(row["items"])),
    )


def editions(catalogue: Catalogue) -> list[EditionSummary]:
    """Newest first."""
    with catalogue.db() as db:
        rows = store.read_editions(db)
    return sorted(
        (_edition_summary(r) for r in rows), key=lambda e: (e.date, edition_sort_key(e.edition)), reverse=True
    )


@dataclass(frozen=True)
class PublicationEditions:
    id: str
    label: str
    editions: list[EditionSummary]  # newest first; the first is the current edition

    @property
    def current(self) -> str | None:
        return self.editions[0].edition if self.editions else None


def editions_by_publication(catalogue: Catalogue) -> list[PublicationEditions]:
    """Each publication's editions, newest first, the publication whose latest edition is newest
    first; a publication with none yet is listed last."""
    every = editions(catalogue)
    grouped = [
        PublicationEditions(p.id, p.label, [e for e in every if e.publication == p.id])
        for p in catalogue.publications.publications
    ]
    return sorted(
        grouped,
        key=lambda g: (g.editions[0].date, edition_sort_key(g.editions[0].edition)) if g.editions else ("", (0, 0)),
        reverse=True,
    )


def edition(catalogue: Catalogue, publication: str, number: str) -> EditionDetail | None:
    with catalogue.db() as db:
        row = next(
            (r for r in store.read_editions(db) if r["publication"] == publication and r["edition"] == number), None
        )
        if row is None:
            return None
        items = json.loads(row["items"])
        new = [_summary(r) for r in store.read_versions_in_edition(db, publication, number)]
        titles = store.read_version_titles(db, items)
    contents = [(item_id, n, titles.get((item_id, n), "")) for item_id, n in sorted(items.items())]
    return EditionDetail(
        _edition_summary(row),
        [v for v in new if v.change_class == "substantive"],
        [v for v in new if v.change_class == "editorial"],
        contents,
        catalogue.reviews.get(row["review"]),
    )


class InvalidSince(ValueError):
    """`since` is neither a date nor a known edition; the message says what is accepted."""


# Exactly as openapi.yaml writes them, ASCII only, so one answer has one address
# (`fromisoformat` alone would also take 20260101 and 2026-W01-1).
SINCE_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
SINCE_EDITION = re.compile(r"([a-z0-9-]+)/([0-9]{4}(?:\.[0-9]{1,3})?)", re.ASCII)


def changes_since(catalogue: Catalogue, since: str) -> list[VersionSummary]:
    """Item versions published after a date (YYYY-MM-DD) or after an edition
    (`standards/2031`, `standards/2031.1`), oldest first."""
    since = since or ""
    with catalogue.db() as db:
        all_editions = store.read_editions(db)
        match = SINCE_EDITION.fullmatch(since)
        if match:
            publication, number = match.groups()
            base = next((e for e in all_editions if e["publication"] == publication and e["edition"] == number), None)
            if base is None:
                known = ", ".join(f"{e['publication']}/{e['edition']}" for e in all_editions) or "none yet"
                raise InvalidSince(f"There is no edition '{since}'. Editions: {known}.")
            later = [e for e in all_editions if _after(e, base)]
            rows = [r for e in later for r in store.read_versions_in_edition(db, e["publication"], e["edition"])]
        else:
            try:
                if not SINCE_DATE.fullmatch(since):
                    raise ValueError(since)
                day = dt.date.fromisoformat(since)
            except ValueError:
                raise InvalidSince(
                    "'since' must be a date (YYYY-MM-DD) or an edition such as 'standards/2026' or 'standards/2026.1'."
                ) from None
            rows = store.read_versions_since(db, day.isoformat())
    found = [_summary(r) for r in rows]
    return sorted(found, key=lambda v: (v.date, edition_sort_key(v.edition), v.id))


def latest_editions(catalogue: Catalogue) -> dict[str, str]:
    """Each publication's latest edition: where a poller has read up to."""
    with catalogue.db() as db:
        all_editions = store.read_editions(db)
    latest: dict[str, str] = {}
    for row in all_editions:
        known = latest.get(row["publication"])
        if known is None or edition_sort_key(row["edition"]) > edition_sort_key(known):
            latest[row["publication"]] = row["edition"]
    return latest


def changes_after(catalogue: Catalogue, seen: dict[str, str]) -> list[VersionSummary]:
    """Item versions in editions later than `seen` (publication -> the latest edition already read),
    oldest first. Editions are immutable and a publication's are in order, so nothing published after
    the reading is lost, however many the same day, and nothing is given twice."""
    with catalogue.db() as db:
        later = [
            e
            for e in store.read_editions(db)
            if e["publication"] not in seen or edition_sort_key(e["edition"]) > edition_sort_key(seen[e["publication"]])
        ]
        rows = [r for e in later for r in store.read_versions_in_edition(db, e["publication"], e["edition"])]
    found = [_summary(r) for r in rows]
    return sorted(found, key=lambda v: (v.date, edition_sort_key(v.edition), v.id))


def _after(edition_row: dict, base: dict) -> bool:
    if edition_row["date"] != base["date"]:
        return edition_row["date"] > base["date"]
    return edition_row["publication"] == base["publication"] and edition_sort_key(
        edition_row["edition"]
    ) > edition_sort_key(base["edition"])


# -- reviews -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationReviews:
    id: str
    label: str
    cycle_months: int
    schedule: PublicationSchedule
    reviews: list[Review]


def review_overview(catalogue: Catalogue, today: dt.date) -> list[PublicationReviews]:
    publications, reviews = catalogue.publications, list(catalogue.reviews.values())
    overview = []
    for publication in publications.publications:
        own = [r for r in reviews if r.publication == publication.id]
        overview.append(
            PublicationReviews(
                publication.id,
                publication.label,
                publication.cycle_months,
                publication_schedule(
                    publication.first_review, publication.cycle_months, [r.held() for r in own], today
                ),
                sorted(own, key=lambda r: (r.opened or dt.date.max, r.id), reverse=True),
            )
        )
    return overview


@dataclass(frozen=True)
class ItemReviewDates:
    last_reviewed: dt.date
    next_due: dt.date
    overdue: bool


def item_review_dates(
    catalogue: Catalogue, item_id: str, kind: str, areas: list[str], today: dt.date
) -> ItemReviewDates | None:
    """When the item was last reviewed (its first publication, or a later closed review whose
    scope covered it) and when its publication's next scheduled review is due."""
    publications, reviews = catalogue.publications, list(catalogue.reviews.values())
    publication = publications.for_kind(kind)
    history = versions(catalogue, item_id)
    if publication is None or not history:
        return None
    first = dt.date.fromisoformat(history[0].date)
    covering = [
        r.closed
        for r in reviews
        if r.publication == publication.id
        and r.closed
        and r.closed <= today
        and r.type != "initial"
        and r.covers(item_id, areas)
    ]
    schedule = publication_schedule(
        publication.first_review,
        publication.cycle_months,
        [r.held() for r in reviews if r.publication == publication.id],
        today,
    )
    return ItemReviewDates(item_last_reviewed(first, covering), schedule.next_due, schedule.overdue)
