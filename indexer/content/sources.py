"""The source register (`content/sources/<id>.yaml`): each study, review, guideline or law the
library cites, described once, so that a rating can be traced to the records it follows from.

A record says what the source is (type), whose evidence it is (population), where and how large it
was as the source states it, what it measured and what it found (direction, and an effect only as
the source states it: the library never computes one), and whether it is independent of the
approach's developer. An item cites a source by its ID and says how it applies to the item
(`indexer.content.model.Citation`); `indexer.content.rating` turns an item's citations into its
rating.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import AnyHttpUrl, Field, model_validator

from indexer.content.schema import Slug, Strict, Text

SOURCES_DIR = "sources"
SOURCE_SUFFIX = ".yaml"

SourceType = Literal[
    "systematic-review",
    "rct",
    "quasi-experimental",
    "single-case",
    "practice-based",
    "accuracy-study",
    "guideline",
    "expert-consensus",
    "statute",
    "database-listing",
]
Direction = Literal[
    "positive", "mixed", "none", "negative", "not-reported", "describes", "recommends", "does-not-recommend", "requires"
]
Population = Literal["send-specific", "mixed", "general"]
Independence = Literal["independent", "developer", "unclear", "not-applicable"]

# What a source found, by what kind of source it is. A study measures an effect; an accuracy study
# measures how well a tool identifies need; guidance recommends; law requires; a listing describes.
TESTS: tuple[Direction, ...] = ("positive", "mixed", "none", "negative")
# A study that stopped, or has not reported, found nothing either way: it is recorded, never counted.
STUDY: tuple[Direction, ...] = TESTS + ("not-reported",)
FINDINGS_FOR_TYPE: dict[SourceType, tuple[Direction, ...]] = {
    "systematic-review": STUDY,
    "rct": STUDY,
    "quasi-experimental": STUDY,
    "single-case": STUDY,
    "practice-based": STUDY + ("describes",),  # a survey or project report may only describe
    "accuracy-study": STUDY,
    "guideline": ("recommends", "does-not-recommend"),
    "expert-consensus": ("recommends", "does-not-recommend"),
    "statute": ("requires",),
    "database-listing": ("describes",),
}
SOURCE_TYPES: tuple[SourceType, ...] = get_args(SourceType)
POPULATIONS: tuple[Population, ...] = get_args(Population)
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
INDEPENDENCE: tuple[Independence, ...] = get_args(Independence)
UK_COUNTRIES = ("England", "UK", "United Kingdom", "Great Britain", "Scotland", "Wales", "Northern Ireland")


class Finding(Strict):
    direction: Direction
    effect: Text | None = None  # exactly as the source states it, e.g. "+4 months"
    metric: Text | None = None  # what the effect is measured in; required with an effect
    summary: Text  # what it found or says, in the library's own words

    @model_validator(mode="after")
    def _effect_has_metric(self) -> Finding:
        if self.effect is not None and self.metric is None:
            raise ValueError("an effect needs its 'metric': what it is measured in, as the source states it")
        if self.metric is not None and self.effect is None:
            raise ValueError("'metric' describes an effect: give the 'effect' as the source states it, or remove it")
        return self


class SourceRecord(Strict):
    id: Slug
    citation: Text
    year: int | Literal["undated"] = Field(union_mode="left_to_right")
    url: AnyHttpUrl | None = None
    type: SourceType
    population: Population
    population_detail: Text | None = None
    phases: list[Slug] = []
    country: Text  # as the source states it: England, UK, US, international, ... or "not stated"
    size: Text | None = None  # only as the source states it: "48 studies", "1,156 children"
    outcomes: list[Text] = []
    finding: Finding
    accuracy: Text | None = None  # an accuracy study's figures, as the source states them
    independence: Independence
    caveats: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SourceRecord:
        if isinstance(self.year, int) and not 1900 <= self.year <= 2100:
            raise ValueError(f"year {self.year} is not a plausible publication year")
        allowed = FINDINGS_FOR_TYPE[self.type]
        if self.finding.direction not in allowed:
            raise ValueError(
                f"a source of type '{self.type}' cannot find '{self.finding.direction}': "
                f"its finding's direction is one of {', '.join(allowed)}"
            )
        if self.accuracy is not None and self.type != "accuracy-study":
            raise ValueError("'accuracy' is for accuracy studies: give this source's figures in its finding")
        return self

    @property
    def in_uk(self) -> bool:
        """Whether the source was carried out in the UK (the strength rules' 'like an English setting')."""
        return self.country.strip() in UK_COUNTRIES

    @property
    def tests_effect(self) -> bool:
        """Whether it measured something (an effect, or a tool's accuracy), rather than recommending,
        requiring or describing."""
        return self.finding.direction in TESTS
