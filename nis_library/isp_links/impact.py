"""Impact before publishing: how many ISP links each substantive change or withdrawal flags for
review. Counts only: never which settings, plans or links."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import Connection, func, select

from nis_library.isp_links.versions import asks_for_review
from nis_library.state.schema import isp_links


class NewVersion(Protocol):
    """A version about to be published (as `nis publish` plans it)."""

    @property
    def id(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def change_class(self) -> str: ...
    @property
    def status(self) -> str: ...


V = TypeVar("V", bound=NewVersion)


@dataclass(frozen=True)
class Flagged:
    item_id: str
    number: int
    links: int  # the ISP links it flags for review


def flagging(versions: Iterable[V]) -> list[V]:
    """The versions that flag review (`versions.asks_for_review`), in their order."""
    return [v for v in versions if asks_for_review(v.change_class, v.status)]


def flagged_links(conn: Connection, versions: Iterable[NewVersion]) -> list[Flagged]:
    """Each version that flags review, with how many links it flags; the others are left out."""
    found = flagging(versions)
    counts = flagged_counts(conn, [(v.id, v.number) for v in found])
    return [Flagged(v.id, v.number, counts[(v.id, v.number)]) for v in found]


def flagged_counts(conn: Connection, changes: Iterable[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """For each (item ID, new version number): the links pinned to an earlier version of the item."""
    changes = list(changes)
    item_ids = {item_id for item_id, _ in changes}
    pinned: dict[str, list[tuple[int, int]]] = {}
    if item_ids:
        rows = conn.execute(
            select(isp_links.c.item_id, isp_links.c.version, func.count())
            .where(isp_links.c.item_id.in_(item_ids))
            .group_by(isp_links.c.item_id, isp_links.c.version)
        )
        for item_id, version, count in rows:
            pinned.setdefault(item_id, []).append((version, count))
    return {
        (item_id, number): sum(count for version, count in pinned.get(item_id, []) if version < number)
        for item_id, number in changes
    }
