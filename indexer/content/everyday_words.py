"""Everyday words (`content/everyday-words.yaml`): the phrases families and staff type for the need
each item answers ("won't wear socks", "can't do his buttons"), by item ID.

They are search vocabulary, not evidence: they live in this one file, not in an item's versioned
front matter, so changing them makes no new version, needs no review and flags no ISP link. Both
builds (public and preview) read them from the working tree, like the synonyms.

The schema checks each phrase on its own; `check_lists` checks each item's list (duplicates, how
many), on the raw YAML so that one bad phrase does not hide the others; `indexer.content.checker`
checks the IDs against the items.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from indexer.content.model import ITEM_ID_PATTERN
from indexer.content.problems import Problems
from indexer.content.schema import Strict, content_error, none_is_empty, reject_control_characters
from indexer.content.yaml_lines import LocatedYaml

MAX_PHRASE_CHARS = 80  # a search box's worth: longer is a sentence, not a phrase people type
MAX_PHRASES = 30  # per item: more would outweigh the item's own text in the keyword index
# Markup would be shown or indexed as syntax: HTML tags, Markdown emphasis, links, code, headings,
# tables, template braces, escapes. Apostrophes, hyphens, commas and slashes are ordinary words.
MARKUP = re.compile(r"[<>\[\]{}*_`#|\\]")
LINE_BREAKS = re.compile("[\n\r\t\x85\u2028\u2029]")


def _check_phrase(phrase: str) -> str:
    reject_control_characters(phrase)
    if LINE_BREAKS.search(phrase):
        raise content_error("phrase-multi-line", "a phrase is one line, with no line breaks or tabs: split it in two")
    if not phrase:
        raise content_error("empty-phrase", "the phrase is empty: write the words or remove the line")
    if len(phrase) > MAX_PHRASE_CHARS:
        raise content_error(
            "phrase-too-long",
            f"the phrase is {len(phrase)} characters: at most {MAX_PHRASE_CHARS}, the words a person would type",
        )
    markup = MARKUP.search(phrase)
    if markup:
        raise content_error(
            "phrase-markup", f"the phrase holds markup ('{markup.group()}'): write plain words, as a person types them"
        )
    return phrase


def _check_item_id(item_id: str) -> str:
    if not re.fullmatch(ITEM_ID_PATTERN, item_id):
        raise content_error("invalid-item-id", f"'{item_id}' is not an item ID (a kind's prefix and digits: INT-0101)")
    return item_id


Phrase = Annotated[
    str, BeforeValidator(none_is_empty), StringConstraints(strip_whitespace=True), AfterValidator(_check_phrase)
]
ItemKey = Annotated[str, AfterValidator(_check_item_id)]


class EverydayWords(Strict):
    """The file: for each item ID, the phrases people use for the need it answers."""

    items: dict[ItemKey, Annotated[list[Phrase], Field(min_length=1)]] = {}

    def by_item(self) -> dict[str, tuple[str, ...]]:
        """Item ID -> its phrases, each once (the first spelling kept; case and spaces ignored)."""
        return {item_id: _unique(phrases) for item_id, phrases in self.items.items()}


def normalised(phrase: str) -> str:
    """What makes two phrases the same: case and runs of spaces do not count."""
    return " ".join(phrase.casefold().split())


def _unique(phrases: list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for phrase in phrases:
        seen.setdefault(normalised(phrase), phrase)
    return tuple(seen.values())


def item_lines(located: LocatedYaml) -> dict[str, int]:
    """The line of every item ID in the file, read from the raw YAML (valid or not)."""
    items = located.data.get("items") if isinstance(located.data, dict) else None
    if not isinstance(items, dict):
        return {}
    return {key: located.line_of(("items", key)) for key in items if isinstance(key, str)}


def check_lists(located: LocatedYaml, problems: Problems) -> None:
    """Each item's list: no phrase twice, at most MAX_PHRASES. On the raw YAML, at each line."""
    items = located.data.get("items") if isinstance(located.data, dict) else None
    if not isinstance(items, dict):
        return
    for item_id, phrases in items.items():
        if not isinstance(phrases, list):
            continue  # the schema reports it
        if len(phrases) > MAX_PHRASES:
            problems.error(
                located.line_of(("items", item_id)),
                "too-many-phrases",
                f"'{item_id}' has {len(phrases)} phrases: at most {MAX_PHRASES}; keep the ones people type most",
            )
        first_line: dict[str, int] = {}
        for index, phrase in enumerate(phrases):
            if not isinstance(phrase, str) or not phrase.strip():
                continue
            key, line = normalised(phrase), located.line_of(("items", item_id, index))
            if key in first_line:
                problems.error(
                    line,
                    "duplicate-phrase",
                    f"'{phrase.strip()}' is listed twice for '{item_id}' (first at line {first_line[key]})",
                )
            else:
                first_line[key] = line
