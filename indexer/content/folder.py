"""What reading a content folder gives: the taxonomy, publications, synonyms, everyday words and scope, the item files
(each with its typed item when valid) and every problem found. `indexer.content.loader` fills it
in; `indexer.content.checker` adds the checks across items."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from indexer.content import read_cache
from indexer.content.body import Body
from indexer.content.model import MODEL_FOR_KIND, Item
from indexer.content.problems import Problem, has_errors
from indexer.content.scope import Scope
from indexer.content.sources import SourceRecord
from indexer.content.synonyms import Synonyms
from indexer.content.taxonomy import Publications, Taxonomy
from indexer.content.yaml_lines import LocatedYaml, YamlMapping

TAXONOMY_FILE = "taxonomy.yaml"
PUBLICATIONS_FILE = "publications.yaml"
SYNONYMS_FILE = "synonyms.yaml"
EVERYDAY_WORDS_FILE = "everyday-words.yaml"  # optional: missing means no everyday words
SCOPE_FILE = "scope.yaml"  # optional (content trees older than it have none): missing means no topics
ITEMS_DIR = "items"
ITEM_SUFFIX = ".md"


@dataclass
class ItemFile:
    """One item file as read: raw front matter (for checks) and, when valid, the typed item."""

    path: Path
    display_path: str
    folder_kind: str
    data: YamlMapping | None = None
    _located: LocatedYaml | None = None
    _body: Body | None = None
    _item: Item | None = None
    last_line: int = 1
    file_hash: str | None = None
    cached: read_cache.CachedFile | None = None  # set when the file is unchanged since the last build

    # Restored files are turned into objects only when something asks: a build that carries them
    # over never does, which keeps an edit to one item in 10,000 cheap.
    @property
    def from_cache(self) -> bool:
        return self.cached is not None

    _invalid: bool = False

    @property
    def item(self) -> Item | None:
        """The typed item, or None if the file has errors."""
        if self._item is None and self.cached is not None and not self._invalid:
            self._item = MODEL_FOR_KIND[self.folder_kind].model_validate(self.data)
        return self._item

    @item.setter
    def item(self, value: Item | None) -> None:
        self._item, self._invalid = value, value is None

    @property
    def body(self) -> Body | None:
        if self._body is None and self.cached is not None:
            self._body = self.cached.body()
        return self._body

    @body.setter
    def body(self, value: Body | None) -> None:
        self._body = value

    @property
    def located(self) -> LocatedYaml | None:
        if self._located is None and self.cached is not None:
            self._located = self.cached.located()
        return self._located

    @located.setter
    def located(self, value: LocatedYaml | None) -> None:
        self._located = value

    def cache_entry(self) -> read_cache.CachedFile | None:
        if self.item is None or self.file_hash is None:
            return None
        data, body, located = self.data, self.body, self.located
        assert data is not None and body is not None and located is not None, "a valid item's file was read whole"
        return read_cache.remember(self.file_hash, data, body, located, self.last_line)


@dataclass
class Content:
    """What was read from a content folder: the files every item is checked against, the item files
    and every problem found."""

    root: Path
    taxonomy: Taxonomy | None = None
    publications: Publications | None = None
    synonyms: Synonyms | None = None
    # Item ID -> the phrases families and staff use for the need it answers. Only items with
    # phrases are keys: read it with `.get(item_id, ())`. Empty when the file is missing or invalid.
    everyday_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    everyday_words_lines: dict[str, int] = field(default_factory=dict)  # the line of each ID in the file
    # The topics the library does not cover; None when the file is missing or invalid.
    scope: Scope | None = None
    scope_word_lines: dict[str, int] = field(default_factory=dict)  # the line of each word in the file
    # The source register (content/sources/), by source ID: the valid records only.
    sources: dict[str, SourceRecord] = field(default_factory=dict)
    config_hash: str | None = None  # of the files every item is checked against
    files: list[ItemFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Whether ratings are held to the strength rules in the taxonomy. Published versions are the
    # record of what was published under the rules of their day: the rules apply to new versions.
    judge_ratings: bool = True

    @property
    def items(self) -> dict[str, Item]:
        """The valid items, by ID."""
        return {f.item.id: f.item for f in self.files if f.item is not None}

    def body(self, item_id: str) -> Body | None:
        return next((f.body for f in self.files if f.item is not None and f.item.id == item_id), None)

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)
