"""The glossary (`/glossary`): every word of the library's own vocabulary explained in one place,
from the data in `content/` (the taxonomy's labels and definitions, the abbreviations in
`synonyms.yaml`), so the pages can link each tag and filter to its meaning; and what the library
covers and what it does not, with the places to go instead (`scope.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.content.scope import Topic
from nis_library.catalogue import Catalogue

SCOPE_ANCHOR = "scope"  # the home page and every scope notice link to it
SCOPE_HEADING = "What the library covers, and what it does not"


@dataclass(frozen=True)
class Entry:
    anchor: str  # `layers-targeted`: what a tag links to
    term: str
    meaning: str
    parts: list[tuple[str, str]] = field(default_factory=list)  # an area's sub-components
    needs: str = ""  # an evidence strength's published criteria: what a rating needs


@dataclass(frozen=True)
class Section:
    anchor: str  # the vocabulary's name: what a filter heading links to
    heading: str
    introduction: str
    entries: list[Entry]


# The taxonomy's vocabularies the pages show as tags or filters, in the order people meet them.
VOCABULARIES = (
    ("areas", "The five areas of development", "How the library is organised: each item supports one or more."),
    (
        "layers",
        "Layers of support",
        "How much help, from what every setting offers every child to specialist provision.",
    ),
    (
        "evidence_strengths",
        "Evidence strength",
        "How sure we are about the research behind an approach, computed from the records of its sources "
        "(see 'How we rate the evidence'). It describes the evidence, not how well it suits a particular child.",
    ),
    (
        "evidence_shows",
        "What the evidence shows",
        "What the sources behind an approach found, kept apart from how sure we are. How both are worked "
        "out from the sources is on the page 'How we rate the evidence'.",
    ),
    ("kinds", "Kinds of item", "What sort of thing an item is."),
    (
        "send_terms",
        "Words of the SEND system in England",
        "Terms from the SEND Code of Practice (2015) and local guidance that settings, plans and letters use.",
    ),
    ("phases", "Phases", "The stages of education an item is for."),
    ("settings", "Settings", "The places an item can be used."),
    ("cost_bands", "Cost", "The setting's extra cost per child per year, beyond staff time already in place."),
)


def glossary(catalogue: Catalogue) -> list[Section]:
    taxonomy = catalogue.taxonomy
    sections = []
    for name, heading, introduction in VOCABULARIES:
        entries = []
        for term in getattr(taxonomy, name):
            parts = [(s.label, s.definition or "") for s in getattr(term, "subcomponents", [])]
            needs = getattr(term, "criteria", None) or ""
            entries.append(Entry(f"{name}-{term.id}", term.label, term.definition or "", parts, needs))
        sections.append(Section(name, heading, introduction, entries))
    abbreviations = sorted(catalogue.synonyms.abbreviations, key=lambda a: a.short.lower())
    sections.append(
        Section(
            "abbreviations",
            "Common abbreviations",
            "Searching for an abbreviation finds the items that use the words it stands for.",
            [Entry(f"abbreviations-{a.short.lower()}", a.short, a.means) for a in abbreviations],
        )
    )
    return sections


@dataclass(frozen=True)
class ScopeTopic:
    anchor: str  # `scope-medical-conditions`
    heading: str  # the topic's title as a heading: its first letter a capital
    topic: Topic


@dataclass(frozen=True)
class ScopeSection:
    anchor: str
    heading: str
    covers: str  # what the library does cover
    topics: list[ScopeTopic]


def scope_section(catalogue: Catalogue) -> ScopeSection | None:
    """What the library covers, then every topic it does not with its places to go; None for a
    bundle built without a scope file."""
    scope = catalogue.scope
    if scope is None:
        return None
    topics = [ScopeTopic(f"{SCOPE_ANCHOR}-{t.id}", t.title[:1].upper() + t.title[1:], t) for t in scope.topics]
    return ScopeSection(SCOPE_ANCHOR, SCOPE_HEADING, scope.covers, topics)
