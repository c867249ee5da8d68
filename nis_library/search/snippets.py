"""Snippets: the one or two sentences of an item's text with most matched words, as plain text with
where each matched word is (`results.Snippet`): templates, the API and the CLI each show them their
own way.

Whoosh's highlighter re-analysed whole passages token by token and took most of a search's time;
this marks whole words whose analysed form is a matched term, with the index's own analyzer, in
the few sentences a cheap prefix test picks out. That still took two thirds of a search for a new
query (a regex compiled for each hit's set of words, then run over the whole text), so what a text
always needs is worked out once and cached: its sentences, its sorted words (the prefix test
becomes a binary search), each sentence's words by analysed form. The output is unchanged:
tests/search/test_snippets.py holds it to the plain version.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from nis_library.search.keyword import Analyzer
from nis_library.search.results import Snippet

SENTENCES = 2
CHARS = 160  # per sentence, around its first match
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_WORD_CHARS = re.compile(r"\w+")


def snippet(text: str, terms: frozenset[str], analyzer: Analyzer) -> Snippet | None:
    """The sentences with most words starting like a matched term (ties: the earlier), in text
    order, each cut to about CHARS around its first matched word; None if none has a matched word."""
    if not terms:
        return None
    layout = _layout(text)
    counts = _words_starting_like(layout, _prefixes(terms))
    best = sorted((i for i, n in enumerate(counts) if n), key=lambda i: (-counts[i], i))[:SENTENCES]
    joined, highlights = "", []
    for i in sorted(best):
        fragment = _cut(text[layout.starts[i] : layout.ends[i]], terms, analyzer)
        if fragment is None:
            continue
        if joined:
            joined += " "
        highlights += [(joined_at + len(joined), end + len(joined)) for joined_at, end in fragment.highlights]
        joined += fragment.text
    return Snippet(joined, tuple(highlights)) if joined else None


@dataclass(frozen=True)
class _Layout:
    text: str
    starts: tuple[int, ...]  # where each sentence starts: the pieces `_SENTENCE_BREAK.split` gives
    ends: tuple[int, ...]
    # The text's words (runs of \w) lower-cased, sorted, each with the sentences it occurs in (once
    # per occurrence); None if lower-casing changed a word's length, where the regex must count.
    words: tuple[str, ...] | None
    sentences_of: tuple[tuple[int, ...], ...]


@lru_cache(maxsize=8192)
def _layout(text: str) -> _Layout:
    breaks = list(_SENTENCE_BREAK.finditer(text))
    starts, ends = (0, *(b.end() for b in breaks)), (*(b.start() for b in breaks), len(text))
    sentences_of: dict[str, list[int]] = {}
    for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
        for word in _WORD_CHARS.findall(text, a, b):
            lowered = word.lower()
            if len(lowered) != len(word):
                return _Layout(text, starts, ends, None, ())
            sentences_of.setdefault(lowered, []).append(i)
    words = tuple(sorted(sentences_of))
    return _Layout(text, starts, ends, words, tuple(tuple(sentences_of[w]) for w in words))


def _words_starting_like(layout: _Layout, prefixes: tuple[str, ...]) -> list[int]:
    """How many words in each sentence start like one of the terms (a stem's prefix, so 'calm'
    finds 'calming'): what counting \b(?:prefixes) matches with IGNORECASE gives, as a prefix of
    word characters can only match at the start of a run of them, once per run. The words
    starting with a prefix sit together in the sorted list: a binary search finds them."""
    counts = [0] * len(layout.starts)
    if layout.words is not None and all(_WORD_CHARS.fullmatch(p) for p in prefixes):
        words, found = layout.words, set()
        for prefix in prefixes:
            i = bisect_left(words, prefix)
            while i < len(words) and words[i].startswith(prefix):
                found.add(i)
                i += 1
        for i in found:
            for sentence in layout.sentences_of[i]:
                counts[sentence] += 1
        return counts
    pattern = _pattern(prefixes)  # a term with a dot in it ("e.g"), or lower() changed a length
    return [len(pattern.findall(layout.text[a:b])) for a, b in zip(layout.starts, layout.ends, strict=True)]


@lru_cache(maxsize=4096)
def _prefixes(terms: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted({t[: max(3, len(t) - 1)] for t in terms}, key=len, reverse=True))


@lru_cache(maxsize=1024)
def _pattern(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + ")", re.IGNORECASE)


def _cut(sentence: str, terms: frozenset[str], analyzer: Analyzer) -> Snippet | None:
    """The sentence cut to about CHARS from a little before its first matched word, between words,
    with "…" where it was cut, and where its matched words are in what is left."""
    words = _words_by_stem(analyzer, sentence)
    spans = sorted(span for term in terms for span in words.get(term, ()))
    if not spans:
        return None
    start = max(0, spans[0][0] - CHARS // 3)
    end = min(len(sentence), start + CHARS)
    if start:
        start = sentence.find(" ", start) + 1 or start
    space = sentence.rfind(" ", spans[0][1], end) if end < len(sentence) else -1
    if space != -1:  # cut between words, after the first matched one (a text with no space there stays as cut)
        end = space
    lead = "…" if start else ""
    shift = len(lead) - start
    highlights = tuple((a + shift, b + shift) for a, b in spans if a >= start and b <= end)
    return Snippet(lead + sentence[start:end] + ("…" if end < len(sentence) else ""), highlights)


# Bounded by emptying when full. Each lookup returns what it computed, never re-reads the dict, so
# another thread emptying it in between cannot raise KeyError (gunicorn runs threads).
_WORDS: dict[tuple[int, str], dict[str, list[tuple[int, int]]]] = {}
_STEMS: dict[tuple[int, str], str | None] = {}
_CACHE_MAX = 100_000


class _Unseen(enum.Enum):  # a sentinel the type checker can tell from a stem and from None
    UNSEEN = enum.auto()


_UNSEEN = _Unseen.UNSEEN


def _words_by_stem(analyzer: Analyzer, sentence: str) -> dict[str, list[tuple[int, int]]]:
    """Where each word of the sentence is, by its analysed form (stop words left out), cached."""
    key = (id(analyzer), sentence)
    words = _WORDS.get(key)
    if words is None:
        words = {}
        for m in _WORD.finditer(sentence):
            stem = _stem(analyzer, m.group())
            if stem is not None:
                words.setdefault(stem, []).append(m.span())
        if len(_WORDS) >= _CACHE_MAX:
            _WORDS.clear()
        _WORDS[key] = words
    return words


def _stem(analyzer: Analyzer, word: str) -> str | None:
    """The analysed form of one word (None for a stop word), cached."""
    key = (id(analyzer), word)
    stem = _STEMS.get(key, _UNSEEN)
    if stem is _UNSEEN:
        tokens = [t.text for t in analyzer(word)]
        stem = tokens[0] if len(tokens) == 1 else None
        if len(_STEMS) >= _CACHE_MAX:
            _STEMS.clear()
        _STEMS[key] = stem
    return stem
