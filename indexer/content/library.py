"""Load all of `content/`: taxonomy, publications, reviews, the published record and items, with
every problem found.

Items come from the working copies (`source="working"`, what authors edit and previews show) or
from the latest published version of each item (`source="published"`, what the public sees).

`load_library` never raises on bad content: it returns what it could read and a list of problems,
so `nis validate` can report every mistake at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from indexer.content import checks, read_cache
from indexer.content.body import Body, parse_body
from indexer.content.frontmatter import FrontMatterProblem, split_front_matter
from indexer.content.model import Item, MODEL_FOR_KIND
from indexer.content.problems import did_you_mean, display_path, error_at, has_errors, Problem, Problems
from indexer.record.editions import load_published, PublishedRecord
from indexer.record.checks import check_publishing
from indexer.record.reviews import Review, REVIEW_SUFFIX, REVIEWS_DIR
from indexer.content.schema import report_validation_error
from indexer.content.synonyms import Synonyms
from indexer.content.taxonomy import Publications, Taxonomy
from indexer.content.yaml_lines import load_located, LocatedYaml, YamlProblem

TAXONOMY_FILE = "taxonomy.yaml"
PUBLICATIONS_FILE = "publications.yaml"
SYNONYMS_FILE = "synonyms.yaml"
ITEMS_DIR = "items"
ITEM_SUFFIX = ".md"


@dataclass
class ItemFile:
    """One item file as read: raw front matter (for checks) and, when valid, the typed item."""

    path: Path
    display_path: str
    folder_kind: str
    data: dict | None = None
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
        return read_cache.remember(self.file_hash, self.data, self.body, self.located, self.last_line)


@dataclass
class Library:
    root: Path
    taxonomy: Taxonomy | None = None
    publications: Publications | None = None
    synonyms: Synonyms | None = None
    config_hash: str | None = None  # of the files every item is checked against
    files: list[ItemFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    source: Literal["working", "published"] = "working"
    reviews: dict[str, Review] = field(default_factory=dict)
    published: PublishedRecord | None = None
    working_ids: set[str] = field(default_factory=set)  # every item with a working copy

    @property
    def items(self) -> dict[str, Item]:
        """The valid items, by ID."""
        return {f.item.id: f.item for f in self.files if f.item is not None}

    def body(self, item_id: str) -> Body | None:
        return next((f.body for f in self.files if f.item is not None and f.item.id == item_id), None)

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


def load_library(root: Path | str, cache: read_cache.ReadCache | None = None,
                 source: Literal["working", "published"] = "working") -> Library:
    """Read and check everything. With `cache` (from the previous build), files whose bytes are
    unchanged are not parsed again; the checks across items still run on all of them."""
    root = Path(root)
    library = Library(root=root, source=source)
    if not root.is_dir():
        library.problems.append(error_at(root.as_posix(), 1, "no-content", f"content folder not found: {root}"))
        return library
    library.taxonomy = _load_config(root / TAXONOMY_FILE, Taxonomy, library)
    library.publications = _load_config(root / PUBLICATIONS_FILE, Publications, library)
    library.synonyms = _load_config(root / SYNONYMS_FILE, Synonyms, library)
    if library.taxonomy is None or library.publications is None:
        return library  # items cannot be checked without the taxonomy
    _check_config_consistency(library)
    library.config_hash = read_cache.config_hash(root, (TAXONOMY_FILE, PUBLICATIONS_FILE))
    reusable = cache.files if cache is not None and cache.config == library.config_hash else {}
    _load_reviews(root, library)
    library.published = load_published(root)
    library.problems.extend(library.published.problems)
    working = _item_paths(root, library)
    library.working_ids = {p.stem for p in working}
    if source == "published":
        paths = [versions[-1].path for _, versions in sorted(library.published.versions.items())]
    else:
        paths = working
    for path in paths:
        library.files.append(_read_item(path, library, reusable))
    _check_across_items(library)
    check_publishing(library)
    library.problems.sort(key=lambda p: (p.path, p.line, p.message))
    return library


def _display(path: Path, library: Library) -> str:
    return display_path(library.root, path)


def _problems_for(path: Path, library: Library) -> Problems:
    return Problems(_display(path, library))


def _load_config(path: Path, model: type[BaseModel], library: Library):
    problems = _problems_for(path, library)
    located = _read_yaml_file(path, problems)
    result = None
    if located is not None:
        if not isinstance(located.data, dict):
            problems.error(1, "not-a-mapping", "the file must be a YAML mapping of names to values")
        else:
            try:
                result = model.model_validate(located.data)
            except ValidationError as exc:
                report_validation_error(exc, located, problems, model)
    library.problems.extend(problems)
    return result


def _load_reviews(root: Path, library: Library) -> None:
    folder = root / REVIEWS_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix != REVIEW_SUFFIX:
            library.problems.append(error_at(_display(path, library), 1, "not-a-review",
                                             f"only {REVIEW_SUFFIX} review files belong in {REVIEWS_DIR}/"))
            continue
        review = _load_config(path, Review, library)
        if review is None:
            continue
        if review.id != path.stem:
            library.problems.append(error_at(_display(path, library), 1, "review-id-file",
                                             f"the review's id '{review.id}' must match its file name '{path.stem}'"))
        library.reviews[review.id] = review


def _read_text(path: Path, problems: Problems) -> str | None:
    raw = _read_bytes(path, problems)
    return None if raw is None else _decode(raw, problems)


def _read_bytes(path: Path, problems: Problems) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        problems.error(1, "missing-file", "file not found")
    except OSError as exc:
        problems.error(1, "unreadable-file", f"cannot read the file: {exc.strerror}")
    return None


def _decode(raw: bytes, problems: Problems) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.error(line, "not-utf8", f"the file is not valid UTF-8 (byte {exc.start}); save it as UTF-8")
        return None
    return text.removeprefix("\ufeff")


def _read_yaml_file(path: Path, problems: Problems) -> LocatedYaml | None:
    text = _read_text(path, problems)
    if text is None:
        return None
    try:
        located = load_located(text)
    except YamlProblem as exc:
        problems.error(exc.line, "malformed-yaml", exc.message)
        return None
    for line, key in located.duplicate_keys:
        problems.error(line, "duplicate-key", f"the key '{key}' appears twice")
    return located


def _check_config_consistency(library: Library) -> None:
    taxonomy, publications = library.taxonomy, library.publications
    problems = _problems_for(library.root / PUBLICATIONS_FILE, library)
    kind_ids = [k.id for k in taxonomy.kinds]
    for kind_id in kind_ids:
        owners = [p.id for p in publications.publications if kind_id in p.kinds]
        if len(owners) != 1:
            problems.error(1, "kind-publication",
                           f"the kind '{kind_id}' must belong to exactly one publication, not {owners or 'none'}")
    layer_ids = {layer.id for layer in taxonomy.layers}
    for publication in publications.publications:
        for kind_id in publication.kinds:
            if kind_id not in kind_ids:
                problems.error(1, "unknown-value", f"publication '{publication.id}' names an unknown kind '{kind_id}'")
        for layer in publication.layers:
            if layer not in layer_ids:
                problems.error(1, "unknown-value", f"publication '{publication.id}' names an unknown layer '{layer}'")
    library.problems.extend(problems)
    problems = _problems_for(library.root / TAXONOMY_FILE, library)
    for kind_id in set(kind_ids) ^ set(MODEL_FOR_KIND):
        where = "taxonomy.yaml but not in the content model" if kind_id in kind_ids else "the content model but not in taxonomy.yaml"
        problems.error(1, "kind-model", f"the kind '{kind_id}' is in {where}")
    library.problems.extend(problems)


def _item_paths(root: Path, library: Library) -> list[Path]:
    items_dir = root / ITEMS_DIR
    kind_ids = [k.id for k in library.taxonomy.kinds]
    paths: list[Path] = []
    if not items_dir.is_dir():
        return paths
    for entry in sorted(items_dir.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file():
            library.problems.append(error_at(
                _display(entry, library), 1, "misplaced-file", f"item files belong in a folder named after their kind: items/<kind>/<ID>{ITEM_SUFFIX}"))
        elif entry.name not in kind_ids:
            library.problems.append(error_at(
                _display(entry, library), 1, "unknown-kind-folder",
                f"'{entry.name}' is not a kind{did_you_mean(entry.name, kind_ids)}; kinds: {', '.join(kind_ids)}"))
        else:
            for path in sorted(entry.iterdir()):
                if path.name.startswith("."):
                    continue
                if path.suffix != ITEM_SUFFIX or not path.is_file():
                    library.problems.append(error_at(
                        _display(path, library), 1, "not-an-item", f"only {ITEM_SUFFIX} item files belong in items/{entry.name}/"))
                else:
                    paths.append(path)
    return paths


def _read_item(path: Path, library: Library, reusable: dict[str, read_cache.CachedFile]) -> ItemFile:
    problems = _problems_for(path, library)
    record = ItemFile(path=path, display_path=problems.path, folder_kind=path.parent.name)
    try:
        raw = _read_bytes(path, problems)
        if raw is None:
            return record
        record.file_hash = read_cache.file_hash(raw)
        cached = reusable.get(record.display_path)
        if cached is not None and cached.file_hash == record.file_hash:
            _restore_item(record, cached)
        else:
            _parse_item(record, library, problems, raw)
    finally:
        library.problems.extend(problems)
    return record


def _restore_item(record: ItemFile, cached: read_cache.CachedFile) -> None:
    """An unchanged file that was valid when cached: valid still, as the taxonomy is the same."""
    record.cached, record.data, record.last_line = cached, cached.data, cached.last_line


def _parse_item(record: ItemFile, library: Library, problems: Problems, raw: bytes) -> None:
    taxonomy = library.taxonomy
    text = _decode(raw, problems)
    if text is None:
        return
    if not text.strip():
        problems.error(1, "empty-file", "the file is empty")
        return
    record.last_line = max(len(text.rstrip().splitlines()), 1)  # missing sections are reported here
    try:
        split = split_front_matter(text)
    except FrontMatterProblem as exc:
        problems.error(exc.line, "front-matter", exc.message)
        return
    record.body = parse_body(split.body, split.body_first_line)
    try:
        located = load_located(split.front_matter, split.front_matter_first_line)
    except YamlProblem as exc:
        problems.error(exc.line, "malformed-yaml", exc.message)
        return
    for line, key in located.duplicate_keys:
        problems.error(line, "duplicate-key", f"the key '{key}' appears twice")
    if not isinstance(located.data, dict):
        problems.error(1, "not-a-mapping", "the front matter must be a YAML mapping of field names to values")
        return
    record.data, record.located = located.data, located

    kind_id = located.data.get("kind")
    if isinstance(kind_id, str) and kind_id != record.folder_kind:
        kinds = [k.id for k in taxonomy.kinds]
        hint = did_you_mean(kind_id, kinds) if kind_id not in kinds else ""
        problems.error(located.line_of(("kind",)), "kind-folder",
                       f"kind '{kind_id}'{hint} does not match the folder items/{record.folder_kind}/")
    model = MODEL_FOR_KIND.get(record.folder_kind)
    data_for_model = dict(located.data)
    if "kind" in data_for_model and kind_id != record.folder_kind:
        data_for_model["kind"] = record.folder_kind  # reported above; check the rest as the folder's kind
    try:
        item = model.model_validate(data_for_model)
    except ValidationError as exc:
        report_validation_error(exc, located, problems, model)
        item = None

    stem = record.path.stem
    checks.check_taxonomy_values(located.data, located, taxonomy, problems)
    checks.check_subcomponents(located.data, located, taxonomy, problems)
    checks.check_kind_rules(located.data, located, record.folder_kind, taxonomy, library.publications, problems, stem)
    checks.check_evidence(located.data, located, taxonomy, problems)
    checks.check_sections(record.body, record.folder_kind, taxonomy, problems, record.last_line)
    if item is not None and not has_errors(problems):
        record.item = item


def _check_across_items(library: Library) -> None:
    """IDs are unique; every reference names an item that exists and fits."""
    by_id: dict[str, ItemFile] = {}
    for record in library.files:
        item_id = record.data.get("id") if record.data else None
        if not isinstance(item_id, str):
            continue
        if item_id in by_id:
            problems = Problems(record.display_path)
            problems.error(record.located.line_of(("id",)), "duplicate-id",
                           f"the ID '{item_id}' is already used by {by_id[item_id].display_path}")
            library.problems.extend(problems)
            record.item = None
        else:
            by_id[item_id] = record
    for record in library.files:
        if record.data is None:
            continue
        problems = Problems(record.display_path)
        _check_references(record, by_id, problems, library)
        if has_errors(problems):
            record.item = None
        library.problems.extend(problems)


def _check_references(record: ItemFile, by_id: dict[str, ItemFile], problems: Problems, library: Library) -> None:
    data, located = record.data, record.located
    own_id = data.get("id")
    for field_name in ("related", "leads_to", "components", "replaced_by"):
        for where, target in checks.values_at(data, (field_name,)):
            if not isinstance(target, str):
                continue
            line = located.line_of(where)
            if target == own_id:
                problems.error(line, "self-reference", f"'{field_name}' points at the item itself")
                continue
            other = by_id.get(target)
            if other is None and library.source == "published" and target in library.working_ids:
                problems.warning(line, "not-yet-published", f"'{field_name}' points at '{target}', which has no "
                                 "published version yet: the link appears once it is published")
                continue
            if other is None:
                problems.error(line, "dangling-reference",
                               f"'{field_name}' points at '{target}', which does not exist{did_you_mean(target, by_id)}")
                continue
            other_kind, other_status = other.data.get("kind"), other.data.get("status", "active")
            if field_name == "leads_to" and other_kind == record.folder_kind:
                problems.error(line, "leads-to-kind",
                               f"'leads_to' must point at what the tool leads to (a practice, intervention, "
                               f"adjustment or package), not at another {other_kind} '{target}'")
            if field_name == "replaced_by" and other_status == "withdrawn":
                problems.error(line, "replaced-by-withdrawn", f"'replaced_by' points at '{target}', which is itself withdrawn")
            elif field_name != "replaced_by" and other_status == "withdrawn":
                problems.warning(line, "reference-to-withdrawn", f"'{field_name}' points at '{target}', which is withdrawn")
    if record.folder_kind == "identification-tool" and "leads_to" in data and not data.get("leads_to"):
        problems.error(located.line_of(("leads_to",)), "leads-nowhere",
                       "an identification tool must lead to at least one practice, intervention, adjustment or package")
    if data.get("replaced_by") and data.get("status", "active") != "withdrawn":
        problems.error(located.line_of(("replaced_by",)), "replaced-by-active",
                       "'replaced_by' is only for withdrawn items: set 'status: withdrawn' or remove it")
