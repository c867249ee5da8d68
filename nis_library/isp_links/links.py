"""ISP links: a client's links from a plan (`isp_ref`) to a pinned version of an item, and which of
them need review because the item has since had a substantive revision or been withdrawn.

A client only ever reaches its own links: every query is scoped by its ID, and another client's
link is simply not found."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, select, update
from sqlalchemy.exc import IntegrityError

from nis_library.isp_links.requests import LinkRequest
from nis_library.isp_links.versions import Histories, VersionFacts
from nis_library.state.schema import isp_links

LINK_ID_PREFIX = "lnk_"


@dataclass(frozen=True)
class Link:
    id: str
    seq: int
    isp_ref: str
    item_id: str
    version: int
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None


@dataclass(frozen=True)
class Problem:
    """Why one requested link cannot be made; `status` is the HTTP status it answers with alone."""

    status: int
    code: str
    message: str


class LinksRefused(Exception):
    """Nothing was written: (index, problem) for every request that is wrong."""

    def __init__(self, problems: list[tuple[int, Problem]]):
        super().__init__(f"{len(problems)} link(s) refused")
        self.problems = problems


@dataclass(frozen=True)
class ReviewNotice:
    """What changed since a link's pinned version."""

    changes: list[VersionFacts]  # each later substantive revision or withdrawal, oldest first
    latest: VersionFacts

    @property
    def withdrawn(self) -> bool:
        return self.latest.status == "withdrawn"


def new_link_id() -> str:
    return LINK_ID_PREFIX + secrets.token_urlsafe(16)  # 128 random bits: not guessable, not sequential


def _link(row) -> Link:
    return Link(row.id, row.seq, row.isp_ref, row.item_id, row.version, row.created_at, row.acknowledged_at)


def _check(request: LinkRequest, histories: Histories) -> tuple[int, int] | Problem:
    """(the version to pin, the latest version), or why not."""
    versions = histories.get(request.item_id)
    if not versions:
        return Problem(404, "unknown-item", f"There is no published item {request.item_id}.")
    latest = versions[-1]
    if latest.status == "withdrawn":
        where = f" Link its replacement, {latest.replaced_by}, instead." if latest.replaced_by else ""
        return Problem(422, "item-withdrawn", f"{request.item_id} has been withdrawn.{where}")
    number = request.version or latest.number
    if number > latest.number:
        return Problem(
            422,
            "unknown-version",
            f"{request.item_id} has versions 1 to {latest.number}; there is no version {number}.",
        )
    return number, latest.number


def create(conn: Connection, client_id: int, requests: list[LinkRequest], histories: Histories) -> list[Link]:
    """Make every link or none: LinksRefused names each request that is wrong."""
    problems: list[tuple[int, Problem]] = []
    resolved = []
    seen: dict[tuple[str, str], int] = {}
    existing = _existing_keys(conn, client_id, {r.item_id for r in requests})
    for index, request in enumerate(requests):
        checked = _check(request, histories)
        key = (request.isp_ref, request.item_id)
        if isinstance(checked, Problem):
            problems.append((index, checked))
        elif key in existing:
            problems.append(
                (
                    index,
                    Problem(
                        409,
                        "duplicate-link",
                        f"This plan already links {request.item_id}: acknowledge or delete that link.",
                    ),
                )
            )
        elif key in seen:
            problems.append((index, Problem(409, "duplicate-link", f"The same plan and item as entry {seen[key]}.")))
        else:
            seen[key] = index
            resolved.append((request, *checked))
    if problems:
        raise LinksRefused(problems)
    try:
        with conn.begin_nested():  # a request racing this one for the same plan and item loses cleanly
            return _insert(conn, client_id, resolved)
    except IntegrityError:
        raise LinksRefused(
            [(0, Problem(409, "duplicate-link", "Another request has just linked this plan and item."))]
        ) from None


def _insert(conn: Connection, client_id: int, resolved: list[tuple[LinkRequest, int, int]]) -> list[Link]:
    now = dt.datetime.now(dt.UTC)
    made = []
    for request, number, latest in resolved:
        values = dict(
            id=new_link_id(),
            client_id=client_id,
            isp_ref=request.isp_ref,
            item_id=request.item_id,
            version=number,
            notified_through=latest,
            created_at=now,
        )
        seq = conn.execute(isp_links.insert().values(**values)).inserted_primary_key[0]
        made.append(Link(values["id"], seq, request.isp_ref, request.item_id, number, now, None))
    return made


def _existing_keys(conn: Connection, client_id: int, item_ids: set[str]) -> set[tuple[str, str]]:
    rows = conn.execute(
        select(isp_links.c.isp_ref, isp_links.c.item_id).where(
            isp_links.c.client_id == client_id, isp_links.c.item_id.in_(item_ids)
        )
    )
    return {(r.isp_ref, r.item_id) for r in rows}


def get(conn: Connection, client_id: int, link_id: str) -> Link | None:
    row = conn.execute(select(isp_links).where(isp_links.c.id == link_id, isp_links.c.client_id == client_id)).first()
    return _link(row) if row else None


def remove(conn: Connection, client_id: int, link_id: str) -> bool:
    gone = conn.execute(delete(isp_links).where(isp_links.c.id == link_id, isp_links.c.client_id == client_id))
    return gone.rowcount == 1


def page(conn: Connection, client_id: int, after_seq: int, limit: int) -> list[Link]:
    """Up to `limit` of the client's links after the cursor, oldest first."""
    rows = conn.execute(
        select(isp_links)
        .where(and_(isp_links.c.client_id == client_id, isp_links.c.seq > after_seq))
        .order_by(isp_links.c.seq)
        .limit(limit)
    )
    return [_link(r) for r in rows]


def review_notice(link: Link, histories: Histories) -> ReviewNotice | None:
    """None while nothing since the pinned version asks for review (editorial changes do not)."""
    versions = histories.get(link.item_id) or []
    changes = [v for v in versions if v.number > link.version and v.flags_review]
    return ReviewNotice(changes, versions[-1]) if changes else None


def acknowledge(conn: Connection, client_id: int, link: Link, latest: VersionFacts) -> Link:
    """Re-pin to the latest version: the client has reviewed what changed."""
    now = dt.datetime.now(dt.UTC)
    conn.execute(
        update(isp_links)
        .where(isp_links.c.id == link.id, isp_links.c.client_id == client_id)
        .values(version=latest.number, notified_through=latest.number, acknowledged_at=now)
    )
    return Link(link.id, link.seq, link.isp_ref, link.item_id, latest.number, link.created_at, now)
