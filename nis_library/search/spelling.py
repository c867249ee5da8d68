"""Did you mean: a query's unknown words replaced by the closest indexed words, at a bounded cost.

Whoosh's corrector builds a Levenshtein automaton per word and field and walks the term list with
it in Python: a 300-character non-word took 0.9 s, fifty unknown words 0.3 s, and every request
queued behind them waited. Here the work has a bound whatever the query: at most `MAX_CHECKED_WORDS`
words are checked against the index and `MAX_CORRECTED_WORDS` unknown ones corrected; words longer
than `MAX_WORD_CHARS` are left as typed; each correction is at most `max_lookups(MAX_WORD_CHARS)`
dictionary lookups (symmetric delete: the word's deletions against the vocabulary's) and
`MAX_CANDIDATES` edit distances.

Never corrected: words shorter than `MIN_WORD_CHARS`, numbers, words the index or the synonyms file
knows, ordinary English words the library happens not to use ("kids", "nose", "sorry": corrected to
the nearest indexed word they would become "kind", "note", "story"; pyspellchecker's English word
list, with its frequencies, says which are ordinary), and abbreviations typed in capitals ("EBSA", "PDA"): a reader who writes an abbreviation
means it, and the nearest indexed word is some unrelated one.

Found: words within two edits (insertions, deletions, substitutions, swaps) that start with the same
letter, whose shortened forms meet: every one-edit error, and two-edit errors except two
substitutions or two missing letters in one word. The closest wins, then the most frequent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from spellchecker import SpellChecker
from whoosh.reading import IndexReader

MIN_WORD_CHARS = 4  # shorter words are too ambiguous to correct
MAX_WORD_CHARS = 20  # longer "words" are not a misspelling of anything in the library
MAX_CHECKED_WORDS = 16  # words of a query looked up in the index at all
MAX_CORRECTED_WORDS = 3  # unknown words corrected; the rest stay as typed
MAX_EDITS = 2
MAX_CANDIDATES = 30  # per word, the most frequent first
MAX_ABBREVIATION_CHARS = 8  # a word in capitals up to this long is taken as an abbreviation
# How often a word must occur in pyspellchecker's English list to be an ordinary word, not a typo:
# the list is counted from film subtitles and holds common misspellings a few times each.
ORDINARY_WORD_COUNT = 50
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


def deletions(word: str, edits: int) -> set[str]:
    """`word` and every string made by deleting up to `edits` of its letters."""
    found, frontier = {word}, {word}
    for _ in range(edits):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))} - found
        found |= frontier
    return found


def max_lookups(length: int) -> int:
    """Dictionary lookups to correct a word of `length` letters: its deletions of up to two letters."""
    return 1 + length + length * (length - 1) // 2


def distance(a: str, b: str) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit)."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


class SpellingVocabulary:
    """The indexed words (as written, not stemmed) and their frequencies, keyed by their one-letter
    deletions; built once per bundle."""

    def __init__(self, frequencies: dict[str, int]):
        self.frequencies = frequencies
        self._by_deletion: dict[str, list[str]] = {}
        for word in sorted(frequencies, key=lambda w: (-frequencies[w], w)):  # most frequent first
            for variant in deletions(word, 1):
                self._by_deletion.setdefault(variant, []).append(word)

    @classmethod
    def from_index(
        cls, reader: IndexReader, fields: Iterable[str], extra_words: Iterable[str] = ()
    ) -> SpellingVocabulary:
        """The words of the index's spelling `fields`, and `extra_words` (the synonyms file's) once each."""
        frequencies: dict[str, int] = {}
        for word in extra_words:
            if MIN_WORD_CHARS - 1 <= len(word) <= MAX_WORD_CHARS + MAX_EDITS and word.isalpha():
                frequencies[word] = 1
        for field in fields:
            spelling_field = reader.schema[field].spelling_fieldname(field)
            for term in reader.lexicon(spelling_field):
                word = term.decode() if isinstance(term, bytes) else term
                if MIN_WORD_CHARS - 1 <= len(word) <= MAX_WORD_CHARS + MAX_EDITS and not word.isdigit():
                    frequencies[word] = frequencies.get(word, 0) + (reader.doc_frequency(spelling_field, word) or 1)
        return cls(frequencies)

    def lookup(self, variant: str) -> list[str]:
        return self._by_deletion.get(variant, [])

    def closest(self, word: str) -> str | None:
        """The closest vocabulary word within two edits and with the same first letter, if any."""
        candidates: dict[str, None] = {}
        for variant in deletions(word, MAX_EDITS):
            for candidate in self.lookup(variant):
                if candidate[0] == word[0]:
                    candidates[candidate] = None
        ranked = sorted(candidates, key=lambda w: -self.frequencies[w])[:MAX_CANDIDATES]
        scored = [(distance(word, c), -self.frequencies[c], c) for c in ranked if c != word]
        best = min((s for s in scored if s[0] <= MAX_EDITS), default=None)
        return best[2] if best else None


def suggestion(text: str, is_known: Callable[[str], bool], vocabulary: SpellingVocabulary) -> str | None:
    """`text` with its first few unknown words replaced by their closest vocabulary words (the rest
    of the text as typed), if any was replaced. `is_known(word)` says whether the index has a word
    (stemmed as it would be)."""
    pieces, changed, checked, corrected, last = [], False, 0, 0, 0
    for match in _WORD.finditer(text):
        word = match.group()
        lower = word.lower()
        correctable = (
            MIN_WORD_CHARS <= len(lower) <= MAX_WORD_CHARS and not lower.isdigit() and not is_abbreviation(word)
        )
        if not correctable or checked >= MAX_CHECKED_WORDS or corrected >= MAX_CORRECTED_WORDS:
            continue
        checked += 1
        if lower in vocabulary.frequencies or is_known(lower) or is_ordinary_word(lower):
            continue
        corrected += 1
        better = vocabulary.closest(lower)
        if better is not None:
            pieces.append(text[last : match.start()] + better)
            last, changed = match.end(), True
    return "".join(pieces) + text[last:] if changed else None


def is_abbreviation(word: str) -> bool:
    """A short word typed in capitals (perhaps with a plural 's'): "EBSA", "SENCOs", "PDA"."""
    letters = word[:-1] if word.endswith("s") else word
    return len(word) <= MAX_ABBREVIATION_CHARS and len(letters) >= 2 and letters.isupper()


@cache
def _english() -> SpellChecker:
    return SpellChecker(language="en", distance=1)


def is_ordinary_word(word: str) -> bool:
    """An English word common enough that a reader typed it on purpose."""
    return _english().word_frequency[word.lower()] >= ORDINARY_WORD_COUNT
