"""Characters no content text may hold: the control characters XML cannot carry (an Atom feed
with one is broken for every reader) and that no editor shows. Tab, line feed and carriage return
are ordinary text."""

from __future__ import annotations

import re
import unicodedata

# C0 controls but tab, LF and CR; DEL; the non-characters U+FFFE/U+FFFF; lone surrogates.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


# Characters that change how text around them is shown without showing themselves: the bidi
# embeddings, overrides and isolates (U+202E shows "exe.txt" as "txt.exe") and the zero-width and
# invisible ones. English text never needs them; in a title, a summary or a recommendation they
# can only hide or reverse what a reader sees.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

# The rule for languages that need some of them: the zero-width non-joiner and joiner (U+200C,
# U+200D) shape words in Persian, Urdu and the Indic scripts, and build emoji sequences. Between
# two letters, marks or symbols of such a script they are allowed; next to Latin text, a space,
# punctuation or the end of the text they can only hide something, and are refused.
JOINERS = frozenset("\u200c\u200d")
JOINABLE = ("L", "M", "So")  # Unicode categories (or their first letter) a joiner may stand between


def _joins_letters(text: str, at: int) -> bool:
    return 0 < at < len(text) - 1 and _joinable(text[at - 1]) and _joinable(text[at + 1])


def _joinable(char: str) -> bool:
    if char.isascii() or "LATIN" in unicodedata.name(char, ""):
        return False
    category = unicodedata.category(char)
    return category in JOINABLE or category[0] in JOINABLE


def first_invisible(text: str) -> str | None:
    """The first invisible or direction-changing character in `text` (a joiner the rule above
    allows is not one), or None."""
    for found in INVISIBLE.finditer(text):
        if not (found.group() in JOINERS and _joins_letters(text, found.start())):
            return found.group()
    return None


def invisible_character_message(char: str) -> str:
    return (
        f"the invisible character {describe(char)} is not allowed here (it hides or reverses the text "
        "around it): delete it"
    )


def describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def first_forbidden(text: str) -> str | None:
    """The first forbidden character in `text`, or None."""
    found = FORBIDDEN.search(text)
    return found.group() if found else None


def forbidden_lines(text: str, first_line: int = 1, limit: int = 5) -> list[tuple[int, str]]:
    """(line, character) for the first forbidden character of each of the first `limit` lines that
    hold one. Lines are counted by line feeds, as editors count them."""
    found: list[tuple[int, str]] = []
    position, line = 0, first_line
    while len(found) < limit:
        match = FORBIDDEN.search(text, position)
        if match is None:
            break
        line += text.count("\n", position, match.start())
        found.append((line, match.group()))
        line_end = text.find("\n", match.start())
        if line_end < 0:
            break
        position = line_end  # the rest of this line is skipped; its line feed is counted next
    return found


def control_character_message(char: str) -> str:
    return (
        f"the control character {describe(char)} is not allowed in content "
        "(it cannot appear in a feed and no editor shows it): delete it"
    )
