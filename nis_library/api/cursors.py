"""Opaque cursors for the API's paginated lists. A cursor names the last item of the page before
(keyset pagination: a page is the same however many items were published since the first one was
read, and the last page costs what the first does). It is base64url text so clients treat it as a
token, not a number to count with; reading one checks its exact form, so any cursor that was not
written here is refused with a clear error, never run as a query."""

from __future__ import annotations

import base64
import binascii
import json

from nis_library.catalogue import is_item_id

VERSION = 1  # bumped if the cursor's content ever changes: old cursors are then refused, not misread
MAX_CURSOR_CHARS = 200


class InvalidCursor(ValueError):
    """The cursor was not one this API gave out."""


def write_cursor(after_id: str) -> str:
    payload = json.dumps({"v": VERSION, "after": after_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def read_cursor(cursor: str) -> str:
    """The item ID a cursor continues after."""
    message = "The cursor is not one this API gave out. Start from the first page (no cursor) and follow 'next'."
    if not cursor or len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii():
        raise InvalidCursor(message)
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidCursor(message) from None
    if (
        not isinstance(payload, dict)
        or set(payload) != {"v", "after"}
        or payload["v"] != VERSION
        or not isinstance(payload["after"], str)
        or not is_item_id(payload["after"])
        or write_cursor(payload["after"]) != cursor  # one position, one cursor
    ):
        raise InvalidCursor(message)
    return payload["after"]
