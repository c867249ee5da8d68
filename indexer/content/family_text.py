"""Words in an item's family summary (`for_families`) that promise an outcome or claim evidence.

Family text describes what the setting does and what the child experiences; it does not promise a
result ("so they can focus on learning") or vouch for the evidence ("proven"): the evidence section
says what is known. The list is short on purpose. It catches the usual ways a promise slips in, is
no substitute for reading the text against the item's evidence, and leaves out words that mostly
describe honestly:
- "helps": an adult who helps a child is doing something; "This helps children who ..." is a claim
  the reader has to catch.
- "so you can": tells a parent what they can do with what they are given ("a note comes home so you
  can praise progress").
- "stops" and "fixes": adults stop a game and fix a ramp.
- "makes sure": describes a duty as often as it promises a result.
Where "they" are the staff, an author names them ("so staff can prompt it" is not caught).
The authors' guide (content/README.md) lists the same phrases; keep the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OUTCOME = "family text describes what happens; it does not promise an outcome"
EVIDENCE = "family text makes no evidence claim; the evidence section says what is known"

_CHILD = r"(?:they|he|she|your child|the child|each child|every child|children|everyone)"


@dataclass(frozen=True)
class PromiseWords:
    pattern: str  # a regular expression, matched case-insensitively between word boundaries
    why: str


# Spaces in a pattern match any run of white space, so a phrase split across lines is still found.
PROMISE_WORDS: tuple[PromiseWords, ...] = (
    PromiseWords(rf"so (?:that )?{_CHILD} (?:can|will|is|are)", OUTCOME),  # "so they can enjoy lunch"
    PromiseWords(r"will (?:help|improve|be able to)", OUTCOME),
    PromiseWords(r"ready to learn", OUTCOME),
    PromiseWords(r"focus(?:es)? on (?:their )?learning", OUTCOME),
    PromiseWords(r"ensures?", OUTCOME),
    PromiseWords(r"guarantees", OUTCOME),  # not "no guarantee", an honest caveat
    PromiseWords(r"prevents?", OUTCOME),
    PromiseWords(r"cures", OUTCOME),  # not "there is no cure"
    PromiseWords(r"(?:clinically )?proven", EVIDENCE),
    PromiseWords(r"(?:research|studies|evidence) (?:shows?|proves?)", EVIDENCE),
)

_COMPILED = tuple(
    (re.compile(r"\b" + words.pattern.replace(" ", r"\s+") + r"\b", re.IGNORECASE), words.why)
    for words in PROMISE_WORDS
)


def promises_in(text: str) -> list[tuple[str, str]]:
    """Each promise found in `text` as (the words as written, on one line; why they do not belong),
    in the order they appear, each distinct phrase once."""
    found: dict[str, tuple[int, str, str]] = {}
    for pattern, why in _COMPILED:
        for match in pattern.finditer(text):
            phrase = " ".join(match.group().split())
            found.setdefault(phrase.lower(), (match.start(), phrase, why))
    return [(phrase, why) for _, phrase, why in sorted(found.values())]
