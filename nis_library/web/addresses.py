"""The addresses of an item's pages and API answers, made in one place: code that runs without a
request (webhooks, feeds, the API's documents) cannot ask Flask's `url_for`, and
tests/web/test_addresses.py holds each of these to the route that serves it. Each takes `root`, the
public address to put in front ("" for a path)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

API = "/api/v1"


def _item(item_id: str) -> str:
    return f"/items/{quote(item_id, safe='')}"


def item_page(item_id: str, root: str = "") -> str:
    """The item's page, showing its latest version."""
    return root + _item(item_id)


def version_page(item_id: str, number: int, root: str = "") -> str:
    """One version as published: its permanent address."""
    return f"{root}{_item(item_id)}/v/{int(number)}"


def history_page(item_id: str, root: str = "") -> str:
    return f"{root}{_item(item_id)}/history"


def diff_page(item_id: str, from_version: int, to_version: int, root: str = "") -> str:
    return f"{root}{_item(item_id)}/diff?{urlencode({'from': int(from_version), 'to': int(to_version)})}"


def item_feed(item_id: str, root: str = "") -> str:
    """The item's Atom feed of changes."""
    return f"{root}{_item(item_id)}/feed.atom"


def api_item(item_id: str, root: str = "") -> str:
    return f"{root}{API}{_item(item_id)}"


def api_version(item_id: str, number: int, root: str = "") -> str:
    return f"{root}{API}{_item(item_id)}/v/{int(number)}"
