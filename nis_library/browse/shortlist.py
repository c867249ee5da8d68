"""A shortlist of items kept in the address (`/shortlist?items=INT-0101,PRA-0102`): no account and
no cookie, so it can be printed, bookmarked or sent to a colleague. Read strictly and bounded."""

from __future__ import annotations

from nis_library.catalogue import is_item_id

MAX_ITEMS = 20  # a meeting's worth; it also bounds the address's length


class InvalidShortlist(ValueError):
    """The list cannot be read; the message says why and what is valid."""


def parse_shortlist(text: str | None) -> tuple[str, ...]:
    """Item IDs, comma-separated, each once, at most `MAX_ITEMS`; empty text is an empty list."""
    if not text:
        return ()
    ids: list[str] = []
    for part in text.split(","):
        item_id = part.strip()
        if not is_item_id(item_id):
            raise InvalidShortlist(
                f"'{item_id[:20]}' is not an item ID. A shortlist is item IDs separated by commas, "
                "for example items=INT-0101,PRA-0102."
            )
        if item_id not in ids:
            ids.append(item_id)
    if len(ids) > MAX_ITEMS:
        raise InvalidShortlist(f"A shortlist holds at most {MAX_ITEMS} items; this one has {len(ids)}.")
    return tuple(ids)


def with_item(shortlist: tuple[str, ...], item_id: str) -> tuple[str, ...]:
    return shortlist if item_id in shortlist else shortlist + (item_id,)


def without_item(shortlist: tuple[str, ...], item_id: str) -> tuple[str, ...]:
    return tuple(i for i in shortlist if i != item_id)


def shortlist_query(shortlist: tuple[str, ...]) -> str:
    """The value of `items=` (or the search page's `shortlist=`): IDs joined by commas."""
    return ",".join(shortlist)
