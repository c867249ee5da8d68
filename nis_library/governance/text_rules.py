"""The rules the free text of a recommendation, a response or a reason must meet: not empty, not
over-long, no control characters (they could hide text, break the CSV or the feed) and no invisible or
direction-changing ones (they could hide or reverse it on the register). Line breaks are kept."""

from __future__ import annotations

import re
import unicodedata

from indexer.content.characters import first_invisible

LIMITS = {
    "text": 2000,
    "rationale": 5000,
    "explanation": 5000,
    "reason": 2000,
}

LABELS = {
    "text": "The recommendation",
    "rationale": "The rationale",
    "explanation": "The explanation",
    "reason": "The reason",
}

# Lone surrogates and the non-characters XML cannot hold, besides the C0/C1 controls.
_NOT_TEXT = re.compile("[\ud800-\udfff\ufffe\uffff]")


def problem(field: str, value: str | None) -> str | None:
    """What is wrong with a field's text, or None if it can be saved as `clean(value)`."""
    label, limit = LABELS[field], LIMITS[field]
    value = clean(value)
    if not value:
        return f"{label} cannot be empty."
    if len(value) > limit:
        return f"{label} must be {limit} characters or fewer; it has {len(value)}."
    bad = next((c for c in value if _is_control(c)), None)
    if bad is not None:
        return f"{label} contains a control character (U+{ord(bad):04X}); remove it."
    hidden = first_invisible(value)
    if hidden is not None:
        return f"{label} contains an invisible character (U+{ord(hidden):04X}) that hides or reverses text; remove it."
    return None


def clean(value: str | None) -> str:
    """One spelling of line breaks, no surrounding white space."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _is_control(character: str) -> bool:
    if character in "\n\t":
        return False
    return unicodedata.category(character) in ("Cc", "Cs") or bool(_NOT_TEXT.match(character))
