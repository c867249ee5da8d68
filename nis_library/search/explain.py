"""Why a result matched, in a line a teacher can judge without opening it: the words of their search
the item has (as they typed them), the words meaning the same it has, and whether it is close in
meaning. Pure: the search service gives it the analysed words; no Flask."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nis_library.search import keyword


@dataclass(frozen=True)
class QueryWords:
    """A query's words as typed, and the synonyms added to it, each with its analysed terms."""

    typed: tuple[tuple[str, frozenset[str]], ...]
    synonyms: tuple[tuple[str, frozenset[str]], ...]

    @classmethod
    def of(cls, terms_of: Callable[[str], Iterable[str]], text: str, synonyms: tuple[str, ...]) -> QueryWords:
        """`terms_of(text)`: its analysed terms, as the keyword index analyses (keyword.analyse)."""
        typed = []
        seen: set[str] = set()
        for word in keyword.words(text):
            terms = frozenset(terms_of(word))
            if terms and word.lower() not in seen:
                typed.append((word.lower(), terms))
                seen.add(word.lower())
        return cls(tuple(typed), tuple((p, frozenset(terms_of(p))) for p in synonyms))

    def found(self, matched_terms: tuple[str, ...]) -> tuple[list[str], list[str]]:
        """The typed words and the synonyms whose terms are among `matched_terms`."""
        matched = set(matched_terms)
        typed = [word for word, terms in self.typed if terms & matched]
        synonyms = [phrase for phrase, terms in self.synonyms if terms and terms <= matched]
        return typed, synonyms


def quoted(words: list[str], limit: int = 5) -> str:
    shown = [f"‘{w}’" for w in words[:limit]]
    if len(words) > limit:
        shown.append(f"{len(words) - limit} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def why(typed: list[str], synonyms: list[str], close_in_meaning: bool, counted: bool) -> str:
    """One line: why the item was found, and, when it is not counted, that it shares only part."""
    parts = []
    if typed:
        parts.append(f"has your word{'s' if len(typed) > 1 else ''} {quoted(typed)}")
    if synonyms:
        parts.append(f"has {quoted(synonyms)} (meaning the same)")
    if close_in_meaning:
        parts.append("is close in meaning to your search")
    if not parts:
        return ""
    line = "It " + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] + "."
    if not counted:
        line += " Not counted: it shares too little of what you asked about."
    return line
