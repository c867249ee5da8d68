"""The taxonomy (`content/taxonomy.yaml`) and publications (`content/publications.yaml`) as typed objects.

Code reads every controlled value from these files; none is hard-coded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from pydantic import Field, model_validator

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


class SourcesNeeded(Strict):
    """How many of an item's recorded sources must be of these designs (and, with `tests_item`,
    must have tested the item itself rather than a broader family of approaches)."""

    count: int = Field(ge=1, le=20)
    designs: list[Slug] = Field(min_length=1)
    tests_item: bool = False


class StrengthRule(Strict):
    """One machine-checkable rule a rating must meet. An `error` is a rule the recorded sources
    settle; a `warning` is one where the panel's judgement applies, so `nis validate` asks for a
    second look rather than refusing."""

    id: Slug
    severity: Literal["error", "warning"]
    rule: Text  # the rule in plain words, quoted in the problem
    needs: SourcesNeeded
    # The rule is met anyway when the item's evidence population is one of these.
    unless_population: list[Slug] = []


class Strength(Term):
    needs_sources: bool  # whether an item claiming this strength must cite a source
    criteria: Text | None = None  # what the strength needs, in plain words (the glossary shows it)
    rules: list[StrengthRule] = []


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

    def __iter__(self):
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
    evidence_populations: list[Term] = Field(min_length=1)
    study_designs: list[Term] = Field(min_length=1)
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
        self._rules_name_known_values()
        return self

    def _rules_name_known_values(self) -> None:
        designs = {d.id for d in self.study_designs}
        populations = {p.id for p in self.evidence_populations}
        for strength in self.evidence_strengths:
            for rule in strength.rules:
                unknown = sorted(set(rule.needs.designs) - designs) + sorted(set(rule.unless_population) - populations)
                if unknown:
                    raise ValueError(f"rule '{rule.id}' of strength '{strength.id}' names unknown values {unknown}")

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
