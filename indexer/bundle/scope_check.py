"""The scope file against the items: a word that signals a topic the library does not cover should be
in no searchable item, or a search for it would both find items and say the library does not cover
it. Checked with the keyword index's own analysis (`indexer.bundle.analysis`), as search matches:
"seizure" is found in an item that says "seizures". `nis validate` runs it; content may not import
the analysis, so the check lives here, beside the index it mirrors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from whoosh.analysis import Analyzer
from whoosh.analysis.tokenizers import default_pattern

from indexer.bundle.analysis import make_analyzer
from indexer.bundle.documents import search_document
from indexer.content.folder import SCOPE_FILE, Content
from indexer.content.problems import Problem, Problems, display_path

SHOWN_ITEMS = 3  # item IDs named in a warning; the rest are counted
# Where a phrase of an item's text ends: a sentence or clause, a line, a list of tags. The analyzer
# drops punctuation, so without this "at home? An educational psychologist" would hold "home
# education", which the item is not about.
BREAKS = re.compile(r"[.,;:!?·]+(?:\s+|$)|\n+")


class PhraseFinder:
    """Finds analysed phrases in text as consecutive analysed tokens. Each distinct word is analysed
    once; a text is analysed in full only when one of its words starts a phrase."""

    def __init__(self, phrases: Iterable[tuple[str, ...]], analyse: Callable[[str], tuple[str, ...]]):
        self.analyse = analyse
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            if phrase:
                self.by_first.setdefault(phrase[0], []).append(phrase)
        self._starts: dict[str, bool] = {}

    def _could_start(self, word: str) -> bool:
        found = self._starts.get(word)
        if found is None:
            found = self._starts[word] = any(token in self.by_first for token in self.analyse(word))
        return found

    def found_in(self, text: str) -> set[tuple[str, ...]]:
        # The words Whoosh's tokenizer would give the analyzer, each distinct one looked at once.
        words = {match.group().lower() for match in default_pattern.finditer(text)}
        if not any(self._could_start(word) for word in words):
            return set()
        tokens = self.analyse(text)
        return {
            phrase
            for index, token in enumerate(tokens)
            for phrase in self.by_first.get(token, ())
            if tokens[index : index + len(phrase)] == phrase
        }


def analyser(analyzer: Analyzer | None = None) -> Callable[[str], tuple[str, ...]]:
    """Text -> its analysed tokens, with the keyword index's analyzer unless another is given."""
    analyzer = analyzer or make_analyzer()
    return lambda text: tuple(token.text for token in analyzer(text))


def scope_problems(content: Content, analyzer: Analyzer | None = None) -> list[Problem]:
    """Warnings at the line of each scope word that no search could match (only stop words), and of
    each one an active item's searchable text holds."""
    scope = content.scope
    if scope is None or content.taxonomy is None:
        return []
    analyse = analyser(analyzer)
    problems = Problems(display_path(content.root, content.root / SCOPE_FILE))
    phrase_of: dict[str, tuple[str, ...]] = {}
    first_with: dict[tuple[str, ...], tuple[str, str]] = {}  # analysed phrase -> its first word and topic
    for topic in scope.topics:
        for word in topic.words:
            phrase = phrase_of[word] = analyse(word)
            if not phrase:
                problems.warning(
                    _line(content, word),
                    "scope-word-unsearchable",
                    f"'{word}' (topic '{topic.id}') is only words search ignores (such as 'the' or 'of'): "
                    "no query can match it; use the words that name the topic",
                )
            elif phrase in first_with:
                problems.warning(
                    _line(content, word), "scope-word-repeats", _repeat(word, topic.id, *first_with[phrase])
                )
            else:
                first_with[phrase] = (word, topic.id)
    finder = PhraseFinder(set(phrase_of.values()), analyse)
    items_with: dict[tuple[str, ...], list[str]] = {}
    for record in content.files:
        item = record.item
        if item is None or item.status != "active" or record.body is None:
            continue
        document = search_document(item, record.body, content.taxonomy, content.everyday_words.get(item.id, ()))
        fields = (document.title, document.summary, document.tags, document.everyday, document.practical)
        texts = [part for text in fields + (document.rest, document.labels) for part in BREAKS.split(text)]
        found = set().union(*(finder.found_in(text) for text in texts))
        for phrase in found:
            items_with.setdefault(phrase, []).append(item.id)
    for topic in scope.topics:
        for word in topic.words:
            item_ids = sorted(items_with.get(phrase_of[word], ()))
            if item_ids:
                problems.warning(
                    _line(content, word),
                    "scope-word-in-items",
                    f"'{word}' (topic '{topic.id}') is in {_items(item_ids)}: a search for it would find "
                    "them and also say the library does not cover it; remove the word, or choose one no item uses",
                )
    return list(problems)


def _repeat(word: str, topic_id: str, first_word: str, first_topic: str) -> str:
    if first_topic == topic_id:
        return f"'{word}' is matched as '{first_word}' is (search reads both the same way): one is enough"
    return (
        f"'{word}' (topic '{topic_id}') is matched as '{first_word}' of topic '{first_topic}' is "
        "(search reads both the same way): a query with either would show both topics"
    )


def _line(content: Content, word: str) -> int:
    return content.scope_word_lines.get(word, 1)


def _items(item_ids: list[str]) -> str:
    shown, more = ", ".join(item_ids[:SHOWN_ITEMS]), len(item_ids) - SHOWN_ITEMS
    return f"{shown} and {more} more item{'s' if more > 1 else ''}" if more > 0 else shown
