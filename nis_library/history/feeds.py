"""Atom feeds (feedgen): new editions, and the versions of one item. Entry IDs are the permanent
addresses, so a feed reader sees each edition or version once."""

from __future__ import annotations

import datetime as dt
import re

from feedgen.feed import FeedGenerator

from nis_library.web import addresses

# Characters XML 1.0 cannot hold (most C0 controls such as \v, lone surrogates, U+FFFE and U+FFFF):
# lxml refuses the whole feed if one is left in. Content should never carry them, but a feed is
# still served if one slips through.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` with each character XML cannot hold replaced by a space."""
    return NOT_XML.sub(" ", text)


def _when(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(0, 0), tzinfo=dt.UTC)


def _feed(feed_id: str, title: str, link: str, self_link: str, entries: list) -> bytes:
    feed = FeedGenerator()
    feed.id(xml_text(feed_id))
    feed.title(xml_text(title))
    feed.link(href=xml_text(link), rel="alternate")
    feed.link(href=xml_text(self_link), rel="self")
    feed.language("en-GB")
    feed.updated(max((e["updated"] for e in entries), default=_when("2026-01-01")))
    for entry in sorted(entries, key=lambda e: e["updated"]):
        item = feed.add_entry(order="prepend")
        item.id(xml_text(entry["link"]))
        item.title(xml_text(entry["title"]))
        item.link(href=xml_text(entry["link"]))
        item.updated(entry["updated"])
        item.published(entry["updated"])
        item.summary(xml_text(entry["summary"]))
    return feed.atom_str(pretty=True)


def editions_feed(editions, root: str) -> bytes:
    root = root.rstrip("/")
    return _feed(
        f"{root}/feeds/editions.atom",
        "NIS Library: new editions",
        f"{root}/editions",
        f"{root}/feeds/editions.atom",
        [
            {
                "link": root + e.path,
                "title": f"{e.publication} {e.edition}",
                "updated": _when(e.date),
                "summary": e.release_notes,
            }
            for e in editions
        ],
    )


def item_feed(item_id: str, versions, root: str) -> bytes:
    root = root.rstrip("/")
    return _feed(
        addresses.item_feed(item_id, root),
        f"NIS Library: changes to {item_id}",
        addresses.history_page(item_id, root),
        addresses.item_feed(item_id, root),
        [
            {
                "link": root + v.path,
                "title": f"{v.id} v{v.number} ({v.change_class}): {v.title}",
                "updated": _when(v.date),
                "summary": v.change_note + (f" Implements {', '.join(v.implements)}." if v.implements else ""),
            }
            for v in versions
        ],
    )
