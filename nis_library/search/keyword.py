"""Keyword retrieval with Whoosh. Queries are built from the analysed words, never parsed as Whoosh
query syntax, so `AND OR (((`, `*:*`, quotes and field names are just words."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.bundle.keyword_index import FIELD_BOOSTS, TEXT_FIELDS

SYNONYM_WEIGHT = 0.6  # a synonym counts for a little less than the teacher's own word
SPELLING_FIELDS = ("practical", "title", "summary", "tags")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


@dataclass(frozen=True)
class KeywordQuery:
    terms: tuple[str, ...]  # the teacher's own words, analysed (stemmed, no stop words)
    synonym_terms: tuple[str, ...]  # words added from the synonyms file

    @property
    def weighted_terms(self) -> list[tuple[str, float]]:
        return [(t, 1.0) for t in self.terms] + [(t, SYNONYM_WEIGHT) for t in self.synonym_terms]

    @property
    def query(self) -> wq.Query | None:
        """The same query as a Whoosh query: the reference the BM25F matrix is tested against."""
        clauses = [
            wq.Term(field, term, boost=FIELD_BOOSTS[field] * weight)
            for term, weight in self.weighted_terms
            for field in TEXT_FIELDS
        ]
        return wq.Or(clauses) if clauses else None


def analyse(analyzer, text: str) -> list[str]:
    seen: list[str] = []
    for token in analyzer(text):
        if token.text not in seen:
            seen.append(token.text)
    return seen


def build_query(analyzer, text: str, expansions: list[str]) -> KeywordQuery:
    own = analyse(analyzer, text)
    extra = [t for phrase in expansions for t in analyse(analyzer, phrase) if t not in own]
    return KeywordQuery(tuple(own), tuple(dict.fromkeys(extra)))


def run(searcher: Searcher, kq: KeywordQuery, allowed: set[int] | None = None):
    """Whoosh's own BM25F ranking of all matching documents, as (docnum, score, matched words).
    Search ranks with `bm25f.BM25FScorer`, which computes the same scores far faster; this is the
    reference it is tested and benchmarked against."""
    if kq.query is None:
        return []
    results = searcher.search(kq.query, limit=None, filter=allowed, terms=True)
    out = []
    for hit in results:
        matched = {text.decode() if isinstance(text, bytes) else text for _, text in hit.matched_terms()}
        out.append((hit.docnum, hit.score, tuple(t for t in kq.terms + kq.synonym_terms if t in matched)))
    return out


def is_indexed(searcher: Searcher, analyzer, word: str) -> bool:
    """Whether every analysed form of `word` is in some field of the index (a stop word is)."""
    reader = searcher.reader()
    return all(any(reader.doc_frequency(f, stem) for f in TEXT_FIELDS) for stem in analyse(analyzer, word))


_MARKDOWN = re.compile(r"(\*\*|__|`|^#+\s*|^\s*[-*+]\s+|^\s*\d+\.\s+|\[([^\]]*)\]\([^)]*\))", re.MULTILINE)


def plain(markdown: str) -> str:
    return " ".join(_MARKDOWN.sub(lambda m: m.group(2) or " ", markdown).split())


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
SNIPPET_SENTENCES = 2
SNIPPET_CHARS = 160  # per sentence, around its first match


def snippet(text: str, terms: frozenset[str], analyzer) -> str:
    """The one or two sentences of `text` with most matched words, HTML-escaped, matches in <mark>.

    Whoosh's highlighter re-analyses whole passages token by token and took most of a search's
    time; this marks whole words whose analysed form is a matched term, with the index's own
    analyzer (its stems are cached), in the few sentences a cheap prefix test picks out.
    """
    if not terms:
        return ""
    prefixes = sorted({t[: max(3, len(t) - 1)] for t in terms}, key=len, reverse=True)
    starts_like = re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + ")", re.IGNORECASE)
    scored = [(len(starts_like.findall(s)), -i, s) for i, s in enumerate(_SENTENCE.split(text))]
    best = sorted((t for t in scored if t[0]), reverse=True)[:SNIPPET_SENTENCES]
    fragments = [_mark(sentence, terms, analyzer) for _, _, sentence in sorted(best, key=lambda t: -t[1])]
    return " ".join(f for f in fragments if f)


def _mark(sentence: str, terms: frozenset[str], analyzer) -> str:
    spans = [(m.start(), m.end()) for m in _WORD.finditer(sentence) if _stem(analyzer, m.group()) in terms]
    if not spans:
        return ""
    start = max(0, spans[0][0] - SNIPPET_CHARS // 3)
    end = min(len(sentence), start + SNIPPET_CHARS)
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


_STEMS: dict[tuple[int, str], str | None] = {}
_STEMS_MAX = 100_000


def _stem(analyzer, word: str) -> str | None:
    """The analysed form of one word (None for a stop word), remembered."""
    key = (id(analyzer), word)
    if key not in _STEMS:
        if len(_STEMS) >= _STEMS_MAX:
            _STEMS.clear()
        tokens = [t.text for t in analyzer(word)]
        _STEMS[key] = tokens[0] if len(tokens) == 1 else None
    return _STEMS[key]
