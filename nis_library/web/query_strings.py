"""The one reader of a page's raw query string, for the pages that read their own (search, the
recommendations register): each `name=value` pair decoded strictly, from bytes, so invalid UTF-8 is
refused rather than replaced, with `+` as a space. What the names and values may be is the page's
own business; the API reads Werkzeug's parsed args instead (`json_api.parameters`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import unquote_to_bytes

NOT_TEXT = "The address contains characters that are not valid text (invalid UTF-8). Check the link"


def pairs(raw_query: bytes, refuse: Callable[[str], Exception]) -> Iterator[tuple[str, str]]:
    """Each (name, value) in order; `refuse(message)` makes the exception raised for bytes that are
    not UTF-8."""
    for part in raw_query.split(b"&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition(b"=")
        yield _decoded(raw_name, refuse), _decoded(raw_value, refuse)


def _decoded(raw: bytes, refuse: Callable[[str], Exception]) -> str:
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise refuse(NOT_TEXT) from None
