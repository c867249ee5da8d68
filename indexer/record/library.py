"""The whole library as `nis validate`, `nis publish` and `nis build` see it: the content, the
reviews and the published record, with the items taken from the working copies (`source="working"`,
what authors edit and previews show) or from the latest published version of each
(`source="published"`, what the public sees)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from indexer.content.folder import Content
from indexer.record.editions import PublishedRecord
from indexer.record.reviews import Review

Source = Literal["working", "published"]


@dataclass
class Library(Content):
    source: Source = "working"
    reviews: dict[str, Review] = field(default_factory=dict)
    published: PublishedRecord | None = None
    working_ids: set[str] = field(default_factory=set)  # every item with a working copy
