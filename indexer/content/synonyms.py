"""The curated synonyms and abbreviations file (`content/synonyms.yaml`): the words teachers use,
mapped to the words the library uses."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from indexer.content.schema import Strict, Text

Phrase = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9 '\-]*$", max_length=60)]


class Abbreviation(Strict):
    """An abbreviation as people write it (`SaLT`) and what it stands for, for the glossary."""

    short: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9]{1,9}$")]
    means: Annotated[Text, Field(max_length=120)]


class Synonyms(Strict):
    # Each group lists words or phrases that mean the same for search: finding one finds the others.
    groups: list[Annotated[list[Phrase], Field(min_length=2)]]
    # The common abbreviations the glossary explains; each is in a group, so search knows it too.
    abbreviations: list[Abbreviation] = []

    @model_validator(mode="after")
    def _abbreviations_are_searchable(self) -> Synonyms:
        phrases = {phrase for group in self.groups for phrase in group}
        seen: set[str] = set()
        for abbreviation in self.abbreviations:
            short = abbreviation.short.lower()
            if short not in phrases:
                raise ValueError(
                    f"abbreviation '{abbreviation.short}' is in no group: add '{short}' to the group of what it means"
                )
            if short in seen:
                raise ValueError(f"abbreviation '{abbreviation.short}' is listed twice")
            seen.add(short)
        return self

    @field_validator("groups")
    @classmethod
    def _each_phrase_once(cls, groups: list[list[str]]) -> list[list[str]]:
        seen: dict[str, int] = {}
        for number, group in enumerate(groups):
            for phrase in group:
                if phrase in seen:
                    raise ValueError(
                        f"'{phrase}' is in group {seen[phrase] + 1} and group {number + 1}: "
                        "a phrase may belong to one group only"
                    )
                seen[phrase] = number
        return groups

    def expansions(self, text: str) -> list[str]:
        """The other phrases of every group that has a phrase in `text` (whole words only)."""
        return [other for _, others in self.phrases_in(text) for other in others]

    def phrases_in(self, text: str) -> list[tuple[str, list[str]]]:
        """Each group with a phrase in `text` (whole words only): the longest such phrase, and the
        group's phrases that are not in `text`."""
        lowered = " " + re.sub(r"[^a-z0-9'\-]+", " ", text.lower()) + " "
        found: list[tuple[str, list[str]]] = []
        for group in self.groups:
            present = [phrase for phrase in group if f" {phrase} " in lowered]
            if present:
                found.append((max(present, key=len), [p for p in group if p not in present]))
        return found
