"""Front-matter paths as the diff page shows them: in words ("Evidence source 4: citation"), not
as code (`evidence.sources[4].citation`)."""

from __future__ import annotations

import re

# Every field of the content model (indexer/content/model.py) people may see change; a field not
# named here is still shown in words, from its own name.
WORDS = {
    "title": "Title",
    "summary": "Summary",
    "for_families": "Summary for families",
    "sample": "Sample content",
    "status": "Status",
    "replaced_by": "Replaced by",
    "areas": "Areas of development",
    "subcomponents": "Sub-components",
    "layers": "Layers of support",
    "universal_offer": "Elements of the Universal offer",
    "phases": "Phases",
    "settings": "Settings",
    "delivered_by": "Who delivers it",
    "format": "Format",
    "intensity": "Time",
    "description": "description",
    "session_minutes": "minutes a session",
    "sessions_per_week": "sessions a week",
    "weeks": "weeks",
    "training": "Training",
    "level": "level",
    "cost": "Cost",
    "tags": "Search tags",
    "related": "Related items",
    "evidence": "Evidence",
    "strength": "strength",
    "population": "who it was studied with",
    "sources": "source",
    "citation": "citation",
    "year": "year",
    "design": "study design",
    "url": "web address",
    "note": "note",
    "tests_item": "tested this item itself",
    "leads_to": "What this tool leads to",
    "identifies": "What it identifies",
    "age_range": "Ages",
    "from_years": "from (years)",
    "to_years": "to (years)",
    "time_to_complete": "Time to complete",
    "barrier": "Barrier it removes",
    "need_profile": "Need profile",
    "expected_outcomes": "Expected outcomes",
    "provision": "Provision",
    "adaptations": "Adaptations",
    "resources": "Resources",
    "staffing": "staffing",
    "equipment": "equipment",
    "costing_reference": "Costing framework",
    "components": "Parts of the package",
}
PART = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def field_words(path: str) -> str:
    """`evidence.sources[4].citation` → "Evidence source 4: citation"; `intensity.weeks` → "Time: weeks"."""
    words = []
    for part in path.split("."):
        match = PART.fullmatch(part)
        if match is None:
            return path
        name, number = match.groups()
        word = WORDS.get(name, name.replace("_", " "))
        words.append(f"{word} {number}" if number else word)
    if not words:
        return path
    first, rest = words[0], words[1:]
    if rest and rest[0].startswith("source"):  # "Evidence" + "source 4" read as one phrase
        first, rest = f"{first} {rest[0]}", rest[1:]
    text = ": ".join([first, *rest])
    return text[:1].upper() + text[1:]
