"""Small text helpers every page uses: dates as people write them ("1 October 2026"), a text's
first sentence apart from the rest (for facts at a glance), and item codes in text ("see INT-0405") turned into links that carry the item's title, at render time, so
frozen published text is never edited. No Flask: `context.init_app` registers them as filters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping

from markupsafe import Markup, escape

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ITEM_CODE = re.compile(r"\b[A-Z]{3}-[0-9]{4,6}\b", re.ASCII)
# Sanitised HTML, cut into its tags and links (left alone) and the text between them.
TAG_OR_LINK = re.compile(r"(<a\b[^>]*>.*?</a>|<[^>]*>)", re.DOTALL)


# A sentence ends at . ! or ? followed by a space and a capital letter or a digit ("e.g. a" does not end one).
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def lead_sentence(text: str | None) -> tuple[str, str]:
    """`text`'s first sentence, and the rest ("" when it is one sentence)."""
    parts = SENTENCE_END.split((text or "").strip(), maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def long_date(value: dt.date | str | None) -> str:
    """`2026-10-01` (or a date) as "1 October 2026"; anything else unchanged."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def link_item_codes(
    html: Markup | str, titles: Mapping[str, str], href: Callable[[str], str], own_id: str | None = None
) -> Markup:
    """Each known item code in the text (not inside a tag or an existing link, not the page's own
    item) becomes a link whose text carries the item's title: "INT-0405: Gradual return plan"."""
    markup = html if isinstance(html, Markup) else escape(html)

    def link(match: re.Match) -> str:
        code = match.group(0)
        title = titles.get(code)
        if title is None or code == own_id:
            return code
        return f'<a class="govuk-link" href="{escape(href(code))}">{code}: {escape(title)}</a>'

    parts = TAG_OR_LINK.split(str(markup))
    for i in range(0, len(parts), 2):  # even parts are text; odd ones the tags and links split out
        parts[i] = ITEM_CODE.sub(link, parts[i])
    return Markup("".join(parts))
