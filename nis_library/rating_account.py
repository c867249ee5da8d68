""" "How we rated this": an item's rating traced to its sources, for its page, its print and the API.

The account is made from the item's own citations and the bundle's source register by the same
method `nis validate` applies (`indexer.content.rating`): the sources with their records, how each
applies to the item, which ones the strength rests on, the rule that gave it, and the panel's
judgement where the recorded rating departs from the one the records give. A version published
before the register wrote its sources out and has no account: it says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from indexer.content import rating
from indexer.content.model import Evidence
from indexer.content.sources import SourceRecord
from indexer.content.taxonomy import Taxonomy
from nis_library.catalogue import Catalogue, ItemDetail
from nis_library.history import published_history as history
from nis_library.history.published_history import VersionDetail

METHOD_PATH = "/evidence"


@dataclass(frozen=True)
class CitedSource:
    record: SourceRecord
    applies: str  # direct, indirect or background
    why: str | None  # how an indirect source differs from the item's approach
    note: str | None  # what in the source bears on the item
    counted: bool  # the strength rests on it


@dataclass(frozen=True)
class RatingAccount:
    strength: str  # as recorded on the item
    shows: str
    computed_strength: str  # as the records give it
    computed_shows: str
    rule: str  # the computed strength's rule, in plain words (the taxonomy's criteria)
    sources: tuple[CitedSource, ...]
    judgement: str | None  # the panel's reason for departing from the records

    @property
    def departs(self) -> bool:
        """Whether the recorded rating is the panel's judgement rather than the one the records give."""
        return (self.strength, self.shows) != (self.computed_strength, self.computed_shows)

    def document(self, root: str) -> dict:
        """The account as the API gives it."""
        return {
            "strength": self.strength,
            "shows": self.shows,
            "computed": {"strength": self.computed_strength, "shows": self.computed_shows, "rule": self.rule},
            "judgement": self.judgement,
            "method": f"{root}{METHOD_PATH}",
            "sources": [
                {
                    **cited.record.model_dump(mode="json"),
                    "applies": cited.applies,
                    "why": cited.why,
                    "note": cited.note,
                    "counted": cited.counted,
                }
                for cited in self.sources
            ],
        }


def frozen_records(documents: dict[str, dict]) -> dict[str, SourceRecord]:
    """Source records as a published version's row holds them (validated when they were frozen)."""
    return {source_id: SourceRecord.model_validate(record) for source_id, record in documents.items()}


def account(kind: str, evidence: dict, register: dict[str, SourceRecord], taxonomy: Taxonomy) -> RatingAccount | None:
    """The account of an item's rating from its front matter's `evidence`; None for a version that
    wrote its sources out (published before the register) or cites a source the register lacks."""
    try:
        parsed = Evidence.model_validate(evidence)
    except ValidationError:
        return None
    if len(parsed.citations) != len(parsed.sources) or any(c.source not in register for c in parsed.citations):
        return None
    given = rating.rate(kind, rating.resolve(parsed.citations, register))
    criteria = next((s.criteria or "" for s in taxonomy.evidence_strengths if s.id == given.strength), "")
    return RatingAccount(
        strength=parsed.strength,
        shows=parsed.shows or given.shows,
        computed_strength=given.strength,
        computed_shows=given.shows,
        rule=criteria,
        sources=tuple(
            CitedSource(register[c.source], c.applies, c.why, c.note, c.source in given.counted)
            for c in parsed.citations
        ),
        judgement=parsed.judgement,
    )


def for_item(catalogue: Catalogue, detail: ItemDetail) -> RatingAccount | None:
    """The account of an item page's rating: a published version's from the records frozen with it;
    a working copy's (a preview's draft) from the register as it is."""
    register = catalogue.sources
    if detail.version and not detail.draft:
        version = history.version(catalogue, detail.summary.id, detail.version)
        register = frozen_records(version.sources) if version else {}
    return account(detail.summary.kind, detail.data.get("evidence") or {}, register, catalogue.taxonomy)


def for_version(catalogue: Catalogue, version: VersionDetail) -> RatingAccount | None:
    """The account of one published version, from the records frozen with it."""
    evidence = version.data.get("evidence") or {}
    return account(version.summary.kind, evidence, frozen_records(version.sources), catalogue.taxonomy)
