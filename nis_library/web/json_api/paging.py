"""One paging style for every list in the API: the body's `links.next` (null on the last page) and
the same address in an RFC 8288 `Link: <...>; rel="next"` header. The next address repeats the
request's own parameters with the cursor that continues after this page."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request

from nis_library.web.hosts import public_root
from nis_library.web.json_api import tokens


def next_url(purpose: str, position) -> str:
    """This request's address, continued after `position` (signed into a cursor)."""
    kept = {name: value for name, value in request.args.items() if name != "cursor"}
    query = urlencode(kept | {"cursor": tokens.write(purpose, position)})
    return f"{public_root()}{request.path}?{query}"


def with_link_header(response, **targets: str | None):
    """RFC 8288 `Link` headers (absolute URLs) for the relations that exist."""
    links = [f'<{url}>; rel="{rel}"' for rel, url in targets.items() if url]
    if links:
        response.headers["Link"] = ", ".join(links)
    return response
