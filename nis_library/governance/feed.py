"""An Atom feed (feedgen) of the register's changes of status: each publication, response,
withdrawal and implementation is one entry, with an ID of its own so a reader sees each once.
Every text passes through `xml_text`, so the feed stays well-formed whatever was typed."""

from __future__ import annotations

import datetime as dt

from feedgen.feed import FeedGenerator

from nis_library.governance.register import Entry
from nis_library.history.feeds import xml_text

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _changes(entry: Entry, root: str) -> list[dict]:
    rec, link = entry.rec, root + entry.path
    changes = []
    if rec.published_at:
        changes.append(("published", rec.published_at, f"{rec.id} published", rec.text))
    if rec.responded_at:
        summary = f"The department's response: {entry.response_label}."
        if rec.explanation:
            summary += f" {rec.explanation}"
        changes.append(("response", rec.responded_at, f"{rec.id}: {entry.response_label.lower()}", summary))
    if rec.withdrawn_at:
        changes.append(("withdrawn", rec.withdrawn_at, f"{rec.id} withdrawn", rec.withdrawal_reason or ""))
    for i in entry.implementations:
        when = dt.datetime.combine(dt.date.fromisoformat(i.date), dt.time(0, 0), tzinfo=dt.UTC)
        changes.append(
            (
                f"implemented-{i.item_id}-v{i.number}",
                when,
                f"{rec.id} implemented by {i.item_id} v{i.number}",
                f"{i.item_id} v{i.number} ({i.title}), in {i.publication} {i.edition}, implements {rec.id}.",
            )
        )
    return [
        {"id": f"{link}#{key}", "link": link, "updated": at, "title": title, "summary": summary}
        for key, at, title, summary in changes
    ]


def register_feed(entries: list[Entry], root: str) -> bytes:
    root = root.rstrip("/")
    changes = sorted((c for e in entries for c in _changes(e, root)), key=lambda c: (c["updated"], c["id"]))
    feed = FeedGenerator()
    feed.id(xml_text(f"{root}/feeds/recommendations.atom"))
    feed.title("NIS Library: recommendations and responses")
    feed.link(href=xml_text(f"{root}/recommendations"), rel="alternate")
    feed.link(href=xml_text(f"{root}/feeds/recommendations.atom"), rel="self")
    feed.language("en-GB")
    feed.updated(max((c["updated"] for c in changes), default=EPOCH))
    for change in changes:
        item = feed.add_entry(order="prepend")
        item.id(xml_text(change["id"]))
        item.title(xml_text(change["title"]))
        item.link(href=xml_text(change["link"]))
        item.updated(change["updated"])
        item.published(change["updated"])
        item.summary(xml_text(change["summary"]))
    return feed.atom_str(pretty=True)
