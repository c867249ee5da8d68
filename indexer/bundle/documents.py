"""What is searchable about an item: one place decides the text that is indexed, the text that is
embedded, the facet values it is filtered by, and the row stored in the bundle."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from indexer.content.body import Body
from indexer.content.hashing import digest
from indexer.content.model import Item
from indexer.content.taxonomy import Taxonomy

# Bump when what goes into the keyword index changes (fields, analyzer): forces a full rebuild.
DOCUMENT_VERSION = "5"  # 5: versions carry their frozen source records; 4: the bundle records each item's passages; 3: word families (indexer.bundle.analysis)
# Bump when the way the embedding text is made changes: its vectors are then made again. Apart from
# this, an item's vector is reused exactly while its embedding text is unchanged.
EMBEDDING_VERSION = "1"
EVERYDAY_WORDS_DOCUMENT = "everyday_words"  # the bundle's record of the words its items were indexed with
PASSAGES_DOCUMENT = "passages"  # each item's passages, embedded one by one (SearchDocument.passages)
# A passage: paragraphs and list items of the practical sections, gathered until it has this many
# words. The model reads at most 256 word pieces of an item's whole text, so most of what an item
# says to do would otherwise never be compared with a query.
PASSAGE_WORDS = 40
_PARAGRAPHS = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.)\s)")
_MARKDOWN = re.compile(r"(\*\*|__|`|^#+\s*|^\s*[-*+]\s+|^\s*\d+\.\s+|\[([^\]]*)\]\([^)]*\))", re.MULTILINE)
SCOPE_DOCUMENT = "scope"  # the topics the library does not cover (content/scope.yaml), when it has them
SOURCES_DOCUMENT = "sources"  # the source register (content/sources/): each record, by ID

# The sections a teacher matches against first; the rest of the body is indexed with less weight.
PRACTICAL_SECTIONS = (
    "What it is",
    "How to do it",
    "Who and when",
    "How to use it",
    "What it tells you",
    "Who it is for",
    "What it provides",
    "How it is delivered",
)


@dataclass(frozen=True)
class Facet:
    name: str  # the filter's name in queries, URLs and the API
    field: str  # the item field it reads
    vocabulary: str  # the taxonomy list its values come from
    label: str


# The facets search can filter by and count, in the order a finder page shows them.
FACETS: tuple[Facet, ...] = (
    Facet("area", "areas", "areas", "Area of development"),
    Facet("subcomponent", "subcomponents", "subcomponents", "Sub-component"),
    Facet("layer", "layers", "layers", "Layer of support"),
    Facet("phase", "phases", "phases", "Phase"),
    Facet("kind", "kind", "kinds", "Kind"),
    Facet("setting", "settings", "settings", "Setting"),
    Facet("evidence", "evidence.strength", "evidence_strengths", "Evidence strength"),
    Facet("cost", "cost", "cost_bands", "Cost"),
)
FACET_BY_NAME = {facet.name: facet for facet in FACETS}


def facet_values(item: Item, facet: Facet) -> list[str]:
    value: object = item
    for part in facet.field.split("."):
        value = getattr(value, part)
    if isinstance(value, list):
        return list(value)
    assert isinstance(value, str)  # every facet's field is a slug or a list of slugs
    return [value]


@dataclass(frozen=True)
class SearchDocument:
    id: str
    title: str
    summary: str
    tags: str
    practical: str
    rest: str
    labels: str
    everyday: str = ""  # the everyday words of content/everyday-words.yaml, one phrase a line

    def embedding_text(self) -> str:
        # all-MiniLM-L6-v2 reads at most 256 word pieces: what a reader would match comes first,
        # the everyday words before the practical sections they describe.
        everyday = "; ".join(self.everyday.splitlines())
        return ". ".join(part for part in (self.title, self.summary, everyday, self.tags, self.practical) if part)

    def passages(self) -> tuple[str, ...]:
        """The practical sections as passages of about PASSAGE_WORDS words, in plain text, each
        embedded on its own: search compares a query with an item's closest passage too."""
        found: list[str] = []
        gathered: list[str] = []
        for paragraph in _PARAGRAPHS.split(self.practical):
            text = plain_text(paragraph)
            if text:
                gathered.append(text)
            if sum(len(g.split()) for g in gathered) >= PASSAGE_WORDS:
                found.append(" ".join(gathered))
                gathered = []
        if gathered:
            found.append(" ".join(gathered))
        return tuple(dict.fromkeys(found))


def plain_text(markdown: str) -> str:
    """Markdown as plain words: emphasis, code marks, headings' and lists' marks and link targets
    dropped (a link keeps its text)."""
    return " ".join(_MARKDOWN.sub(lambda m: m.group(2) or " ", markdown).split())


def search_document(item: Item, body: Body, taxonomy: Taxonomy, everyday: tuple[str, ...] = ()) -> SearchDocument:
    practical = [s.text for s in body.sections if s.heading in PRACTICAL_SECTIONS]
    rest = [s.text for s in body.sections if s.heading not in PRACTICAL_SECTIONS]
    rest.append(item.evidence.summary)
    for extra in ("identifies", "barrier", "need_profile"):
        if getattr(item, extra, None):
            rest.append(getattr(item, extra))
    labels = []
    for facet in FACETS:
        vocabulary = taxonomy.vocabulary(facet.vocabulary)
        for value in facet_values(item, facet):
            term = vocabulary.terms.get(value)
            if term is not None:
                labels.append(term.label)
    return SearchDocument(
        id=item.id,
        title=item.title,
        summary=item.summary,
        tags=", ".join(item.tags),
        practical="\n\n".join(practical),
        rest="\n\n".join(rest),
        labels=" · ".join(labels),
        everyday="\n".join(everyday),
    )


def document_hash(document: SearchDocument) -> str:
    """Changes exactly when the item's indexed text changes."""
    return digest(DOCUMENT_VERSION, json.dumps(document.__dict__, sort_keys=True))


def phrase_hash(phrase: str, model_name: str) -> str:
    """The vector of one everyday phrase, embedded on its own: search compares a query with each
    of an item's phrases too, since a parent's words match one phrase far better than a page."""
    return digest(EMBEDDING_VERSION, model_name, "everyday phrase", phrase)


def passage_hash(passage: str, model_name: str) -> str:
    """The vector of one passage of an item (`SearchDocument.passages`), embedded on its own."""
    return digest(EMBEDDING_VERSION, model_name, "passage", passage)


def embedding_hash(document: SearchDocument, model_name: str) -> str:
    """Changes exactly when the text the model reads changes (so its vector is made again)."""
    return digest(EMBEDDING_VERSION, model_name, document.embedding_text())
