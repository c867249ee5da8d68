"""ISP links: a client's links from a plan (`isp_ref`) to a pinned version of an item, and which of
them need review because the item has since had a substantive revision or been withdrawn.

A client only ever reaches its own links: every query is scoped by its ID, and another client's
link is simply not found."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from nis_library.isp_links.requests import LinkRequest
from nis_library.isp_links.versions import Histories, VersionFacts
from nis_library.state.schema import api_clients, isp_links

LINK_ID_PREFIX = "lnk_"
LINK_ID_PATTERN = r"lnk_[A-Za-z0-9_-]{1,36}"  # what new_link_id makes (22 characters after the prefix)


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
    """Why one requested link cannot be made: a code of `nis_library.web.json_api.problems` and a message;
    for a duplicate, the link that already exists."""

    code: str
    message: str
    existing: str | None = None  # the existing link's ID

    def as_json(self, index: int) -> dict:
        return {"index": index, "code": self.code, "message": self.message} | (
            {"link_id": self.existing} if self.existing else {}
        )


class LinksRefused(Exception):
    """Nothing was written: (index, problem) for every request that is wrong."""

    def __init__(self, problems: list[tuple[int, Problem]]):
        super().__init__(f"{len(problems)} link(s) refused")
        self.problems = problems


class CapReached(Exception):
    """Nothing was written: the links would take the client past the most one client may hold."""

    def __init__(self, held: int, asked: int, cap: int):
        super().__init__(
            f"This client holds {held} links and asked for {asked} more; one client may hold at most {cap}. "
            "Delete links no longer in a plan, or ask the service to raise the limit."
        )


@dataclass(frozen=True)
class Created:
    made: list[Link]
    skipped: list[tuple[int, str]]  # (index, the existing link's ID) for each request skipped


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


def latest_to_pin(item_id: str, histories: Histories) -> VersionFacts | Problem:
    """The item's latest version, which a link may pin; or why no link may pin it now."""
    versions = histories.get(item_id)
    if not versions:
        return Problem("item-not-found", f"There is no published item {item_id}.")
    latest = versions[-1]
    if latest.status == "withdrawn":
        where = f" Link its replacement, {latest.replaced_by}, instead." if latest.replaced_by else ""
        return Problem("item-withdrawn", f"{item_id} has been withdrawn: there is nothing to pin to.{where}")
    return latest


def _check(request: LinkRequest, histories: Histories) -> tuple[int, int] | Problem:
    """(the version to pin, the latest version), or why not."""
    latest = latest_to_pin(request.item_id, histories)
    if isinstance(latest, Problem):
        return latest
    number = request.version or latest.number
    if number > latest.number:
        return Problem(
            "version-not-found", f"{request.item_id} has versions 1 to {latest.number}; there is no version {number}."
        )
    return number, latest.number


def create(
    conn: Connection,
    client_id: int,
    requests: list[tuple[int, LinkRequest]],
    histories: Histories,
    *,
    cap: int,
    skip_existing: bool = False,
    earlier_problems: list[tuple[int, Problem]] = (),
) -> Created:
    """Make every link or none. `requests` are (index in the client's list, request);
    `earlier_problems` those the caller already found (a malformed entry), so that LinksRefused
    names every bad entry at once. With `skip_existing`, a plan that already links the item is
    passed over, not refused. CapReached if the client would then hold more than `cap` links."""
    problems = list(earlier_problems)
    resolved, skipped = [], []
    seen: dict[tuple[str, str], int] = {}
    existing = _existing_links(conn, client_id, {r.item_id for _, r in requests})
    for index, request in requests:
        checked = _check(request, histories)
        key = (request.isp_ref, request.item_id)
        if isinstance(checked, Problem):
            problems.append((index, checked))
        elif key in existing and skip_existing:
            skipped.append((index, existing[key]))
        elif key in existing:
            message = f"This plan already links {request.item_id} ({existing[key]}): acknowledge or delete that link."
            problems.append((index, Problem("duplicate-link", message, existing[key])))
        elif key in seen:
            problems.append((index, Problem("duplicate-link", f"The same plan and item as entry {seen[key]}.")))
        else:
            seen[key] = index
            number, latest = checked
            flagged = any(v.number > number and v.flags_review for v in histories[request.item_id])
            resolved.append((request, number, latest, flagged))
    if problems:
        raise LinksRefused(sorted(problems, key=lambda p: p[0]))
    held = _held(conn, client_id)
    if held + len(resolved) > cap:
        raise CapReached(held, len(resolved), cap)
    try:
        with conn.begin_nested():  # a request racing this one for the same plan and item loses cleanly
            return Created(_insert(conn, client_id, resolved), skipped)
    except IntegrityError:
        raise LinksRefused(
            [(requests[0][0], Problem("duplicate-link", "Another request has just linked this plan and item."))]
        ) from None


def _insert(conn: Connection, client_id: int, resolved: list[tuple[LinkRequest, int, int, bool]]) -> list[Link]:
    now = dt.datetime.now(dt.UTC)
    made = []
    for request, number, latest, needs_review in resolved:
        values = dict(
            id=new_link_id(),
            client_id=client_id,
            isp_ref=request.isp_ref,
            item_id=request.item_id,
            version=number,
            notified_through=latest,
            created_at=now,
            needs_review=needs_review,
        )
        seq = conn.execute(isp_links.insert().values(**values)).inserted_primary_key[0]
        made.append(Link(values["id"], seq, request.isp_ref, request.item_id, number, now, None))
    return made


def _held(conn: Connection, client_id: int) -> int:
    """How many links the client holds, its creates taking turns (PostgreSQL locks the client's row;
    SQLite's transactions already do) so that two at once cannot both pass the cap."""
    conn.execute(select(api_clients.c.id).where(api_clients.c.id == client_id).with_for_update())
    return conn.execute(
        select(func.count()).select_from(isp_links).where(isp_links.c.client_id == client_id)
    ).scalar_one()


def _existing_links(conn: Connection, client_id: int, item_ids: set[str]) -> dict[tuple[str, str], str]:
    """(plan, item) -> the ID of the client's link between them."""
    rows = conn.execute(
        select(isp_links.c.isp_ref, isp_links.c.item_id, isp_links.c.id).where(
            isp_links.c.client_id == client_id, isp_links.c.item_id.in_(item_ids)
        )
    )
    return {(r.isp_ref, r.item_id): r.id for r in rows}


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


def review_needed_page(conn: Connection, client_id: int, after_seq: int, limit: int) -> list[Link]:
    """Up to `limit` of the client's links after the cursor that need review, oldest first: a range
    of a partial index, so the cost follows the page, however many links the client has."""
    rows = conn.execute(
        select(isp_links)
        .where(isp_links.c.client_id == client_id, isp_links.c.needs_review, isp_links.c.seq > after_seq)
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
        .values(version=latest.number, notified_through=latest.number, acknowledged_at=now, needs_review=False)
    )
    return Link(link.id, link.seq, link.isp_ref, link.item_id, latest.number, link.created_at, now)
