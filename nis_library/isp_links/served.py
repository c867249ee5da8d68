"""The item versions the service serves, kept in the state store.

`nis build` records them (`record`) in the same transaction in which it queues webhooks, once the
bundle that serves them is current. The ISP links API reads review status from here, not from
whichever bundle a worker happens to hold, so what a client reads always agrees with what it was
told, on every node. Recording also sets each link's review flag, so a review-needed page is one
range of an index (`links.review_needed_page`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, case, delete, false, select, true, update

from nis_library.catalogue import Catalogue
from nis_library.isp_links.versions import Histories, VersionFacts, from_catalogue
from nis_library.state.schema import isp_links, served_items, served_versions


class NothingServed(Exception):
    """No build has recorded what it serves in this state store yet."""


def record_bundle(conn: Connection, catalogue: Catalogue) -> Histories:
    """Record every version the bundle serves; its histories (to queue webhooks from)."""
    histories = from_catalogue(catalogue, list(catalogue.titles))
    record(conn, histories)
    return histories


def record(conn: Connection, histories: Histories) -> int:
    """Write the versions not yet recorded (versions never change), each item's review mark and its
    links' review flags, for the items in `histories`; the number of versions written."""
    known = {(r.item_id, r.version) for r in conn.execute(select(served_versions.c.item_id, served_versions.c.version))}
    new = [
        dict(
            item_id=v.item_id,
            version=v.number,
            title=v.title,
            change_class=v.change_class,
            change_note=v.change_note,
            status=v.status,
            replaced_by=v.replaced_by,
        )
        for versions in histories.values()
        for v in versions
        if (v.item_id, v.number) not in known
    ]
    if new:
        conn.execute(served_versions.insert(), new)
    conn.execute(delete(served_items).where(served_items.c.item_id.in_(list(histories))))
    marks = [
        dict(
            item_id=item_id,
            latest_version=versions[-1].number,
            review_from=max((v.number for v in versions if v.flags_review), default=None),
        )
        for item_id, versions in histories.items()
        if versions
    ]
    if marks:
        conn.execute(served_items.insert(), marks)
    _flag_links(conn, list(histories))
    return len(new)


def _flag_links(conn: Connection, item_ids: list[str]) -> None:
    """Set the review flag of these items' links from what is now served (only rows it changes)."""
    review_from = (
        select(served_items.c.review_from).where(served_items.c.item_id == isp_links.c.item_id).scalar_subquery()
    )
    should = case((isp_links.c.version < review_from, true()), else_=false())
    conn.execute(
        update(isp_links)
        .where(isp_links.c.item_id.in_(item_ids), isp_links.c.needs_review != should)
        .values(needs_review=should)
    )


def histories(conn: Connection, item_ids: Iterable[str]) -> dict[str, list[VersionFacts]]:
    """The served versions of these items, oldest first; an item not served is left out."""
    wanted = set(item_ids)
    if not wanted:
        return {}
    rows = conn.execute(
        select(served_versions)
        .join(served_items, served_items.c.item_id == served_versions.c.item_id)
        .where(served_versions.c.item_id.in_(wanted), served_versions.c.version <= served_items.c.latest_version)
        .order_by(served_versions.c.item_id, served_versions.c.version)
    )
    found: dict[str, list[VersionFacts]] = {}
    for r in rows:
        found.setdefault(r.item_id, []).append(
            VersionFacts(r.item_id, r.version, r.title, r.change_class, r.change_note, r.status, r.replaced_by)
        )
    return found


def require_some(conn: Connection) -> None:
    """NothingServed unless a build has recorded something (asked on every ISP request: one row read)."""
    if conn.execute(select(served_items.c.item_id).limit(1)).first() is None:
        raise NothingServed
