"""The curated synonyms and abbreviations file (`content/synonyms.yaml`): the words teachers use,
mapped to the words the library uses."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, field_validator

from indexer.content.schema import Strict

Phrase = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9 '\-]*$", max_length=60)]


class Synonyms(Strict):
    # Each group lists words or phrases that mean the same for search: finding one finds the others.
    groups: list[Annotated[list[Phrase], Field(min_length=2)]]

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
        lowered = " " + re.sub(r"[^a-z0-9'\-]+", " ", text.lower()) + " "
        found: list[str] = []
        for group in self.groups:
            if any(f" {phrase} " in lowered for phrase in group):
                found.extend(p for p in group if f" {p} " not in lowered)
        return found
