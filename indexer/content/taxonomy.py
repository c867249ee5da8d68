"""The taxonomy (`content/taxonomy.yaml`) and publications (`content/publications.yaml`) as typed objects.

Code reads every controlled value from these files; none is hard-coded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from pydantic import Field, model_validator

from indexer.content import rating, sources
from indexer.content.schema import Slug, Strict, Text


class Term(Strict):
    id: Slug
    label: Text
    definition: Text | None = None
    aliases: list[Slug] = []


class Area(Term):
    subcomponents: list[Term] = Field(min_length=1)


class Phase(Term):
    min_age: int = Field(ge=0, le=25)
    max_age: int = Field(ge=0, le=25)


class Strength(Term):
    needs_sources: bool  # whether an item claiming this strength must cite a source
    criteria: Text | None = None  # the rating method's rule for it, in plain words (the method page shows it)


class Kind(Term):
    id_prefix: str = Field(pattern=r"^[A-Z]{3}$")
    sections: list[Text] = Field(min_length=1)
    # The section that discusses the evidence: item pages show it in the evidence panel.
    evidence_section: Text | None = None
    layers: list[Slug] | None = None  # where a kind is confined to some layers

    @model_validator(mode="after")
    def _evidence_section_is_a_section(self) -> Kind:
        if self.evidence_section is not None and self.evidence_section not in self.sections:
            raise ValueError(f"evidence_section '{self.evidence_section}' is not one of the kind's sections")
        return self


class Vocabulary:
    """One controlled list: its terms by id, and its aliases pointing at ids."""

    def __init__(self, name: str, terms: Iterable[Term]):
        self.name = name
        self.terms = {term.id: term for term in terms}
        self.aliases = {alias: term.id for term in self.terms.values() for alias in term.aliases}

    def __contains__(self, value: object) -> bool:
        return value in self.terms

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms.values())

    def ids(self) -> list[str]:
        return list(self.terms)

    def canonical(self, value: str) -> str | None:
        """The id for an id or an alias (case-insensitive), else None."""
        value = value.strip().lower()
        return value if value in self.terms else self.aliases.get(value)


class Taxonomy(Strict):
    areas: list[Area] = Field(min_length=1)
    layers: list[Term] = Field(min_length=1)
    universal_offer: list[Term] = Field(min_length=1)
    phases: list[Phase] = Field(min_length=1)
    settings: list[Term] = Field(min_length=1)
    delivered_by: list[Term] = Field(min_length=1)
    formats: list[Term] = Field(min_length=1)
    evidence_strengths: list[Strength] = Field(min_length=1)
    evidence_shows: list[Term] = Field(min_length=1)
    evidence_populations: list[Term] = Field(min_length=1)
    source_populations: list[Term] = Field(min_length=1)
    source_findings: list[Term] = Field(min_length=1)
    source_independence: list[Term] = Field(min_length=1)
    study_designs: list[Term] = Field(min_length=1)
    send_terms: list[Term] = []  # words of England's SEND system the glossary explains; not tags
    cost_bands: list[Term] = Field(min_length=1)
    training_levels: list[Term] = Field(min_length=1)
    kinds: list[Kind] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> Taxonomy:
        for name in type(self).model_fields:
            ids = [term.id for term in getattr(self, name)]
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"{name}: duplicate ids {duplicates}")
        sub_ids = [s.id for a in self.areas for s in a.subcomponents]
        duplicates = sorted({i for i in sub_ids if sub_ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"sub-component ids must be unique across areas: {duplicates}")
        layer_ids = {layer.id for layer in self.layers}
        for kind in self.kinds:
            unknown = set(kind.layers or []) - layer_ids
            if unknown:
                raise ValueError(f"kind '{kind.id}' names unknown layers {sorted(unknown)}")
        self._names_the_rating_method_values()
        return self

    def _names_the_rating_method_values(self) -> None:
        """The rating method (indexer.content.rating) computes these values: the taxonomy must give
        words to exactly its strengths and findings, and to every type and population of source."""
        expected: dict[str, set[str]] = {
            "evidence_strengths": set(rating.STRENGTHS),
            "evidence_shows": set(rating.SHOWS),
            "source_populations": set(sources.POPULATIONS),
            "source_findings": set(sources.DIRECTIONS),
            "source_independence": set(sources.INDEPENDENCE),
        }
        for name, wanted in expected.items():
            have = {term.id for term in getattr(self, name)}
            if have != wanted:
                raise ValueError(f"{name} must be exactly {sorted(wanted)} (the rating method's), not {sorted(have)}")
        missing = sorted(set(sources.SOURCE_TYPES) - {d.id for d in self.study_designs})
        if missing:
            raise ValueError(f"study_designs must name every type of source the register takes; missing {missing}")

    def vocabulary(self, name: str) -> Vocabulary:
        if name == "subcomponents":
            return Vocabulary(name, (s for a in self.areas for s in a.subcomponents))
        return Vocabulary(name, getattr(self, name))

    def area_of_subcomponent(self) -> dict[str, str]:
        return {s.id: a.id for a in self.areas for s in a.subcomponents}

    def kind(self, kind_id: str) -> Kind | None:
        return next((k for k in self.kinds if k.id == kind_id), None)


class Publication(Term):
    description: Text
    kinds: list[Slug] = Field(min_length=1)
    layers: list[Slug] = Field(min_length=1)
    cycle_months: int = Field(ge=1, le=240)
    first_review: dt.date


class Publications(Strict):
    publications: list[Publication] = Field(min_length=1)

    def for_kind(self, kind_id: str) -> Publication | None:
        return next((p for p in self.publications if kind_id in p.kinds), None)
