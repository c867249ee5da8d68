"""How much of a query's distinctive vocabulary each item covers, and which words no item has.

A query is split into *units*: each phrase of the synonyms file found in it (with the phrases of its
group, which stand in for it), and each other word. An item has a unit when it has every word of
the phrase, or of one of the phrases that stand in for it. A unit weighs its inverse document frequency
over the whole library (Robertson–Spärck Jones, never below zero), so a word most items use
("school", "child", "help") weighs next to nothing and a word few items use weighs most. An item's
coverage is the weight of the units it has over the weight of them all: 1 when it has every
distinctive word, near 0 when it shares only common ones. A unit no item has (after stemming,
synonyms and spelling correction) is a *missing word*, named to the reader, and its weight stays
in the total, so no item covers a query much of whose meaning the library lacks. When every word
of a query is in half the items or more, each weighs the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt

from nis_library.search import keyword
from nis_library.search.bm25f import BM25FScorer

TermsOf = Callable[[str], Sequence[str]]  # a text's analysed terms, each once (keyword.analyse)


@dataclass(frozen=True)
class Unit:
    words: str  # as typed, for "No item mentions: …"
    alternatives: tuple[tuple[str, ...], ...]  # analysed phrases that stand for it: its own first
    weight: float  # inverse document frequency of the unit over the library


@dataclass(frozen=True)
class Coverage:
    units: tuple[Unit, ...]
    per_item: np.ndarray  # 0..1: the weight of the units each item has over the total weight
    missing: tuple[str, ...]  # the units no item has, as typed


@overload
def robertson_idf(documents: int, frequency: int) -> float: ...
@overload
def robertson_idf(documents: int, frequency: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]: ...
def robertson_idf(documents: int, frequency: int | npt.NDArray[np.integer]) -> float | npt.NDArray[np.float64]:
    """log((N - df + 0.5) / (df + 0.5)), never below zero: a word in half the items or more weighs 0.
    `frequency` may be one count or an array of them."""
    idf: float | npt.NDArray[np.float64] = np.maximum(
        0.0, np.log((documents - np.asarray(frequency) + 0.5) / (np.asarray(frequency) + 0.5))
    )
    return idf


def measure(
    text: str, terms_of: TermsOf, bm25f: BM25FScorer, phrase_groups: list[tuple[str, list[str]]], size: int
) -> Coverage:
    """The coverage of `text` over the library's `size` items. `phrase_groups`: each synonyms-file
    phrase found in the text, with the other phrases of its group; `terms_of` analyses as the
    keyword index does."""
    units: list[tuple[str, tuple[tuple[str, ...], ...]]] = []  # (as typed, alternatives)
    claimed: set[str] = set()
    for phrase, others in phrase_groups:
        own = tuple(terms_of(phrase))
        if not own or claimed.issuperset(own):
            continue
        analysed = [own] + [tuple(terms_of(other)) for other in others]
        units.append((phrase, tuple(dict.fromkeys(a for a in analysed if a))))
        claimed.update(own)
    for word in keyword.words(text):
        own = tuple(t for t in terms_of(word) if t not in claimed)
        if own:
            units.append((word, (own,)))
            claimed.update(own)
    if not units:
        return Coverage((), np.zeros(size), ())
    has = np.zeros((len(units), size), dtype=bool)
    for number, (_, alternatives) in enumerate(units):
        for terms in alternatives:
            has[number, bm25f.rows_with_all(terms)] = True
    frequency = has.sum(axis=1)
    weights = robertson_idf(size, frequency)
    built = tuple(Unit(words, alts, float(w)) for (words, alts), w in zip(units, weights, strict=True))
    missing = tuple(dict.fromkeys(u.words.lower() for u, f in zip(built, frequency, strict=True) if f == 0))
    if not weights.any() and frequency.any():
        # Every word is in half the items or more: none is distinctive, so each weighs the same.
        weights = np.ones(len(units))
    total = float(weights.sum())
    per_item = (weights @ has) / total if total > 0 else np.zeros(size)
    return Coverage(built, per_item, missing)
