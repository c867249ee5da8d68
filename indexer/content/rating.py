"""The rating method: an item's cited source records turned into two things kept apart, as GRADE
and the EEF's padlocks keep them apart from an effect's size:

- **how sure we are** (`strength`: strong, moderate, emerging, not-yet-rated), from how many
  sources measured the approach, how well designed they were, whether they tested this approach
  itself (evidence about a broader family of approaches is indirect, and counts one level lower, as
  GRADE downgrades for indirectness) and independently of its developer, and where;
- **what the evidence shows** (`shows`), from what those sources found: positive, mixed, no effect
  or negative; or, where nothing measured it, recommended in guidance or required by law.

`nis validate` computes both for every item and refuses an item whose recorded rating differs,
unless the panel's judgement is written in `evidence.judgement` (the item page shows it). The rules
in plain words are the taxonomy's `criteria` for each strength, printed on the method page
(/evidence); the tests hold the two together, one case per rule.

Identification tools are rated as tools: what counts is how accurately and reliably they identify
need (accuracy studies, or a review of the tool itself), not whether an intervention works.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from indexer.content.model import Citation
from indexer.content.sources import SourceRecord

WELL_DESIGNED = ("systematic-review", "rct")  # for interventions, practices, adjustments, packages
TOOL_STUDIES = ("accuracy-study", "systematic-review")  # for identification tools, when direct
GUIDANCE = ("guideline", "expert-consensus")
TOOL_KIND = "identification-tool"

# The strengths, strongest first (the order the rules are tried in), and what the evidence can show.
# Their labels, definitions and the rules in plain words are the taxonomy's (`evidence_strengths`,
# `evidence_shows`), which must name exactly these; the method page prints them.
STRENGTHS = ("strong", "moderate", "emerging", "not-yet-rated")
SHOWS = ("positive", "mixed", "no-effect", "negative", "recommended", "not-recommended", "required", "not-rated")
_FINDING_SHOWS = {"positive": "positive", "mixed": "mixed", "none": "no-effect", "negative": "negative"}


@dataclass(frozen=True)
class Cited:
    """One citation with its record."""

    citation: Citation
    record: SourceRecord

    @property
    def direct(self) -> bool:
        return self.citation.applies == "direct"

    @property
    def independent(self) -> bool:
        return self.record.independence == "independent"


@dataclass(frozen=True)
class Rating:
    strength: str
    shows: str
    counted: tuple[str, ...]  # the IDs of the sources the strength rests on


def resolve(citations: Sequence[Citation], register: Mapping[str, SourceRecord]) -> list[Cited]:
    """The citations that count as evidence about the approach (not background) and whose source is
    in the register (an unknown ID is reported by the checks)."""
    return [Cited(c, register[c.source]) for c in citations if c.source in register and c.applies != "background"]


def rate(kind: str, cited: Sequence[Cited]) -> Rating:
    """The rating the records give an item of `kind`."""
    measured = [c for c in cited if _measures(kind, c)]
    shows = _shows(measured, cited)
    designs = TOOL_STUDIES if kind == TOOL_KIND else WELL_DESIGNED
    well_designed = [c for c in measured if c.record.type in designs]
    direct_trials = [c for c in well_designed if c.direct and c.independent]
    if (
        len(positive := [c for c in direct_trials if c.record.finding.direction == "positive"]) >= 2
        and any(c.record.in_uk for c in positive)
        and len(positive) == len(direct_trials)
    ):
        return Rating("strong", shows, _ids(positive))
    if direct_trials:
        return Rating("moderate", shows, _ids(direct_trials))
    guidance = [c for c in cited if c.record.type in GUIDANCE]
    if measured or guidance:
        return Rating("emerging", shows, _ids(measured or guidance))
    return Rating("not-yet-rated", shows, ())


def _measures(kind: str, cited: Cited) -> bool:
    """Whether the source measured what a rating of this kind is about."""
    if not cited.record.tests_effect:
        return False
    if kind == TOOL_KIND:  # a tool is rated on its accuracy: a review counts only if it is of the tool
        return cited.record.type == "accuracy-study" or (cited.record.type == "systematic-review" and cited.direct)
    return cited.record.type != "accuracy-study"


def _shows(measured: Sequence[Cited], cited: Sequence[Cited]) -> str:
    """What the sources that measured the approach found; where none did, what guidance or law says."""
    basis = [c for c in measured if c.direct] or measured  # direct evidence speaks first
    if basis:
        found = {_FINDING_SHOWS[c.record.finding.direction] for c in basis}
        return found.pop() if len(found) == 1 else "mixed"
    guidance = {c.record.finding.direction for c in cited if c.record.type in GUIDANCE}
    if "recommends" in guidance:
        return "recommended"
    if "does-not-recommend" in guidance:
        return "not-recommended"
    if any(c.record.type == "statute" for c in cited):
        return "required"
    return "not-rated"


def _ids(cited: Sequence[Cited]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.record.id for c in cited))
