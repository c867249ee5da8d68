"""Reviews (`content/reviews/<id>.yaml`): one file per review of a publication.

A review is `initial` (the first publication), `scheduled` (answering a date of the publication's
cycle, its `due`) or `out-of-cycle` (triggered by significant new evidence, which it records, and
limited to a scope of items or areas). Editions name the review they came from.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AnyHttpUrl, Field, model_validator

from indexer.content.model import ItemId
from indexer.content.schema import MarkdownText, Slug, Strict, Text
from indexer.record.schedule import HeldReview

REVIEWS_DIR = "reviews"
REVIEW_SUFFIX = ".yaml"


class EvidenceSource(Strict):
    citation: Text
    url: AnyHttpUrl | None = None


class Trigger(Strict):
    """The significant new evidence that prompted an out-of-cycle review."""

    summary: MarkdownText
    sources: list[EvidenceSource] = Field(min_length=1)


class Scope(Strict):
    items: list[ItemId] = []
    areas: list[Slug] = []

    @model_validator(mode="after")
    def _not_empty(self) -> Scope:
        if not self.items and not self.areas:
            raise ValueError("a scope names at least one item or area")
        return self


class Review(Strict):
    id: Slug
    publication: Slug
    type: Literal["initial", "scheduled", "out-of-cycle"]
    title: Text
    due: dt.date | None = None  # scheduled: the cycle date this review answers
    opened: dt.date | None = None
    closed: dt.date | None = None
    trigger: Trigger | None = None  # out-of-cycle only
    scope: Scope | None = None  # out-of-cycle only; the others cover the whole publication
    findings: MarkdownText | None = None  # the published findings, once there are some

    @model_validator(mode="after")
    def _fits_its_type(self) -> Review:
        if self.type == "scheduled" and self.due is None:
            raise ValueError("a scheduled review needs 'due': the date of the cycle it answers")
        if self.type != "scheduled" and self.due is not None:
            raise ValueError("only a scheduled review has 'due'")
        if self.type == "out-of-cycle" and (self.trigger is None or self.scope is None):
            raise ValueError("an out-of-cycle review records its 'trigger' (the new evidence) and its 'scope'")
        if self.type != "out-of-cycle" and (self.trigger is not None or self.scope is not None):
            raise ValueError("only an out-of-cycle review has a 'trigger' and a 'scope'")
        if self.closed is not None and (self.opened is None or self.closed < self.opened):
            raise ValueError("'closed' needs an 'opened' date on or before it")
        return self

    def held(self) -> HeldReview:
        return HeldReview(self.id, self.type, self.due, self.opened, self.closed)

    def covers(self, item_id: str, item_areas: list[str]) -> bool:
        if self.scope is None:
            return True
        return item_id in self.scope.items or bool(set(item_areas) & set(self.scope.areas))
