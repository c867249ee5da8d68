"""The shipped synonyms: every short abbreviation says, in a comment just above its group, why it
cannot be mistaken for an everyday word (or it is left out)."""

from __future__ import annotations

import re

from indexer.content.safe_yaml import load_checked
from tests.support import REPO

SYNONYMS = REPO / "content" / "synonyms.yaml"
SHORT = 3  # letters: "ot", "pp", "lac" could be words or typos; longer ones rarely are


def _groups_with_their_comments() -> list[tuple[list[str], str]]:
    """Each group's phrases with the comment lines directly above it."""
    found, comment = [], []
    for line in SYNONYMS.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("# "):
            comment.append(stripped)
        elif stripped.startswith("- ["):
            found.append((load_checked(stripped)[0], " ".join(comment)))
            comment = []
        else:
            comment = []
    return found


def test_every_group_line_is_read():
    groups = load_checked(SYNONYMS.read_text(encoding="utf-8"))["groups"]
    assert [phrases for phrases, _ in _groups_with_their_comments()] == groups


def test_every_short_abbreviation_is_explained_above_its_group():
    unexplained = [
        phrase
        for phrases, comment in _groups_with_their_comments()
        for phrase in phrases
        if len(phrase) <= SHORT and not re.search(rf"\b{re.escape(phrase)}\b", comment)
    ]
    assert unexplained == []
