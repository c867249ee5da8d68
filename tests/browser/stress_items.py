"""The shipped items that stress the item page's layout most, chosen from the content itself, so
the browser checks the worst cases instead of every item: for each measure of what sits above or in
the facts (title, summary, a withdrawn item's notice, all three together, roles, the time's and
training's first sentences, layers), the item with the most; and for each kind, its item with the
most of all of them. The printable summary prints everything in full, so its worst cases are the
items with the most printed text, and the longest of each kind. `tests/web/test_item_lengths.py`
renders every served item without a browser and checks that none has more text above or in its
facts, or on its printable summary, than these."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from indexer.content.model import Item
from indexer.record.loading import load_library
from nis_library.web.text import lead_sentence
from tests.support import REPO


def withdrawn_notice(item: Item) -> int:
    """A withdrawn item's notice above its facts names its replacement."""
    if item.status != "withdrawn" or item.replaced_by not in shipped_items():
        return 0
    return len(shipped_items()[item.replaced_by].title)


# What pushes the facts down the page, or makes them long (the lead sentences and the first roles).
PAGE_MEASURES: dict[str, Callable[[Item], int]] = {
    "title": lambda item: len(item.title),
    "summary": lambda item: len(item.summary),
    "withdrawn notice": withdrawn_notice,
    "above the facts": lambda item: len(item.title) + len(item.summary) + withdrawn_notice(item),
    "roles": lambda item: len(item.delivered_by),
    "time": lambda item: len(lead_sentence(item.intensity.description)[0]),
    "training": lambda item: len(lead_sentence(item.training.description)[0]),
    "layers": lambda item: len(item.layers),
}


def printed_length(item: Item) -> int:
    """Characters the printable summary shows, roughly: every fact in full, the evidence summary and
    a line per citation and per item a tool leads to."""
    text = [item.title, item.summary, item.for_families or "", item.intensity.description, item.training.description]
    text.append(item.evidence.summary)
    return sum(map(len, text)) + 30 * len(item.delivered_by) + 60 * len(item.evidence.citations)


@cache
def shipped_items() -> dict[str, Item]:
    return load_library(REPO / "content").items


def _page_total(item: Item) -> int:
    return sum(measure(item) for measure in PAGE_MEASURES.values())


def _worst(items: list[Item], key: Callable[[Item], int]) -> Item:
    return max(items, key=lambda item: (key(item), item.id))  # ties: the highest ID, so it is stable


def page_stress_items() -> list[str]:
    items = list(shipped_items().values())
    chosen = {_worst(items, measure).id for measure in PAGE_MEASURES.values()}
    for kind in {item.kind for item in items}:
        chosen.add(_worst([i for i in items if i.kind == kind], _page_total).id)
    return sorted(chosen)


def print_stress_items(how_many: int = 3) -> list[str]:
    items = sorted(shipped_items().values(), key=lambda item: (printed_length(item), item.id), reverse=True)
    chosen = {item.id for item in items[:how_many]}
    for kind in {item.kind for item in items}:
        chosen.add(_worst([i for i in items if i.kind == kind], printed_length).id)
    return sorted(chosen)
