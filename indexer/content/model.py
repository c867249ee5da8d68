"""The content model: what an evidence item is, as typed objects.

One model per kind of item. Field values that come from the taxonomy (areas, layers, ...) are
plain strings here and are checked against `content/taxonomy.yaml` by `indexer.content.checks`, so the
taxonomy can change without a code change. Everything else reads items through these classes.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import AnyHttpUrl, ConfigDict, Discriminator, Field, Tag, model_validator

from indexer.content.schema import Slug, Strict, Text, plain_text

# ASCII digits only: \d would also take other scripts' digits, giving one item a second address.
ITEM_ID_PATTERN = r"^[A-Z]{3}-[0-9]{4,6}$"
ItemId = Annotated[str, Field(pattern=ITEM_ID_PATTERN)]  # e.g. INT-0042
SlugList = Annotated[list[Slug], Field(min_length=1)]
TextList = Annotated[list[Text], Field(min_length=1)]
SUMMARY_MAX = 300
FOR_FAMILIES_MAX = 600
# A recommendation from a review, e.g. R-2031-S-07: year, publication letter, number.
RecommendationId = Annotated[str, Field(pattern=r"^R-\d{4}-[A-Z]-\d{2,3}$")]


class Intensity(Strict):
    description: Text
    session_minutes: int | None = Field(default=None, ge=1, le=600)
    sessions_per_week: int | None = Field(default=None, ge=1, le=35)
    weeks: int | None = Field(default=None, ge=1, le=104)


class Training(Strict):
    level: Slug
    description: Text


class Source(Strict):
    """A source written out in the item itself, as items did before the source register: only
    published versions of that time hold these. New versions cite the register (`Citation`)."""

    citation: Text
    year: int | Literal["undated"] = Field(union_mode="left_to_right")
    design: Slug
    url: AnyHttpUrl | None = None
    note: Text | None = None
    # The study evaluated this item itself (not a broader family of approaches, such as a Toolkit
    # strand), independently of the people who make or sell it: the strength rules count these.
    tests_item: bool = False

    @model_validator(mode="after")
    def _plausible_year(self) -> Source:
        if isinstance(self.year, int) and not 1900 <= self.year <= 2100:
            raise ValueError(f"year {self.year} is not a plausible publication year")
        return self


class Citation(Strict):
    """A source of the register (`content/sources/`), cited by its ID, with how it applies here."""

    source: Slug
    # direct: the source tested (or, for guidance, names) this very approach; indirect: a broader
    # family of approaches, another population or a related practice, which `why` says; background:
    # cited for context or as a caution, not as evidence about this approach (it does not count).
    applies: Literal["direct", "indirect", "background"]
    why: Text | None = None
    note: Text | None = None  # what in the source bears on this item: a recommendation, a part

    @model_validator(mode="after")
    def _indirect_says_why(self) -> Citation:
        if self.applies != "direct" and self.why is None:
            raise ValueError(
                f"a source that applies '{self.applies}' needs 'why': how it differs from this item's approach, "
                "or what it is cited for"
            )
        if self.applies == "direct" and self.why is not None:
            raise ValueError("'why' explains an indirect or background source: remove it, or change 'applies'")
        return self


def _source_kind(value: object) -> str:
    """Which of the two forms an entry of `evidence.sources` is: read from YAML (a dict) or dumped."""
    cites = "source" in value if isinstance(value, dict) else isinstance(value, Citation)
    return "citation" if cites else "inline"


class Evidence(Strict):
    strength: Slug  # how sure we are: computed from the cited records (indexer.content.rating)
    shows: Slug | None = None  # what the evidence shows; versions before the register have none
    population: Slug | None = None  # versions before the register: population is now per source
    summary: Text
    sources: list[
        Annotated[Annotated[Citation, Tag("citation")] | Annotated[Source, Tag("inline")], Discriminator(_source_kind)]
    ] = []
    # The panel's written reason when the recorded rating differs from the one the records give.
    judgement: Text | None = None

    @property
    def citations(self) -> list[Citation]:
        return [s for s in self.sources if isinstance(s, Citation)]


class Change(Strict):
    """What the next published version of the item changes: written by the author in the working
    copy, recorded in the version by `nis publish`. Only a substantive change asks the owners of
    Individual Support Plans that cite the item to look again."""

    model_config = Strict.model_config | ConfigDict(serialize_by_alias=True)

    class_: Literal["substantive", "editorial"] = Field(alias="class")
    note: Text
    implements: list[RecommendationId] = []


class ItemBase(Strict):
    id: ItemId
    kind: Slug
    title: Text
    summary: Annotated[str, Field(min_length=1, max_length=SUMMARY_MAX)]
    # The item in plain words for parents and carers: no evidence claims the item does not make.
    for_families: Annotated[str, *plain_text(FOR_FAMILIES_MAX)] | None = None
    sample: bool  # illustrative sample content, not the official Standards
    status: Literal["active", "withdrawn"] = "active"
    replaced_by: ItemId | None = None
    areas: SlugList
    subcomponents: list[Slug] = []
    layers: SlugList
    universal_offer: list[Slug] = []
    phases: SlugList
    settings: SlugList
    delivered_by: SlugList
    format: SlugList
    intensity: Intensity
    training: Training
    cost: Slug
    tags: list[Text] = []
    related: list[ItemId] = []
    evidence: Evidence
    change: Change | None = None

    def references(self) -> dict[str, list[str]]:
        """Every field that names other items, by field name."""
        refs = {"related": list(self.related)}
        if self.replaced_by:
            refs["replaced_by"] = [self.replaced_by]
        return refs


class Practice(ItemBase):
    kind: Literal["practice"]


class Intervention(ItemBase):
    kind: Literal["intervention"]


class AgeRange(Strict):
    from_years: float = Field(ge=0, le=25)
    to_years: float = Field(ge=0, le=25)

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.from_years > self.to_years:
            raise ValueError("from_years must not be greater than to_years")
        return self


class ToolFacts(Strict):
    """What a setting needs to know to choose and use a tool, as its sources state it ("not
    recorded" where this library has not checked): its accuracy is in its sources' records."""

    norms: Text  # which population the scores are compared with, where and when ("UK norms, 2017")
    administered_by: Text  # who may give it: a qualification level, or anyone after a briefing
    licence: Text  # who owns it and what it costs to use: free, a subscription, a bought kit
    languages: Text  # the languages it is available in


class IdentificationTool(ItemBase):
    kind: Literal["identification-tool"]
    identifies: Text
    age_range: AgeRange
    time_to_complete: Text
    leads_to: list[ItemId]  # an empty list is reported as "leads nowhere" by the checks
    # Versions published before the facts were recorded have none; a working copy must have them.
    tool: ToolFacts | None = None

    def references(self) -> dict[str, list[str]]:
        return super().references() | {"leads_to": list(self.leads_to)}


class Adjustment(ItemBase):
    kind: Literal["adjustment"]
    barrier: Text


class Resources(Strict):
    staffing: TextList
    training: TextList
    equipment: TextList


class Package(ItemBase):
    kind: Literal["package"]
    need_profile: Text
    expected_outcomes: TextList
    provision: TextList
    adaptations: TextList
    resources: Resources
    costing_reference: Text
    components: list[ItemId] = []

    def references(self) -> dict[str, list[str]]:
        return super().references() | {"components": list(self.components)}


Item = Practice | Intervention | IdentificationTool | Adjustment | Package
_ITEM_MODELS: tuple[type[Item], ...] = (Practice, Intervention, IdentificationTool, Adjustment, Package)
# Each model's kind, read from its `kind: Literal[...]`.
MODEL_FOR_KIND: dict[str, type[Item]] = {
    get_args(model.model_fields["kind"].annotation)[0]: model for model in _ITEM_MODELS
}
