"""Impact before publishing: how many ISP links each substantive change or withdrawal flags for
review. Counts only: never which settings, plans or links."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, func, select

from nis_library.state.schema import isp_links


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
