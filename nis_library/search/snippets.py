"""Snippets: the one or two sentences of an item's text with most matched words, HTML-escaped, the
matched words in <mark>.

Whoosh's highlighter re-analysed whole passages token by token and took most of a search's time;
this marks whole words whose analysed form is a matched term, with the index's own analyzer, in
the few sentences a cheap prefix test picks out. That still took two thirds of a search for a new
query, so what a text or a set of terms always needs is worked out once and remembered: each
text's sentences and lower-cased copy, the prefix pattern of a set of terms, each sentence's words
by analysed form.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

SENTENCES = 2
CHARS = 160  # per sentence, around its first match
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_WORD_CHARS = re.compile(r"\w+")


def snippet(text: str, terms: frozenset[str], analyzer) -> str:
    """The sentences with most words starting like a matched term (ties: the earlier), in text
    order, each cut to about CHARS around its first matched word; "" if none has a matched word."""
    if not terms:
        return ""
    layout = _layout(text)
    hits = Counter(bisect_right(layout.starts, p) - 1 for p in _word_starts_like(layout, terms))
    best = sorted(hits, key=lambda i: (-hits[i], i))[:SENTENCES]
    fragments = [_mark(text[layout.starts[i] : layout.ends[i]], terms, analyzer) for i in sorted(best)]
    return " ".join(f for f in fragments if f)


@dataclass(frozen=True)
class _Layout:
    starts: tuple[int, ...]  # where each sentence starts: the pieces `_SENTENCE_BREAK.split` gives
    ends: tuple[int, ...]
    text: str
    lowered: str | None  # the text lower-cased, when that keeps every character's position


@lru_cache(maxsize=8192)
def _layout(text: str) -> _Layout:
    breaks = list(_SENTENCE_BREAK.finditer(text))
    lowered = text.lower()
    return _Layout(
        starts=(0, *(b.end() for b in breaks)),
        ends=(*(b.start() for b in breaks), len(text)),
        text=text,
        lowered=lowered if len(lowered) == len(text) else None,
    )


def _word_starts_like(layout: _Layout, terms: frozenset[str]):
    """Where a word starts like one of the terms: a stem's prefix, so 'calm' finds 'calming'. One
    pass over the whole text, as a match never spans the space between two sentences."""
    prefixes = _prefixes(terms)
    if layout.lowered is not None and all(_WORD_CHARS.fullmatch(p) for p in prefixes):
        # Case-sensitive over the lower-cased text, without a leading \b: four times faster than
        # \b with IGNORECASE. A match inside a word cannot hide one at a word's start, so dropping
        # those afterwards gives what \b would.
        text = layout.lowered
        for m in _pattern(prefixes, "").finditer(text):
            p = m.start()
            if not (p and _WORD_CHARS.match(text, p - 1)):
                yield p
    else:
        yield from (m.start() for m in _pattern(prefixes, r"\b", re.IGNORECASE).finditer(layout.text))


@lru_cache(maxsize=4096)
def _prefixes(terms: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted({t[: max(3, len(t) - 1)] for t in terms}, key=len, reverse=True))


@lru_cache(maxsize=4096)
def _pattern(prefixes: tuple[str, ...], before: str, flags: int = 0) -> re.Pattern:
    return re.compile(before + "(?:" + "|".join(map(re.escape, prefixes)) + ")", flags)


def _mark(sentence: str, terms: frozenset[str], analyzer) -> str:
    words = _words_by_stem(analyzer, sentence)
    spans = sorted(span for term in terms for span in words.get(term, ()))
    if not spans:
        return ""
    start = max(0, spans[0][0] - CHARS // 3)
    end = min(len(sentence), start + CHARS)
    if start:
        start = sentence.find(" ", start) + 1 or start
    out, position = ["…" if start else ""], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(html.escape(sentence[position:a]))
        out.append(f"<mark>{html.escape(sentence[a:b])}</mark>")
        position = b
    out.append(html.escape(sentence[position:end]) + ("…" if end < len(sentence) else ""))
    return "".join(out)


_WORDS: dict[tuple[int, str], dict[str, list[tuple[int, int]]]] = {}
_STEMS: dict[tuple[int, str], str | None] = {}
_CACHE_MAX = 100_000


def _words_by_stem(analyzer, sentence: str) -> dict[str, list[tuple[int, int]]]:
    """Where each word of the sentence is, by its analysed form (stop words left out), remembered."""
    key = (id(analyzer), sentence)
    if key not in _WORDS:
        if len(_WORDS) >= _CACHE_MAX:
            _WORDS.clear()
        words: dict[str, list[tuple[int, int]]] = {}
        for m in _WORD.finditer(sentence):
            stem = _stem(analyzer, m.group())
            if stem is not None:
                words.setdefault(stem, []).append(m.span())
        _WORDS[key] = words
    return _WORDS[key]


def _stem(analyzer, word: str) -> str | None:
    """The analysed form of one word (None for a stop word), remembered."""
    key = (id(analyzer), word)
    if key not in _STEMS:
        if len(_STEMS) >= _CACHE_MAX:
            _STEMS.clear()
        tokens = [t.text for t in analyzer(word)]
        _STEMS[key] = tokens[0] if len(tokens) == 1 else None
    return _STEMS[key]
