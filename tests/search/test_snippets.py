"""Snippets: the remembered, one-pass version gives exactly what the plain one below gives, sentence
by sentence, for the judged teacher queries over the shipped content and for awkward texts."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from nis_library.search import keyword, snippets
from nis_library.search.bundle_search import SearchService
from tests.search_quality import load_judgements
from tests.support import REPO


def reference_snippet(text: str, terms: frozenset[str], analyzer) -> str:
    """The plain version: split into sentences, count prefix matches in each with \\b and
    IGNORECASE, analyse every word of the chosen sentences."""
    if not terms:
        return ""
    prefixes = sorted({t[: max(3, len(t) - 1)] for t in terms}, key=len, reverse=True)
    starts_like = re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + ")", re.IGNORECASE)
    scored = [(len(starts_like.findall(s)), -i, s) for i, s in enumerate(re.split(r"(?<=[.!?])\s+", text))]
    best = sorted((t for t in scored if t[0]), reverse=True)[:2]
    fragments = [_reference_mark(sentence, terms, analyzer) for _, _, sentence in sorted(best, key=lambda t: -t[1])]
    return " ".join(f for f in fragments if f)


def _reference_mark(sentence: str, terms: frozenset[str], analyzer) -> str:
    def stem(word):
        tokens = [t.text for t in analyzer(word)]
        return tokens[0] if len(tokens) == 1 else None

    words = re.finditer(r"[^\W_]+(?:['’][^\W_]+)?", sentence)
    spans = [(m.start(), m.end()) for m in words if stem(m.group()) in terms]
    if not spans:
        return ""
    start = max(0, spans[0][0] - 160 // 3)
    end = min(len(sentence), start + 160)
    if start:
        start = sentence.find(" ", start) + 1 or start
    space = sentence.rfind(" ", spans[0][1], end) if end < len(sentence) else -1
    if space != -1:
        end = space
    out, position = ["…" if start else ""], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out += [html.escape(sentence[position:a]), f"<mark>{html.escape(sentence[a:b])}</mark>"]
        position = b
    out.append(html.escape(sentence[position:end]) + ("…" if end < len(sentence) else ""))
    return "".join(out)


def as_html(snippet) -> str:
    """The reference's form: the text escaped, the highlights in <mark>."""
    if snippet is None:
        return ""
    return "".join(f"<mark>{html.escape(t)}</mark>" if marked else html.escape(t) for t, marked in snippet.pieces())


@pytest.fixture(scope="module")
def service(shipped_instance: Path) -> SearchService:
    from indexer.bundle import location

    return SearchService(location.current_bundle(shipped_instance))


def test_snippets_match_the_plain_version_for_the_judged_queries(service):
    compared = marked = 0
    for judged in load_judgements(REPO / "tests/data/judged_queries.yaml")[:15]:
        kq = keyword.build_query(service.analyzer, judged.query, service.synonyms.expansions(judged.query))
        for row, item in enumerate(service.items):
            words = frozenset(service.bm25f.matched_terms(row, service.bm25f.term_columns(kq.terms + kq.synonym_terms)))
            if not words:
                continue
            fast = as_html(snippets.snippet(item.text, words, service.analyzer))
            assert fast == reference_snippet(item.text, words, service.analyzer), (judged.query, item.id)
            compared += 1
            marked += "<mark>" in fast
    assert compared > 300 and marked > 300


@pytest.mark.parametrize(
    "text, words",
    [
        ("Calm corner. The CALMING box helps! Calmer pupils wait; calm-down cards.", "calm wait"),
        ('Use <b>visual</b> timetables & "now/next" boards. Visuals again.', "visual timet"),
        ("İstanbul schools calm the room. Dotted İ makes lower() longer. Calm.", "calm room"),
        ("Ends without a stop and calm", "calm"),
        ("Nothing here matches. Still nothing.", "calm"),
        ("e.g. calm, i.e. quiet. Then the e.g. again.", "e.g calm"),
        ("A teacher's aide reads. The pupil’s reading improves.", "read pupil"),
    ],
)
def test_awkward_texts_match_the_plain_version(service, text, words):
    terms = frozenset(t for w in words.split() for t in keyword.analyse(service.analyzer, w))
    assert as_html(snippets.snippet(text, terms, service.analyzer)) == reference_snippet(text, terms, service.analyzer)


def test_a_long_sentence_is_cut_between_words(service):
    """Issue 24: snippets cut mid-word ("…the child can re"). Every cut falls between two words,
    wherever the words fall (the first word's length moves every later word along)."""
    terms = frozenset(keyword.analyse(service.analyzer, "calm"))
    for first in ("a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg"):
        words = " ".join(f"word{n}" for n in range(80))
        text = f"{first} {words} calm {words}."
        snippet = snippets.snippet(text, terms, service.analyzer)
        assert snippet is not None and snippet.text.startswith("…") and snippet.text.endswith("…")
        shown = snippet.text.strip("…").split(" ")
        assert set(shown) <= set(text.split(" ")), snippet.text
        assert [snippet.text[a:b] for a, b in snippet.highlights] == ["calm"]
