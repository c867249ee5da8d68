"""The keyword index's analyzer: Whoosh's stemming analyzer with a word-family table before the
stemmer, so forms the Porter stemmer leaves apart meet ("anxious"/"anxiety", "autistic"/"autism",
American "organization"/British "organisation", "regulating"/"regulate")."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from whoosh.analysis import CompositeAnalyzer, Filter, StemmingAnalyzer, Token

# Word -> the family member whose stem the family shares. Only forms the stemmer does not already
# join (check with `StemmingAnalyzer()`): "organise", "organising" and "organisation" already meet.
WORD_FAMILIES = {
    "anxious": "anxiety",
    "anxiously": "anxiety",
    "autistic": "autism",
    "dyslexic": "dyslexia",
    "dyspraxic": "dyspraxia",
    "dyscalculic": "dyscalculia",
    "hyperactive": "hyperactivity",
    "organization": "organisation",
    "organizational": "organisational",
    "organize": "organise",
    "organized": "organised",
    "organizing": "organising",
    "disorganized": "disorganised",
    "regulating": "regulate",
    "regulated": "regulate",
    "dysregulated": "dysregulation",
    "behavior": "behaviour",
    "behaviors": "behaviours",
    "behavioral": "behavioural",
    "color": "colour",
    "center": "centre",
}


class WordFamilyFilter(Filter):  # type: ignore[misc]  # whoosh has no type information: Filter is Any
    """Replaces a word by its family's member (see WORD_FAMILIES) before it is stemmed."""

    def __init__(self, families: dict[str, str] | None = None):
        self.families = dict(WORD_FAMILIES if families is None else families)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordFamilyFilter) and self.families == other.families

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = self.families.get(token.text, token.text)
            yield token


def make_analyzer() -> CompositeAnalyzer:
    """Whoosh's StemmingAnalyzer (tokenise, lower case, stop words, Porter stemmer) with the word
    families joined before the stemmer."""
    tokenizer, lower, stop, stem = StemmingAnalyzer().items
    return tokenizer | lower | stop | WordFamilyFilter() | stem
