"""Without a browser: no served item puts more text above or in its facts, or on its printable
summary, than the worst cases the browser checks (`tests/browser/stress_items.py`). The browser
tests then need load only those pages (the facts within 1,200 px, one A4 page) for every item to
be covered; an item longer than all of them fails here, naming itself, until the selection (or the
item) changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nis_library import create_app
from tests.browser.stress_items import PAGE_MEASURES, page_stress_items, print_stress_items, shipped_items

TAG = re.compile(r"<[^>]+>")
HIDDEN_UNTIL_OPENED = re.compile(r'<div class="govuk-details__text">.*?</div>', re.DOTALL)


def visible_text(html: str) -> int:
    """Characters a reader sees, <details> closed (as the page opens)."""
    return len(" ".join(TAG.sub(" ", HIDDEN_UNTIL_OPENED.sub("", html)).split()))


def item_page_lengths(html: str) -> tuple[int, int]:
    """(text from the title to the facts, text of the facts)."""
    start, facts = html.index("<h1"), html.index('<dl class="app-glance">')
    end = html.index("</dl>", facts)
    return visible_text(html[start:facts]), visible_text(html[facts:end])


@pytest.fixture(scope="module")
def measured(shipped_instance: Path) -> dict[str, dict[str, int]]:
    client = create_app({"INSTANCE_DIR": str(shipped_instance), "TESTING": True}).test_client()
    lengths = {}
    for item_id in shipped_items():
        page = client.get(f"/items/{item_id}")
        if page.status_code != 200:  # an item not in the published edition yet
            continue
        above, facts = item_page_lengths(page.get_data(as_text=True))
        printed = visible_text(client.get(f"/items/{item_id}/print").get_data(as_text=True))
        lengths[item_id] = {"above": above, "facts": facts, "both": above + facts, "printed": printed}
    return lengths


@pytest.mark.parametrize("measure", ["above", "facts", "both"])
def test_no_item_page_is_longer_above_or_in_its_facts_than_the_ones_the_browser_checks(measured, measure):
    worst = max(measured[i][measure] for i in page_stress_items() if i in measured)
    longer = {i: m[measure] for i, m in measured.items() if m[measure] > worst}
    assert not longer, f"longer than every item the browser checks ({worst}): {longer}"


def test_no_printable_summary_is_longer_than_the_ones_the_browser_prints(measured):
    worst = max(measured[i]["printed"] for i in print_stress_items() if i in measured)
    longer = {i: m["printed"] for i, m in measured.items() if m["printed"] > worst}
    assert not longer, f"longer than every summary the browser prints ({worst}): {longer}"


def test_the_selection_holds_each_measures_longest_item_and_one_of_each_kind():
    items = shipped_items()
    chosen = set(page_stress_items())
    for name, measure in PAGE_MEASURES.items():
        longest = max(measure(item) for item in items.values())
        assert any(measure(items[i]) == longest for i in chosen), name
    assert {items[i].kind for i in chosen} == {item.kind for item in items.values()}
    assert {items[i].kind for i in print_stress_items()} == {item.kind for item in items.values()}
