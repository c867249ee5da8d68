"""Topics the library does not cover (`content/scope.yaml`), found in a query: a search shows each
topic's notice, with its places to go, above the results.

A topic matches when one of its words or phrases occurs in the query as consecutive tokens after
the keyword index's analysis (lower case, stop words dropped, word families joined, Porter stemming):
"seizures" matches "seizure", "allergies" matches "allergy"; whole words only, never a part of a
word ("dla" is not in "idlate"). Built once per bundle; a query is analysed once and compared with
the phrases, analysed in advance. Plain code: no Flask, no state."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.content.scope import Scope, Topic
from nis_library.search.keyword import Analyzer


class ScopeMatcher:
    """The scope's topics with their phrases analysed by `analyzer`: a Whoosh analyzer, the keyword
    index's (`index.schema["title"].analyzer`), so that queries and phrases are analysed alike."""

    def __init__(self, scope: Scope | None, analyzer: Analyzer):
        self.scope = scope
        self.topics: tuple[Topic, ...] = tuple(scope.topics) if scope is not None else ()
        self.analyzer = analyzer
        # first token -> (the phrase's tokens, its topic's place in the file), in file order
        self._by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for number, topic in enumerate(self.topics):
            for word in topic.words:
                phrase = self._analyse(word)
                if phrase:  # only stop words: no query can match it (`nis validate` warns)
                    self._by_first.setdefault(phrase[0], []).append((phrase, number))

    @classmethod
    def from_document(cls, document: str | None, analyzer: Analyzer) -> ScopeMatcher:
        """From the bundle's scope document (None for a bundle built without one: no topics)."""
        return cls(Scope.from_document(document), analyzer)

    def topics_for(self, text: str) -> tuple[Topic, ...]:
        """The topics whose words are in `text`, each once, in the order of the scope file."""
        if not self._by_first or not text:
            return ()
        return self.topics_for_terms(self._analyse(text))

    def topics_for_terms(self, terms: Sequence[str]) -> tuple[Topic, ...]:
        """As `topics_for`, for a query already analysed with the same analyzer (repeats kept, in
        order), so a search that analyses its query once can share the tokens."""
        found: set[int] = set()
        terms = tuple(terms)
        for index, term in enumerate(terms):
            for phrase, number in self._by_first.get(term, ()):
                if number not in found and terms[index : index + len(phrase)] == phrase:
                    found.add(number)
        return tuple(self.topics[number] for number in sorted(found))

    def _analyse(self, text: str) -> tuple[str, ...]:
        return tuple(token.text for token in self.analyzer(text))
