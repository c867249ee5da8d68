"""Keyword retrieval with Whoosh. Queries are built from the analysed words, never parsed as Whoosh
query syntax, so `AND OR (((`, `*:*`, quotes and field names are just words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.bundle.keyword_index import FIELD_BOOSTS, TEXT_FIELDS

SYNONYM_WEIGHT = 0.6  # a synonym counts for a little less than the teacher's own word
SPELLING_FIELDS = ("practical", "title", "summary", "tags")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


class Token(Protocol):
    text: str


class Analyzer(Protocol):
    """A Whoosh analyzer, such as the keyword index's (`index.schema["title"].analyzer`): Whoosh
    ships no types, so this says the little of one that search uses."""

    def __call__(self, value: str) -> Iterable[Token]: ...


@dataclass(frozen=True)
class KeywordQuery:
    terms: tuple[str, ...]  # the teacher's own words, analysed (stemmed, no stop words)
    synonym_terms: tuple[str, ...]  # words added from the synonyms file
    synonym_expansions: tuple[str, ...] = ()  # the synonyms file's phrases they came from

    def without_synonyms(self) -> KeywordQuery:
        return KeywordQuery(self.terms, ())

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


def words(text: str) -> list[str]:
    """The words of `text` as typed (letters and digits, an apostrophe inside a word)."""
    return _WORD.findall(text)


def analyse(analyzer: Analyzer, text: str) -> list[str]:
    """The analysed terms of `text`, each once, in order."""
    return list(dict.fromkeys(token.text for token in analyzer(text)))


def build_query(analyzer: Analyzer, text: str, expansions: list[str]) -> KeywordQuery:
    own = analyse(analyzer, text)
    extra = [t for phrase in expansions for t in analyse(analyzer, phrase) if t not in own]
    return KeywordQuery(tuple(own), tuple(dict.fromkeys(extra)), tuple(expansions) if extra else ())


def is_indexed(searcher: Searcher, analyzer: Analyzer, word: str) -> bool:
    """Whether every analysed form of `word` is in some field of the index (a stop word is)."""
    reader = searcher.reader()
    return all(any(reader.doc_frequency(f, stem) for f in TEXT_FIELDS) for stem in analyse(analyzer, word))
