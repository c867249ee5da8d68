"""What the workspace pages show, as plain functions: the reviews (read from the published record in
the bundle, as the public history pages read them) and a page of the audit trail with the result of
checking its hash chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from indexer.record.reviews import Review
from nis_library.catalogue import Catalogue
from nis_library.state import audit


@dataclass(frozen=True)
class PublicationReviews:
    id: str
    label: str
    reviews: list[Review]


def reviews_by_publication(catalogue: Catalogue) -> list[PublicationReviews]:
    """Each publication's reviews, the latest opened first."""
    found = []
    for publication in catalogue.publications.publications:
        own = [r for r in catalogue.reviews.values() if r.publication == publication.id]
        own.sort(key=lambda r: (r.opened.isoformat() if r.opened else "9999", r.id), reverse=True)
        found.append(PublicationReviews(publication.id, publication.label, own))
    return found


def review(catalogue: Catalogue, review_id: str) -> Review | None:
    return catalogue.reviews.get(review_id)


@dataclass(frozen=True)
class AuditPage:
    entries: list[audit.Entry]
    page: int
    pages: int
    total: int
    broken: audit.BadRow | None  # the first bad row of the whole chain, or None when it is intact


def audit_page(engine: Engine, page: int, per_page: int) -> AuditPage | None:
    """A page of the audit trail, newest first; None when there is no such page."""
    with engine.connect() as conn:
        entries, total = audit.newest_first(conn, page, per_page)
        broken = audit.verify(conn)
    pages = max(1, -(-total // per_page))
    if page > pages:
        return None
    return AuditPage(entries, page, pages, total, broken)
