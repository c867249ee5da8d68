"""What the workspace pages show, as plain functions: the reviews (read from the published record in
the bundle, as the public history pages read them) and a page of the audit trail with the result of
checking its hash chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

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
    broken: audit.BadRow | None  # the first bad row found, or None when the chain is intact
    fully_checked_at: dt.datetime  # when every row was last verified (later rows: at this view)


# Each worker remembers how far it has verified the chain, so a view reads only the rows added since;
# the whole chain is verified again this often (and by `nis audit verify`), which alone finds an edit
# to a row before the checkpoint.
FULL_CHECK_EVERY = dt.timedelta(hours=1)
_checkpoints: dict[str, tuple[audit.Verified, dt.datetime]] = {}


def _verified(conn, key: str, now: dt.datetime) -> tuple[audit.BadRow | None, dt.datetime]:
    """The first bad row found, and when every row was last verified."""
    kept = _checkpoints.get(key)
    checkpoint = kept[0] if kept and now - kept[1] < FULL_CHECK_EVERY else None
    result = audit.verify_after(conn, checkpoint)
    fully_checked_at = kept[1] if checkpoint else now
    if result.broken is None:
        _checkpoints[key] = (result, fully_checked_at)
    else:
        _checkpoints.pop(key, None)  # verify everything again next time
    return result.broken, fully_checked_at


def audit_page(conn: Connection, page: int, per_page: int, now: dt.datetime | None = None) -> AuditPage | None:
    """A page of the audit trail, newest first; None when there is no such page."""
    entries, total = audit.newest_first(conn, page, per_page)
    broken, fully_checked_at = _verified(conn, str(conn.engine.url), now or dt.datetime.now(dt.UTC))
    pages = max(1, -(-total // per_page))
    if page > pages:
        return None
    return AuditPage(entries, page, pages, total, broken, fully_checked_at)
